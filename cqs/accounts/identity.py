"""Who is signing in: authentication behind a small interface.

The pages and the API never call a particular authentication method: they call `sign_in()`
with the name of an `IdentityProvider` and the credentials it understands. Today there is one,
`PasswordProvider` (username, e-mail or phone number + password, throttled by django-axes).

Where VNeID (the national electronic identity, OpenID Connect) plugs in later, without touching
the rest: write `VNeIDProvider` (name "vneid") whose `authenticate(request, {"code": ..., "state": ...})`
exchanges the code, checks the ID token, and returns the `User` whose `CitizenProfile.identity_number`
is the token's personal identification number (creating the account through
`services.account_register`-like service on first sign-in); add it to `_PROVIDERS` with
`register_provider()` (in its app's `ready()`), and add two views: one redirecting to VNeID's
authorisation endpoint, one callback calling `sign_in(request, provider="vneid", credentials=...)`.
Sessions, API tokens, permissions and the audit trail work as they do for passwords.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol, runtime_checkable

from django.conf import settings
from django.contrib.auth import authenticate, login
from django.contrib.auth.signals import user_logged_in
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cqs.accounts.models import User
from cqs.accounts.queries import user_for_identifier
from cqs.core.errors import DomainError
from cqs.core.ratelimit import RateLimited


class InvalidCredentials(DomainError):
    code = "invalid_credentials"
    http_status = 401


class SignInLocked(RateLimited):
    """Too many failed sign-ins for this account from this address (django-axes)."""


@runtime_checkable
class IdentityProvider(Protocol):
    """A way of proving who you are. Returns the user, or None when the credentials don't prove it;
    may raise `SignInLocked` when it refuses to even check them."""

    name: str

    def authenticate(self, request: HttpRequest, credentials: Mapping[str, str]) -> User | None: ...


class PasswordProvider:
    """Username, e-mail address or mobile number, and password.

    Goes through `django.contrib.auth.authenticate(request=...)` so that django-axes counts every
    failure (per account and address) and refuses locked-out accounts before checking the password.
    The identifier is resolved to the account's username first, so failures by e-mail, phone and
    username add up to one count instead of three.
    """

    name = "password"

    def authenticate(self, request: HttpRequest, credentials: Mapping[str, str]) -> User | None:
        identifier = str(credentials.get("username") or "").strip()
        password = str(credentials.get("password") or "")
        if not identifier or not password:
            return None
        known = user_for_identifier(identifier)
        username = known.username if known is not None else identifier.lower()
        user = authenticate(request=request, username=username, password=password)
        if getattr(request, "axes_locked_out", False):
            # Consumed here: the caller answers with its own Vietnamese page or JSON error, so
            # axes' middleware must not replace that answer with its English one.
            request.axes_locked_out = False
            raise SignInLocked(lockout_message(), details={"retry_after": _cooloff_seconds()})
        return user


def _cooloff_seconds() -> int:
    cooloff = settings.AXES_COOLOFF_TIME
    return int(cooloff.total_seconds()) if cooloff else 0


def lockout_message() -> str:
    minutes = max(1, _cooloff_seconds() // 60)
    return ngettext(
        "Bạn đã nhập sai thông tin đăng nhập quá nhiều lần. Tài khoản tạm khoá đăng nhập từ địa chỉ này; "
        "vui lòng thử lại sau %(minutes)d phút, hoặc đặt lại mật khẩu.",
        "Bạn đã nhập sai thông tin đăng nhập quá nhiều lần. Tài khoản tạm khoá đăng nhập từ địa chỉ này; "
        "vui lòng thử lại sau %(minutes)d phút, hoặc đặt lại mật khẩu.",
        minutes,
    ) % {"minutes": minutes}


_PROVIDERS: dict[str, IdentityProvider] = {"password": PasswordProvider()}


def register_provider(provider: IdentityProvider) -> None:
    """Make another identity provider (e.g. VNeID) available to `sign_in`."""
    _PROVIDERS[provider.name] = provider


def get_provider(name: str) -> IdentityProvider:
    try:
        return _PROVIDERS[name]
    except KeyError:
        raise DomainError(_("Phương thức đăng nhập không được hỗ trợ."), code="unknown_provider") from None


def sign_in(
    request: HttpRequest, *, credentials: Mapping[str, str], provider: str = "password", session: bool = True
) -> User:
    """Authenticate with `provider` and, with `session`, open a web session.

    Raises `InvalidCredentials` (401) or `SignInLocked` (429, rate_limited). Without a session
    (API tokens) the sign-in is still announced (`user_logged_in`), so the last sign-in time is
    kept and axes forgets earlier failures, as it does for the web.
    """
    user = get_provider(provider).authenticate(request, credentials)
    if user is None:
        raise InvalidCredentials(
            _("Thông tin đăng nhập không đúng. / The username or password is incorrect."),
        )
    if session:
        login(request, user)
    else:
        user_logged_in.send(sender=user.__class__, request=request, user=user)
    return user


def lockout_response(request: HttpRequest, original_response: Any = None, credentials: Any = None) -> Any:
    """For `AXES_LOCKOUT_CALLABLE`: the lockout answer of sign-in forms that are not ours (the
    admin's): Vietnamese, JSON under `/api/`."""
    from django.http import JsonResponse
    from django.shortcuts import render

    message = lockout_message()
    if request.path.startswith("/api/"):
        body = {"error": {"code": "rate_limited", "message": message, "details": {"retry_after": _cooloff_seconds()}}}
        return JsonResponse(body, status=429)
    return render(request, "accounts/locked_out.html", {"message": message}, status=429)
