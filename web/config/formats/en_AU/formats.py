"""English (Australia): dates read like "6 Dec 2026, 10:00 pm" (see ``config.formats``)."""

# Django's named formats (the `date` filter, `{{ value }}` of a date).
DATE_FORMAT = "j M Y"
TIME_FORMAT = "g:i a"
DATETIME_FORMAT = "j M Y, g:i a"
MONTH_DAY_FORMAT = "j M"
YEAR_MONTH_FORMAT = "F Y"

# lowdose's names, read by the `when` filter: {{ value|when:"weekday" }}.
WHEN_FORMATS = {
    "date": "j M Y",
    "day": "j M",
    "weekday": "D j M",
    "weekday_year": "D j M Y",
    "datetime": "j M Y, g:i a",
    "day_time": "j M, g:i a",
    "weekday_time": "D j M, g:i a",
    "long_weekday": "l j F",
    "long_weekday_time": "l j F, g:i a",
    "time": "g:i a",
    "month": "F Y",
}
