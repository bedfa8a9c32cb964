"""Turns a refused use case on a page into the right HTTP answer (the API has its own handlers)."""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse

from cqs.core.errors import DomainError, NotFound, PermissionRefused


class DomainErrorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, NotFound):
            raise Http404(exception.message) from exception
        if isinstance(exception, PermissionRefused):
            raise PermissionDenied(exception.message) from exception
        if isinstance(exception, DomainError):
            return HttpResponse(
                exception.message, status=exception.http_status, content_type="text/plain; charset=utf-8"
            )
        return None
