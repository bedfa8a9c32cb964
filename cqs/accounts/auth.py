"""Authentication of API requests, used by every router of `/api/v1/`.

    router = Router(auth=api_auth)                # every operation needs a signed-in user
    @router.get("...", auth=api_auth_optional)    # anonymous allowed; `request.user` says who it is

A request is authenticated by, in this order:
1. `Authorization: Bearer <token>` (an `ApiToken`, see `POST /api/v1/auth/token`): no CSRF token is
   needed, since browsers never attach it on their own. A token that is presented but unknown,
   expired or belongs to an inactive account is refused with 401, whatever else the request carries.
2. the session cookie of the web pages: an unsafe method (POST, PUT, PATCH, DELETE) must carry
   the CSRF token (`X-CSRFToken` header or `csrfmiddlewaretoken`), or it is refused with 403.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from cqs.core.errors import DomainError


class InvalidToken(DomainError):
    code = "invalid_token"
    http_status = 401


class CsrfRefused(DomainError):
    code = "csrf_failed"
    http_status = 403


class BearerTokenAuth(HttpBearer):
    """`Authorization: Bearer <token>`: an unexpired token of an active account."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        from cqs.accounts.services import api_token_use

        user = api_token_use(raw=token)
        if user is None:
            raise InvalidToken(_("Mã truy cập không hợp lệ hoặc đã hết hạn. / Invalid or expired token."))
        request.user = user
        return user


class SessionAuth(APIKeyCookie):
    """The web session (cookie), with Django's CSRF check on unsafe methods.

    Unlike django-ninja's own `SessionAuth`, the CSRF check only runs when there is a signed-in
    session: a request with no session has nothing to forge, and should get 401, not 403.
    """

    def __init__(self, csrf: bool = True) -> None:
        self.param_name = settings.SESSION_COOKIE_NAME
        super().__init__(csrf=csrf)

    def _get_key(self, request: HttpRequest) -> str | None:
        key = request.COOKIES.get(self.param_name)
        if not key or not request.user.is_authenticated:
            return None
        if self.csrf and not getattr(request, "_ninja_csrf_exempt", False) and check_csrf(request):
            raise CsrfRefused(
                _("Thiếu hoặc sai mã chống giả mạo (CSRF). / CSRF token missing or incorrect."),
                details={"header": "X-CSRFToken"},
            )
        return key

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        return request.user if key and request.user.is_authenticated else None


def _anonymous(request: HttpRequest) -> Any:
    """Last resort of `api_auth_optional`: lets the request through as whoever it is (maybe nobody)."""
    return request.user if request.user.is_authenticated else AnonymousUser()


api_auth = [BearerTokenAuth(), SessionAuth()]
api_auth_optional = [BearerTokenAuth(), SessionAuth(), _anonymous]
