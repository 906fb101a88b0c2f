"""The web app manifest and the service worker, both at the site's root: the service worker's
scope is the folder it is served from, and it must cover every page."""

from __future__ import annotations

import hashlib
import json

from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.http import require_GET

#: The site's colours (web/static/css/lowdose.css: --accent, --bg).
THEME_COLOUR = "#1f6f8b"
BACKGROUND_COLOUR = "#f6f7f8"

#: The files every page needs, kept by the service worker so the check-in page opens offline.
SHELL_FILES = (
    "css/lowdose.css",
    "js/pwa.js",
    "js/offline-queue.js",
    "js/offline-checkins.js",
    "js/checkin.js",
    "js/push-settings.js",
    "vendor/htmx-2.0.11.min.js",
    "icons/lowdose-192.png",
    "icons/lowdose-512.png",
)


@require_GET
def manifest(request: HttpRequest) -> HttpResponse:
    icons = [
        {"src": static(f"icons/lowdose-{size}.png"), "sizes": f"{size}x{size}", "type": "image/png"}
        for size in (192, 512)
    ]
    icons.append({**icons[-1], "purpose": "maskable"})
    body = {
        "name": "lowdose",
        "short_name": "lowdose",
        "description": "Your daily LDN check-in, charts and treatment.",
        "id": "/",
        "start_url": "/",
        "scope": "/",
        "display": "standalone",
        "theme_color": THEME_COLOUR,
        "background_color": BACKGROUND_COLOUR,
        "icons": icons,
    }
    return HttpResponse(json.dumps(body, indent=1), content_type="application/manifest+json")


@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    """The service worker's script. Its cache name carries a hash of the shell's file names
    (with ``collectstatic`` each name carries a hash of its content), so a new release is a new
    script: browsers install it and drop the old cache."""
    shell = [static(name) for name in SHELL_FILES] + [reverse("webapp:manifest")]
    version = hashlib.sha256("\n".join(shell).encode()).hexdigest()[:12]
    script = render_to_string(
        "webapp/sw.js",
        {
            "version": version,
            "shell": json.dumps(shell),
            "queue_script": json.dumps(static("js/offline-queue.js")),
            "icon": json.dumps(static("icons/lowdose-192.png")),
        },
    )
    response = HttpResponse(script, content_type="text/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = "/"
    response["Cache-Control"] = "no-cache"  # always checked for a new release
    return response
