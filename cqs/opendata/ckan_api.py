"""The CKAN Action API ("/api/3/action/<name>" and "/api/action/<name>").

A plain view rather than django-ninja: CKAN's envelope, error types and status codes are fixed
by the clients we serve (`ckanapi`, harvesters), not by our OpenAPI conventions. Reads accept
GET and POST; writes only POST, authenticated by an API token sent raw in `Authorization` or
`X-CKAN-API-Key` (as CKAN does) or as `Bearer <token>`.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db.models import Count
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from cqs.accounts.services import api_token_use
from cqs.core.errors import DomainError, NotFound, PermissionRefused, ValidationFailed
from cqs.opendata import datastore, queries, services
from cqs.opendata.models import Dataset, DatasetState, Group, Resource
from cqs.org.models import Agency
from cqs.org.permissions import Action, agencies_where

logger = logging.getLogger(__name__)

CKAN_VERSION = "2.10.5"  # the API generation we follow

Handler = Callable[[Any, dict[str, Any]], Any]
_READS: dict[str, Handler] = {}
_WRITES: dict[str, Handler] = {}


def _read(name: str) -> Callable[[Handler], Handler]:
    def register(fn: Handler) -> Handler:
        _READS[name] = fn
        return fn

    return register


def _write(name: str) -> Callable[[Handler], Handler]:
    def register(fn: Handler) -> Handler:
        _WRITES[name] = fn
        return fn

    return register


def _required(data: dict[str, Any], key: str) -> str:
    value = data.get(key)
    if value in (None, ""):
        raise ValidationFailed("Missing value", details={key: ["Missing value"]})
    return str(value)


def _paging(data: dict[str, Any]) -> tuple[int, int | None]:
    try:
        offset = int(data.get("offset") or 0)
        limit = int(data["limit"]) if data.get("limit") not in (None, "") else None
    except (TypeError, ValueError) as exc:
        raise ValidationFailed("Invalid integer", details={"limit": ["Invalid integer"]}) from exc
    return max(offset, 0), limit


def _truthy(value: Any) -> bool:
    return value is True or str(value).lower() in {"true", "1", "yes"}


# --- Reads -------------------------------------------------------------------------------------


@_read("status_show")
def status_show(user: Any, data: dict[str, Any]) -> dict[str, Any]:
    """The site's description and the CKAN API version it speaks."""
    return {
        "site_title": "Cổng dữ liệu mở – Chính Quyền Số",
        "site_description": "",
        "site_url": settings.SITE_URL,
        "ckan_version": CKAN_VERSION,
        "error_emails_to": None,
        "locale_default": "vi",
        "extensions": ["datastore", "dcat"],
    }


@_read("package_list")
def package_list(user: Any, data: dict[str, Any]) -> list[str]:
    """Names of the public, active datasets (`limit`, `offset`)."""
    offset, limit = _paging(data)
    names = (
        Dataset.objects.filter(state=DatasetState.ACTIVE, private=False).order_by("name").values_list("name", flat=True)
    )
    return list(names[offset : offset + limit] if limit is not None else names[offset:])


@_read("package_search")
def package_search(user: Any, data: dict[str, Any]) -> dict[str, Any]:
    """Search datasets: q, fq, sort, rows (≤ 1000), start, facet.field, facet.limit, facet.mincount,
    include_private, include_drafts."""
    result = queries.search_datasets(user=user, data=data)
    return {
        "count": result.count,
        "sort": result.sort,
        "results": [queries.dataset_dict(d) for d in result.datasets],
        "facets": result.facets,
        "search_facets": result.search_facets,
    }


def _readable_dataset(user: Any, ref: str) -> Dataset:
    dataset = queries.find_dataset(ref)
    if dataset is None:
        raise NotFound("Dataset not found")
    if not queries.may_read(user, dataset):
        raise PermissionRefused(f"User not authorized to read package {dataset.name}")
    return dataset


@_read("package_show")
def package_show(user: Any, data: dict[str, Any]) -> dict[str, Any]:
    """One dataset by `id` (its id or name)."""
    return queries.dataset_dict(_readable_dataset(user, _required(data, "id")))


@_read("resource_show")
def resource_show(user: Any, data: dict[str, Any]) -> dict[str, Any]:
    """One resource by `id`."""
    key = queries._as_uuid(_required(data, "id"))
    resource = Resource.objects.filter(pk=key).first() if key else None
    if resource is None:
        raise NotFound("Resource was not found.")
    _readable_dataset(user, str(resource.dataset_id))
    return queries.resource_dict(resource)


def _dataset_counts(user: Any) -> dict[int, int]:
    rows = queries.visible_datasets(user).values("owner_org").annotate(n=Count("pk"))
    return {r["owner_org"]: r["n"] for r in rows}


@_read("organization_list")
def organization_list(user: Any, data: dict[str, Any]) -> list[Any]:
    """The organisations (agencies): names, or dictionaries with `all_fields`."""
    offset, limit = _paging(data)
    agencies = Agency.objects.filter(is_active=True).order_by("code")
    wanted = data.get("organizations")
    if wanted:
        codes = [w.upper().replace("-", ".") for w in (wanted if isinstance(wanted, list) else str(wanted).split(","))]
        agencies = agencies.filter(code__in=codes)
    page = list(agencies[offset : offset + limit] if limit is not None else agencies[offset:])
    if not _truthy(data.get("all_fields")):
        return [queries.org_name(a) for a in page]
    counts = _dataset_counts(user)
    return [queries.organization_dict(a, package_count=counts.get(a.pk, 0)) for a in page]


@_read("organization_show")
def organization_show(user: Any, data: dict[str, Any]) -> dict[str, Any]:
    """One organisation by `id` (name or agency code); `include_datasets` adds its datasets."""
    agency = queries.find_agency(_required(data, "id"))
    if agency is None:
        raise NotFound("Organization was not found.")
    datasets = queries.visible_datasets(user).filter(owner_org=agency)
    result = queries.organization_dict(agency, package_count=datasets.count())
    if _truthy(data.get("include_datasets")):
        page = datasets.select_related("owner_org", "spatial").prefetch_related("resources", "groups")[:1000]
        result["packages"] = [queries.dataset_dict(d) for d in page]
    return result


@_read("organization_list_for_user")
def organization_list_for_user(user: Any, data: dict[str, Any]) -> list[dict[str, Any]]:
    """The organisations where the signed-in user may publish."""
    if not getattr(user, "is_authenticated", False):
        return []
    agencies = agencies_where(user, Action.PUBLISH_DATA).filter(is_active=True).order_by("code")
    return [{**queries.organization_dict(a), "capacity": "editor"} for a in agencies]


@_read("group_list")
def group_list(user: Any, data: dict[str, Any]) -> list[Any]:
    """The themes: names, or dictionaries with `all_fields`."""
    offset, limit = _paging(data)
    groups = Group.objects.order_by("name")
    page = list(groups[offset : offset + limit] if limit is not None else groups[offset:])
    if not _truthy(data.get("all_fields")):
        return [g.name for g in page]
    visible = queries.visible_datasets(user).values("pk")
    counts = dict(
        Dataset.groups.through.objects.filter(dataset_id__in=visible)
        .values("group_id")
        .annotate(n=Count("dataset_id"))
        .values_list("group_id", "n")
    )
    return [queries.group_dict(g, package_count=counts.get(g.pk, 0)) for g in page]


@_read("group_show")
def group_show(user: Any, data: dict[str, Any]) -> dict[str, Any]:
    """One theme by `id` (its id or name)."""
    group = queries.find_group(_required(data, "id"))
    if group is None:
        raise NotFound("Group was not found.")
    datasets = queries.visible_datasets(user).filter(groups=group)
    result = queries.group_dict(group, package_count=datasets.count())
    if _truthy(data.get("include_datasets")):
        page = datasets.select_related("owner_org", "spatial").prefetch_related("resources", "groups")[:1000]
        result["packages"] = [queries.dataset_dict(d) for d in page]
    return result


@_read("tag_list")
def tag_list(user: Any, data: dict[str, Any]) -> list[Any]:
    """Tags of public datasets (`query` filters by substring, `all_fields` gives dictionaries)."""
    tags: set[str] = set()
    for row in Dataset.objects.filter(state=DatasetState.ACTIVE, private=False).values_list("tags", flat=True):
        tags.update(row)
    query = str(data.get("query") or "").lower()
    names = sorted(t for t in tags if query in t.lower())
    if _truthy(data.get("all_fields")):
        return [{"id": n, "name": n, "display_name": n, "vocabulary_id": None} for n in names]
    return names


@_read("license_list")
def license_list(user: Any, data: dict[str, Any]) -> list[dict[str, Any]]:
    """The licences a dataset may carry."""
    return queries.license_list()


@_read("help_show")
def help_show(user: Any, data: dict[str, Any]) -> str | None:
    """The documentation of an action (`name`)."""
    name = _required(data, "name")
    fn = _READS.get(name) or _WRITES.get(name)
    if fn is None:
        raise NotFound(f"Action function not found: {name}")
    return fn.__doc__


# --- Writes ------------------------------------------------------------------------------------


def _show(dataset: Dataset) -> dict[str, Any]:
    fresh = (
        Dataset.objects.select_related("owner_org", "spatial")
        .prefetch_related("resources", "groups")
        .get(pk=dataset.pk)
    )
    return queries.dataset_dict(fresh)


@_write("package_create")
def package_create(user: Any, data: dict[str, Any]) -> dict[str, Any]:
    """Create a dataset (with `resources`) for `owner_org`; the caller must publish for it."""
    return _show(services.dataset_create(actor=user, data=data))


@_write("package_update")
def package_update(user: Any, data: dict[str, Any]) -> dict[str, Any]:
    """Replace a dataset's metadata (fields left out are cleared, as in CKAN)."""
    return _show(services.dataset_update(actor=user, ref=_required(data, "id"), data=data, partial=False))


@_write("package_patch")
def package_patch(user: Any, data: dict[str, Any]) -> dict[str, Any]:
    """Change only the fields given."""
    return _show(services.dataset_update(actor=user, ref=_required(data, "id"), data=data, partial=True))


@_write("package_delete")
def package_delete(user: Any, data: dict[str, Any]) -> None:
    """Withdraw a dataset (state "deleted")."""
    services.dataset_delete(actor=user, ref=_required(data, "id"))
    return None


@_write("resource_create")
def resource_create(user: Any, data: dict[str, Any]) -> dict[str, Any]:
    """Add a resource to a dataset (`package_id`): a link (`url`, `name`, `format`...) or a file
    sent as the multipart field `upload` (checked by content, stored, and for CSV/XLSX validated
    and loaded into the DataStore in the background)."""
    upload = data.get("upload")
    if hasattr(upload, "read"):
        if not getattr(user, "is_authenticated", False):
            raise PermissionRefused("User not authorized to create resources")
        dataset = queries.find_dataset(str(data.get("package_id") or ""))
        if dataset is None:
            raise ValidationFailed("Dữ liệu không hợp lệ.", details={"package_id": ["Not found: Dataset"]})
        resource = services.resource_upload(
            actor=user,
            dataset=dataset,
            name=str(data.get("name") or ""),
            description=str(data.get("description") or ""),
            uploaded_file=upload,
            base_url=data.get("_base_url", ""),
        )
        return queries.resource_dict(resource)
    data.pop("upload", None)
    return queries.resource_dict(services.resource_create(actor=user, data=data))


def _resource_change(user: Any, data: dict[str, Any]) -> dict[str, Any]:
    ref = _required(data, "id")
    upload = data.get("upload")
    if not getattr(user, "is_authenticated", False):
        raise PermissionRefused("User not authorized to update resources")
    if hasattr(upload, "read"):
        key = queries._as_uuid(ref)
        resource = Resource.objects.select_related("dataset").filter(pk=key).first() if key else None
        if resource is None:
            raise NotFound("Resource was not found.")
        resource = services.resource_upload(
            actor=user,
            dataset=resource.dataset,
            name=str(data.get("name") or ""),
            description=str(data.get("description") or ""),
            uploaded_file=upload,
            resource=resource,
            base_url=data.get("_base_url", ""),
        )
    else:
        resource = services.resource_update(actor=user, ref=ref, data={k: v for k, v in data.items() if k != "upload"})
    return queries.resource_dict(resource)


@_write("resource_update")
def resource_update(user: Any, data: dict[str, Any]) -> dict[str, Any]:
    """Change a resource (`id`); a new file in `upload` replaces the old one (a table is
    validated again and its loaded rows replaced at once when valid)."""
    return _resource_change(user, data)


@_write("resource_patch")
def resource_patch(user: Any, data: dict[str, Any]) -> dict[str, Any]:
    """Change only the given fields of a resource (`id`), or upload a new file in `upload`."""
    return _resource_change(user, data)


@_write("resource_delete")
def resource_delete(user: Any, data: dict[str, Any]) -> None:
    """Delete a resource (`id`) for good; the dataset's other resources close up. Returns None,
    as CKAN does."""
    services.resource_delete(actor=user, ref=_required(data, "id"))
    return None


# --- DataStore ---------------------------------------------------------------------------------


def _datastore_resource(user: Any, data: dict[str, Any]) -> Resource:
    key = queries._as_uuid(_required(data, "resource_id"))
    resource = Resource.objects.select_related("dataset__owner_org").filter(pk=key).first() if key else None
    if resource is None:
        raise NotFound(f'Resource "{data.get("resource_id")}" was not found.')
    _readable_dataset(user, str(resource.dataset_id))
    return resource


def _json_param(data: dict[str, Any], key: str) -> Any:
    value = data.get(key)
    if isinstance(value, str) and value.strip()[:1] in {"{", "["}:
        try:
            return json.loads(value)
        except ValueError as exc:
            raise ValidationFailed("Validation Error", details={key: ["Cannot parse JSON"]}) from exc
    return value


@_read("datastore_search")
def datastore_search(user: Any, data: dict[str, Any]) -> dict[str, Any]:
    """Rows of a loaded table: `resource_id`, `filters` {field: value or [values]}, `q`, `fields`,
    `sort` ("field desc, other"), `limit` (≤ 32000, default 100), `offset`, `include_total`,
    `records_format` (objects, lists, csv, tsv). Paging as CKAN: `_links.next` and `next_page`."""
    resource = _datastore_resource(user, data)
    filters = _json_param(data, "filters") or {}
    if not isinstance(filters, dict):
        raise ValidationFailed("Validation Error", details={"filters": ["Not a json object"]})
    fields = _json_param(data, "fields")
    if isinstance(fields, str):
        fields = [f.strip() for f in fields.split(",") if f.strip()]
    offset, limit = _paging(data)
    limit = datastore.LIMIT_DEFAULT if limit is None else limit
    if limit > datastore.LIMIT_MAX or limit < 0:
        raise ValidationFailed("Validation Error", details={"limit": [f"Must be between 0 and {datastore.LIMIT_MAX}"]})
    records_format = str(data.get("records_format") or "objects")
    if records_format not in {"objects", "lists", "csv", "tsv"}:
        message = "Value must be one of objects, lists, csv, tsv"
        raise ValidationFailed("Validation Error", details={"records_format": [message]})
    include_total = data.get("include_total") in (None, "") or _truthy(data.get("include_total"))
    q = data.get("q") or ""
    if isinstance(q, dict):  # CKAN's per-field q: {field: text}; searched over the whole row here
        q = " ".join(str(v) for v in q.values())
    page = datastore.search(
        resource,
        q=str(q),
        filters=filters,
        fields=fields or None,
        sort=data.get("sort"),
        limit=limit,
        offset=offset,
        include_total=include_total,
    )
    if records_format == "lists":
        records: Any = datastore.records_as_lists(page)
    elif records_format in {"csv", "tsv"}:
        records = datastore.records_as_text(page, "," if records_format == "csv" else "\t")
    else:
        records = page.records
    params = {k: v for k, v in data.items() if k not in {"offset", "_base_url"} and not hasattr(v, "read")}
    base = "/api/3/action/datastore_search"

    def link(at: int) -> str:
        query = {**params, "offset": at}
        return (
            base
            + "?"
            + urlencode(
                {k: json.dumps(v, ensure_ascii=False) if isinstance(v, dict | list) else v for k, v in query.items()}
            )
        )

    result: dict[str, Any] = {
        "resource_id": str(resource.pk),
        "fields": page.fields,
        "records": records,
        "records_format": records_format,
        "limit": limit,
        "offset": offset,
        "include_total": include_total,
        "_links": {"start": link(0), "next": link(offset + limit)},
    }
    if data.get("filters"):
        result["filters"] = filters
    if data.get("q"):
        result["q"] = data.get("q")
    if data.get("sort"):
        result["sort"] = data.get("sort")
    if page.total is not None:
        result["total"] = page.total
        result["total_was_estimated"] = False
    if page.total is None or offset + limit < page.total:
        result["next_page"] = link(offset + limit)
    return result


@_read("datastore_info")
def datastore_info(user: Any, data: dict[str, Any]) -> dict[str, Any]:
    """A loaded table's data dictionary (`id`: the resource): fields with type and `info`
    (label, notes), and the row count; also the validation state and report."""
    if "resource_id" not in data and data.get("id"):
        data = {**data, "resource_id": data["id"]}
    resource = _datastore_resource(user, data)
    fields = [f for f in datastore.ckan_fields(resource) if f["id"] != "_id"]
    count = datastore.row_count(resource) if resource.datastore_active else 0
    return {
        "meta": {
            "id": str(resource.pk),
            "count": count,
            "table_type": "BASE TABLE",
            "datastore_state": resource.datastore_state,
            "rows_done": resource.datastore_rows_done,
            "rows_total": resource.datastore_rows_total,
            "primary_key": datastore.primary_key(resource),
        },
        "fields": fields,
        "schema": {f["id"]: f["type"] for f in fields},
        "validation": resource.datastore_report or None,
    }


def _key_list(data: dict[str, Any], key: str) -> list[str] | None:
    """CKAN's `primary_key`: a field id, comma-separated ids, or a list of ids (None: not given)."""
    if key not in data:
        return None
    value = _json_param(data, key)
    if value in (None, ""):
        return []
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return list(value)
    raise ValidationFailed("Validation Error", details={key: ["Not a list of field ids"]})


def _records(data: dict[str, Any], *, required: bool) -> list[Any]:
    records = _json_param(data, "records")
    if records in (None, "", []):
        if required:
            raise ValidationFailed("Missing value", details={"records": ["Missing value"]})
        return []
    if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
        raise ValidationFailed("Validation Error", details={"records": ["Records must be a list of objects"]})
    return records


@_write("datastore_create")
def datastore_create(user: Any, data: dict[str, Any]) -> dict[str, Any]:
    """CKAN's `datastore_create` on an uploaded table (the table itself comes from the file):
    `resource_id`; `fields` [{"id", "info": {"label", "notes"}}] edit the columns' titles and
    descriptions (types come from the file); `primary_key` (a field id or a list) becomes the
    table's unique key if the current rows allow it ([] removes it); `records` are appended,
    typed as the table's columns. One transaction: a refusal changes nothing."""
    resource = _datastore_resource(user, data)
    fields = _json_param(data, "fields") or []
    if not isinstance(fields, list):
        raise ValidationFailed("Validation Error", details={"fields": ["Not a list"]})
    records = _records(data, required=False)
    resource = services.datastore_create(
        actor=user, resource=resource, fields=fields, primary_key=_key_list(data, "primary_key"), records=records
    )
    result: dict[str, Any] = {
        "resource_id": str(resource.pk),
        "fields": [f for f in datastore.ckan_fields(resource) if f["id"] != "_id"],
        "method": "insert",
    }
    key = datastore.primary_key(resource)
    if key:
        result["primary_key"] = key
    if records:
        result["records"] = records
    return result


@_write("datastore_upsert")
def datastore_upsert(user: Any, data: dict[str, Any]) -> dict[str, Any]:
    """Write rows of a loaded table: `resource_id`, `records` [{field: value}], `method`
    "upsert" (default: update the row with the record's primary key, or else insert it),
    "insert" or "update" (a key that is not there is a Validation Error). Upsert and update find
    rows by the table's `primary_key` (see datastore_create) or by `_id`. Values are cast to the
    columns' types; one bad record refuses the whole call. `dry_run` checks without writing;
    `force` is accepted (uploaded tables are writable by their publishers). Returns the rows as
    stored, with `_id`."""
    resource = _datastore_resource(user, data)
    method = str(data.get("method") or "upsert")
    rows = services.datastore_upsert(
        actor=user,
        resource=resource,
        records=_records(data, required=True),
        method=method,
        dry_run=_truthy(data.get("dry_run")),
    )
    return {"resource_id": str(resource.pk), "method": method, "records": rows}


@_write("datastore_delete")
def datastore_delete(user: Any, data: dict[str, Any]) -> dict[str, Any]:
    """Delete from a loaded table: `resource_id`; with `filters` {field: value or [values]} the
    matching rows (`{}`: every row); without `filters`, the whole table (the resource's
    `datastore_active` becomes false; the uploaded file stays). `force` is accepted."""
    resource = _datastore_resource(user, data)
    filters = _json_param(data, "filters") if data.get("filters") not in (None, "") else None
    if filters is not None and not isinstance(filters, dict):
        raise ValidationFailed("Validation Error", details={"filters": ["Not a json object"]})
    services.datastore_delete(actor=user, resource=resource, filters=filters)
    result: dict[str, Any] = {"resource_id": str(resource.pk)}
    if filters is not None:
        result["filters"] = filters
    return result


# --- The view ----------------------------------------------------------------------------------


def _token(request: HttpRequest) -> str:
    raw = request.headers.get("Authorization") or request.headers.get("X-CKAN-API-Key") or ""
    raw = raw.strip()
    if raw.lower().startswith("bearer "):
        raw = raw[7:].strip()
    return raw


def _user(request: HttpRequest, *, write: bool) -> Any:
    raw = _token(request)
    if raw:
        return api_token_use(raw=raw) or AnonymousUser()
    # A signed-in browser may read its own private datasets; writes need a token (no CSRF here).
    if not write and request.user.is_authenticated:
        return request.user
    return AnonymousUser()


def _request_data(request: HttpRequest, *, read: bool) -> dict[str, Any]:
    def mixed(multi: Any) -> dict[str, Any]:
        return {k: (v[0] if len(v) == 1 else v) for k, v in multi.lists()}

    if request.method == "GET":
        if not read:
            raise ValueError("Invalid request. Please use POST method for your request")
        return mixed(request.GET)
    content_type = request.content_type or ""
    if content_type in {"application/x-www-form-urlencoded", "multipart/form-data"} and request.POST:
        values = list(request.POST.values())
        if len(values) == 1 and values[0] in {"1", ""}:
            return _as_dict(json.loads(next(iter(request.POST.keys()))))  # CKAN's "JSON as a form key"
        return {**mixed(request.POST), **request.FILES.dict()}
    if content_type == "multipart/form-data" and request.FILES:
        return dict(request.FILES.dict())
    if request.body:
        return _as_dict(json.loads(request.body))
    return mixed(request.GET) if read else {}


def _as_dict(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ValueError(f"Request data JSON decoded to {value!r} but it needs to be a dictionary.")
    return value


def _finish(status: int, body: Any) -> JsonResponse:
    return JsonResponse(body, status=status, safe=False, json_dumps_params={"ensure_ascii": False})


def _error(error: DomainError) -> tuple[int, dict[str, Any]]:
    if isinstance(error, NotFound):
        return 404, {"__type": "Not Found Error", "message": f"Not found: {error.message}"}
    if isinstance(error, PermissionRefused):
        return 403, {"__type": "Authorization Error", "message": f"Access denied: {error.message}"}
    if isinstance(error, queries.SearchError):
        return 409, {"__type": "Search Error", "message": f"Search error: {error.message}"}
    details = error.details if isinstance(error.details, dict) else {}
    return 409, {"__type": "Validation Error", "message": error.message, **details}


@csrf_exempt
def action(request: HttpRequest, name: str) -> HttpResponse:
    """Dispatch one CKAN action and answer in CKAN's envelope with CKAN's status codes."""
    if request.method not in {"GET", "POST"}:
        return _finish(405, "Bad request - Method not allowed")
    is_read = name in _READS
    handler = _READS.get(name) or _WRITES.get(name)
    if handler is None:
        return _finish(400, f"Bad request - Action name not known: {name}")
    body: dict[str, Any] = {"help": request.build_absolute_uri(f"/api/3/action/help_show?name={name}")}
    try:
        data = _request_data(request, read=is_read)
    except (ValueError, UnicodeDecodeError) as exc:
        return _finish(400, f"Bad request - JSON Error: {exc}")
    data.pop("callback", None)
    data["_base_url"] = request.build_absolute_uri("/").rstrip("/")
    user = _user(request, write=not is_read)
    try:
        result = handler(user, data)
    except DomainError as exc:
        status, error = _error(exc)
        return _finish(status, {**body, "success": False, "error": error})
    except Exception:
        logger.exception("CKAN action %s failed", name)
        error = {"__type": "Internal Server Error", "message": "Internal Server Error"}
        return _finish(500, {**body, "success": False, "error": error})
    return _finish(200, {**body, "success": True, "result": result})
