"""lowdose web settings: one module, driven by environment variables that fail loudly.

Environment
-----------
``DATABASE_URL``            PostgreSQL (``postgres://user:pass@host:5432/db``); default: SQLite,
                            ``var/lowdose.sqlite3``
``LOWDOSE_SECRET_KEY``      or ``LOWDOSE_SECRET_KEY_FILE``; required with ``DATABASE_URL`` (every
                            app server needs the same key); without either, a random key is
                            kept in ``var/secret_key`` (mode 600)
``LOWDOSE_DEBUG``           ``1`` turns on Django's debug pages; off by default
``LOWDOSE_ALLOWED_HOSTS``   comma-separated; default ``127.0.0.1,localhost``
``LOWDOSE_HTTPS``           ``1`` (default) marks cookies Secure, sends HSTS and redirects
                            plain HTTP to HTTPS (not ``/health``); ``0`` for
                            plain-HTTP loopback use (``make run`` serves http://127.0.0.1:8000)
``LOWDOSE_TIME_ZONE``       default time zone for new patients; default ``Europe/London``
``LOWDOSE_LOGIN_FAILURES``  failed logins of one username from one address before that pair is
                            refused; default 5 (``docs/deployment.md``, rate limits)
``LOWDOSE_LOCKOUT_MINUTES`` the window of every login limit; default 15
``LOWDOSE_ADDRESS_FAILURES`` failed logins from one client address (any usernames) before the
                            address is refused; default 20
``LOWDOSE_USERNAME_FAILURES`` failed logins of one username (any addresses) before its attempts
                            are spaced out (slowed, never locked); default 10
``LOWDOSE_USERNAME_SPACING_SECONDS`` the spacing then; default 10
``LOWDOSE_TRUSTED_PROXIES`` comma-separated IPs or CIDRs of reverse proxies whose
                            ``X-Forwarded-For`` is believed; default none
``LOWDOSE_CACHE``           ``database`` (default; shared by every app server) or ``locmem``
                            (one process only; chart images in ``var/chart-cache/``)
``LOWDOSE_EMAIL_HOST``      SMTP server for password-reset, reminder and alert mail; unset:
                            mail is printed on the console. With it: ``LOWDOSE_EMAIL_PORT``
                            (587), ``LOWDOSE_EMAIL_USER``, ``LOWDOSE_EMAIL_PASSWORD`` or
                            ``_FILE``, ``LOWDOSE_EMAIL_TLS`` (1: STARTTLS; ``ssl``: implicit
                            TLS; 0: none)
``LOWDOSE_EMAIL_BACKEND``   ``console``, ``file`` (``var/mail/``) or ``smtp``; default ``smtp``
                            when ``LOWDOSE_EMAIL_HOST`` is set, else ``console``
``LOWDOSE_EMAIL_FROM``      the sender of lowdose's mail; default ``lowdose <noreply@localhost>``
``LOWDOSE_LICENSED_WORDING`` wording files of licensed questionnaires (FIQR), comma-separated
``LOWDOSE_EMERGENCY_NUMBER`` the local emergency number in the default crisis message; default
                           ``112`` (reaches emergency services from mobiles in the EU and most
                           other countries); set ``911``, ``999``, ``000``… for your country
``LOWDOSE_WORKER_PROCESSES`` job processes in one worker (``manage.py qcluster``); default 2
``LOWDOSE_VAPID_PRIVATE_KEY`` or ``LOWDOSE_VAPID_PRIVATE_KEY_FILE``: the Web Push (VAPID) key, an
                            EC P-256 private key in PEM; without either and without
                            ``DATABASE_URL``, one is kept in ``var/vapid_private_key.pem`` (mode
                            600); with ``DATABASE_URL`` and no key, Web Push is off
``LOWDOSE_VAPID_SUBJECT``   who runs this server, for the push services: ``mailto:`` or
                            ``https:``; default ``mailto:`` and the address of
                            ``LOWDOSE_EMAIL_FROM``
"""

from __future__ import annotations

import ipaddress
import os
import secrets
import tempfile
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import dj_database_url
import django_stubs_ext
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

django_stubs_ext.monkeypatch()  # lets ModelAdmin[...] and QuerySet[...] be subscripted at run time

WEB_DIR = Path(__file__).resolve().parent.parent
REPO_DIR = WEB_DIR.parent
VAR_DIR = Path(os.environ.get("LOWDOSE_VAR_DIR", REPO_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    lowered = raw.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r}: use 1 or 0.")


def env_int(name: str, default: int, *, minimum: int = 1) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r}: use a whole number.") from None
    if value < minimum:
        raise ImproperlyConfigured(f"{name}={raw!r}: use a number >= {minimum}.")
    return value


def env_secret(name: str) -> str | None:
    file_name = os.environ.get(f"{name}_FILE")
    if file_name:
        return Path(file_name).read_text(encoding="utf-8").strip()
    return os.environ.get(name) or None


def create_private_file(path: Path, content: str = "") -> str:
    """Create ``path`` readable only by its owner (mode 600 from the first byte) and return what
    it holds: ``content``, or what another process wrote there first.

    The content goes to a private temporary file that is then linked into place, so a second
    process starting at the same moment (two gunicorn workers) reads a complete file, never a
    half-written one, and both end up with the same value.
    """
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")  # mode 600
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(content)
        os.link(temporary, path)
    except FileExistsError:
        return path.read_text(encoding="utf-8")
    finally:
        os.unlink(temporary)
    return content


# The var directory holds the SQLite database and the generated secret key: only its owner may
# enter it (mode 700 when lowdose creates it; an existing directory keeps its mode).
VAR_DIR.mkdir(mode=0o700, parents=True, exist_ok=True)

DEBUG = env_bool("LOWDOSE_DEBUG", False)
SECRET_KEY = env_secret("LOWDOSE_SECRET_KEY") or ""
if not SECRET_KEY and os.environ.get("DATABASE_URL"):
    # Several app servers share one database; a key generated on each would make every server
    # reject the others' sessions, password-reset links and signed values.
    raise ImproperlyConfigured(
        "DATABASE_URL is set but no secret key: set LOWDOSE_SECRET_KEY_FILE (a file holding the "
        "key, e.g. /etc/lowdose/secret_key) or LOWDOSE_SECRET_KEY, with the same key on every "
        "app server. Make one with: python3 -c 'import secrets; print(secrets.token_urlsafe(50))'"
    )
if not SECRET_KEY:
    # A single-laptop install keeps a random key beside its SQLite database (mode 600); a clinic
    # server sets LOWDOSE_SECRET_KEY or LOWDOSE_SECRET_KEY_FILE instead.
    key_file = VAR_DIR / "secret_key"
    if key_file.exists():
        SECRET_KEY = key_file.read_text(encoding="utf-8").strip()
    else:
        SECRET_KEY = create_private_file(key_file, secrets.token_urlsafe(50)).strip()

ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get("LOWDOSE_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",")
    if h.strip()
]
HTTPS = env_bool("LOWDOSE_HTTPS", True)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_htmx",
    "django_q",
    "apps.accounts",
    "apps.audit",
    "apps.checkins",
    "apps.clinical",
    "apps.pharmacy",
    "apps.pharmacology",
    "apps.evidence",
    "apps.nof1",
    "apps.alerts",
    "apps.notifications",
    "apps.research",
    "apps.reports",  # reads checkins, clinical, nof1, alerts and pharmacy: after them
    "apps.sharing",  # share links of the visit report (SMART Health Links): after reports
    "apps.demo",
    "apps.jobs",
    "apps.webapp",
    "apps.fhir",  # reads checkins, clinical, pharmacy and nof1: after them
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Cache-Control: no-store on everything that can carry patient data (below WhiteNoise, so
    # static files stay cacheable).
    "apps.accounts.no_store.NoStoreMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    # A NUL character in a form or query string is refused before any view looks it up.
    "apps.accounts.input_guard.NulGuardMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Dates and times as the reader expects them: a patient's own locale, else the clinic's.
    "apps.accounts.locale.ReaderLocaleMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # Staff (and patients who turned it on) must pass two-factor before any other page.
    "apps.accounts.two_factor.RequireTwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # request.htmx: true when htmx asks for a fragment (the page's link works without it).
    "django_htmx.middleware.HtmxMiddleware",
    "csp.middleware.CSPMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [WEB_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "apps.alerts.context.alert_count",
                "apps.notifications.context.unread_notifications",
                "apps.evidence.context.trials_waiting",
            ],
            "builtins": [
                "apps.checkins.templatetags.lowdose_filters",
                "apps.evidence.templatetags.evidence_words",
            ],
        },
    }
]

if os.environ.get("DATABASE_URL"):
    DATABASES = {"default": dj_database_url.parse(os.environ["DATABASE_URL"], conn_max_age=60)}
else:
    # SQLite creates its -wal and -shm files with the database file's mode, so creating the empty
    # database (a valid SQLite file) with mode 600 keeps all three private to their owner.
    _SQLITE_FILE = VAR_DIR / "lowdose.sqlite3"
    if not _SQLITE_FILE.exists():
        create_private_file(_SQLITE_FILE)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(_SQLITE_FILE),
            "OPTIONS": {
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA busy_timeout=5000;",
                # BEGIN IMMEDIATE: a transaction takes the write lock when it starts, so the audit
                # chain head is read under it (apps.audit.chain) and a writer waits (busy_timeout)
                # instead of failing when another commits first.
                "transaction_mode": "IMMEDIATE",
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
# One backend: Django's ModelBackend behind the login rate limits, which are checked before the
# password is hashed (apps.accounts.throttle). Do not add ModelBackend beside it: authenticate()
# would fall through to it and hash anyway.
AUTHENTICATION_BACKENDS = ["apps.accounts.throttle.RateLimitedModelBackend"]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Login rate limits (apps.accounts.throttle), counted in the cache before any password hashing:
# per username *and* address (refused), per address (refused), per username across addresses
# (spaced out, never refused outright, so nobody can lock a person out from elsewhere).
LOGIN_FAILURES_PER_USERNAME_AND_ADDRESS = env_int("LOWDOSE_LOGIN_FAILURES", 5)
LOGIN_FAILURES_PER_ADDRESS = env_int("LOWDOSE_ADDRESS_FAILURES", 20)
LOGIN_FAILURES_PER_USERNAME = env_int("LOWDOSE_USERNAME_FAILURES", 10)
LOGIN_USERNAME_SPACING = timedelta(seconds=env_int("LOWDOSE_USERNAME_SPACING_SECONDS", 10))
LOGIN_LIMIT_WINDOW = timedelta(minutes=env_int("LOWDOSE_LOCKOUT_MINUTES", 15))


def env_networks(name: str) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    """Comma-separated IP addresses or CIDR blocks (``10.0.0.0/8, ::1``)."""
    networks = []
    for part in os.environ.get(name, "").split(","):
        if not part.strip():
            continue
        try:
            networks.append(ipaddress.ip_network(part.strip(), strict=False))
        except ValueError:
            raise ImproperlyConfigured(
                f"{name}: {part.strip()!r} is not an IP address or CIDR block (e.g. 10.0.0.5, "
                "10.0.0.0/24, ::1)."
            ) from None
    return tuple(networks)


# Reverse proxies whose X-Forwarded-For is believed (apps.audit.addresses.client_address).
TRUSTED_PROXIES = env_networks("LOWDOSE_TRUSTED_PROXIES")

# The cache holds the login counters: the database table is shared by every app server
# (`manage.py createcachetable`, run by `make migrate`); local memory is per process.
# Chart images rendered by the worker (apps.checkins.chart_images) have a cache of their own, so
# a few hundred images cannot push the login counters out (a cache culls beyond MAX_ENTRIES,
# 300 by default): 2000 images of about 0.5 MB each at most.
_CHART_IMAGES = 2000
_CACHE = os.environ.get("LOWDOSE_CACHE", "database").strip().lower()
if _CACHE == "database":
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "lowdose_cache",
        },
        "charts": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "lowdose_chart_cache",
            "OPTIONS": {"MAX_ENTRIES": _CHART_IMAGES},
        },
    }
elif _CACHE == "locmem":
    # The worker is another process: its images go to files in the var directory, which the
    # web server on the same machine reads.
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "charts": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "chart-cache"),
            "OPTIONS": {"MAX_ENTRIES": _CHART_IMAGES},
        },
    }
else:
    raise ImproperlyConfigured(f"LOWDOSE_CACHE={_CACHE!r}: use database or locmem.")

# Background jobs (Django-Q2, docs/decisions/0008-task-queue.md): the queue, the schedules and the
# results live in the app's own database (the ORM broker), so SQLite on a laptop and PostgreSQL in a
# clinic need nothing else. `manage.py qcluster` is one worker; `make run` starts one beside the
# web server. A worker claims a job by a conditional UPDATE of its lease (only one worker's update
# matches), so several workers on several machines share one queue; a job whose worker died, or
# that raised, is handed out again when its lease ends: at-least-once, so every job is idempotent.
Q_CLUSTER = {
    "name": "lowdose",
    "orm": "default",
    "workers": env_int("LOWDOSE_WORKER_PROCESSES", 2),
    # A job running longer than this is killed (housekeeping takes seconds).
    "timeout": 300,
    # The lease: a job not acknowledged this long after it was claimed (its worker died, or it
    # raised) is handed out again. Longer than the timeout, so a slow job is never run twice at
    # once; also the wait before a failed job's next attempt.
    "retry": 600,
    "max_attempts": 5,  # then the job stays in the admin's failed list
    "ack_failures": False,  # a failed attempt is retried, not acknowledged
    # A worker that was down runs a missed periodic job once, not once per missed slot.
    "catch_up": False,
    "save_limit": 1000,  # successful runs kept for the admin (failures are all kept)
    "poll": 2,  # seconds between looks at an empty queue
    "label": "Background jobs",
}

# Two-factor authentication (django-otp): TOTP apps and single-use recovery codes.
OTP_TOTP_ISSUER = "lowdose"
OTP_ADMIN_HIDE_SENSITIVE_DATA = True  # the admin never shows another person's secret or QR code
RECOVERY_CODE_COUNT = 10

# E-mail (password reset; reminders and alerts: apps.notifications.channels). A laptop prints
# mail on the console; a clinic sets an SMTP server.
EMAIL_HOST = os.environ.get("LOWDOSE_EMAIL_HOST", "").strip()
_EMAIL_BACKENDS = {
    "console": "django.core.mail.backends.console.EmailBackend",
    "file": "django.core.mail.backends.filebased.EmailBackend",
    "smtp": "django.core.mail.backends.smtp.EmailBackend",
}
_email_backend = os.environ.get("LOWDOSE_EMAIL_BACKEND", "").strip().lower() or (
    "smtp" if EMAIL_HOST else "console"
)
if _email_backend not in _EMAIL_BACKENDS:
    raise ImproperlyConfigured(
        f"LOWDOSE_EMAIL_BACKEND={_email_backend!r}: use console, file or smtp."
    )
if _email_backend == "smtp" and not EMAIL_HOST:
    raise ImproperlyConfigured("LOWDOSE_EMAIL_BACKEND=smtp needs LOWDOSE_EMAIL_HOST.")
EMAIL_BACKEND = _EMAIL_BACKENDS[_email_backend]
EMAIL_FILE_PATH = VAR_DIR / "mail"
EMAIL_PORT = env_int("LOWDOSE_EMAIL_PORT", 587)
EMAIL_HOST_USER = os.environ.get("LOWDOSE_EMAIL_USER", "").strip()
EMAIL_HOST_PASSWORD = env_secret("LOWDOSE_EMAIL_PASSWORD") or ""
_email_tls = os.environ.get("LOWDOSE_EMAIL_TLS", "1").strip().lower()
if _email_tls == "ssl":
    EMAIL_USE_TLS, EMAIL_USE_SSL = False, True
else:
    EMAIL_USE_TLS, EMAIL_USE_SSL = env_bool("LOWDOSE_EMAIL_TLS", True), False
EMAIL_TIMEOUT = 20
DEFAULT_FROM_EMAIL = (
    os.environ.get("LOWDOSE_EMAIL_FROM", "").strip() or "lowdose <noreply@localhost>"
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL
PASSWORD_RESET_TIMEOUT = 60 * 60 * 3  # a reset link works for three hours

# Sessions and CSRF
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 60 * 60 * 12  # a clinic day
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if HTTPS and not DEBUG:
    SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365
    # Subdomains of lowdose's own host name (not of the clinic's domain) are HTTPS-only too.
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    # A plain-HTTP request that reaches the app (the proxy forgot X-Forwarded-Proto, or someone
    # bypasses it) is redirected to HTTPS; the load balancer's GET /health stays answerable.
    SECURE_SSL_REDIRECT = True
    SECURE_REDIRECT_EXEMPT = [r"^health$"]
# HSTS preload commits the clinic's whole registrable domain (every subdomain, run by whoever) to
# HTTPS in browsers for months; that is the domain owner's decision, made at hstspreload.org,
# not a flag the app should send for them (docs/deployment.md).
SILENCED_SYSTEM_CHECKS = ["security.W021"]
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("LOWDOSE_CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]

# Content-Security-Policy: scripts only from our own origin (vendored files; vega runs with its
# expression interpreter, so no 'unsafe-eval'). Vega's SVG renderer sets style attributes, hence
# 'unsafe-inline' for styles only.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, "'unsafe-inline'"],
        "img-src": [SELF, "data:", "blob:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# How dates and times read (``config.formats``): each patient chooses theirs under Settings
# (``Patient.locale``); staff pages and new patients use the clinic's (LOWDOSE_LOCALE).
LANGUAGES = [
    ("en-gb", "English (United Kingdom)"),
    ("en-ie", "English (Ireland)"),
    ("en-au", "English (Australia)"),
    ("en-ca", "English (Canada)"),
    ("en-us", "English (United States)"),
]
FORMAT_MODULE_PATH = ["config.formats"]
LANGUAGE_CODE = os.environ.get("LOWDOSE_LOCALE", "en-gb").lower()
if LANGUAGE_CODE not in dict(LANGUAGES):
    raise ImproperlyConfigured(
        f"LOWDOSE_LOCALE={LANGUAGE_CODE!r}: use one of {', '.join(dict(LANGUAGES))}."
    )
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
try:
    DEFAULT_PATIENT_TIME_ZONE = str(ZoneInfo(os.environ.get("LOWDOSE_TIME_ZONE", "Europe/London")))
except (ZoneInfoNotFoundError, ValueError):
    raise ImproperlyConfigured(
        f"LOWDOSE_TIME_ZONE={os.environ.get('LOWDOSE_TIME_ZONE')!r}: use an IANA name such as "
        "Europe/London."
    ) from None

STATIC_URL = "/static/"
STATICFILES_DIRS = [WEB_DIR / "static"]
STATIC_ROOT = VAR_DIR / "static"  # collectstatic writes here (make run)
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
# `collectstatic` (run by `make run` and in deployment) writes every file under a name carrying a
# hash of its content, plus gzip and Brotli copies; WhiteNoise serves those names with a one-year
# immutable cache and the compressed copy the browser accepts. Only collected files are served
# (finders too while DEBUG). The tests use plain names from the source folders (web/conftest.py)
# and check this set-up in web/tests/test_static_files.py.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "config.static.StaticStorage"},
}
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG

DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024  # a CSV of years of check-ins fits easily


def _uri_setting(name: str, default: str, *, schemes: tuple[str, ...]) -> str:
    """An absolute URI from the environment (empty allowed when the default is empty)."""
    value = os.environ.get(name, default).strip()
    if value and (not value.startswith(schemes) or any(c.isspace() for c in value)):
        raise ImproperlyConfigured(
            f"{name}={value!r}: give an absolute URI starting with {' or '.join(schemes)}, "
            "with no spaces."
        )
    return value


# FHIR export (docs/fhir.md). MRN_SYSTEM: the clinic's medical-record-number system (an OID as
# urn:oid:… or the EHR's URL); empty: a recorded MRN travels under <FHIR_IDENTIFIER_BASE>:mrn
# (apps.clinical.fhir_records.identifier_systems). FHIR_IDENTIFIER_BASE: lowdose's own
# identifier systems (<base>:patient, …): a URI the clinic controls. FHIR_BASE_URL: the public
# address of /fhir, the base of the Questionnaires' canonical URLs; empty uses the request's.
MRN_SYSTEM = _uri_setting("LOWDOSE_MRN_SYSTEM", "", schemes=("urn:", "http://", "https://"))
FHIR_IDENTIFIER_BASE = _uri_setting(
    "LOWDOSE_FHIR_IDENTIFIER_BASE", "urn:lowdose:id", schemes=("urn:", "http://", "https://")
)
FHIR_BASE_URL = _uri_setting("LOWDOSE_FHIR_BASE_URL", "", schemes=("http://", "https://")).rstrip(
    "/"
)

# Licensed questionnaire wording (the FIQR) a clinic has the right to use: comma-separated JSON
# files in the format of lowdose.instruments.fiqr; checked at start-up (docs/instruments.md).
LICENSED_WORDING_FILES = [
    p.strip() for p in os.environ.get("LOWDOSE_LICENSED_WORDING", "").split(",") if p.strip()
]
EMERGENCY_NUMBER = os.environ.get("LOWDOSE_EMERGENCY_NUMBER", "112").strip()
if not EMERGENCY_NUMBER or not all(c.isdigit() or c in " +-" for c in EMERGENCY_NUMBER):
    raise ImproperlyConfigured(
        f"LOWDOSE_EMERGENCY_NUMBER={EMERGENCY_NUMBER!r}: give the local emergency phone number "
        "(digits, spaces, + or -), e.g. 911, 999, 000 or 112."
    )


def vapid_private_key() -> str:
    """The Web Push (VAPID) private key as PEM, or "" when Web Push is off.

    Like the secret key: a clinic server sets ``LOWDOSE_VAPID_PRIVATE_KEY_FILE`` (the same key on
    every app server, or the browsers' subscriptions stop working on the others); a single-laptop
    install keeps a generated key beside its database (mode 600). A key that is not an EC P-256
    private key fails loudly at start-up.
    """
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    pem = env_secret("LOWDOSE_VAPID_PRIVATE_KEY") or ""
    if not pem and not os.environ.get("DATABASE_URL"):
        key_file = VAR_DIR / "vapid_private_key.pem"
        if key_file.exists():
            pem = key_file.read_text(encoding="utf-8")
        else:
            new = ec.generate_private_key(ec.SECP256R1()).private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
            pem = create_private_file(key_file, new.decode("ascii"))
    if pem:
        try:
            key = serialization.load_pem_private_key(pem.encode("ascii"), password=None)
        except (ValueError, TypeError, UnicodeEncodeError):
            key = None
        if not isinstance(key, ec.EllipticCurvePrivateKey) or key.curve.name != "secp256r1":
            raise ImproperlyConfigured(
                "LOWDOSE_VAPID_PRIVATE_KEY(_FILE) is not an EC P-256 private key in PEM. Make one "
                "with: openssl ecparam -name prime256v1 -genkey -noout | openssl pkcs8 -topk8 "
                "-nocrypt"
            )
    return pem.strip()


# Web Push (apps.webapp.push): the key, who runs the server (the push services may write there),
# and whether a subscription may point at plain http://127.0.0.1 (only the tests' local push
# service; in use a push service is always https).
VAPID_PRIVATE_KEY_PEM = vapid_private_key()
VAPID_SUBJECT = os.environ.get("LOWDOSE_VAPID_SUBJECT", "").strip() or (
    "mailto:" + DEFAULT_FROM_EMAIL.rsplit("<", 1)[-1].rstrip(">").strip()
)
if not VAPID_SUBJECT.startswith(("mailto:", "https://")):
    raise ImproperlyConfigured(
        f"LOWDOSE_VAPID_SUBJECT={VAPID_SUBJECT!r}: use mailto:you@clinic.example or an https:// "
        "address where the push services can reach the clinic."
    )
PUSH_ALLOW_LOOPBACK_HTTP = False

API_TOKEN_TTL = timedelta(days=env_int("LOWDOSE_API_TOKEN_DAYS", 30))
API_TOKENS_PER_USER = 20  # issuing one more revokes the oldest, so logins add no unbounded rows
INVITATION_TTL = timedelta(days=env_int("LOWDOSE_INVITATION_DAYS", 7))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    # The worker says when it starts, stops and runs or fails a job.
    "loggers": {"django-q": {"level": "INFO"}},
}
