"""The REST API under /api/v1/ (django-ninja), with the same access rules as the pages.

Domain errors map to HTTP codes in one handler: a :class:`lowdose.errors.InputError` is 400 with
``{"detail": ..., "field": ...}``, a conflict 409, a missing or forbidden object 404, schema errors
422. Before any view runs, :mod:`config.api_input` refuses a body that is not JSON (415), a NUL
character in the body or the query string (400), and Django a body over
``DATA_UPLOAD_MAX_MEMORY_SIZE`` (413); each answers ``{"detail": ..., "field": ...}`` too.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.openapi.schema import OpenAPISchema

from apps.accounts.api import router as accounts_router
from apps.accounts.audit_api import router as audit_router
from apps.alerts.api import router as alerts_router
from apps.checkins.api import router as checkins_router
from apps.clinical.api import router as clinical_router
from apps.clinical.schemas import ScreeningOut
from apps.evidence.api import router as evidence_router
from apps.fhir.api import router as fhir_router
from apps.fhir.outcomes import outcome_response
from apps.fhir.record_api import router as record_router
from apps.nof1.api import router as nof1_router
from apps.notifications.api import router as notifications_router
from apps.pharmacy.api import router as pharmacy_router
from apps.reports.api import router as reports_router
from apps.research.api import router as research_router
from apps.sharing.api import router as sharing_router
from apps.webapp.api import router as webapp_router
from config.api_docs import LocalSwagger
from config.api_input import ErrorOut, JsonOnlyParser
from config.errors import ApiInputError, ReportUnavailableError, api_status
from lowdose.errors import InputError, ScreenBlockedError
from lowdose.safety.screening import blocking_screen


class ValidationErrorOut(Schema):
    """The body or the query does not match the schema; errors lists every problem."""

    detail: str
    errors: list[dict[str, Any]]


class DetailOut(Schema):
    detail: str


def _ref(schema: type[Schema]) -> dict[str, Any]:
    return {"$ref": f"#/components/schemas/{schema.__name__}"}


#: The answers every operation of a kind can give whatever its view does, with why.
_SHARED_ANSWERS: dict[str, dict[int, tuple[str, type[Schema]]]] = {
    "authenticated": {401: ("No valid token: POST /api/v1/auth/token first.", DetailOut)},
    "body": {
        400: ("The body is not valid JSON, or holds a NUL character.", ErrorOut),
        413: ("The body is larger than the server accepts.", ErrorOut),
        415: ("The body is not JSON.", ErrorOut),
        422: ("The body does not match the schema (types are strict).", ValidationErrorOut),
    },
    "path": {422: ("An id in the address is not of its type.", ValidationErrorOut)},
    "query": {
        400: ("The query string holds a NUL character.", ErrorOut),
        422: ("A query parameter does not match its type.", ValidationErrorOut),
    },
}


class LowdoseAPI(NinjaAPI):
    """django-ninja documents only what each route declares; the answers the API gives before a
    view runs (:mod:`config.api_input`, the token check, schema validation) are added to every
    operation they apply to here, so the published schema names every status the API can give."""

    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> OpenAPISchema:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        for shared in (ValidationErrorOut, DetailOut, ErrorOut):
            components.setdefault(shared.__name__, shared.model_json_schema())
        for operation in (op for ops in schema["paths"].values() for op in ops.values()):
            kinds = []
            if operation.get("security"):
                kinds.append("authenticated")
            if "requestBody" in operation:
                kinds.append("body")
            places = {p.get("in") for p in operation.get("parameters", ())}
            kinds += [place for place in ("path", "query") if place in places]
            answers = operation.setdefault("responses", {})
            for kind in kinds:
                for status, (why, model) in _SHARED_ANSWERS[kind].items():
                    answers.setdefault(
                        status,
                        {
                            "description": why,
                            "content": {"application/json": {"schema": _ref(model)}},
                        },
                    )
        return schema


api = LowdoseAPI(
    title="lowdose API",
    version="1",
    description="Low-dose naltrexone therapy: check-ins, and more with each release. "
    "Authenticate with POST /api/v1/auth/token, then send `Authorization: Bearer <token>`.",
    urls_namespace="api",
    docs=LocalSwagger(),  # vendored Swagger UI: no CDN, works under our CSP
    parser=JsonOnlyParser(),
)
api.add_router("/", accounts_router)
api.add_router("/", checkins_router)
api.add_router("/", alerts_router)
api.add_router("/", clinical_router)
api.add_router("/", evidence_router)
api.add_router("/", fhir_router)
api.add_router("/", nof1_router)
api.add_router("/", notifications_router)
api.add_router("/", pharmacy_router)
api.add_router("/", audit_router)
api.add_router("/", research_router)
api.add_router("/", webapp_router)
api.add_router("/", reports_router)
api.add_router("/", record_router)
api.add_router("/", sharing_router)


@api.exception_handler(InputError)
@api.exception_handler(ScreenBlockedError)
@api.exception_handler(ApiInputError)
@api.exception_handler(ReportUnavailableError)
def on_domain_error(request: HttpRequest, exc: Exception) -> HttpResponse:
    """Every domain error of the core and of the web layer, answered with its status from
    :func:`config.errors.api_status` (400 input, 409 a conflict or a hard stop of the safety
    screen, 415 a body that is not JSON, 503 a file the server cannot draw now, with
    ``Retry-After``): ``{"detail": ..., "field": ...}``, and for a hard stop
    of the screen the screen itself, so the caller sees what to resolve."""
    body: dict[str, object] = {"detail": str(exc), "field": getattr(exc, "field", None)}
    if isinstance(exc, ScreenBlockedError):
        body = {"detail": str(exc), "screening": ScreeningOut.from_result(blocking_screen(exc))}
    response = api.create_response(request, body, status=api_status(exc))
    if isinstance(exc, ReportUnavailableError):
        response["Retry-After"] = str(exc.retry_after)
    return response


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    # django-ninja wraps whatever the body parser raises in HttpError(400, "Cannot parse ...").
    if isinstance(exc.__cause__, ApiInputError):
        return on_domain_error(request, exc.__cause__)
    if exc.status_code == 400 and isinstance(exc.__cause__, ValueError):
        detail = "The body is not valid JSON."
        return api.create_response(request, {"detail": detail, "field": None}, status=400)
    if exc.status_code == 403 and str(exc) == "CSRF check Failed":  # django-ninja's words
        # Only the session-authenticated operations check it (apps.accounts.auth.SignedInSession).
        detail = (
            "The page's security token is missing or out of date: reload the page and try again."
        )
        return api.create_response(request, {"detail": detail, "field": None}, status=403)
    return api.create_response(request, {"detail": str(exc)}, status=exc.status_code)


@api.exception_handler(RequestDataTooBig)
def on_body_too_large(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    return api.create_response(
        request,
        {"detail": f"The request body is larger than {limit} bytes.", "field": None},
        status=413,
    )


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return api.create_response(request, {"detail": "Not found."}, status=404)


@api.exception_handler(AuthenticationError)
def on_unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    if request.path.endswith("/fhir"):  # the FHIR export answers every error as OperationOutcome
        return outcome_response(
            401,
            "Send a valid token: POST /api/v1/auth/token, then 'Authorization: Bearer <token>'.",
        )
    return api.create_response(
        request,
        {
            "detail": "Send a valid token: POST /api/v1/auth/token, "
            "then 'Authorization: Bearer <token>'."
        },
        status=401,
    )


@api.exception_handler(ValidationError)
def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    problems = []
    for error in exc.errors:
        where = ".".join(
            str(p)
            for p in error.get("loc", ())
            if p not in ("body", "payload", "path", "query", "filters")
        )
        problems.append(f"{where}: {error.get('msg', 'invalid value')}")
    return api.create_response(
        request,
        {"detail": "; ".join(problems) or "Invalid request.", "errors": exc.errors},
        status=422,
    )
