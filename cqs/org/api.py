"""Organisation endpoints: `/api/v1/units`, `/api/v1/agencies`."""

from __future__ import annotations

from typing import Any, Literal

from django.http import HttpRequest
from ninja import Query, Router, Schema

from cqs.api.pagination import paginate
from cqs.org import queries

router = Router(tags=["organisation"])


class PageOf(Schema):
    count: int
    next: str | None
    previous: str | None
    results: list[dict[str, Any]]


class UnitFilters(Schema):
    level: Literal["province", "district", "commune"] | None = None
    current: bool | None = None
    parent: str | None = None
    page: int = 1
    page_size: int = 100


class AgencyFilters(Schema):
    level: Literal["province", "district", "commune"] | None = None
    kind: Literal["peoples_committee", "department", "service_centre", "one_stop_desk", "other"] | None = None
    unit: str | None = None
    q: str = ""
    page: int = 1
    page_size: int = 100


def _checked_size(size: int) -> int:
    from cqs.api.pagination import bad_parameter

    if not 1 <= size <= 500:
        raise bad_parameter("page_size", "must be between 1 and 500")
    return size


@router.get("units", response=PageOf, summary="Administrative units of the province")
def list_units(request: HttpRequest, filters: Query[UnitFilters]) -> dict[str, Any]:
    """Current units (province and communes) and, with `current=false`, the former districts."""
    result = queries.units(level=filters.level, current=filters.current, parent=filters.parent)
    return paginate(
        request, result, page=filters.page, page_size=_checked_size(filters.page_size), serialize=queries.unit_as_dict
    )


@router.get("agencies", response=PageOf, summary="Agencies of the province")
def list_agencies(request: HttpRequest, filters: Query[AgencyFilters]) -> dict[str, Any]:
    result = queries.agencies(level=filters.level, kind=filters.kind, unit=filters.unit, q=filters.q[:100])
    return paginate(
        request, result, page=filters.page, page_size=_checked_size(filters.page_size), serialize=queries.agency_as_dict
    )
