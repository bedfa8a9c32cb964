"""Reads the portal pages need beyond the CKAN ones in `queries.py` (reads only, no writes)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.http import FileResponse

from cqs.core.search import normalize_query
from cqs.opendata import queries
from cqs.opendata.models import Dataset, DatasetState, DatastoreState, Group, Resource
from cqs.org.models import AdministrativeUnit, Agency, UnitLevel
from cqs.org.permissions import Action, agencies_where

# The facets the search page offers, in the order shown, with CKAN's field names.
FACETS = ("organization", "groups", "tags", "res_format", "license_id")


def publisher_agencies(user: Any) -> QuerySet[Agency]:
    """The organisations `user` may publish for (CKAN's `organization_list_for_user`)."""
    return agencies_where(user, Action.PUBLISH_DATA).filter(is_active=True).order_by("name")


def publisher_datasets(user: Any, *, q: str = "", state: str = "") -> QuerySet[Dataset]:
    """ "Bộ dữ liệu của cơ quan tôi": every dataset of the user's organisations, drafts, private
    and withdrawn ones included, newest change first."""
    datasets = Dataset.objects.filter(owner_org__in=publisher_agencies(user).values("pk"))
    if state in DatasetState.values:
        datasets = datasets.filter(state=state)
    else:
        datasets = datasets.exclude(state=DatasetState.DELETED)
    query = normalize_query(q)
    if query:
        datasets = datasets.filter(Q(search_text__contains=query) | Q(name__icontains=query))
    return datasets.select_related("owner_org").order_by("-metadata_modified", "name")


def spatial_choices() -> list[tuple[Any, list[AdministrativeUnit]]]:
    """Current administrative units grouped by level (province first), for the coverage picker."""
    units = list(AdministrativeUnit.objects.filter(is_current=True).order_by("name"))
    return [
        (label, [u for u in units if u.level == level])
        for level, label in UnitLevel.choices
        if any(u.level == level for u in units)
    ]


def all_groups() -> QuerySet[Group]:
    return Group.objects.order_by("title")


def facet_fq(selected: dict[str, list[str]]) -> str:
    """The CKAN `fq` for the facet values ticked on the search page: values of one facet are
    alternatives (OR), different facets all apply (AND). Values that cannot be written safely
    in Solr syntax are dropped rather than allowed to change the filter's meaning."""
    clauses = []
    for field in FACETS:
        values = [v for v in selected.get(field, []) if v and not any(ch in v for ch in '"()[]{}')]
        if values:
            clauses.append(f"{field}:(" + " OR ".join(f'"{v}"' for v in values) + ")")
    return " ".join(clauses)


# --- Tables: validation, DataStore, data dictionary --------------------------------------------
# The DataStore reads and the upload/dictionary services belong to `queries`/`services`; these
# thin adapters are the only place the pages reach them, so the pages stay one import away.


def validation_state(resource: Resource) -> dict[str, Any]:
    """Where an uploaded table stands: status, progress in percent, the report, loaded or not."""
    status = resource.datastore_state or ""
    done, total = resource.datastore_rows_done or 0, resource.datastore_rows_total
    if status in {DatastoreState.VALID, DatastoreState.INVALID, DatastoreState.FAILED}:
        progress = 100
    elif total:
        progress = min(int(done * 100 / total), 99)
    else:
        progress = 0
    report = resource.datastore_report or {}
    return {
        "status": status,
        "status_label": str(DatastoreState(status).label) if status in DatastoreState.values else status,
        "progress": progress,
        "rows_done": done,
        "rows_total": total,
        "running": status in {DatastoreState.QUEUED, DatastoreState.RUNNING},
        "finished": status not in {DatastoreState.QUEUED, DatastoreState.RUNNING},
        "report": report,
        "errors": list(report.get("errors") or [])[:100],
        "error_count": report.get("error_count", len(report.get("errors") or [])),
        "datastore_active": bool(resource.datastore_active),
    }


def datastore_page(resource: Resource, *, q: str, limit: int, offset: int) -> tuple[list[dict], list[dict], int]:
    """One page of the loaded table, searched with `q`: the dictionary's fields (without CKAN's
    `_id`, each with its display `title`), the records and the total."""
    if hasattr(queries, "datastore_page"):
        fields, records, total = queries.datastore_page(resource, q=q, filters={}, sort="", limit=limit, offset=offset)
    else:
        from cqs.opendata import datastore  # imported late: the DataStore loads only with tables

        page = datastore.search(resource, q=q, limit=limit, offset=offset)
        fields, records, total = page.fields, page.records, page.total or 0
    shown = [
        {**f, "title": (f.get("info") or {}).get("label") or f.get("title") or f["id"]}
        for f in fields
        if f["id"] != "_id"
    ]
    return shown, records, total


def dictionary(resource: Resource) -> list[dict[str, Any]]:
    """The data dictionary: [{"id", "type", "title", "description"}] in column order."""
    if hasattr(queries, "resource_dictionary"):
        return list(queries.resource_dictionary(resource))
    return list(resource.datastore_fields or [])


def original_file_response(resource: Resource) -> FileResponse | None:
    """The uploaded bytes, from the content-addressed store, under their original name."""
    if not resource.file_sha256:
        return None
    from cqs.opendata import datastore  # imported late: only uploads reach it

    try:
        stream = datastore.open_file(resource)
    except FileNotFoundError:
        return None
    return FileResponse(
        stream,
        content_type=resource.mimetype or "application/octet-stream",
        as_attachment=True,
        filename=resource.file_name or f"{resource.pk}.{(resource.format or 'bin').lower()}",
    )
