"""Share-link pages: the patient's list (create, revoke, preview), the public viewer page and the
public manifest endpoint of SMART Health Links (docs/sharing.md)."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from apps.accounts.access import get_patient_for_user
from apps.accounts.two_factor import qr_svg
from apps.audit.actor import Actor
from apps.reports.pdf import requested_report
from apps.reports.responses import report_download, unavailable_page
from apps.sharing import links, throttle
from apps.sharing.access import get_link_for_user
from apps.sharing.actions import CreatedLink, create_share_link, open_share_link, revoke_link
from apps.sharing.models import MAX_PASSCODE_FAILURES, ShareLink
from apps.sharing.packet import AUDIENCE
from config.errors import ReportUnavailableError
from lowdose.errors import InputError

__all__ = ["manifest", "preview", "revoke", "share_links", "viewer"]

#: How long a link works: the choices of the form, in hours (7 days is the default).
EXPIRY_CHOICES = ((1, "1 hour"), (24, "1 day"), (168, "7 days"), (720, "30 days"))
DEFAULT_HOURS = 168
#: Openings listed under each link on the patient's page.
OPENINGS_SHOWN = 20


def share_urls(request: HttpRequest, created: CreatedLink) -> dict[str, str]:
    """The link's ``shlink:/`` text and the viewer URL that carries it in the fragment."""
    manifest_url = request.build_absolute_uri(
        reverse("sharing:manifest", args=[created.manifest_id])
    )
    text = links.shlink(manifest_url, created.key, created.link.expires_at, created.link.label)
    return {
        "shlink": text,
        "viewer_url": request.build_absolute_uri(reverse("sharing:viewer")) + "#" + text,
        "manifest_url": manifest_url,
    }


def _hours(raw: str) -> int:
    try:
        return int(raw or DEFAULT_HOURS)
    except ValueError:
        raise InputError("Choose how long the link works from the list.", field="expires") from None


def _list_context(patient: Any) -> dict[str, Any]:
    rows = list(ShareLink.objects.filter(patient=patient).prefetch_related("openings"))
    return {
        "patient": patient,
        "links": [
            {
                "link": row,
                "state": row.state(),
                "openings": list(row.openings.all())[:OPENINGS_SHOWN],
            }
            for row in rows
        ],
        "choices": EXPIRY_CHOICES,
        "default_hours": DEFAULT_HOURS,
        "min_length": links.PASSCODE_MIN_LENGTH,
        "max_failures": MAX_PASSCODE_FAILURES,
    }


@login_required
@require_http_methods(["GET", "POST"])
def share_links(request: HttpRequest, patient_id: int) -> HttpResponse:
    """The patient's links (GET) and a new one (POST: its QR code and link, shown once)."""
    patient = get_patient_for_user(request, patient_id, "sharing.manage")
    if request.method == "POST":
        try:
            created = create_share_link(
                Actor.from_request(request),
                patient,
                expires_in_hours=_hours(request.POST.get("expires", "")),
                passcode=request.POST.get("passcode", ""),
                label=request.POST.get("label", ""),
            )
        except InputError as exc:
            context = {**_list_context(patient), "error": exc}
            return render(request, "sharing/links.html", context, status=400)
        except ReportUnavailableError as exc:  # the packet could not be drawn: nothing stored
            context = {**_list_context(patient), "error": exc}
            return render(request, "sharing/links.html", context, status=503)
        urls = share_urls(request, created)
        response = render(
            request,
            "sharing/created.html",
            {
                "patient": patient,
                "created": created,
                "qr": qr_svg(urls["viewer_url"]),
                **urls,
            },
        )
        response["Cache-Control"] = "no-store"
        return response
    return render(request, "sharing/links.html", _list_context(patient))


@login_required
@require_POST
def revoke(request: HttpRequest, patient_id: int, link_id: int) -> HttpResponse:
    """Withdraw a link at once: the next attempt to open it is refused."""
    patient = get_patient_for_user(request, patient_id, "sharing.manage")
    link = get_link_for_user(request, patient, link_id)
    revoke_link(Actor.from_request(request), link)
    messages.success(request, f"Withdrawn: “{link.label}” no longer opens.")
    return redirect("sharing:links", patient_id=patient.pk)


@login_required
@require_GET
def preview(request: HttpRequest, patient_id: int) -> HttpResponse:
    """Exactly what a link made now would open: the care team's version of the visit report."""
    patient = get_patient_for_user(request, patient_id, "sharing.manage")
    try:
        report = requested_report(patient, AUDIENCE, "", "")
    except ReportUnavailableError as exc:
        return unavailable_page(request, patient, exc)
    return report_download(request, patient, report)


@require_GET
def viewer(request: HttpRequest) -> HttpResponse:
    """The receiving doctor's page: the link stays in the URL fragment (never sent here); the
    page's script asks the manifest with the passcode and decrypts the packet in the browser."""
    response = render(request, "sharing/viewer.html", {"max_failures": MAX_PASSCODE_FAILURES})
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "no-referrer"
    return response


def _answer(body: dict[str, Any], status: int) -> JsonResponse:
    response = JsonResponse(body, status=status)
    response["Cache-Control"] = "no-store"
    return response


_REFUSED = {
    "expired": "This link has expired. Ask the patient to share a new one.",
    "revoked": "The patient has withdrawn this link. Ask them to share a new one if you need it.",
    "locked": "This link is locked after too many wrong passcodes. Ask the patient to share a "
    "new one.",
}


def _read_body(request: HttpRequest) -> tuple[str, str]:
    try:
        body = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError):
        raise InputError("Send the passcode and your name as JSON.", field="body") from None
    if not isinstance(body, dict):
        raise InputError("Send the passcode and your name as a JSON object.", field="body")
    recipient, passcode = body.get("recipient"), body.get("passcode")
    if not isinstance(recipient, str) or not recipient.strip() or "\x00" in recipient:
        raise InputError(
            "Say who you are (your name and practice) in 'recipient'.", field="recipient"
        )
    if not isinstance(passcode, str) or not passcode or "\x00" in passcode:
        raise InputError("Type the passcode the patient gave you.", field="passcode")
    return recipient, passcode


@csrf_exempt
@require_POST
def manifest(request: HttpRequest, manifest_id: str) -> HttpResponse:
    """The SMART Health Links manifest: ``POST {recipient, passcode}`` → ``files`` with the packet
    as a JWE. 401 with ``remainingAttempts`` for a wrong passcode; 404 for a link that does not
    exist, has expired, was withdrawn or is locked; 429 when this address failed too often."""
    wait = throttle.refusal(request)
    if wait is not None:
        response = _answer(
            {"detail": "Too many failed attempts from this address: wait and try again."}, 429
        )
        response["Retry-After"] = str(max(1, int(wait)))
        return response
    try:
        recipient, passcode = _read_body(request)
    except InputError as exc:
        throttle.record_failure(request)
        return _answer({"detail": str(exc), "field": exc.field}, 400)
    link = ShareLink.objects.filter(manifest_digest=links.manifest_digest(manifest_id)).first()
    if link is None:
        throttle.record_failure(request)
        return _answer(
            {
                "detail": "No such link. Check it was copied whole, or ask the patient "
                "to share a new one."
            },
            404,
        )
    result = open_share_link(
        Actor.from_request(request), link, passcode=passcode, recipient=recipient
    )
    if result.outcome == "opened":
        return _answer(
            {
                "status": "finalized",
                "files": [{"contentType": links.PDF, "embedded": result.packet}],
            },
            200,
        )
    throttle.record_failure(request)
    if result.outcome == "wrong_passcode":
        remaining = result.remaining_attempts
        detail = (
            f"Wrong passcode: {remaining} attempt{'s' if remaining != 1 else ''} left. Check it "
            "with the patient."
            if remaining
            else _REFUSED["locked"]
        )
        return _answer({"detail": detail, "remainingAttempts": remaining}, 401)
    return _answer({"detail": _REFUSED[result.outcome]}, 404)
