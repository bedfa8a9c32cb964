"""The public portal's pages: thin views over the catalogue's queries."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from cqs.catalog import queries as catalog
from cqs.catalog.models import OnlineLevel, Sector
from cqs.core.search import vietnamese_sort_key
from cqs.org.models import UnitLevel


def _sectors() -> list[Sector]:
    """The sectors in Vietnamese alphabetical order (PostgreSQL's would put "Đất đai" after "Y tế")."""
    return sorted(Sector.objects.all(), key=lambda sector: vietnamese_sort_key(sector.name))


def home(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "portal/home.html",
        {"sectors": _sectors(), "procedure_count": catalog.current_versions().count()},
    )


def procedure_list(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "")[:200]
    sector = request.GET.get("sector") or None
    level = request.GET.get("level") if request.GET.get("level") in UnitLevel.values else None
    online = request.GET.get("online") if request.GET.get("online") in OnlineLevel.values else None
    results = catalog.search_procedures(q=q, sector=sector, level=level, online=online)
    page = Paginator(results, 20).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "portal/procedure_list.html",
        {
            "page": page,
            "q": q,
            "sector": sector,
            "level": level,
            "online": online,
            "sectors": _sectors(),
            "levels": [(v, lbl) for v, lbl in UnitLevel.choices if v != UnitLevel.DISTRICT],
            "online_levels": OnlineLevel.choices,
            "querystring": query.urlencode(),
        },
    )


def procedure_detail(request: HttpRequest, code: str) -> HttpResponse:
    version = catalog.version_in_force(code)
    if version is None:
        raise Http404
    return render(request, "portal/procedure_detail.html", {"v": version, "detail": catalog.procedure_detail(version)})
