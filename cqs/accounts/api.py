"""Account endpoints: `/api/v1/auth/token`, `/api/v1/auth/register`, `/api/v1/auth/me`."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.responses import Status

from cqs.accounts import queries, services
from cqs.accounts.auth import BearerTokenAuth, api_auth
from cqs.accounts.identity import sign_in
from cqs.accounts.models import UserKind
from cqs.accounts.throttling import throttle_email, throttle_registration

router = Router(tags=["auth"])


class TokenIn(Schema):
    username: str  # username, e-mail address or mobile number
    password: str


class TokenOut(Schema):
    token: str
    expires: dt.datetime


class RegisterIn(Schema):
    """Every field is checked by the registration service, which lists all bad fields at once
    (400, `validation_failed`); that is why they are typed loosely here."""

    kind: str  # "citizen" or "enterprise"
    email: str | None = None
    phone: str | None = None
    password: str = ""
    # citizen
    identity_number: str | None = None
    full_name: str | None = None
    date_of_birth: str | None = None  # YYYY-MM-DD
    sex: str | None = None  # "male" | "female"
    # enterprise
    tax_code: str | None = None
    enterprise_name: str | None = None
    legal_representative: str | None = None
    representative_identity: str | None = None
    # both
    address_unit: str | None = None  # a current commune's code, see /api/v1/units?level=commune
    address_street: str | None = None


class ErrorOut(Schema):
    error: dict[str, Any]


@router.post(
    "/token",
    response={200: TokenOut, 401: ErrorOut, 429: ErrorOut},
    summary="Issue an API token",
)
def issue_token(request: HttpRequest, body: TokenIn) -> dict[str, Any]:
    """Exchange a username (or e-mail, or mobile number) and password for a bearer token, valid
    for 12 hours by default. Send it as `Authorization: Bearer <token>`. Repeated failures lock
    the account out from the caller's address for a while (429, `rate_limited`)."""
    user = sign_in(request, credentials={"username": body.username, "password": body.password}, session=False)
    issued = services.api_token_issue(user=user)
    return {"token": issued.token, "expires": issued.record.expires}


@router.delete("/token", auth=[BearerTokenAuth()], response={204: None}, summary="Revoke the token used")
def revoke_token(request: HttpRequest) -> Status:
    header = request.headers.get("Authorization", "")
    services.api_token_revoke(raw=header.split(" ", 1)[1] if " " in header else "")
    return Status(204, None)


@router.post("/register", response={201: dict[str, Any], 400: ErrorOut}, summary="Register a citizen or enterprise")
def register(request: HttpRequest, body: RegisterIn) -> Status:
    """Open a citizen's or an enterprise's account. An account with an e-mail address is sent a
    verification link. Every bad field is listed in `error.details` as `{"field", "message"}`."""
    throttle_registration(request)
    fields = body.dict()
    user = services.account_register(
        kind=fields.pop("kind"),
        email=fields.pop("email") or "",
        phone=fields.pop("phone") or "",
        password=fields.pop("password") or "",
        profile=fields,
    )
    return Status(201, queries.account_as_dict(user))


@router.get("/me", auth=api_auth, summary="The signed-in account and its profile")
def me(request: HttpRequest) -> dict[str, Any]:
    return queries.account_as_dict(request.auth)


class AccountPatchIn(Schema):
    """Only the fields sent are changed; the profile is then validated as a whole."""

    email: str | None = None
    phone: str | None = None
    full_name: str | None = None
    identity_number: str | None = None
    date_of_birth: str | None = None
    sex: str | None = None
    tax_code: str | None = None
    enterprise_name: str | None = None
    legal_representative: str | None = None
    representative_identity: str | None = None
    address_unit: str | None = None
    address_street: str | None = None


@router.patch("/me", auth=api_auth, response={200: dict[str, Any], 400: ErrorOut}, summary="Change my account")
def update_me(request: HttpRequest, body: AccountPatchIn) -> dict[str, Any]:
    """Change contact details and profile. A new e-mail address must be verified again."""
    user = request.auth
    changes = body.dict(exclude_unset=True)
    profile_changes = {k: v for k, v in changes.items() if k not in ("email", "phone")}
    profile: dict[str, Any] | None = None
    if user.kind != UserKind.OFFICIAL and profile_changes:
        profile = {**(queries.profile_as_dict(queries.profile_of(user)) or {}), **profile_changes}
    services.account_update(
        actor=user,
        user=user,
        email=changes.get("email"),
        phone=changes.get("phone"),
        profile=profile,
        full_name=changes.get("full_name") if user.kind == UserKind.OFFICIAL else None,
    )
    user.refresh_from_db()
    return queries.account_as_dict(user)


@router.post("/me/verification-email", auth=api_auth, response={202: dict[str, str], 400: ErrorOut})
def resend_verification(request: HttpRequest) -> Status:
    """Send the e-mail verification link again."""
    throttle_email(request, "verify")
    services.email_verification_send(user=request.auth)
    return Status(202, {"status": "queued"})
