"""The patient's whole record in one download (issue 15, item 5: data portability).

One ZIP for the patient themself: their record as a FHIR R4B Bundle (with the visit report's PDF
carried in its DocumentReference), their check-ins as the CSV lowdose imports, the visit report
as a PDF file, and a README saying what each file is and which program opens it. The visit
report is rendered by the worker (:mod:`apps.reports.pdf`): until it is ready the download
answers "being prepared" (202), as the report's own download does.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass

from django.http import HttpRequest
from django.utils import timezone

from apps.accounts.models import Patient, User
from apps.checkins.exports import checkins_csv
from apps.fhir.gather import fhir_base, identifier_systems, patient_record
from apps.fhir.outcomes import fhir_json
from apps.reports.pdf import requested_report
from apps.reports.period import period_for
from lowdose.interop.fhir import patient_bundle
from lowdose.interop.fhir.records import ReportDocument

__all__ = ["README", "WholeRecord", "whole_record"]

README = """Your lowdose record, downloaded on {day}
==========================================

record.fhir.json
  Everything lowdose holds about your LDN treatment, in FHIR R4B, the format health records
  exchange: your details, daily check-ins, questionnaires, prescriptions and their doses,
  dispensing, side effects, N-of-1 trial results and the visit report below. Another doctor's or
  hospital's system can read it; it is plain text (JSON) you can also open in any text editor.

checkins.csv
  Your daily check-ins as a spreadsheet (comma-separated, UTF-8). Opens in LibreOffice, Numbers
  or Google Sheets; in Excel on Windows use Data > From Text/CSV and choose UTF-8. lowdose can
  import this file again (check-in page > Import).

visit-report.pdf
  A one-page summary of your recent scores, dose and treatment, in plain language, for printing
  or for showing a doctor. Covers {period}.

Keep this file private: it is your health record.
"""

FILES = ("README.txt", "record.fhir.json", "checkins.csv", "visit-report.pdf")


@dataclass(frozen=True)
class WholeRecord:
    """The archive (None while the visit report is being rendered) and its file name."""

    data: bytes | None
    filename: str


def whole_record(request: HttpRequest, patient: Patient, reader: User) -> WholeRecord:
    """The patient's whole record as a ZIP, or None while the visit report renders (the job is
    sent; ask again). Access is the caller's to check (``record.download``)."""
    now = timezone.now()
    day = patient.today()
    filename = f"lowdose-record-{day.isoformat()}.zip"
    report = requested_report(patient, "patient", "", "")
    if report.pdf is None:
        return WholeRecord(None, filename)
    # rendered by the worker at some moment since the record last changed: no creation time
    document = ReportDocument("Visit report (plain language)", created_at=None, pdf=report.pdf)
    bundle = patient_bundle(
        patient_record(patient, reader, report=document),
        identifier_systems(),
        generated_at=now,
        canonical_base=fhir_base(request),
    )
    period = period_for(patient)
    readme = README.format(
        day=day.isoformat(), period=f"{period.start.isoformat()} to {period.end.isoformat()}"
    )
    buffer = io.BytesIO()
    stamp = (day.year, day.month, day.day, 0, 0, 0)
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as zipped:
        for name, data in zip(
            FILES,
            (
                readme.replace("\n", "\r\n").encode("utf-8"),
                fhir_json(bundle).encode("utf-8"),
                checkins_csv(patient, bom=True),
                report.pdf,
            ),
            strict=True,
        ):
            zipped.writestr(zipfile.ZipInfo(name, date_time=stamp), data, zipfile.ZIP_DEFLATED)
    return WholeRecord(buffer.getvalue(), filename)
