"""The public API, `/api/v1/`, documented at `/api/v1/openapi.json` and `/api/v1/docs`."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from cqs.accounts.api import router as accounts_router
from cqs.calendar.api import router as calendar_router
from cqs.catalog.api import router as catalog_router
from cqs.core.errors import DomainError
from cqs.dossiers.api import office_router, public_router
from cqs.dossiers.api import router as dossiers_router
from cqs.org.api import router as org_router
from cqs.scorecard.api import router as scorecard_router

api = NinjaAPI(
    title="Chính Quyền Số API",
    version="1",
    description=(
        "Public API of the Chính Quyền Số platform: the procedure catalogue, the organisation and the "
        "official working-day calendar. Errors are JSON: "
        '`{"error": {"code", "message", "details"}}`; bad parameters get 400 with one entry per parameter.'
    ),
    urls_namespace="api-v1",
)
api.add_router("/procedures", catalog_router)
api.add_router("/", org_router)
api.add_router("/calendar", calendar_router)
api.add_router("/auth", accounts_router)
api.add_router("/", dossiers_router)
api.add_router("/", public_router)
api.add_router("/office", office_router)
api.add_router("/", scorecard_router)


def error_body(code: str, message: str, details: object = None) -> dict[str, object]:
    return {"error": {"code": code, "message": message, "details": details}}


@api.exception_handler(DomainError)
def on_domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return api.create_response(request, error_body(exc.code, exc.message, exc.details), status=exc.http_status)


@api.exception_handler(NinjaValidationError)
def on_validation_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    details = []
    for error in exc.errors:
        loc = [str(part) for part in error.get("loc", []) if part not in ("query", "body", "path", "form")]
        details.append({"parameter": ".".join(loc) or "body", "message": error.get("msg", "invalid")})
    return api.create_response(
        request, error_body("invalid_parameter", "Tham số không hợp lệ / invalid parameter", details), status=400
    )


@api.exception_handler(PermissionDenied)
def on_permission_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return api.create_response(request, error_body("permission_denied", str(exc) or "forbidden"), status=403)


@api.exception_handler(AuthenticationError)
def on_authentication_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return api.create_response(request, error_body("not_authenticated", "authentication required"), status=401)


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return api.create_response(request, error_body("http_error", str(exc)), status=exc.status_code)
