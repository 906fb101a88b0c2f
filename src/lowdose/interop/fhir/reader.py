"""Reading a FHIR R4B Bundle (lowdose's export, or Observations from another system) back into
lowdose's records, validated, with every problem named by its path.

What is read (docs/fhir.md, "Import"):

* daily-score Observations (lowdose's, by the check-in's ``client_id`` in their identifier; or
  another system's, by code — pain is LOINC 72514-3 — grouped by ``effectiveDateTime``'s day)
  and the dose Observation become check-ins, validated by :func:`lowdose.diary.parse_checkin`;
  a day that lacks a score or the dose answer is *not importable* (nothing is invented);
* AdverseEvents become side effects of that check-in (by identifier, or by day);
* QuestionnaireResponses become answers of the instrument their canonical names, re-scored by
  :mod:`lowdose.instruments` (a sender's total is never trusted);
* MedicationRequest, MedicationDispense, Condition, Practitioner and N-of-1 result Observations
  are kept as *history from another record* (:mod:`lowdose.interop.fhir.history`): read-only,
  never a lowdose order, exported again as they came. One already in this record (its
  ``fullUrl`` is among ``known_urls``: lowdose's own rows, or history kept before) is not kept
  twice. Every reference such a resource makes must resolve, to another history entry of the
  Bundle or to a ``known_urls`` one, or the Bundle is refused (a kept order would otherwise
  point at nothing);
* Patient, DocumentReference (the visit report: rendered again on export) and the questionnaire
  score Observations (re-computed from their QuestionnaireResponse) are *kept in lowdose, not
  imported*: counted and checked for belonging to this patient. A Patient whose identifiers are
  not the target patient's (lowdose id or MRN) refuses the whole Bundle.

Nothing raises for bad input: :func:`read_import` returns an :class:`ImportPlan` whose
``problems`` list each refused resource by a FHIRPath-like location
(``Bundle.entry[3].resource.valueQuantity``); the caller imports only a plan without problems.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from fhir.resources.R4B import get_fhir_model_class
from fhir.resources.R4B.operationoutcome import OperationOutcome, OperationOutcomeIssue
from pydantic import ValidationError

from lowdose import instruments
from lowdose.errors import InputError
from lowdose.interop.fhir.assessments import questionnaire_version
from lowdose.interop.fhir.bundle import entry_uuid
from lowdose.interop.fhir.history import (
    HISTORY_TYPES,
    HistoryResource,
    history_resource,
    literal_references,
)
from lowdose.interop.fhir.reader_diary import DiaryReader, ImportedCheckin
from lowdose.interop.fhir.records import IdentifierSystems, PatientIdentity

__all__ = [
    "KEPT_TYPES",
    "HistoryResource",
    "ImportPlan",
    "ImportedAssessment",
    "ImportedCheckin",
    "Problem",
    "problems_outcome",
    "read_import",
]

#: Resources lowdose keeps as it wrote them (counted, not imported).
KEPT_TYPES = frozenset({"Patient", "DocumentReference"})
#: Resources kept as read-only history from another record (an Observation only when the diary
#: reader finds it is an N-of-1 result).
_HISTORY = HISTORY_TYPES - {"Observation"}


@dataclass(frozen=True, slots=True)
class Problem:
    """Why one resource (or the whole input) is refused. ``code`` is an R4 issue type."""

    path: str
    message: str
    code: str = "invalid"


@dataclass(frozen=True, slots=True)
class ImportedAssessment:
    """A completed questionnaire read from a QuestionnaireResponse; answers validated."""

    path: str
    instrument: str
    answers: Mapping[str, int | bool]
    completed_at: datetime
    completed_by: str  # the instrument's "patient" or "clinician"


@dataclass(frozen=True, slots=True)
class ImportPlan:
    """What an import would write, what it keeps, and every problem found."""

    checkins: tuple[ImportedCheckin, ...]
    assessments: tuple[ImportedAssessment, ...]
    history: tuple[tuple[str, HistoryResource], ...]  # (path, resource) not in the record yet
    already_known: int  # history resources the record holds already
    kept: Mapping[str, int]
    problems: tuple[Problem, ...]
    resources: int

    @property
    def importable(self) -> bool:
        return not self.problems


def _where(prefix: str, loc: tuple[int | str, ...]) -> str:
    out = prefix
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else f".{part}"
    return out


Entry = tuple[str, dict[str, Any], str | None]  # (path, resource, fullUrl)


def _entries(data: object, problems: list[Problem]) -> list[Entry]:
    """The resources of the input with their paths (and ``fullUrl`` in a Bundle): a Bundle's
    entries, an array of resources, or one resource."""
    if isinstance(data, list):
        return [
            (f"[{i}]", item, None)
            for i, item in enumerate(data)
            if _is_object(item, f"[{i}]", problems)
        ]
    if not isinstance(data, dict):
        problems.append(Problem("$", "Send a FHIR Bundle, a resource, or an array of resources."))
        return []
    kind = data.get("resourceType")
    if kind != "Bundle":
        return [(str(kind) if isinstance(kind, str) else "$", data, None)]
    shell = {k: v for k, v in data.items() if k != "entry"}
    try:
        get_fhir_model_class("Bundle").model_validate(shell)
    except ValidationError as bad:
        problems.extend(_validation_problems("Bundle", bad))
    entries = data.get("entry") or []
    if not isinstance(entries, list):
        problems.append(Problem("Bundle.entry", "Bundle.entry must be an array of entries."))
        return []
    out = []
    for i, entry in enumerate(entries):
        where = f"Bundle.entry[{i}]"
        if not isinstance(entry, dict) or not isinstance(entry.get("resource"), dict):
            problems.append(Problem(where, "Each entry needs a resource (a JSON object)."))
            continue
        url = entry.get("fullUrl")
        out.append((f"{where}.resource", entry["resource"], url if isinstance(url, str) else None))
    return out


def _is_object(item: object, where: str, problems: list[Problem]) -> bool:
    if isinstance(item, dict):
        return True
    problems.append(Problem(where, "Each element must be a FHIR resource (a JSON object)."))
    return False


def _validation_problems(where: str, bad: ValidationError) -> list[Problem]:
    return [
        Problem(_where(where, tuple(e["loc"])), f"{e['msg']} (FHIR R4B).")
        for e in bad.errors(include_url=False)
    ]


def _validate(where: str, resource: dict[str, Any], problems: list[Problem]) -> str | None:
    """The resource's type when ``fhir.resources`` R4B validates it; else notes the problems."""
    kind = resource.get("resourceType")
    if not isinstance(kind, str):
        problems.append(Problem(f"{where}.resourceType", "Every resource needs a resourceType."))
        return None
    try:
        model = get_fhir_model_class(kind)
    except (ValueError, KeyError):
        problems.append(
            Problem(
                f"{where}.resourceType",
                f"{kind!r} is not a FHIR R4B resource type; check the spelling.",
                "not-supported",
            )
        )
        return None
    try:
        model.model_validate(resource)
    except ValidationError as bad:
        problems.extend(_validation_problems(where, bad))
        return None
    return kind


def _identity_matches(
    identifiers: object, systems: IdentifierSystems, who: PatientIdentity
) -> bool | None:
    """Do ``identifiers`` name ``who`` (lowdose id or MRN)? ``None``: none we can read."""
    known = False
    for item in identifiers if isinstance(identifiers, list) else [identifiers]:
        if not isinstance(item, dict):
            continue
        system, value = item.get("system"), item.get("value")
        if system == systems.system("patient"):
            known = True
            if value == str(who.lowdose_id):
                return True
        elif systems.mrn and system == systems.mrn:
            known = True
            if who.mrn and value == who.mrn:
                return True
    return False if known else None


class _Reader:
    def __init__(
        self,
        systems: IdentifierSystems,
        who: PatientIdentity,
        *,
        now: datetime,
        tz: ZoneInfo,
        joined: datetime | None,
        known_urls: frozenset[str],
    ) -> None:
        self.systems, self.who, self.known_urls = systems, who, known_urls
        self.problems: list[Problem] = []
        self.history: list[tuple[str, HistoryResource]] = []
        self.already_known = 0
        self.kept: Counter[str] = Counter()
        self.assessments: list[ImportedAssessment] = []
        self.diary = DiaryReader(
            systems,
            now=now,
            tz=tz,
            joined=joined,
            foreign_id=lambda day: uuid.UUID(
                entry_uuid(systems, "foreign-checkin", f"{who.lowdose_id}/{day.isoformat()}")
            ),
        )

    def refuse(self, path: str, message: str, code: str = "invalid") -> None:
        self.problems.append(Problem(path, message, code))

    def read(self, where: str, kind: str, resource: dict[str, Any], url: str | None) -> None:
        self._check_subject(where, resource)
        if kind == "Patient":
            if _identity_matches(resource.get("identifier"), self.systems, self.who) is not True:
                self.refuse(
                    f"{where}.identifier",
                    "This Bundle is about another patient (no identifier is this patient's "
                    "lowdose id or MRN); nothing was imported. Send it to that patient's record. "
                    "If it is this patient's record from another system, their clinician first "
                    "records the same medical record number (MRN) on this patient's details.",
                    "business-rule",
                )
            self.kept[kind] += 1
        elif kind in KEPT_TYPES:
            self.kept[kind] += 1
        elif kind in _HISTORY:
            self._keep_history(where, resource, url)
        elif kind == "Observation":
            self._observation(where, resource, url)
        elif kind == "AdverseEvent":
            found = self.diary.adverse_event(where, resource)
            for path, message in found:
                self.refuse(path, message)
        elif kind == "QuestionnaireResponse":
            self._questionnaire_response(where, resource)
        else:
            self.refuse(
                f"{where}.resourceType",
                f"lowdose does not import {kind}: it takes daily-score and dose Observations, "
                "AdverseEvents and QuestionnaireResponses, keeps MedicationRequest, "
                "MedicationDispense, Condition, Practitioner and N-of-1 results as history, and "
                "keeps its own Patient and DocumentReference. Remove this entry and send the "
                "Bundle again.",
                "not-supported",
            )

    def _check_subject(self, where: str, resource: dict[str, Any]) -> None:
        for field in ("subject", "patient"):
            ref = resource.get(field)
            if (
                isinstance(ref, dict)
                and "identifier" in ref
                and _identity_matches(ref["identifier"], self.systems, self.who) is False
            ):
                self.refuse(
                    f"{where}.{field}.identifier",
                    "This resource is about another patient; nothing was imported. "
                    "Send it to that patient's record.",
                    "business-rule",
                )

    def _observation(self, where: str, resource: dict[str, Any], url: str | None) -> None:
        outcome = self.diary.observation(where, resource)
        if outcome is None:
            return
        if outcome == "kept":
            self.kept["Observation"] += 1
            return
        if outcome == "history":
            self._keep_history(where, resource, url)
            return
        self.refuse(where + ".code", outcome, "not-supported")

    def _keep_history(self, where: str, resource: dict[str, Any], url: str | None) -> None:
        item = history_resource(resource, url)
        twin = next((i for _, i in self.history if i.full_url == item.full_url), None)
        if twin is not None and twin.resource != item.resource:
            self.refuse(
                where,
                f"Two different resources have the fullUrl {item.full_url}; each entry of a "
                "Bundle needs its own. Correct the Bundle and send it again.",
            )
        elif twin is not None or item.full_url in self.known_urls:
            self.already_known += 1
        else:
            self.history.append((where, item))

    def check_references(self, bundle_urls: frozenset[str]) -> None:
        """Every literal reference of a kept history resource resolves (module docstring)."""
        kept = {item.full_url for _, item in self.history} | self.known_urls
        for where, item in self.history:
            for ref in literal_references(item.resource):
                if ref in kept:
                    continue
                why = (
                    "is not kept as history (lowdose keeps orders, dispensings, diagnoses, care "
                    "professionals and N-of-1 results)"
                    if ref in bundle_urls
                    else "is neither in this Bundle nor in the patient's record"
                )
                self.refuse(
                    where,
                    f"This {item.resource_type} refers to {ref}, which {why}; a kept record "
                    "must not point at nothing. Send it together with what it refers to.",
                )

    def _questionnaire_response(self, where: str, resource: dict[str, Any]) -> None:
        canonical = str(resource.get("questionnaire") or "")
        qid, _, version = canonical.rpartition("/Questionnaire/")[2].partition("|")
        name = qid.replace("-", "_")
        if name not in instruments.names() or "/Questionnaire/" not in canonical:
            self.refuse(
                f"{where}.questionnaire",
                f"{canonical!r} is not a questionnaire lowdose knows; it takes "
                "<FHIR base>/Questionnaire/<id>|<version> as GET /fhir/Questionnaire lists.",
                "not-supported",
            )
            return
        definition = instruments.get(name)
        current = questionnaire_version(definition)
        if version and version != current:
            self.refuse(
                f"{where}.questionnaire",
                f"{definition.title} version {version} is not the one lowdose scores "
                f"(version {current}); it cannot be re-scored here.",
                "not-supported",
            )
            return
        if resource.get("status") != "completed":
            self.refuse(f"{where}.status", "Only a completed questionnaire can be imported.")
            return
        authored = _moment(resource.get("authored"))
        if authored is None:
            self.refuse(
                f"{where}.authored",
                "Give when it was completed, with a time zone (e.g. 2026-03-01T10:00:00+01:00).",
            )
            return
        answers, paths = _answers(definition, resource.get("item") or [], where)
        try:
            instruments.score(name, answers)  # validates; the total is the core's own
        except InputError as bad:
            self.refuse(paths.get(str(bad.field), f"{where}.item"), str(bad))
            return
        self.assessments.append(
            ImportedAssessment(where, name, answers, authored, definition.completed_by)
        )


def _moment(text: object) -> datetime | None:
    if not isinstance(text, str) or "T" not in text:
        return None
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo is not None else None


def _answers(
    definition: instruments.Instrument, items: list[Any], where: str
) -> tuple[dict[str, int | bool], dict[str, str]]:
    """The answers by linkId (a coded answer by its LOINC code or local value), and the path of
    each item for the problems."""
    answers: dict[str, int | bool] = {}
    paths: dict[str, str] = {}
    for i, item in enumerate(items):
        link = str(item.get("linkId"))
        for j, answer in enumerate(item.get("answer") or []):
            paths[link] = f"{where}.item[{i}].answer[{j}]"
            if "valueBoolean" in answer:
                answers[link] = bool(answer["valueBoolean"])
            elif "valueInteger" in answer:
                answers[link] = int(answer["valueInteger"])
            elif "valueCoding" in answer:
                answers[link] = _coded(definition, link, answer["valueCoding"])
    return answers, paths


def _coded(definition: instruments.Instrument, link: str, coding: dict[str, Any]) -> int:
    code = str(coding.get("code"))
    try:
        item = definition.item(link)
    except InputError:
        return -1  # scoring names the unknown item
    for option in item.options:
        if option.code and option.code == code:
            return option.value
    return int(code) if code.lstrip("-").isdigit() else -1


def read_import(
    data: object,
    *,
    systems: IdentifierSystems,
    patient: PatientIdentity,
    now: datetime,
    tz: ZoneInfo,
    joined: datetime | None = None,
    known_urls: frozenset[str] = frozenset(),
) -> ImportPlan:
    """Read ``data`` (parsed JSON) for ``patient``; see the module docstring.

    ``now``, ``tz`` and ``joined`` validate the check-ins as :func:`lowdose.diary.parse_checkin`
    does (the patient's time zone decides a check-in's day). ``known_urls`` are the ``fullUrl``s
    the patient's record already exports (its own rows and history kept before).
    """
    reader = _Reader(systems, patient, now=now, tz=tz, joined=joined, known_urls=known_urls)
    resources = _entries(data, reader.problems)
    for where, resource, url in resources:
        kind = _validate(where, resource, reader.problems)
        if kind is not None:
            reader.read(where, kind, resource, url)
    reader.check_references(frozenset(url for _, _, url in resources if url))
    checkins, found = reader.diary.checkins()
    for path, message in found:
        reader.refuse(path, message)
    return ImportPlan(
        checkins=tuple(checkins),
        assessments=tuple(reader.assessments),
        history=tuple(reader.history),
        already_known=reader.already_known,
        kept=dict(sorted(reader.kept.items())),
        problems=tuple(reader.problems),
        resources=len(resources),
    )


def problems_outcome(problems: tuple[Problem, ...] | list[Problem]) -> OperationOutcome:
    """Every problem as one ``error`` issue, its location in ``expression`` (FHIRPath-like)."""
    return OperationOutcome(
        issue=[
            OperationOutcomeIssue(
                severity="error", code=p.code, diagnostics=p.message, expression=[p.path]
            )
            for p in problems
        ]
    )
