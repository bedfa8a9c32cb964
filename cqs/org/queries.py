"""Reads of the organisation for pages and the API."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from cqs.core.search import normalize_query
from cqs.org.models import AdministrativeUnit, Agency


def units(*, level: str | None = None, current: bool | None = None, parent: str | None = None) -> QuerySet:
    result = AdministrativeUnit.objects.select_related("parent").order_by("level", "code")
    if level:
        result = result.filter(level=level)
    if current is not None:
        result = result.filter(is_current=current)
    if parent:
        result = result.filter(parent__code=parent)
    return result


def unit_as_dict(unit: AdministrativeUnit) -> dict[str, Any]:
    return {
        "code": unit.code,
        "name": unit.name,
        "division_type": unit.division_type,
        "level": unit.level,
        "parent": unit.parent.code if unit.parent_id else None,
        "is_current": unit.is_current,
        "abolished_on": unit.abolished_on.isoformat() if unit.abolished_on else None,
    }


def agencies(*, level: str | None = None, kind: str | None = None, unit: str | None = None, q: str = "") -> QuerySet:
    result = Agency.objects.select_related("unit", "parent").filter(is_active=True).order_by("code")
    if level:
        result = result.filter(level=level)
    if kind:
        result = result.filter(kind=kind)
    if unit:
        result = result.filter(unit__code=unit)
    if q:
        from cqs.core.search import Normalized

        needle = normalize_query(q)
        result = result.annotate(n=Normalized("name")).filter(Q(n__contains=needle) | Q(code__startswith=q.strip()))
    return result


def agency_as_dict(agency: Agency) -> dict[str, Any]:
    return {
        "code": agency.code,
        "name": agency.name,
        "name_en": agency.name_en,
        "kind": agency.kind,
        "level": agency.level,
        "unit": {"code": agency.unit.code, "name": agency.unit.name},
        "parent": agency.parent.code if agency.parent_id else None,
        "email": agency.email,
        "phone": agency.phone,
    }
