"""The one place that decides what an official may do where.

Every view, API handler, admin page and service asks `has_permission` / `require_permission`;
none of them looks at roles directly. Permissions are scoped by agency: a role held at an agency
applies to that agency and to the agencies under it (a commune committee's one-stop desk).
The system administrator's role applies province-wide.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from cqs.core.errors import PermissionRefused
from cqs.org.models import Agency, Membership, Role


class Action(StrEnum):
    MANAGE_AGENCY = "manage_agency"  # the agency's details and its officials' positions
    MANAGE_CALENDAR = "manage_calendar"  # province-wide calendar overrides
    MANAGE_CATALOG = "manage_catalog"  # the procedure catalogue
    MANAGE_UNITS = "manage_units"  # administrative units
    RECEIVE_DOSSIER = "receive_dossier"
    PROCESS_DOSSIER = "process_dossier"
    APPROVE_DOSSIER = "approve_dossier"
    RETURN_RESULT = "return_result"
    PUBLISH_DATA = "publish_data"
    VIEW_AUDIT = "view_audit"
    MANAGE_SCORECARD = "manage_scorecard"  # the plan's targets, reported figures, the 766 definitions


ROLE_ACTIONS: dict[str, frozenset[Action]] = {
    Role.RECEPTION: frozenset({Action.RECEIVE_DOSSIER, Action.RETURN_RESULT}),
    Role.SPECIALIST: frozenset({Action.PROCESS_DOSSIER}),
    Role.LEADER: frozenset({Action.PROCESS_DOSSIER, Action.APPROVE_DOSSIER}),
    Role.CLERK: frozenset({Action.RETURN_RESULT}),
    Role.AGENCY_ADMIN: frozenset({Action.MANAGE_AGENCY, Action.VIEW_AUDIT}),
    Role.PUBLISHER: frozenset({Action.PUBLISH_DATA}),
    Role.SYSTEM_ADMIN: frozenset(Action),
}

# Actions that are not tied to one agency: only a province-wide role grants them.
PROVINCE_WIDE_ACTIONS = frozenset(
    {Action.MANAGE_CALENDAR, Action.MANAGE_CATALOG, Action.MANAGE_UNITS, Action.MANAGE_SCORECARD}
)


def _roles_granting(action: Action) -> list[str]:
    return [role for role, actions in ROLE_ACTIONS.items() if action in actions]


def _is_system_admin(user: Any) -> bool:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return Membership.objects.filter(user=user, role=Role.SYSTEM_ADMIN, is_active=True).exists()


def has_permission(user: Any, action: Action, agency: Agency | None = None) -> bool:
    """May `user` take `action` at `agency` (or province-wide when `agency` is None)?"""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if _is_system_admin(user):
        return True
    if action in PROVINCE_WIDE_ACTIONS or agency is None:
        return False
    scope = [agency.pk] + ([agency.parent_id] if agency.parent_id else [])
    return Membership.objects.filter(
        user=user, is_active=True, role__in=_roles_granting(action), agency_id__in=scope
    ).exists()


def require_permission(user: Any, action: Action, agency: Agency | None = None) -> None:
    """Raise `PermissionRefused` unless `has_permission`."""
    if not has_permission(user, action, agency):
        where = agency.name if agency is not None else _("toàn tỉnh")
        raise PermissionRefused(
            _("Bạn không có quyền thực hiện thao tác này tại %(where)s.") % {"where": where},
            details={"action": str(action), "agency": agency.code if agency is not None else None},
        )


def agencies_where(user: Any, action: Action) -> QuerySet[Agency]:
    """The agencies at which `user` may take `action`: the scope for lists in pages and the admin.
    (Province-wide actions are held only by system administrators, who see every agency.)"""
    return agencies_where_any(user, (action,))


def agencies_where_any(user: Any, actions: tuple[Action, ...] | list[Action]) -> QuerySet[Agency]:
    """The agencies at which `user` may take at least one of `actions` (one membership query)."""
    if _is_system_admin(user):
        return Agency.objects.all()
    if not getattr(user, "is_authenticated", False):
        return Agency.objects.none()
    roles = {role for action in actions for role in _roles_granting(action)}
    held = Membership.objects.filter(user=user, is_active=True, role__in=roles).values("agency_id")
    return Agency.objects.filter(Q(pk__in=held) | Q(parent_id__in=held))
