"""English (United Kingdom): dates read like "6 Dec 2026, 22:00" (see ``config.formats``)."""

# Django's named formats (the `date` filter, `{{ value }}` of a date).
DATE_FORMAT = "j M Y"
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "j M Y, H:i"
MONTH_DAY_FORMAT = "j M"
YEAR_MONTH_FORMAT = "F Y"

# lowdose's names, read by the `when` filter: {{ value|when:"weekday" }}.
WHEN_FORMATS = {
    "date": "j M Y",
    "day": "j M",
    "weekday": "D j M",
    "weekday_year": "D j M Y",
    "datetime": "j M Y, H:i",
    "day_time": "j M, H:i",
    "weekday_time": "D j M, H:i",
    "long_weekday": "l j F",
    "long_weekday_time": "l j F, H:i",
    "time": "H:i",
    "month": "F Y",
}
