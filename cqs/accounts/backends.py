"""Sign-in by username, e-mail address or mobile number (`AUTHENTICATION_BACKENDS`)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest

from cqs.accounts.models import User


class EmailOrPhoneBackend(ModelBackend):
    """Like `ModelBackend`, but `username` may also be the account's e-mail (any case) or mobile
    number (`09...`, `+849...`). Used by the portal, the API token endpoint and the admin login."""

    def authenticate(
        self, request: HttpRequest | None, username: str | None = None, password: str | None = None, **kwargs: Any
    ) -> User | None:
        from cqs.accounts.queries import user_for_identifier

        if username is None:
            username = kwargs.get(User.USERNAME_FIELD)
        if not username or password is None:
            return None
        user = user_for_identifier(username)
        if user is None:
            # Spend the time of a password check anyway, so response times don't reveal accounts.
            User().set_password(password)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
