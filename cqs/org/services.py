"""Use cases that change the organisation. Each is one transaction with its audit event."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from cqs.accounts.models import User, UserKind
from cqs.audit.models import AuditAction
from cqs.audit.services import audit_record, audited_delete, audited_save
from cqs.core.errors import PermissionRefused, ValidationFailed
from cqs.org.models import AdministrativeUnit, Agency, Membership, Role, UnitLevel
from cqs.org.permissions import Action, has_permission, require_permission

# Fields that change an agency's place in the organisation: only a province-wide administrator may.
_STRUCTURAL_FIELDS = {"code", "kind", "level", "unit", "parent"}
_EDITABLE_FIELDS = {"name", "name_en", "email", "phone", "address", "is_active"} | _STRUCTURAL_FIELDS


def agency_create(*, actor: User, **fields: Any) -> Agency:
    """Create an agency. Refused unless the actor manages the parent agency (or the province)."""
    parent = fields.get("parent")
    if fields.keys() - _EDITABLE_FIELDS:
        raise ValidationFailed(_("Trường không hợp lệ: %s") % ", ".join(sorted(fields.keys() - _EDITABLE_FIELDS)))
    if parent is None:
        require_permission(actor, Action.MANAGE_UNITS)
    else:
        require_permission(actor, Action.MANAGE_AGENCY, parent)
    return audited_save(actor=actor, instance=Agency(**fields))


def agency_update(*, actor: User, agency: Agency, **changes: Any) -> Agency:
    """Change an agency's details. Its administrators may edit names and contacts; moving it in the
    organisation (code, kind, level, unit, parent) is for the province's system administrators."""
    unknown = changes.keys() - _EDITABLE_FIELDS
    if unknown:
        raise ValidationFailed(_("Trường không hợp lệ: %s") % ", ".join(sorted(unknown)))
    with transaction.atomic():
        locked = Agency.objects.select_for_update().get(pk=agency.pk)
        require_permission(actor, Action.MANAGE_AGENCY, locked)
        if changes.keys() & _STRUCTURAL_FIELDS:
            require_permission(actor, Action.MANAGE_UNITS)
        for name, value in changes.items():
            setattr(locked, name, value)
        return audited_save(actor=actor, instance=locked)


def membership_grant(*, actor: User, user: User, agency: Agency, role: Role | str) -> Membership:
    """Give an official a role at an agency. Only system administrators grant the system role."""
    require_permission(actor, Action.MANAGE_AGENCY, agency)
    if role == Role.SYSTEM_ADMIN and not has_permission(actor, Action.MANAGE_UNITS):
        raise PermissionRefused(_("Chỉ quản trị hệ thống mới được cấp vai trò quản trị hệ thống."))
    if user.kind != UserKind.OFFICIAL:
        raise ValidationFailed(_("Chỉ tài khoản cán bộ, công chức mới được giao vai trò tại cơ quan."))
    with transaction.atomic():
        membership, created = Membership.objects.select_for_update().get_or_create(
            user=user, agency=agency, role=role, defaults={"is_active": True}
        )
        if created or not membership.is_active:
            membership.is_active = True
            audited_save(actor=actor, instance=membership)
        return membership


def membership_revoke(*, actor: User, membership: Membership) -> None:
    """Take a role away from an official."""
    require_permission(actor, Action.MANAGE_AGENCY, membership.agency)
    audited_delete(actor=actor, instance=membership)


def _former_districts(province_code: int) -> list[dict[str, Any]]:
    path = resources.files("cqs.org") / "data" / f"former_districts_{province_code}.json"
    if not path.is_file():
        return []
    return json.loads(path.read_text(encoding="utf-8"))


@transaction.atomic
def units_load(*, province_code: int) -> dict[str, int]:
    """Load (or refresh) the province's administrative units from `vietnam-provinces`.

    The current two-level structure comes from the package; former districts, which the package
    no longer lists, come from a data file shipped with the platform where we have one.
    Idempotent: a second run changes nothing.
    """
    from vietnam_provinces import Province, Ward

    try:
        province = Province.from_code(province_code)
    except ValueError as exc:
        raise ValidationFailed(_("Mã tỉnh %(code)s không tồn tại.") % {"code": province_code}) from exc
    counts = {"province": 0, "commune": 0, "district": 0}
    province_unit, _created = AdministrativeUnit.objects.update_or_create(
        code=str(int(province.code)),
        defaults={
            "name": province.name,
            "division_type": province.division_type.value,
            "level": UnitLevel.PROVINCE,
            "parent": None,
            "is_current": True,
        },
    )
    counts["province"] = 1
    for ward in Ward.iter_by_province(province.code):
        AdministrativeUnit.objects.update_or_create(
            code=f"{int(ward.code):05d}",
            defaults={
                "name": ward.name,
                "division_type": ward.division_type.value,
                "level": UnitLevel.COMMUNE,
                "parent": province_unit,
                "is_current": True,
            },
        )
        counts["commune"] += 1
    for district in _former_districts(province_code):
        AdministrativeUnit.objects.update_or_create(
            code=district["code"],
            defaults={
                "name": district["name"],
                "division_type": district["division_type"],
                "level": UnitLevel.DISTRICT,
                "parent": province_unit,
                "is_current": False,
                "abolished_on": "2025-07-01",
            },
        )
        counts["district"] += 1
    audit_record(
        actor=None,
        action=AuditAction.IMPORT,
        object_type="org.administrativeunit",
        object_id=f"province:{province_code}",
        object_repr=province.name,
        after=counts,
        extra={"source": "vietnam-provinces"},
    )
    return counts
