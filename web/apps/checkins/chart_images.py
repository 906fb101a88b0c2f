"""The diary chart as a PNG or SVG file, rendered by the background worker and cached.

vl-convert renders a year of diary in about 0.3 s (SVG) to 0.6 s (PNG) once warm, and 1.5–2 s
for the first image a process draws (it starts its Vega runtime): too slow for a request, so a
job renders it (:func:`render_chart_image`) into the ``charts`` cache (its own table and size,
``CACHES["charts"]``, so images do not push the login counters out of the default cache). The
request (:func:`chart_image`) builds the chart's Vega-Lite specification — about 10 ms for a
year of check-ins, measured — and serves the image cached under its key, or sends the job and
says the image is being prepared.

The key is the data's version in its most exact form: a hash of the specification, which
carries every number, date and label drawn (check-ins, dose steps, the baseline, the reader's
date order). A new, changed or deleted check-in is a new key, so a stale image is never served;
an unused one leaves the cache after :data:`IMAGE_SECONDS`.

Blinding: the chart is drawn from the diary, which holds kit codes but never arms, so the image
— and its key — are the same before and after an N-of-1 trial is unblinded; nothing in them
depends on the allocation. Every reader allowed to see the patient's check-ins gets the same
image, after the same access check (and audit event) as before, so a cached image carries no
more than the reader may see. Key names hold a format, versions and the hash, never a patient,
trial or arm; the job's arguments are a patient id, the format and the date order, never the
diary itself (Django-Q2 keeps job arguments in its tables).
"""

from __future__ import annotations

import hashlib
import json
from importlib.metadata import version
from typing import Any, Literal

from django.core.cache import caches
from django_q.tasks import async_task

from apps.accounts.models import Patient
from apps.checkins.queries import summary_of
from lowdose.charts import render as render_chart
from lowdose.diary.charts import checkin_chart

__all__ = [
    "IMAGE_SECONDS",
    "Format",
    "cached_image",
    "chart_spec",
    "image_key",
    "prepare_image",
    "render_chart_image",
]

Format = Literal["svg", "png"]

#: Part of every key: change it when the rendering changes (vl-convert's version is in the key).
IMAGE_VERSION = 2
_RENDERER = version("vl-convert-python")
#: Rendered images are kept a week; an unused one is simply rendered again.
IMAGE_SECONDS = 7 * 24 * 3600
#: How long a sent job stops the same image being sent again (the queue's time-out,
#: ``Q_CLUSTER["timeout"]``: after that the job is dead or done).
QUEUED_SECONDS = 300
#: The job, by dotted path.
JOB = "apps.checkins.chart_images.render_chart_image"


def _cache() -> Any:
    return caches["charts"]


def chart_spec(patient: Patient, *, day_first: bool) -> dict[str, Any]:
    """The Vega-Lite specification of ``patient``'s diary chart, as the image draws it."""
    summary = summary_of(patient)
    return checkin_chart(
        summary.days, summary.dose_steps, width=720, baseline=summary.baseline, day_first=day_first
    )


def image_key(spec: dict[str, Any], fmt: Format) -> str:
    canonical = json.dumps(spec, sort_keys=True, separators=(",", ":"), default=str)
    digest = hashlib.sha256(canonical.encode()).hexdigest()
    return f"checkins:chart:{IMAGE_VERSION}:{_RENDERER}:{fmt}:{digest}"


def cached_image(spec: dict[str, Any], fmt: Format) -> bytes | None:
    found = _cache().get(image_key(spec, fmt))
    return found if isinstance(found, bytes) else None


def prepare_image(patient: Patient, spec: dict[str, Any], fmt: Format, *, day_first: bool) -> None:
    """Send the job that renders ``spec`` — once: while one is queued (up to
    :data:`QUEUED_SECONDS`) asking again sends nothing."""
    if _cache().add(f"{image_key(spec, fmt)}:queued", True, QUEUED_SECONDS):
        async_task(JOB, patient.pk, fmt, day_first, task_name=f"chart-{fmt}")


def render_chart_image(patient_id: int, fmt: Format, day_first: bool) -> str:
    """The job: render the patient's chart as it is now and cache it under its own key.

    Idempotent: the same diary gives the same specification, key and image, so a second run
    overwrites the entry with the same bytes (or finds it and does nothing). A check-in added
    since the request makes a newer key; the request that asks next finds it, or sends again.
    Returns ``rendered`` or ``already cached``, for the admin's list of jobs."""
    spec = chart_spec(Patient.objects.get(pk=patient_id), day_first=day_first)
    key = image_key(spec, fmt)
    if isinstance(_cache().get(key), bytes):
        return "already cached"
    _cache().set(key, render_chart(spec, fmt), IMAGE_SECONDS)
    return "rendered"
