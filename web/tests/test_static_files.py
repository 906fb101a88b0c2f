"""Static files as production serves them (issue 12, item 10): content-hashed names, gzip and
Brotli copies, a one-year immutable cache, and no page links a script it does not use."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.management import call_command
from django.test import RequestFactory, override_settings
from whitenoise.middleware import WhiteNoiseMiddleware

WEB = Path(__file__).resolve().parents[1]
PRODUCTION_STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "config.static.StaticStorage"},
}
ONE_YEAR = 365 * 24 * 3600


@pytest.fixture(scope="module")
def collected(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    root = tmp_path_factory.mktemp("static")
    with override_settings(STATIC_ROOT=root, STORAGES=PRODUCTION_STORAGES):
        call_command("collectstatic", interactive=False, verbosity=0)
        yield root


@pytest.mark.slow  # collectstatic compresses every file (~15 s)
def test_collectstatic_writes_hashed_names_with_gzip_and_brotli_copies(collected: Path) -> None:
    charts = [p.name for p in (collected / "js").iterdir() if p.name.startswith("charts.")]
    hashed = [n for n in charts if re.fullmatch(r"charts\.[0-9a-f]{12}\.js", n)]
    assert len(hashed) == 1
    assert f"{hashed[0]}.gz" in charts
    assert f"{hashed[0]}.br" in charts
    vega = next((collected / "vendor").glob("vega-6.4.0.min.*.js.br"))
    assert vega.stat().st_size < 0.4 * (collected / "vendor" / "vega-6.4.0.min.js").stat().st_size


@pytest.mark.slow  # collectstatic compresses every file (~15 s)
def test_pages_link_the_hashed_name(collected: Path) -> None:
    with override_settings(STATIC_ROOT=collected, STORAGES=PRODUCTION_STORAGES):
        url = staticfiles_storage.url("js/charts.js")
    assert re.fullmatch(r"/static/js/charts\.[0-9a-f]{12}\.js", url)


def _serve(collected: Path, path: str, encoding: str) -> Any:
    with override_settings(STATIC_ROOT=collected, STORAGES=PRODUCTION_STORAGES):
        middleware = WhiteNoiseMiddleware(get_response=lambda request: None)
        request = RequestFactory().get(path, HTTP_ACCEPT_ENCODING=encoding)
        return middleware(request)


@pytest.mark.slow  # collectstatic compresses every file (~15 s)
def test_whitenoise_serves_the_compressed_copy_with_a_long_immutable_cache(
    collected: Path,
    db: None,  # closing a response sends request_finished, which tidies database connections
) -> None:
    with override_settings(STATIC_ROOT=collected, STORAGES=PRODUCTION_STORAGES):
        url = staticfiles_storage.url("vendor/vega-6.4.0.min.js")
    response = _serve(collected, url, "gzip, deflate, br")
    assert response.status_code == 200
    assert response["Content-Encoding"] == "br"
    max_age = re.search(r"max-age=(\d+)", response["Cache-Control"])
    assert max_age is not None
    assert int(max_age.group(1)) >= ONE_YEAR
    assert "immutable" in response["Cache-Control"]
    response.close()
    gzip = _serve(collected, url, "gzip")
    assert gzip["Content-Encoding"] == "gzip"
    gzip.close()


def test_production_settings_use_the_hashed_compressed_storage() -> None:
    # The session fixture in web/conftest.py swaps the storage for the tests; the settings module
    # itself must name the production one.
    source = (WEB / "config" / "settings.py").read_text(encoding="utf-8")
    assert '"staticfiles": {"BACKEND": "config.static.StaticStorage"}' in source
    assert "WHITENOISE_USE_FINDERS = DEBUG" in source
    assert settings.STATICFILES_DIRS == [WEB / "static"]


def test_no_vendored_script_sits_unused() -> None:
    # Every vendored JavaScript file is linked from some template ("no page ships JavaScript it
    # does not use", and nothing is vendored that no page uses).
    templates = "\n".join(
        p.read_text(encoding="utf-8") for p in (WEB / "templates").rglob("*.html")
    )
    vendored = sorted(p.name for p in (WEB / "static" / "vendor").glob("*.js"))
    unused = [
        name
        for name in vendored
        if name not in templates and not name.startswith("swagger-ui-")  # linked by version
    ]
    assert unused == []
