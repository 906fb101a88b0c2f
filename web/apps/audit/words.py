"""Plain words for audit actions, as the audit page shows them (the stored name stays the key
an inspector or the API filters on)."""

from __future__ import annotations

__all__ = ["AREAS", "describe"]

#: The areas a clinic admin filters by: stored-name prefix → words.
AREAS: dict[str, str] = {
    "auth": "Sign-in and sign-out",
    "admin": "Accounts, clinics, care teams and pharmacies",
    "checkins": "Check-ins",
    "clinical": "Medicines, conditions and clinical record",
    "screening": "Safety screen",
    "safety": "Safety screen",
    "prescriptions": "Prescriptions",
    "pharmacy": "Pharmacy",
    "assessments": "Questionnaires",
    "nof1": "N-of-1 trials",
    "alerts": "Alerts",
    "patient": "Patient accounts and invitations",
    "api": "API access",
    "evidence": "Evidence base",
    "audit": "Audit log",
    "panel": "Patient panel",
    "housekeeping": "Housekeeping (expired data pruned)",
    "push": "Notifications on devices",
    "research": "Research export and consent",
    "reports": "Visit reports",
    "fhir": "Health-record exports and imports",
    "record": "Whole-record downloads",
}

_WORDS: dict[str, str] = {
    "auth.login": "Signed in",
    "auth.logout": "Signed out",
    "auth.login.failed": "Failed sign-in",
    "audit.view": "Read the audit log",
    "research.export": "Downloaded the de-identified research export",
    "research.consent": "Answered about research use of their data",
    "api.token.issue": "Issued an API token",
    "push.subscribe": "Turned on notifications on a device",
    "push.unsubscribe": "Turned off notifications on a device",
    "checkins.view": "Viewed check-ins",
    "checkins.view.panel": "Viewed the patient panel",
    "checkins.add": "Added a check-in",
    "checkins.add.replay": "Re-sent a check-in already stored",
    "checkins.change": "Changed a check-in",
    "checkins.delete": "Deleted a check-in",
    "checkins.export": "Exported check-ins",
    "reports.patient": "Opened or downloaded the patient's visit report",
    "fhir.export": "Exported the patient's health record (FHIR)",
    "record.download": "Downloaded their whole record (FHIR, CSV and visit report)",
    "reports.clinician": "Opened or downloaded the clinician's visit report",
    "checkins.import": "Imported check-ins",
    "prescriptions.view": "Viewed prescriptions",
    "prescriptions.create": "Drafted a prescription",
    "prescriptions.adjust": "Adjusted a prescription",
    "prescriptions.sign": "Signed a prescription",
    "prescriptions.dispense": "Dispensed a prescription",
    "prescriptions.cost": "Viewed prescription costs",
    "prescriptions.queue": "Viewed the pharmacy queue",
    "patient.view": "Viewed patient settings",
    "patient.settings": "Changed patient settings",
    "patient.invite": "Invited a patient",
    "patient.invite.accept": "Accepted an invitation",
    "nof1.view": "Viewed an N-of-1 trial",
    "nof1.design": "Designed an N-of-1 trial",
    "nof1.kits": "Viewed the N-of-1 kit list",
    "nof1.kits.prepared": "Released N-of-1 kits",
    "nof1.plan.lock": "Locked an N-of-1 analysis plan",
    "nof1.stop": "Stopped an N-of-1 trial early",
    "nof1.unblind": "Unblinded an N-of-1 trial",
    "nof1.unblind.emergency": "Emergency-unblinded one kit",
    "nof1.pool": "Pooled N-of-1 trials",
    "clinical.condition.add": "Recorded a condition",
    "clinical.condition.remove": "Removed a condition, with the reason",
    "clinical.surgery.set": "Recorded a planned surgery date",
    "clinical.surgery.correct": "Changed or cleared a planned surgery date, with the reason",
    "assessments.correct": "Corrected an assessment's answers, with the reason",
    "alerts.view": "Viewed alerts",
    "alerts.raise": "Alert raised",
    "alerts.acknowledge": "Acknowledged an alert",
    "alerts.resolve": "Resolved an alert",
    "evidence.trial_added": "Added a trial to the evidence base (a draft until reviewed)",
    "evidence.trial_changed": "Corrected a clinician-added trial (a draft again until reviewed)",
    "evidence.trial_deleted": "Deleted a clinician-added trial",
    "evidence.trial_approved": "Approved another clinician's trial, with a note",
    "evidence.trial_rejected": "Rejected another clinician's trial, with a note",
    "housekeeping.sessions.prune": "Pruned expired sessions",
    "housekeeping.login_limits.prune": "Pruned expired login limits",
    "housekeeping.api_tokens.prune": "Pruned expired API tokens",
    "housekeeping.invitations.prune": "Pruned expired invitations",
}

_VERBS = {"add": "added", "change": "changed", "delete": "deleted"}


def describe(action: str) -> str:
    """``"prescriptions.sign"`` → ``"Signed a prescription"``; an admin change or an unlisted
    action in the words of its area."""
    if action in _WORDS:
        return _WORDS[action]
    parts = action.split(".")
    if parts[0] == "admin" and len(parts) == 3:
        thing = parts[1].replace("careteam", "care team").capitalize()
        return f"{thing} {_VERBS.get(parts[2], parts[2])}"
    area = AREAS.get(parts[0], parts[0].capitalize())
    rest = " ".join(p.replace("_", " ") for p in parts[1:])
    return f"{area}: {rest}" if rest else area
