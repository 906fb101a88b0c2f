"""A file to save: the one way a view answers a download that holds patient data."""

from __future__ import annotations

from django.http import HttpResponse

__all__ = ["ZIP", "attachment"]

ZIP = "application/zip"


def attachment(data: bytes, content_type: str, filename: str) -> HttpResponse:
    """``data`` as an attachment named ``filename``, never kept in a shared or browser cache."""
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response
