"""English (Australia): dates and times written the DAY_FIRST_12H way."""

from config.formats.styles import DAY_FIRST_12H as WHEN_FORMATS

# Django's named formats (the `date` filter, and a date printed as it is).
DATE_FORMAT = WHEN_FORMATS["date"]
TIME_FORMAT = WHEN_FORMATS["time"]
DATETIME_FORMAT = WHEN_FORMATS["datetime"]
MONTH_DAY_FORMAT = WHEN_FORMATS["day"]
YEAR_MONTH_FORMAT = WHEN_FORMATS["month"]
