"""Date and time formats per locale (``FORMAT_MODULE_PATH``); the three styles are in ``styles``.

Each locale module sets Django's named formats (``DATE_FORMAT``, ``TIME_FORMAT``...) and the
lowdose names the ``when`` template filter reads (``WHEN_FORMATS``): every date a page shows goes
through one of these names, never a format string written in a template, so a patient who reads
"Dec 6, 2026, 10:00 PM" and one who reads "6 Dec 2026, 22:00" see the same page.
"""
