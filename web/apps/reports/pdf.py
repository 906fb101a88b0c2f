"""The visit report as a PDF: rendered by the background worker, cached under its contents.

WeasyPrint draws the HTML template ``reports/visit_report.html`` into a tagged PDF
(``pdf_tags=True``; PDF/UA-1 as well, where the installed WeasyPrint offers the variant). A page
takes about a second, and the diary chart another (vl-convert draws it as SVG, which WeasyPrint
keeps as vector graphics): too slow for a request, so the request (:func:`cached_report`) builds
the report's contents (:func:`apps.reports.contents.report_contents`), looks for the PDF under
their key, and otherwise sends the job (:func:`prepare_report`), like the chart images
(:mod:`apps.checkins.chart_images`, whose cache, ``CACHES["charts"]``, it shares).

The key is a hash of everything the report says (scores, doses, questionnaires, alerts, the
period, today's date) with the audience and the renderers' versions: a new check-in, a closed
alert or a new day is a new key, so a stale report is never served, and an unused one leaves
the cache after :data:`REPORT_SECONDS`. The key names no patient; the job's arguments are a
patient id, the audience and the dates asked for, never the report itself.

Without vl-convert (the ``charts`` extra) the report still renders, with "Chart not available"
and why in place of the chart.
"""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from django.core.cache import caches
from django.template.loader import render_to_string
from django_q.tasks import async_task

from apps.accounts.models import Patient
from apps.reports.contents import AUDIENCES, Audience, report_contents
from apps.reports.period import period_for
from config.errors import ReportUnavailableError
from lowdose.charts import render as render_chart
from lowdose.errors import InputError, MissingExtraError

__all__ = [
    "REPORT_SECONDS",
    "RETRY_AFTER",
    "ReadyReport",
    "cached_report",
    "draw_pdf",
    "parse_audience",
    "pdf_variant",
    "prepare_report",
    "render_pdf",
    "render_visit_report",
    "report_key",
    "requested_report",
]

#: Part of every key: change it when the template or the layout changes.
REPORT_VERSION = 1
#: Reports are kept a week; an unused one is simply rendered again.
REPORT_SECONDS = 7 * 24 * 3600
#: How long a sent job stops the same report being sent again (the queue's time-out).
QUEUED_SECONDS = 300
#: How long a failed drawing is answered as such (503, saying why) before a request tries again.
FAILED_SECONDS = ReportUnavailableError.retry_after
#: The job, by dotted path.
JOB = "apps.reports.pdf.render_visit_report"
#: What the report says in place of the chart when it cannot be drawn.
CHART_MISSING = "Chart not available: this server cannot draw charts (vl-convert is not installed)."


def _version(package: str) -> str:
    try:
        return version(package)
    except PackageNotFoundError:
        return "none"


_RENDERERS = f"{_version('weasyprint')}:{_version('vl-convert-python')}"


def _cache() -> Any:
    return caches["charts"]


def report_key(contents: dict[str, Any]) -> str:
    canonical = json.dumps(contents, sort_keys=True, separators=(",", ":"), default=str)
    digest = hashlib.sha256(canonical.encode()).hexdigest()
    return f"reports:visit:{REPORT_VERSION}:{_RENDERERS}:{contents['audience']}:{digest}"


def cached_report(contents: dict[str, Any]) -> bytes | None:
    found = _cache().get(report_key(contents))
    return found if isinstance(found, bytes) else None


def prepare_report(
    patient: Patient, contents: dict[str, Any], *, start: str = "", end: str = ""
) -> None:
    """Send the job that renders the report — once: while one is queued (up to
    :data:`QUEUED_SECONDS`) asking again sends nothing. ``start`` and ``end`` are the dates as
    asked (empty: since the last visit), so the job finds the same period."""
    if _cache().add(f"{report_key(contents)}:queued", True, QUEUED_SECONDS):
        async_task(JOB, patient.pk, contents["audience"], start, end, task_name="visit-report")


def pdf_variant() -> str | None:
    """``pdf/ua-1`` when the installed WeasyPrint can write it (61 and later), else None."""
    try:
        from weasyprint.pdf import VARIANTS
    except ImportError:  # pragma: no cover - WeasyPrint without the variants table
        return None
    return "pdf/ua-1" if "pdf/ua-1" in VARIANTS else None


def _no_fetching(url: str, *args: Any, **kwargs: Any) -> Any:
    """WeasyPrint's URL fetcher before version 66: only the inline ``data:`` images the template
    holds (a clinic runs offline; nothing in a report is fetched)."""
    if not url.startswith("data:"):
        raise ValueError(f"the visit report fetches nothing: {url!r}")
    from weasyprint import default_url_fetcher

    return default_url_fetcher(url, *args, **kwargs)


def _fetcher() -> Any:
    """A fetcher that reads ``data:`` URIs only: WeasyPrint's own class where it has one."""
    from weasyprint import urls

    fetcher_class = getattr(urls, "URLFetcher", None)
    if fetcher_class is None:  # pragma: no cover - WeasyPrint before the class
        return _no_fetching
    return fetcher_class(allowed_protocols=("data",), fail_on_errors=True)


def _chart(spec: dict[str, Any] | None) -> tuple[str | None, str]:
    """The chart as an SVG ``data:`` URI, or None and why it is missing."""
    if spec is None:
        return None, ""
    try:
        svg = render_chart(spec, "svg")
    except MissingExtraError:
        return None, CHART_MISSING
    return "data:image/svg+xml;base64," + base64.b64encode(svg).decode("ascii"), ""


def render_pdf(contents: dict[str, Any]) -> bytes:
    """The report's PDF: the template drawn by WeasyPrint, tagged, PDF/UA-1 where available."""
    from weasyprint import HTML

    chart, chart_missing = _chart(contents["scores"]["chart_spec"])
    html = render_to_string(
        "reports/visit_report.html",
        {
            **contents,
            "clin": contents["audience"] == "clinician",
            "chart": chart,
            "chart_missing": chart_missing,
        },
    )
    options: dict[str, Any] = {"pdf_tags": True}
    if (variant := pdf_variant()) is not None:
        options["pdf_variant"] = variant
    document = HTML(string=html, url_fetcher=_fetcher())
    return bytes(document.write_pdf(**options))


def _failure_words(bad: BaseException) -> str:
    if isinstance(bad, (OSError, ImportError)):  # WeasyPrint without Pango and its friends
        return (
            "This server cannot draw PDF files yet: a system library the PDF renderer needs "
            "(Pango) is missing. Ask the clinic's lowdose administrator to install it (see "
            "the deployment guide, 'Visit report'), then try again."
        )
    return (
        "The report could not be drawn this time. Try again in a few minutes; if it keeps "
        "failing, tell the clinic's lowdose administrator (the list of background jobs says why)."
    )


def draw_pdf(contents: dict[str, Any]) -> bytes:
    """:func:`render_pdf`, with a failure remembered for :data:`FAILED_SECONDS` (so the pages
    say so instead of waiting for ever) and raised as :class:`ReportUnavailableError`."""
    try:
        return render_pdf(contents)
    except Exception as bad:
        words = _failure_words(bad)
        _cache().set(f"{report_key(contents)}:failed", words, FAILED_SECONDS)
        raise ReportUnavailableError(words) from bad


def _unless_failed(contents: dict[str, Any]) -> None:
    words = _cache().get(f"{report_key(contents)}:failed")
    if isinstance(words, str):
        raise ReportUnavailableError(words)


def render_visit_report(patient_id: int, audience: Audience, start: str, end: str) -> str:
    """The job: render the patient's report as it is now and cache it under its own key.

    Idempotent: the same records give the same contents, key and PDF, so a second run finds
    the entry and does nothing. A check-in added since the request makes a newer key; the
    request that asks next finds it, or sends again. Returns ``rendered`` or
    ``already cached``, for the admin's list of jobs."""
    patient = Patient.objects.get(pk=patient_id)
    contents = report_contents(patient, period_for(patient, start, end), audience)
    key = report_key(contents)
    if isinstance(_cache().get(key), bytes):
        return "already cached"
    _cache().set(key, draw_pdf(contents), REPORT_SECONDS)  # a failure fails the job, remembered
    return "rendered"


#: Seconds a client waits before asking again for a report being rendered (a page renders in
#: one to three seconds once the worker has it; the worker looks at the queue every 2 s).
RETRY_AFTER = 5


def parse_audience(raw: str | None, default: Audience) -> Audience:
    """``patient`` or ``clinician`` (empty: ``default``); anything else is refused, saying so."""
    value = (raw or "").strip() or default
    for audience in AUDIENCES:
        if value == audience:
            return audience
    raise InputError(
        f"Audience {value!r} is not a version of the report: ask for 'patient' (plain language) "
        "or 'clinician'.",
        field="audience",
    )


def requested_report(patient: Patient, audience: Audience, start: str, end: str) -> ReadyReport:
    """The report asked for: its PDF when cached (or rendered at once, with jobs run
    synchronously), else None after sending the job. Raises :class:`InputError` on bad dates
    and :class:`ReportUnavailableError` when drawing it failed a moment ago (it says why)."""
    period = period_for(patient, start, end)
    contents = report_contents(patient, period, audience)
    pdf = cached_report(contents)
    if pdf is None:
        _unless_failed(contents)
        prepare_report(patient, contents, start=start, end=end)
        pdf = cached_report(contents)
        if pdf is None:
            _unless_failed(contents)  # a job run at once that failed
    filename = f"lowdose-visit-report-{patient.pk}-{audience}-{period.end:%Y%m%d}.pdf"
    return ReadyReport(pdf, filename)


@dataclass(frozen=True)
class ReadyReport:
    """A requested report: its PDF (None while it is being rendered) and its file name."""

    pdf: bytes | None
    filename: str
