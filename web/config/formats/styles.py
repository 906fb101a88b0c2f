"""The three ways the supported locales write dates and times; each locale module picks one.

The names are those of the ``when`` template filter (``apps.accounts.locale.WHEN_NAMES``).
"""

from __future__ import annotations

#: The United Kingdom and Ireland: "Sun 6 Dec 2026, 22:00".
DAY_FIRST_24H = {
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

#: Australia: "Sun 6 Dec 2026, 10:00 p.m.".
DAY_FIRST_12H = {
    **DAY_FIRST_24H,
    "datetime": "j M Y, g:i a",
    "day_time": "j M, g:i a",
    "weekday_time": "D j M, g:i a",
    "long_weekday_time": "l j F, g:i a",
    "time": "g:i a",
}

#: The United States and Canada: "Sun, Dec 6, 2026, 10:00 PM".
MONTH_FIRST_12H = {
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
