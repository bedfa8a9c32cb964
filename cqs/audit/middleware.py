"""Carries the request's origin into audit events without passing it through every call."""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar

from django.http import HttpRequest, HttpResponse

audit_context: ContextVar[dict[str, str] | None] = ContextVar("audit_context", default=None)


class AuditContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = audit_context.set({"channel": "web", "path": request.path[:200], "method": request.method or ""})
        try:
            return self.get_response(request)
        finally:
            audit_context.reset(token)
