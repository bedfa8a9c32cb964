"""Catalogue endpoints: `/api/v1/procedures`."""

from __future__ import annotations

from typing import Any, Literal

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema

from cqs.api.pagination import bad_parameter, paginate
from cqs.catalog import queries
from cqs.core.errors import NotFound

router = Router(tags=["procedures"])


class ProcedureFilters(Schema):
    q: str = ""
    sector: str | None = None
    level: Literal["province", "district", "commune"] | None = None
    online: Literal["none", "partial", "full"] | None = None
    agency: str | None = None
    page: int = 1
    page_size: int | None = None


class ProcedurePage(Schema):
    count: int
    next: str | None
    previous: str | None
    results: list[dict[str, Any]]


@router.get("", response=ProcedurePage, summary="Search the procedures in force")
def list_procedures(request: HttpRequest, filters: Query[ProcedureFilters]) -> dict[str, Any]:
    """Procedures in force, searched without regard to accents and tolerant of typos
    ("dang ky khai sinh", "khai sin" both find "Đăng ký khai sinh"); name matches rank first."""
    size = filters.page_size or settings.CQS_API_PAGE_SIZE
    if not 1 <= size <= 100:
        raise bad_parameter("page_size", "must be between 1 and 100")
    if filters.page < 1:
        raise bad_parameter("page", "must be 1 or more")
    results = queries.search_procedures(
        q=filters.q[:200], sector=filters.sector, level=filters.level, online=filters.online, agency=filters.agency
    )
    return paginate(request, results, page=filters.page, page_size=size, serialize=queries.procedure_summary)


@router.get("/{code}", summary="One procedure's whole definition (the version in force)")
def get_procedure(request: HttpRequest, code: str) -> dict[str, Any]:
    version = queries.version_in_force(code)
    if version is None:
        raise NotFound(_("Không tìm thấy thủ tục mã %(code)s.") % {"code": code})
    return queries.procedure_detail(version)
