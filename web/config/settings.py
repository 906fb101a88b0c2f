"""lowdose web settings: one module, driven by environment variables that fail loudly.

Environment
-----------
``DATABASE_URL``            PostgreSQL (``postgres://user:pass@host:5432/db``); default: SQLite,
                            ``var/lowdose.sqlite3``
``LOWDOSE_SECRET_KEY``      or ``LOWDOSE_SECRET_KEY_FILE``; required unless ``LOWDOSE_DEBUG`` is on
``LOWDOSE_DEBUG``           ``1`` turns on Django's debug pages; off by default
``LOWDOSE_ALLOWED_HOSTS``   comma-separated; default ``127.0.0.1,localhost``
``LOWDOSE_HTTPS``           ``1`` (default) marks cookies Secure and sends HSTS; ``0`` for
                            plain-HTTP loopback use (``make run`` serves http://127.0.0.1:8000)
``LOWDOSE_TIME_ZONE``       default time zone for new patients; default ``Europe/London``
``LOWDOSE_LOGIN_FAILURES``  failed logins before a lockout; default 5
``LOWDOSE_LOCKOUT_MINUTES`` how long a lockout lasts; default 15
``LOWDOSE_LICENSED_WORDING`` wording files of licensed questionnaires (FIQR), comma-separated
``LOWDOSE_EMERGENCY_NUMBER`` the local emergency number in the default crisis message; default
                           ``112`` (reaches emergency services from mobiles in the EU and most
                           other countries); set ``911``, ``999``, ``000``… for your country
"""

from __future__ import annotations

import os
import secrets
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


DEBUG = env_bool("LOWDOSE_DEBUG", False)
SECRET_KEY = env_secret("LOWDOSE_SECRET_KEY") or ""
if not SECRET_KEY:
    key_file = VAR_DIR / "secret_key"
    if key_file.exists():
        SECRET_KEY = key_file.read_text(encoding="utf-8").strip()
    else:
        # A single-laptop install keeps a random key beside its database (readable only by its
        # owner); a clinic server sets LOWDOSE_SECRET_KEY or LOWDOSE_SECRET_KEY_FILE instead.
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        SECRET_KEY = secrets.token_urlsafe(50)
        key_file.write_text(SECRET_KEY, encoding="utf-8")
        key_file.chmod(0o600)

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
    "axes",
    "csp",
    "apps.accounts",
    "apps.audit",
    "apps.checkins",
    "apps.clinical",
    "apps.pharmacy",
    "apps.pharmacology",
    "apps.evidence",
    "apps.nof1",
    "apps.alerts",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # AxesMiddleware last: it turns a lockout into the lockout page.
    "axes.middleware.AxesMiddleware",
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
            ],
            "builtins": ["apps.checkins.templatetags.lowdose_filters"],
        },
    }
]

if os.environ.get("DATABASE_URL"):
    DATABASES = {"default": dj_database_url.parse(os.environ["DATABASE_URL"], conn_max_age=60)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(VAR_DIR / "lowdose.sqlite3"),
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
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
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

# Login throttling and lockout (django-axes): by username *and* address, so one person's typos
# do not lock out a whole clinic behind one NAT address.
AXES_FAILURE_LIMIT = env_int("LOWDOSE_LOGIN_FAILURES", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOWDOSE_LOCKOUT_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False

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
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
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

LANGUAGE_CODE = "en-gb"
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
# Vendored files carry their version in their names, so no manifest hashing is needed; WhiteNoise
# serves straight from the source folders too, so tests and `runserver` need no collectstatic.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024  # a CSV of years of check-ins fits easily
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
API_TOKEN_TTL = timedelta(days=env_int("LOWDOSE_API_TOKEN_DAYS", 30))
INVITATION_TTL = timedelta(days=env_int("LOWDOSE_INVITATION_DAYS", 7))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
