"""Hardening: no copies of patient data in caches, private files, one key for many servers,
API docs without a CDN, and a clean ``check --deploy`` under the documented production settings."""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import PASSWORD
from django.test import Client

from apps.accounts.models import Patient, User
from config.api_docs import SWAGGER_UI_VERSION

WEB_DIR = Path(__file__).resolve().parents[3]
VENDOR_README = WEB_DIR / "static" / "vendor" / "README.md"
HOST = "ldn.example-clinic.org"


# -- Cache-Control: no-store ------------------------------------------------------------------


def test_a_signed_in_persons_pages_and_redirects_are_not_stored(
    client_for: Callable[[User | None], Client], patient: Patient
) -> None:
    client = client_for(patient.user)
    dashboard = client.get(f"/patients/{patient.pk}/")
    assert dashboard.status_code == 200
    assert dashboard["Cache-Control"] == "no-store"
    home = client.get("/")  # a redirect to the patient's own dashboard
    assert home["Cache-Control"] == "no-store"


def test_a_csv_download_is_not_stored(
    client_for: Callable[[User | None], Client],
    patient: Patient,
    make_checkin: Callable[..., object],
) -> None:
    make_checkin(patient)
    response = client_for(patient.user).get(f"/patients/{patient.pk}/checkins.csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Cache-Control"] == "no-store"


def test_api_responses_are_not_stored_including_the_one_that_issues_a_token(
    patient: Patient,
) -> None:
    issued = Client().post(
        "/api/v1/auth/token",
        {"username": "patient", "password": PASSWORD},
        content_type="application/json",
    )
    assert issued.status_code == 200
    assert issued["Cache-Control"] == "no-store"
    listed = Client().get(
        "/api/v1/auth/tokens", headers={"Authorization": f"Bearer {issued.json()['token']}"}
    )
    assert listed.status_code == 200
    assert listed["Cache-Control"] == "no-store"
    refused = Client().get("/api/v1/auth/tokens")
    assert refused.status_code == 401
    assert refused["Cache-Control"] == "no-store"


def test_static_files_and_anonymous_public_answers_stay_cacheable(db: None) -> None:
    static = Client().get("/static/js/charts.js")
    # Read to the end: the test client then closes the file without the request_finished signal,
    # which would close the test's database connection.
    assert b"lowdoseViews" in static.getvalue()
    assert static.status_code == 200
    assert "no-store" not in static.get("Cache-Control", "")
    assert "max-age" in static["Cache-Control"]
    health = Client().get("/health")
    assert health.status_code == 200
    assert "Cache-Control" not in health


# -- subprocesses with their own environment ----------------------------------------------------


def _run(
    code: str, env: dict[str, str], *args: str, umask: int = 0o022
) -> subprocess.CompletedProcess[str]:
    """Run Python in ``web/`` with only the given lowdose settings in its environment."""
    # DJANGO_ALLOW_ASYNC_UNSAFE is set by the browser tests' setup, never in production.
    test_only = {"DATABASE_URL", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    clean = {
        k: v for k, v in os.environ.items() if not k.startswith("LOWDOSE_") and k not in test_only
    }
    return subprocess.run(
        [sys.executable, *(["-c", code] if code else []), *args],
        cwd=WEB_DIR,
        env={**clean, "DJANGO_SETTINGS_MODULE": "config.settings", **env},
        capture_output=True,
        text=True,
        timeout=120,
        umask=umask,
        check=False,
    )


SQLITE_MODES = textwrap.dedent(
    """
    import os, stat, django
    django.setup()
    from django.conf import settings
    from django.db import connection
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE diary (day TEXT)")
        cursor.execute("INSERT INTO diary VALUES ('2026-01-05')")
    var = settings.VAR_DIR
    for name in ("", "secret_key", "lowdose.sqlite3", "lowdose.sqlite3-wal", "lowdose.sqlite3-shm"):
        print(name or "var", oct(stat.S_IMODE(os.stat(var / name).st_mode)))
    print("key", settings.SECRET_KEY)
    """
)


def test_the_laptop_install_creates_its_key_and_database_readable_only_by_their_owner(
    tmp_path: Path,
) -> None:
    var = tmp_path / "var"  # created by the settings, under a umask that would allow 644
    first = _run(SQLITE_MODES, {"LOWDOSE_VAR_DIR": str(var)})
    assert first.returncode == 0, first.stderr
    modes = dict(line.split(" ", 1) for line in first.stdout.splitlines())
    assert modes["var"] == "0o700"
    assert modes["secret_key"] == "0o600"
    assert modes["lowdose.sqlite3"] == "0o600"
    assert modes["lowdose.sqlite3-wal"] == "0o600"
    assert modes["lowdose.sqlite3-shm"] == "0o600"
    assert len(modes["key"]) >= 50
    assert (var / "secret_key").read_text(encoding="utf-8") == modes["key"]
    assert [p.name for p in var.iterdir() if p.name.startswith(".")] == []  # no temporary left
    # The next start reads the same key: sessions and reset links survive a restart.
    second = _run(
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.SECRET_KEY)",
        {"LOWDOSE_VAR_DIR": str(var)},
    )
    assert second.returncode == 0, second.stderr
    assert second.stdout.strip() == modes["key"]


def test_a_shared_database_without_a_secret_key_stops_start_up_saying_what_to_set(
    tmp_path: Path,
) -> None:
    env = {
        "LOWDOSE_VAR_DIR": str(tmp_path / "var"),
        "DATABASE_URL": "postgres://lowdose:secret@127.0.0.1:5432/lowdose",
    }
    result = _run("import config.settings", env)
    assert result.returncode == 1
    assert "django.core.exceptions.ImproperlyConfigured: DATABASE_URL is set" in result.stderr
    assert "LOWDOSE_SECRET_KEY_FILE" in result.stderr
    assert "same key on every app server" in result.stderr
    assert not (tmp_path / "var" / "secret_key").exists()  # no per-server key was generated
    key_file = tmp_path / "secret_key"
    key_file.write_text("k" * 60 + "\n", encoding="utf-8")
    with_key = _run(
        "import config.settings as s; print(s.SECRET_KEY)",
        {**env, "LOWDOSE_SECRET_KEY_FILE": str(key_file)},
    )
    assert with_key.returncode == 0, with_key.stderr
    assert with_key.stdout.strip() == "k" * 60


DEPLOY_CHECK = textwrap.dedent(
    f"""
    import django
    django.setup()
    from django.core.management import call_command
    from django.test import Client
    call_command("check", deploy=True, fail_level="WARNING")
    call_command("collectstatic", interactive=False, verbosity=0)  # a documented step
    client = Client(HTTP_HOST="{HOST}")
    login = client.get("/accounts/login/")
    print("login", login.status_code, login.get("Location"))
    print("health", client.get("/health").status_code)
    print("forwarded", client.get("/api/v1/docs", HTTP_X_FORWARDED_PROTO="https").status_code)
    """
)


@pytest.mark.slow  # collectstatic compresses every static file
def test_check_deploy_is_clean_under_the_documented_production_settings(tmp_path: Path) -> None:
    key_file = tmp_path / "secret_key"
    key_file.write_text(secrets.token_urlsafe(50), encoding="utf-8")
    result = _run(
        DEPLOY_CHECK,
        {
            # docs/deployment.md, "Steps" (the PostgreSQL server need not be up for the checks)
            "DATABASE_URL": "postgres://lowdose:secret@127.0.0.1:1/lowdose",
            "LOWDOSE_SECRET_KEY_FILE": str(key_file),
            "LOWDOSE_ALLOWED_HOSTS": HOST,
            "LOWDOSE_CSRF_TRUSTED_ORIGINS": f"https://{HOST}",
            "LOWDOSE_HTTPS": "1",
            "LOWDOSE_VAR_DIR": str(tmp_path / "var"),
        },
    )
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues (1 silenced)." in result.stdout
    lines = dict(line.split(" ", 1) for line in result.stdout.splitlines()[1:])
    # Plain HTTP is sent to HTTPS; the load balancer's health check is not (503: no database).
    assert lines["login"] == f"301 https://{HOST}/accounts/login/"
    assert lines["health"] == "503"
    assert lines["forwarded"] == "200"  # the proxy said HTTPS


# -- /api/v1/docs without a CDN --------------------------------------------------------------


def test_the_api_docs_load_only_vendored_files_from_our_own_origin(db: None) -> None:
    response = Client().get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    found = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert [u for u in found if u.startswith("data:")] == ["data:,"]  # no favicon request
    urls = [u for u in found if not u.startswith("data:")]
    assert sorted(urls) == [
        "/static/js/api-docs.js",
        f"/static/vendor/swagger-ui-{SWAGGER_UI_VERSION}-bundle.js",
        f"/static/vendor/swagger-ui-{SWAGGER_UI_VERSION}.css",
    ]
    assert "cdn" not in html.lower()
    assert "<script>" not in html  # the policy forbids inline scripts; settings are JSON data
    assert '"url": "/api/v1/openapi.json"' in html
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    for url in urls:
        served = Client().get(url)
        assert served.getvalue(), url  # read to the end, which closes the file
        assert served.status_code == 200, url


def test_the_vendored_swagger_ui_is_listed_with_its_version_and_licence() -> None:
    readme = VENDOR_README.read_text(encoding="utf-8")
    bundle = f"swagger-ui-{SWAGGER_UI_VERSION}-bundle.js"
    css = f"swagger-ui-{SWAGGER_UI_VERSION}.css"
    assert f"| `{bundle}` | swagger-ui-dist | {SWAGGER_UI_VERSION} |" in readme
    licence = VENDOR_README.parent / "licenses" / "swagger-ui.LICENSE"
    assert "Apache License" in licence.read_text(encoding="utf-8")
    hashes = readme.split("## SHA-256")[1]
    assert bundle in hashes
    assert css in hashes
