"""Use cases that change accounts. Each is one transaction with its audit event.

Passwords and their hashes never reach the audit trail: `audit.services.snapshot` leaves the
`password` field out, and password changes are recorded as an event without before/after.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.tokens import default_token_generator
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from cqs.accounts.models import ApiToken, CitizenProfile, EnterpriseProfile, Sex, User, UserKind
from cqs.accounts.queries import profile_columns_and_joins, profile_forget, profile_model, profile_read_along
from cqs.accounts.validators import (
    normalize_phone,
    normalize_tax_code,
    validate_date_of_birth,
    validate_identity_matches,
    validate_identity_number,
)
from cqs.audit.models import AuditAction
from cqs.audit.services import audit_record, audited_save, snapshot
from cqs.core import rows
from cqs.core.errors import PermissionRefused, ValidationFailed
from cqs.notify.services import email_queue
from cqs.org.models import AdministrativeUnit, UnitLevel
from cqs.org.permissions import Action, has_permission

EMAIL_VERIFY_SALT = "cqs.accounts.email-verify"
TOKEN_PREFIX = "cqs_"  # noqa: S105 - not a secret: marks our tokens in logs and secret scanners
# `last_used` is written at most this often per token: a busy client must not cost a write per call.
_LAST_USED_RESOLUTION = dt.timedelta(minutes=1)

CITIZEN_FIELDS = ("identity_number", "full_name", "date_of_birth", "sex", "address_unit", "address_street")
ENTERPRISE_FIELDS = (
    "tax_code",
    "enterprise_name",
    "legal_representative",
    "representative_identity",
    "address_unit",
    "address_street",
)


# --- Validation shared by registration and profile changes ------------------------------------
class _Problems:
    """Collects every bad field, so the user hears about all of them at once."""

    def __init__(self) -> None:
        self.details: list[dict[str, str]] = []

    def add(self, field: str, message: str) -> None:
        self.details.append({"field": field, "message": str(message)})

    def add_error(self, field: str, error: ValidationError) -> None:
        for message in error.messages:
            self.add(field, message)

    def has(self, field: str) -> bool:
        return any(d["field"] == field for d in self.details)

    def raise_if_any(self) -> None:
        if self.details:
            raise ValidationFailed(_("Thông tin chưa hợp lệ, vui lòng kiểm tra lại."), details=self.details)


def _text(data: Mapping[str, Any], field: str, problems: _Problems, *, max_length: int, required: bool = True) -> str:
    value = " ".join(str(data.get(field) or "").split())
    if required and not value:
        problems.add(field, _("Trường này là bắt buộc."))
    elif len(value) > max_length:
        problems.add(field, _("Tối đa %(n)d ký tự.") % {"n": max_length})
    return value


def _date(data: Mapping[str, Any], field: str, problems: _Problems) -> dt.date | None:
    value = data.get(field)
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        value = value.date()
    if not isinstance(value, dt.date):
        text = str(value).strip()
        try:
            # ISO (the API, <input type=date>) or the Vietnamese day/month/year.
            value = dt.datetime.strptime(text, "%d/%m/%Y").date() if "/" in text else dt.date.fromisoformat(text)
        except ValueError:
            problems.add(field, _("Ngày không hợp lệ: hãy ghi theo dạng NN/TT/NNNN (ví dụ 12/05/1995)."))
            return None
    try:
        validate_date_of_birth(value)
    except ValidationError as exc:
        problems.add_error(field, exc)
        return None
    return value


def _commune(data: Mapping[str, Any], field: str, problems: _Problems) -> AdministrativeUnit | None:
    value = data.get(field)
    if isinstance(value, AdministrativeUnit):
        value = value.code
    code = str(value or "").strip()
    if not code:
        problems.add(field, _("Hãy chọn xã, phường."))
        return None
    unit = AdministrativeUnit.objects.filter(code=code, level=UnitLevel.COMMUNE, is_current=True).first()
    if unit is None:
        problems.add(field, _("Mã %(code)s không phải một xã, phường hiện hành.") % {"code": code})
    return unit


def _clean_citizen(data: Mapping[str, Any], problems: _Problems, *, instance: CitizenProfile | None) -> dict[str, Any]:
    identity_number = re.sub(r"\s", "", str(data.get("identity_number") or ""))
    date_of_birth = _date(data, "date_of_birth", problems)
    sex = str(data.get("sex") or "")
    if sex and sex not in Sex.values:
        problems.add("sex", _("Giới tính không hợp lệ."))
        sex = ""
    if not identity_number:
        problems.add("identity_number", _("Trường này là bắt buộc."))
    else:
        try:
            validate_identity_matches(identity_number, date_of_birth=date_of_birth, sex=sex or None)
        except ValidationError as exc:
            problems.add_error("identity_number", exc)
        else:
            taken = CitizenProfile.objects.filter(identity_number=identity_number)
            if instance is not None:
                taken = taken.exclude(pk=instance.pk)
            if taken.exists():
                problems.add("identity_number", _("Số định danh này đã được đăng ký cho một tài khoản khác."))
    return {
        "identity_number": identity_number,
        "full_name": _text(data, "full_name", problems, max_length=200),
        "date_of_birth": date_of_birth,
        "sex": sex,
        "address_unit": _commune(data, "address_unit", problems),
        "address_street": _text(data, "address_street", problems, max_length=300),
    }


def _clean_enterprise(
    data: Mapping[str, Any], problems: _Problems, *, instance: EnterpriseProfile | None
) -> dict[str, Any]:
    tax_code = str(data.get("tax_code") or "").strip()
    if not tax_code:
        problems.add("tax_code", _("Trường này là bắt buộc."))
    else:
        try:
            tax_code = normalize_tax_code(tax_code)
        except ValidationError as exc:
            problems.add_error("tax_code", exc)
        else:
            taken = EnterpriseProfile.objects.filter(tax_code=tax_code)
            if instance is not None:
                taken = taken.exclude(pk=instance.pk)
            if taken.exists():
                problems.add("tax_code", _("Mã số thuế này đã được đăng ký cho một tài khoản khác."))
    representative_identity = re.sub(r"\s", "", str(data.get("representative_identity") or ""))
    if not representative_identity:
        problems.add("representative_identity", _("Trường này là bắt buộc."))
    else:
        try:
            validate_identity_number(representative_identity)
        except ValidationError as exc:
            problems.add_error("representative_identity", exc)
    return {
        "tax_code": tax_code,
        "name": _text(data, "enterprise_name", problems, max_length=300),
        "legal_representative": _text(data, "legal_representative", problems, max_length=200),
        "representative_identity": representative_identity,
        "address_unit": _commune(data, "address_unit", problems),
        "address_street": _text(data, "address_street", problems, max_length=300),
    }


def _clean_contact(email: str | None, phone: str | None, problems: _Problems, *, user: User | None) -> tuple[str, str]:
    """E-mail (lower-case) and mobile number (`0xxxxxxxxx`): at least one, each unique."""
    others = User.objects.exclude(pk=user.pk) if user is not None else User.objects.all()
    email = (email or "").strip().lower()
    phone = (phone or "").strip()
    if not email and not phone:
        message = _("Hãy nhập thư điện tử hoặc số điện thoại di động (ít nhất một).")
        problems.add("email", message)
        problems.add("phone", message)
        return "", ""
    if email:
        try:
            validate_email(email)
            if len(email) > 254:
                raise ValidationError(_("Địa chỉ thư điện tử quá dài."))
        except ValidationError:
            problems.add("email", _("Địa chỉ thư điện tử không hợp lệ."))
        else:
            if others.filter(email__iexact=email).exists():
                problems.add("email", _("Địa chỉ thư điện tử này đã được dùng cho một tài khoản khác."))
    if phone:
        try:
            phone = normalize_phone(phone)
        except ValidationError as exc:
            problems.add_error("phone", exc)
        else:
            if others.filter(phone=phone).exists():
                problems.add("phone", _("Số điện thoại này đã được dùng cho một tài khoản khác."))
    return email, phone


def _check_password(password: str, user: User, problems: _Problems, field: str = "password") -> None:
    if not password:
        problems.add(field, _("Hãy nhập mật khẩu."))
        return
    try:
        validate_password(password, user=user)
    except ValidationError as exc:
        problems.add_error(field, exc)


def _integrity_problem(exc: IntegrityError) -> ValidationFailed:
    """Two registrations racing for the same address or number: the database's constraints win."""
    text = str(exc)
    field = next(
        (
            f
            for name, f in (
                ("email_ci_unique", "email"),
                ("phone_unique", "phone"),
                ("identity_number", "identity_number"),
                ("tax_code", "tax_code"),
            )
            if name in text
        ),
        "",
    )
    return ValidationFailed(
        _("Thông tin chưa hợp lệ, vui lòng kiểm tra lại."),
        details=[{"field": field, "message": _("Giá trị này vừa được dùng cho một tài khoản khác.")}],
    )


def _new_username(kind: str) -> str:
    # Generated, never the e-mail or phone: those can change and be taken by someone else later,
    # and people sign in with them anyway (see `queries.user_for_identifier`).
    prefix = "dn" if kind == UserKind.ENTERPRISE else "cd"
    while True:
        username = f"{prefix}.{secrets.token_hex(4)}"
        if not User.objects.filter(username=username).exists():
            return username


def _clean_profile(kind: str, data: Mapping[str, Any], problems: _Problems, *, instance: Any) -> dict[str, Any]:
    if kind == UserKind.CITIZEN:
        return _clean_citizen(data, problems, instance=instance)
    return _clean_enterprise(data, problems, instance=instance)


def _display_name(kind: str, cleaned: Mapping[str, Any]) -> str:
    return cleaned["full_name"] if kind == UserKind.CITIZEN else cleaned["name"]


# --- Registration and contact details ---------------------------------------------------------
def _registration(
    kind: str, email: str, phone: str, password: str, profile: Mapping[str, Any]
) -> tuple[User, dict[str, Any], _Problems]:
    problems = _Problems()
    if kind not in (UserKind.CITIZEN, UserKind.ENTERPRISE):
        problems.add("kind", _("Hãy chọn loại tài khoản: công dân hoặc doanh nghiệp, tổ chức."))
    email, phone = _clean_contact(email, phone, problems, user=None)
    cleaned = _clean_profile(kind, profile, problems, instance=None) if not problems.has("kind") else {}
    user = User(
        username=_new_username(kind),
        kind=kind,
        email=email,
        phone=phone,
        full_name=_display_name(kind, cleaned) if cleaned else "",
    )
    _check_password(password, user, problems)
    return user, cleaned, problems


def registration_problems(
    *, kind: str, email: str = "", phone: str = "", password: str, profile: Mapping[str, Any]
) -> list[dict[str, str]]:
    """What `account_register` would refuse in these values, without writing anything (for pages
    that found problems of their own, such as a mistyped password confirmation, and want to show
    every problem at once)."""
    return _registration(kind, email, phone, password, profile)[2].details


def account_register(*, kind: str, email: str = "", phone: str = "", password: str, profile: Mapping[str, Any]) -> User:
    """Open a citizen's or an enterprise's account ("đăng ký tài khoản") with its profile.

    Refuses, listing every bad field at once: another kind of account (officials are created by
    administrators), no e-mail and no phone, an address or number another account uses, a weak
    password, an invalid CCCD or tax code, a commune that is not current. An account with an
    e-mail address is sent a verification link.
    """
    user, cleaned, problems = _registration(kind, email, phone, password, profile)
    problems.raise_if_any()
    try:
        with transaction.atomic():
            user.set_password(password)
            user.save()
            audit_record(actor=user, action=AuditAction.CREATE, instance=user, after=snapshot(user))
            audited_save(actor=user, instance=profile_model(kind)(user=user, **cleaned))
            if user.email:
                _queue_verification(user)
    except IntegrityError as exc:
        raise _integrity_problem(exc) from exc
    return user


def _require_self_or_admin(actor: Any, user: User) -> None:
    if getattr(actor, "pk", None) == user.pk or has_permission(actor, Action.MANAGE_UNITS):
        return
    raise PermissionRefused(_("Bạn chỉ được sửa thông tin tài khoản của chính mình."))


def account_update(
    *,
    actor: User,
    user: User,
    email: str | None = None,
    phone: str | None = None,
    profile: Mapping[str, Any] | None = None,
    full_name: str | None = None,
) -> User:
    """Change an account's contact details and profile ("cập nhật thông tin tài khoản").

    Only the owner (or a system administrator) may. A new e-mail address must be verified again
    (a link is sent); a new phone number is no longer verified. `profile` holds the profile fields
    of the account's kind (the whole profile: it is validated as one); officials have no profile
    and may change their `full_name` instead. Refused, listing every bad field, like registration.
    """
    _require_self_or_admin(actor, user)
    problems = _Problems()
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        new_email = locked.email if email is None else email
        new_phone = locked.phone if phone is None else phone
        new_email, new_phone = _clean_contact(new_email, new_phone, problems, user=locked)
        model = profile_model(locked.kind)
        instance = model.objects.select_for_update().filter(user=locked).first() if model else None
        cleaned: dict[str, Any] = {}
        if profile is not None and model is not None:
            cleaned = _clean_profile(locked.kind, profile, problems, instance=instance)
        if full_name is not None and model is None:
            full_name = _text({"full_name": full_name}, "full_name", problems, max_length=200)
        problems.raise_if_any()

        email_changed = new_email != locked.email
        phone_changed = new_phone != locked.phone
        locked.email, locked.phone = new_email, new_phone
        if email_changed:
            locked.email_verified = False
        if phone_changed:
            locked.phone_verified = False
        if cleaned:
            locked.full_name = _display_name(locked.kind, cleaned)
        elif full_name is not None and model is None:
            locked.full_name = full_name
        audited_save(actor=actor, instance=locked)
        if cleaned:
            instance = instance or model(user=locked)
            for name, value in cleaned.items():
                setattr(instance, name, value)
            audited_save(actor=actor, instance=instance)
            profile_forget(user)  # the caller's account object: its kept profile is the old one
        if email_changed and new_email:
            _queue_verification(locked)
    return locked


# --- E-mail verification ------------------------------------------------------------------------
def _verification_days() -> int:
    return int(getattr(settings, "CQS_EMAIL_VERIFY_DAYS", 3))


def email_verification_token(user: User) -> str:
    """A signed, expiring token naming the account and the address it verifies."""
    return signing.dumps({"u": user.pk, "e": user.email.lower()}, salt=EMAIL_VERIFY_SALT, compress=True)


def _queue_verification(user: User) -> None:
    link = settings.SITE_URL + reverse("accounts:verify_email", args=[email_verification_token(user)])
    email_queue(
        to=user.email,
        subject=_("Xác thực địa chỉ thư điện tử – Chính Quyền Số"),
        body=_(
            "Xin chào %(name)s,\n\n"
            "Để xác thực địa chỉ thư điện tử của tài khoản trên Cổng dịch vụ công, hãy mở liên kết sau "
            "(có hiệu lực trong %(days)d ngày):\n\n%(link)s\n\n"
            "Nếu bạn không đăng ký tài khoản, hãy bỏ qua thư này."
        )
        % {"name": user.full_name or user.email, "days": _verification_days(), "link": link},
        topic="account.verify",
    )


def email_verification_send(*, user: User) -> None:
    """Send (again) the link that verifies the account's e-mail address. Refused without an
    address or when it is verified already."""
    if not user.email:
        raise ValidationFailed(_("Tài khoản chưa có địa chỉ thư điện tử."), details=[{"field": "email"}])
    if user.email_verified:
        raise ValidationFailed(_("Địa chỉ thư điện tử đã được xác thực."), code="already_verified")
    with transaction.atomic():
        _queue_verification(user)


def email_verify(*, token: str) -> User:
    """Mark the e-mail address a verification link names as verified ("xác thực thư điện tử").

    A link works once: refused when tampered with, expired, already used, or when the account's
    address has changed since it was sent.
    """
    try:
        payload = signing.loads(token, salt=EMAIL_VERIFY_SALT, max_age=dt.timedelta(days=_verification_days()))
    except signing.SignatureExpired as exc:
        raise ValidationFailed(
            _("Liên kết xác thực đã hết hạn. Hãy đăng nhập và yêu cầu gửi lại."), code="link_expired"
        ) from exc
    except signing.BadSignature as exc:
        raise ValidationFailed(_("Liên kết xác thực không hợp lệ."), code="link_invalid") from exc
    with transaction.atomic():
        user = User.objects.select_for_update().filter(pk=payload.get("u"), is_active=True).first()
        if user is None or user.email.lower() != payload.get("e"):
            raise ValidationFailed(_("Liên kết xác thực không còn hiệu lực."), code="link_invalid")
        if user.email_verified:
            raise ValidationFailed(
                _("Liên kết xác thực đã được sử dụng: địa chỉ này đã được xác thực trước đó."), code="link_used"
            )
        user.email_verified = True
        audited_save(actor=user, instance=user)
    return user


# --- Passwords --------------------------------------------------------------------------------
def password_change(*, actor: User, user: User, new_password: str) -> None:
    """Set a new password ("đổi mật khẩu"). Only the owner may (after a reset link proves it's them).

    Refused when the password breaks the password rules. Every API token of the account is
    revoked; the audit records that the password changed, never the password or its hash.
    """
    if getattr(actor, "pk", None) != user.pk:
        raise PermissionRefused(_("Chỉ chủ tài khoản mới được đổi mật khẩu."))
    problems = _Problems()
    _check_password(new_password, user, problems, field="new_password1")
    problems.raise_if_any()
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        locked.set_password(new_password)
        locked.save(update_fields=["password"])
        revoked, _deleted = ApiToken.objects.filter(user=locked).delete()
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            instance=locked,
            extra={"event": "password_changed", "api_tokens_revoked": revoked},
        )
    # The caller's in-memory user now has the new hash too (for `update_session_auth_hash`).
    user.password = locked.password


def password_reset_request(*, email: str) -> int:
    """Send a password reset link ("quên mật khẩu") to every active account with that address.

    Says nothing about whether an account exists (the page answers the same either way); returns
    how many links were queued, for tests and logs.
    """
    email = (email or "").strip()
    if not email:
        return 0
    users = [u for u in User.objects.filter(email__iexact=email, is_active=True) if u.has_usable_password()]
    with transaction.atomic():
        for user in users:
            path = reverse(
                "accounts:password_reset_confirm",
                kwargs={
                    "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
                    "token": default_token_generator.make_token(user),
                },
            )
            hours = settings.PASSWORD_RESET_TIMEOUT // 3600
            email_queue(
                to=user.email,
                subject=_("Đặt lại mật khẩu – Chính Quyền Số"),
                body=_(
                    "Xin chào %(name)s,\n\n"
                    "Có yêu cầu đặt lại mật khẩu cho tài khoản của bạn trên Cổng dịch vụ công. Để đặt mật khẩu "
                    "mới, hãy mở liên kết sau (dùng được một lần, trong %(hours)d giờ):\n\n%(link)s\n\n"
                    "Nếu bạn không yêu cầu, hãy bỏ qua thư này: mật khẩu hiện tại vẫn giữ nguyên."
                )
                % {"name": user.full_name or user.email, "hours": hours, "link": settings.SITE_URL + path},
                topic="account.password_reset",
            )
    return len(users)


# --- API tokens -------------------------------------------------------------------------------
@dataclass(frozen=True)
class IssuedToken:
    token: str  # shown to the client once; only its hash is stored
    record: ApiToken


def _token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def api_token_issue(*, user: User) -> IssuedToken:
    """Issue an API token ("cấp mã truy cập") valid for `CQS_API_TOKEN_HOURS` (12 by default).
    Refused for an inactive account."""
    if not user.is_active:
        raise PermissionRefused(_("Tài khoản đã bị khoá."))
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    hours = int(getattr(settings, "CQS_API_TOKEN_HOURS", 12))
    with transaction.atomic():
        # Expired tokens of this account are of no use to anyone: clear them as we go.
        ApiToken.objects.filter(user=user, expires__lte=timezone.now()).delete()
        record = ApiToken.objects.create(
            user=user, key_hash=_token_hash(raw), expires=timezone.now() + dt.timedelta(hours=hours)
        )
    return IssuedToken(token=raw, record=record)


def api_token_use(*, raw: str) -> User | None:
    """The active account an unexpired token belongs to (None otherwise); notes when it was used.
    The account's profile is read with it, for `accounts.queries.profile_of`: what the request
    then applies for needs it, and one read is one round trip instead of two."""
    if not raw or not raw.startswith(TOKEN_PREFIX) or len(raw) > 200:
        return None
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(_token_read_sql(), [_token_hash(raw), now])
        row = cursor.fetchone()
        if row is None:
            return None
        token_id, last_used = row[0], row[1]
        user = rows.instance(User, row, start=2)
        if not user.is_active:
            return None
        profile_read_along(user, row, 2 + rows.width(User))
        if last_used is None or now - last_used > _LAST_USED_RESOLUTION:
            cursor.execute(f"UPDATE {ApiToken._meta.db_table} SET last_used = %s WHERE id = %s", [now, token_id])  # noqa: S608
    return user


@functools.cache
def _token_read_sql() -> str:
    # Every API request runs this: written once, not compiled by the ORM each time (cqs.core.rows).
    profile_columns, profile_joins = profile_columns_and_joins("u")
    return (
        f"SELECT t.id, t.last_used, {rows.columns(User, 'u')}, {profile_columns} "  # noqa: S608 - names from the models
        f"FROM {ApiToken._meta.db_table} t JOIN {User._meta.db_table} u ON u.id = t.user_id {profile_joins} "
        "WHERE t.key_hash = %s AND t.expires > %s"
    )


def api_token_revoke(*, raw: str) -> bool:
    """Revoke a token (sign the API client out). Returns whether it existed."""
    deleted, _details = ApiToken.objects.filter(key_hash=_token_hash(raw or "")).delete()
    return bool(deleted)
