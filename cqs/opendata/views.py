"""Thin views over `dcat.py`: the DCAT-AP 3 catalogue and datasets, never a redirect."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.views.decorators.http import require_safe

from cqs.opendata import dcat


@require_safe
def catalog(request: HttpRequest, fmt: str) -> HttpResponse:
    try:
        page = dcat.parse_page(request.GET.get("page"))
        since = dcat.parse_modified_since(request.GET.get("modified_since"))
    except dcat.BadRequest as exc:
        return HttpResponseBadRequest(str(exc), content_type="text/plain; charset=utf-8")
    graph, paging = dcat.catalog_graph(page=page, modified_since=since, base=dcat.site(request.path))
    if page > paging.last:
        raise Http404
    return HttpResponse(dcat.serialize(graph, fmt), content_type=dcat.FORMATS[fmt][1])


@require_safe
def dataset(request: HttpRequest, name: str, fmt: str) -> HttpResponse:
    found = dcat.public_dataset(name)
    if found is None:  # private, draft and deleted datasets are not shown
        raise Http404
    return HttpResponse(dcat.serialize(dcat.dataset_graph(found), fmt), content_type=dcat.FORMATS[fmt][1])
