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

from django.contrib.auth.models import AnonymousUser
from django.db.models import Count
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from cqs.accounts.services import api_token_use
from cqs.core.errors import DomainError, NotFound, PermissionRefused, ValidationFailed
from cqs.opendata import queries, services
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
        "site_url": "",
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
    """Add a resource (`package_id`, `url`, `name`, `format`...) to a dataset."""
    return queries.resource_dict(services.resource_create(actor=user, data=data))


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
        return mixed(request.POST)
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
