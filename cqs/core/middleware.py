"""The project's middleware: a refused use case on a page turned into the right HTTP answer (the
API has its own handlers), Vietnamese first, and page-only middleware kept off the API."""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.module_loading import import_string

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


API_PREFIX = "/api/"
API_DOCS_PATH = "/api/v1/docs"


def is_api_request(request: HttpRequest) -> bool:
    """A request to the JSON API. The API's documentation (Swagger UI) is a page a browser shows,
    with buttons that send requests as the signed-in user: it stays a page."""
    path = request.path_info
    return path.startswith(API_PREFIX) and path.rstrip("/") != API_DOCS_PATH


def pages_only(dotted_path: str, *, on_api: Callable[[HttpRequest], object] | None = None) -> type:
    """Django's middleware at `dotted_path`, run for the web pages and not for the JSON API
    (`/api/...`), whose requests it has nothing to do for; `on_api` is what of its work an API
    request still needs. A subclass, so that Django's checks still find the middleware they ask
    for; only for a middleware whose work is all in `process_request`/`process_response`.

    Every API request of an online submission went through flash messages and the trailing-slash
    redirect for nothing: skipping them (the Host check kept) saves 0.9 % of the flow's
    instructions (callgrind over `bench.profile_submission`'s flow: 252.8 → 250.6 million for ten
    submissions). X-Frame-Options stays on the API, which also answers with PDFs a page could
    frame."""
    middleware_class = import_string(dotted_path)
    if any(hasattr(middleware_class, hook) for hook in ("process_view", "process_exception")):
        raise ImproperlyConfigured(f"{dotted_path} has hooks that pages_only would not keep off the API")

    class PagesOnly(middleware_class):
        def __call__(self, request: HttpRequest) -> HttpResponse:
            if is_api_request(request):
                if on_api is not None:
                    on_api(request)
                return self.get_response(request)
            return super().__call__(request)

    PagesOnly.__name__ = PagesOnly.__qualname__ = f"PagesOnly{middleware_class.__name__}"
    return PagesOnly


# CommonMiddleware is what checks every request's Host against ALLOWED_HOSTS (a foreign Host: 400):
# that check stays for the API.
PagesOnlyCommonMiddleware = pages_only("django.middleware.common.CommonMiddleware", on_api=HttpRequest.get_host)
PagesOnlyMessageMiddleware = pages_only("django.contrib.messages.middleware.MessageMiddleware")
