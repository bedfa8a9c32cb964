"""Reads about accounts for pages, the API and the other contexts (dossiers freeze
`applicant_snapshot` into a dossier at submission and prefill forms with `prefill_values`)."""

from __future__ import annotations

import functools
import unicodedata
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet

from cqs.accounts.models import CitizenProfile, EnterpriseProfile, User, UserKind
from cqs.accounts.validators import normalize_phone
from cqs.core import rows
from cqs.org.models import AdministrativeUnit, UnitLevel


def user_for_identifier(identifier: str) -> User | None:
    """The account a sign-in identifier names: an e-mail address (any case), a mobile number (any
    of the accepted spellings, +84 included) or a username, in that order."""
    identifier = (identifier or "").strip()
    if not identifier:
        return None
    if "@" in identifier:
        user = User.objects.filter(email__iexact=identifier).first()
        if user is not None:
            return user
    else:
        try:
            phone = normalize_phone(identifier)
        except ValidationError:  # not a phone number: try it as a username
            phone = None
        if phone:
            user = User.objects.filter(phone=phone).first()
            if user is not None:
                return user
    return User.objects.filter(username=identifier).first()


_PROFILE_MODELS: dict[str, type[CitizenProfile | EnterpriseProfile]] = {
    UserKind.CITIZEN: CitizenProfile,
    UserKind.ENTERPRISE: EnterpriseProfile,
}


def profile_model(kind: str | None) -> type[CitizenProfile | EnterpriseProfile] | None:
    """The profile model of an account kind (None for officials)."""
    return _PROFILE_MODELS.get(kind)


def profile_of(user: Any) -> CitizenProfile | EnterpriseProfile | None:
    """The citizen's or enterprise's profile, or None (officials, or accounts not filled in yet).

    The API's sign-in read brings it along with the account (`profile_read_along`), kept on that
    account object, which lives for one request; any other account object is read afresh each
    time (Django's own cache of `user.citizen_profile` is not used: creating a profile fills it,
    and it would then outlive the profile's changes)."""
    model = profile_model(getattr(user, "kind", None))
    if model is None or not getattr(user, "pk", None):
        return None
    kept = getattr(user, "__dict__", {}).get(_READ_ALONG, _UNREAD)
    if kept is not _UNREAD:
        return kept
    # Every submission needs it (the applicant frozen into the dossier): written once (cqs.core.rows).
    found = rows.one(_profile_sql(model), [user.pk], model, AdministrativeUnit)
    if found is None:
        return None
    profile, unit = found
    rows.attach(profile, "address_unit", unit)
    return profile


def profile_forget(user: Any) -> None:
    """Drop the profile read along with `user` (after the profile was written through another object)."""
    getattr(user, "__dict__", {}).pop(_READ_ALONG, None)


_READ_ALONG = "_profile_read_along"
_UNREAD = object()


@functools.cache
def profile_columns_and_joins(account_alias: str) -> tuple[str, str]:
    """The columns and outer joins that read an account's profile along with the account (row
    `u` of the same SELECT): see `profile_read_along`."""
    citizen, enterprise, unit = (m._meta.db_table for m in (CitizenProfile, EnterpriseProfile, AdministrativeUnit))
    columns = (
        f"{rows.columns(CitizenProfile, 'cp')}, {rows.columns(EnterpriseProfile, 'ep')}, "
        f"{rows.columns(AdministrativeUnit, 'pu')}"
    )
    joins = (
        f"LEFT JOIN {citizen} cp ON cp.user_id = {account_alias}.id AND {account_alias}.kind = '{UserKind.CITIZEN}' "
        f"LEFT JOIN {enterprise} ep ON ep.user_id = {account_alias}.id "
        f"AND {account_alias}.kind = '{UserKind.ENTERPRISE}' "
        f"LEFT JOIN {unit} pu ON pu.id = coalesce(cp.address_unit_id, ep.address_unit_id)"
    )
    return columns, joins


def profile_read_along(user: Any, row: Any, start: int) -> None:
    """Keep on `user`, for `profile_of`, the profile read with it: the columns of
    `profile_columns_and_joins` from `row[start]` on."""
    citizen, enterprise, unit = rows.instances(row, CitizenProfile, EnterpriseProfile, AdministrativeUnit, start=start)
    model = profile_model(getattr(user, "kind", None))
    if model is None:
        return
    profile = citizen if model is CitizenProfile else enterprise
    if profile is not None and unit is not None:
        rows.attach(profile, "address_unit", unit)
    else:
        profile = None  # as `profile_of` reads it: a profile only with its address
    user.__dict__[_READ_ALONG] = profile


@functools.cache
def _profile_sql(model: type[CitizenProfile | EnterpriseProfile]) -> str:
    return (
        f"SELECT {rows.columns(model, 'p')}, {rows.columns(AdministrativeUnit, 'u')} "  # noqa: S608 - model names
        f"FROM {model._meta.db_table} p JOIN {AdministrativeUnit._meta.db_table} u ON u.id = p.address_unit_id "
        "WHERE p.user_id = %s"
    )


def _address(profile: CitizenProfile | EnterpriseProfile | None) -> str:
    if profile is None:
        return ""
    return ", ".join(part for part in (profile.address_street, profile.address_unit.name) if part)


def profile_as_dict(profile: CitizenProfile | EnterpriseProfile | None) -> dict[str, Any] | None:
    if isinstance(profile, CitizenProfile):
        return {
            "identity_number": profile.identity_number,
            "full_name": profile.full_name,
            "date_of_birth": profile.date_of_birth.isoformat() if profile.date_of_birth else None,
            "sex": profile.sex or None,
            "address_unit": profile.address_unit.code,
            "address_unit_name": profile.address_unit.name,
            "address_street": profile.address_street,
        }
    if isinstance(profile, EnterpriseProfile):
        return {
            "tax_code": profile.tax_code,
            "enterprise_name": profile.name,
            "legal_representative": profile.legal_representative,
            "representative_identity": profile.representative_identity,
            "address_unit": profile.address_unit.code,
            "address_unit_name": profile.address_unit.name,
            "address_street": profile.address_street,
        }
    return None


def account_as_dict(user: User) -> dict[str, Any]:
    """The account as its owner sees it (`GET /api/v1/auth/me`, `POST /api/v1/auth/register`)."""
    return {
        "id": user.pk,
        "username": user.username,
        "kind": user.kind,
        "full_name": user.full_name,
        "email": user.email or None,
        "email_verified": user.email_verified,
        "phone": user.phone or None,
        "phone_verified": user.phone_verified,
        "profile": profile_as_dict(profile_of(user)),
    }


def prefill_values(user: Any) -> dict[str, Any]:
    """Values to prefill an application form with. Keys: `full_name`, `identity_number` (the tax code
    for an enterprise), `date_of_birth` (ISO date), `phone`, `email`, `address`; "" when unknown."""
    return _prefill(user, profile_of(user))


def _prefill(user: Any, profile: CitizenProfile | EnterpriseProfile | None) -> dict[str, Any]:
    values: dict[str, Any] = {
        "full_name": getattr(user, "full_name", "") or "",
        "identity_number": "",
        "date_of_birth": "",
        "phone": getattr(user, "phone", "") or "",
        "email": getattr(user, "email", "") or "",
        "address": _address(profile),
    }
    if isinstance(profile, CitizenProfile):
        values["full_name"] = profile.full_name
        values["identity_number"] = profile.identity_number
        values["date_of_birth"] = profile.date_of_birth.isoformat() if profile.date_of_birth else ""
    elif isinstance(profile, EnterpriseProfile):
        values["full_name"] = profile.name
        values["identity_number"] = profile.tax_code
    return values


def applicant_snapshot(user: Any) -> dict[str, str]:
    """Who applies, frozen into a dossier at submission. Keys: `kind`, `full_name`,
    `identity_number`, `phone`, `email`, `address`, `unit_code` (all strings, "" when unknown)."""
    profile = profile_of(user)
    values = _prefill(user, profile)
    return {
        "kind": str(getattr(user, "kind", "") or ""),
        "full_name": values["full_name"],
        "identity_number": values["identity_number"],
        "phone": values["phone"],
        "email": values["email"],
        "address": values["address"],
        "unit_code": profile.address_unit.code if profile is not None else "",
    }


def home_commune_code(user: Any) -> str | None:
    """The code of the commune the citizen lives in (or the enterprise has its seat in), if known."""
    profile = profile_of(user)
    return profile.address_unit.code if profile is not None else None


def _sort_key(name: str) -> str:
    # Vietnamese order without a database collation: compare without accents, đ as d.
    stripped = "".join(c for c in unicodedata.normalize("NFD", name) if not unicodedata.combining(c))
    return stripped.replace("đ", "d").replace("Đ", "D").casefold()


def current_communes() -> QuerySet[AdministrativeUnit]:
    return AdministrativeUnit.objects.filter(level=UnitLevel.COMMUNE, is_current=True)


def commune_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """Current communes grouped by kind ("Phường", "Xã", "Đặc khu"), each group in Vietnamese
    alphabetical order: the options of the address selects."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for code, name, division_type in current_communes().values_list("code", "name", "division_type"):
        label = (division_type or "").capitalize() or "–"
        groups.setdefault(label, []).append((code, name))
    return [
        (label, sorted(options, key=lambda option: _sort_key(option[1])))
        for label, options in sorted(groups.items(), key=lambda item: _sort_key(item[0]))
    ]
