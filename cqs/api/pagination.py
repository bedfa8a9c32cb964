"""Page-number pagination in the `{"count", "next", "previous", "results"}` shape."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django.core.paginator import EmptyPage, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest

from cqs.core.errors import ValidationFailed


def paginate(
    request: HttpRequest,
    items: QuerySet | Sequence[Any],
    *,
    page: int,
    page_size: int,
    serialize: Callable[[Any], dict[str, Any]],
) -> dict[str, Any]:
    paginator = Paginator(items, page_size)
    try:
        current = paginator.page(page)
    except EmptyPage as exc:
        raise bad_parameter("page", f"out of range: there are {paginator.num_pages} pages") from exc

    def link(number: int) -> str:
        query = request.GET.copy()
        query["page"] = str(number)
        return request.build_absolute_uri(f"{request.path}?{query.urlencode()}")

    return {
        "count": paginator.count,
        "next": link(current.next_page_number()) if current.has_next() else None,
        "previous": link(current.previous_page_number()) if current.has_previous() else None,
        "results": [serialize(item) for item in current.object_list],
    }


def bad_parameter(parameter: str, message: str) -> ValidationFailed:
    """The 400 error for one bad query parameter, naming it."""
    return ValidationFailed(
        f"Tham số không hợp lệ / invalid parameter: {parameter}",
        code="invalid_parameter",
        details=[{"parameter": parameter, "message": message}],
    )
