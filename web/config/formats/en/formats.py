"""English (United States): dates read like "Dec 6, 2026, 10:00 PM" (see ``config.formats``)."""

# Django's named formats (the `date` filter, `{{ value }}` of a date).
DATE_FORMAT = "M j, Y"
TIME_FORMAT = "g:i A"
DATETIME_FORMAT = "M j, Y, g:i A"
MONTH_DAY_FORMAT = "M j"
YEAR_MONTH_FORMAT = "F Y"

# lowdose's names, read by the `when` filter: {{ value|when:"weekday" }}.
WHEN_FORMATS = {
    "date": "M j, Y",
    "day": "M j",
    "weekday": "D, M j",
    "weekday_year": "D, M j, Y",
    "datetime": "M j, Y, g:i A",
    "day_time": "M j, g:i A",
    "weekday_time": "D, M j, g:i A",
    "long_weekday": "l, F j",
    "long_weekday_time": "l, F j, g:i A",
    "time": "g:i A",
    "month": "F Y",
}
