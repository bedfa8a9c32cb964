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


class VietnameseFirstLocaleMiddleware:
    """Vietnamese unless the user chose another language (the switcher's cookie).

    Django's LocaleMiddleware would follow the browser's Accept-Language, so a phone set to English
    would see an English portal by default; a Vietnamese public service speaks Vietnamese first.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from django.conf import settings
        from django.utils import translation

        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        language = chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response
