"""Reads of the open-data catalogue: lookups, visibility, search with facets, CKAN dictionaries."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import Case, Count, F, FloatField, Q, QuerySet, Value, When
from django.db.models.functions import Greatest
from django.utils import timezone
from django.utils.translation import gettext as _

from cqs.core.errors import DomainError, ValidationFailed
from cqs.core.search import Normalized, Similarity, WordSimilarity, normalize_query
from cqs.opendata.models import LICENSE_URLS, Dataset, DatasetState, Group, License, Resource
from cqs.org.models import Agency
from cqs.org.permissions import Action, agencies_where, has_permission

MATCH_THRESHOLD = 0.5
ROWS_MAX = 1000
FACET_LIMIT_DEFAULT = 50


class SearchError(DomainError):
    """A search CKAN's Solr would refuse (unknown field, malformed filter): CKAN's "Search Error"."""

    code = "search_error"
    http_status = 409


# --- Lookups ----------------------------------------------------------------------------------


def org_name(agency: Agency) -> str:
    """CKAN's organisation name for an agency: its QCVN 102 code as a slug ("000-10-00-h53")."""
    return agency.code.lower().replace(".", "-")


def find_agency(ref: str) -> Agency | None:
    """An agency by its CKAN name ("000-10-00-h53") or its code ("000.10.00.H53")."""
    ref = (ref or "").strip()
    if not ref:
        return None
    return Agency.objects.filter(code=ref.upper().replace("-", ".")).first()


def _as_uuid(ref: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(ref))
    except ValueError:
        return None


def find_dataset(ref: str, *, lock: bool = False) -> Dataset | None:
    """A dataset by id or name (CKAN accepts either), optionally locked for an update."""
    datasets = Dataset.objects.select_related("owner_org", "spatial")
    if lock:
        datasets = datasets.select_for_update(of=("self",))
    key = _as_uuid(ref)
    query = Q(name=ref) | Q(pk=key) if key else Q(name=ref)
    return datasets.filter(query).first()


def find_group(ref: str) -> Group | None:
    key = _as_uuid(ref)
    return Group.objects.filter(Q(name=ref) | Q(pk=key) if key else Q(name=ref)).first()


# --- Visibility -------------------------------------------------------------------------------


def may_publish(user: Any, dataset: Dataset) -> bool:
    return has_permission(user, Action.PUBLISH_DATA, dataset.owner_org)


def may_read(user: Any, dataset: Dataset) -> bool:
    """Everyone reads active public datasets; private, draft and deleted ones only their publishers."""
    if dataset.state == DatasetState.ACTIVE and not dataset.private:
        return True
    return may_publish(user, dataset)


def visible_datasets(user: Any, *, include_private: bool = False, include_drafts: bool = False) -> QuerySet[Dataset]:
    states = [DatasetState.ACTIVE] + ([DatasetState.DRAFT] if include_drafts else [])
    visible = Q(state=DatasetState.ACTIVE, private=False)
    if (include_private or include_drafts) and getattr(user, "is_authenticated", False):
        own = agencies_where(user, Action.PUBLISH_DATA).values("pk")
        extra = Q(state__in=states, owner_org__in=own)
        if not include_private:
            extra &= Q(private=False)
        visible |= extra
    return Dataset.objects.filter(visible)


# --- Search -----------------------------------------------------------------------------------

# `field:value`, `-field:"quoted value"`, `field:(a OR b)`, `field:[from TO to]`.
_CLAUSE = re.compile(
    r'(?P<sign>[-+!]?)(?P<field>[A-Za-z_][\w.]*):(?P<value>"[^"]*"|\([^)]*\)|\[[^\]]*\]|\{[^}]*\}|[^\s()]+)'
)
_SORTABLE = {
    "score": "rank",
    "metadata_modified": "metadata_modified",
    "metadata_created": "metadata_created",
    "name": "name",
    "title": "title",
    "title_string": "title",
}


def _parse_when(value: str, *, end: bool = False) -> dt.datetime | None:
    value = value.strip()
    if value in {"*", ""}:
        return None
    match = re.match(r"^NOW(?:-(\d+)DAYS?)?$", value)
    if match:
        return timezone.now() - dt.timedelta(days=int(match.group(1) or 0))
    try:
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise SearchError(_("Giá trị thời gian không hợp lệ: %(v)s") % {"v": value}) from exc
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.UTC)
    return parsed


def _range_q(field: str, value: str) -> Q:
    inner = value[1:-1]
    parts = re.split(r"\s+TO\s+", inner)
    if len(parts) != 2:
        raise SearchError(_("Khoảng giá trị phải có dạng [từ TO đến]: %(v)s") % {"v": value})
    low, high = _parse_when(parts[0]), _parse_when(parts[1], end=True)
    q = Q()
    if low is not None:
        q &= Q(**{f"{field}__gte" if value[0] == "[" else f"{field}__gt": low})
    if high is not None:
        q &= Q(**{f"{field}__lte" if value[-1] == "]" else f"{field}__lt": high})
    return q


_FILTERABLE = {
    "metadata_modified",
    "metadata_created",
    "organization",
    "owner_org",
    "tags",
    "groups",
    "res_format",
    "format",
    "id",
    "name",
    "license_id",
    "state",
    "frequency",
    "version",
    "private",
    "capacity",
    "spatial",
}


def _value_q(field: str, value: str) -> Q:
    """The condition for one value of one CKAN search field."""
    if field in {"metadata_modified", "metadata_created"}:
        if value[0] in "[{":
            return _range_q(field, value)
        when = _parse_when(value)
        return Q(**{field: when}) if when else Q()
    if value == "*":
        return Q()
    if field == "organization" or field == "owner_org":
        return Q(owner_org__code=value.upper().replace("-", "."))
    if field == "tags":
        return Q(tags__contains=[value])
    if field == "groups":
        return Q(pk__in=Dataset.groups.through.objects.filter(group__name=value).values("dataset_id"))
    if field in {"res_format", "format"}:
        return Q(pk__in=Resource.objects.filter(format__iexact=value).values("dataset_id"))
    if field == "id":
        key = _as_uuid(value)
        return Q(pk=key) if key else Q(pk__in=[])
    if field in {"name", "license_id", "state", "frequency", "version"}:
        return Q(**{field: value})
    if field == "private":
        return Q(private=value.lower() == "true")
    if field == "capacity":
        return Q(private=value == "private")
    if field == "spatial":
        return Q(spatial__code=value)
    raise SearchError(_("Trường tìm kiếm không tồn tại: %(field)s") % {"field": field})


def _clause_q(field: str, raw: str) -> Q:
    if raw.startswith("(") and raw.endswith(")"):
        values = [v.strip().strip('"') for v in re.split(r"\s+OR\s+", raw[1:-1].strip()) if v.strip()]
        q = Q(pk__in=[])
        for value in values:
            q |= _value_q(field, value)
        return q
    if raw.startswith('"'):
        raw = raw[1:-1]
    return _value_q(field, raw)


def parse_filter(fq: str, *, strict: bool = True) -> tuple[Q, str]:
    """CKAN's `fq` (Solr syntax, AND by default, OR between clauses, `-` negates) as a Q, plus
    whatever free text was left (a `q` may mix both). Not `strict` (a `q`), an unknown field is
    just text: "ký:khai" is a typo, not a filter."""
    alternatives: list[Q] = []
    current = Q()
    rest: list[str] = []
    position = 0
    pending_or = False
    for match in _CLAUSE.finditer(fq):
        between = fq[position : match.start()].split()
        position = match.end()
        for word in between:
            if word == "OR":
                pending_or = True
            elif word not in {"AND", "&&"}:
                rest.append(word)
        if match.group("field") == "text":
            rest.append(match.group("value").strip('"'))
            continue
        if not strict and match.group("field") not in _FILTERABLE:
            rest.append(match.group(0).replace(":", " ").strip('"'))
            continue
        clause = _clause_q(match.group("field"), match.group("value"))
        if match.group("sign") in {"-", "!"}:
            clause = ~clause
        if pending_or:
            alternatives.append(current)
            current = Q()
            pending_or = False
        current &= clause
    rest.extend(word for word in fq[position:].split() if word not in {"OR", "AND", "&&"})
    alternatives.append(current)
    combined = alternatives[0]
    for alternative in alternatives[1:]:
        combined |= alternative
    return combined, " ".join(word for word in rest if word != "*:*")


def _ranked(datasets: QuerySet[Dataset], text: str) -> QuerySet[Dataset]:
    """Match ignoring accents and tolerating typos; titles above descriptions; a title containing
    the query exactly as typed, accents included, first ("bán" above "bạn")."""
    query = normalize_query(text)
    if not query:
        return datasets.annotate(rank=Value(0.0, output_field=FloatField()))
    normalized = Normalized(Value(query))
    words = [w for w in text.lower().split() if w]
    ranked = datasets.annotate(
        title_score=WordSimilarity(normalized, F("search_title")),
        text_score=WordSimilarity(normalized, F("search_text")),
    ).filter(
        Q(search_text__contains=query)
        | Q(title_score__gte=MATCH_THRESHOLD)
        | Q(text_score__gte=MATCH_THRESHOLD)
        | Q(tags__overlap=words)
    )
    return ranked.annotate(
        rank=Greatest(F("title_score") * 2, F("text_score"), output_field=FloatField())
        + Similarity(normalized, F("search_title")) * 0.5
        + Case(When(tags__overlap=words, then=Value(0.5)), default=Value(0.0), output_field=FloatField())
        + Case(When(title__icontains=text.strip(), then=Value(1.0)), default=Value(0.0), output_field=FloatField())
    )


def _order(sort: str, has_text: bool) -> list[str]:
    if not sort:
        sort = "score desc, metadata_modified desc" if has_text else "metadata_modified desc"
    order: list[str] = []
    for part in sort.split(","):
        words = part.split()
        if not words:
            continue
        field, direction = words[0], (words[1].lower() if len(words) > 1 else "asc")
        if field not in _SORTABLE or direction not in {"asc", "desc"}:
            raise SearchError(_("Không sắp xếp được theo: %(sort)s") % {"sort": part.strip()})
        order.append(("-" if direction == "desc" else "") + _SORTABLE[field])
    return [*order, "name"]


def _int_param(data: dict[str, Any], key: str, default: int, errors: dict[str, list[str]]) -> int:
    value = data.get(key, default)
    if value in (None, ""):
        return default
    try:
        number = int(value)
        if number < 0:
            raise ValueError
        return number
    except (TypeError, ValueError):
        errors[key] = [_("Phải là số nguyên không âm.")]
        return default


def _facet_fields(value: Any) -> list[str]:
    import json

    if value in (None, ""):
        return []
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            value = [value]
    if isinstance(value, str):
        value = [value]
    return [str(v) for v in value]


_FACETABLE = {"organization", "groups", "tags", "res_format", "license_id", "frequency", "state", "private"}


def _facet_counts(datasets: QuerySet[Dataset], field: str) -> list[tuple[str, str, int]]:
    """(name, display name, count) of one facet over the matching datasets, commonest first."""
    ids = datasets.values("pk")
    if field == "organization":
        rows = Dataset.objects.filter(pk__in=ids).values("owner_org__code", "owner_org__name").annotate(n=Count("pk"))
        counts = [(r["owner_org__code"].lower().replace(".", "-"), r["owner_org__name"], r["n"]) for r in rows]
    elif field == "groups":
        rows = (
            Dataset.groups.through.objects.filter(dataset_id__in=ids)
            .values("group__name", "group__title")
            .annotate(n=Count("dataset_id"))
        )
        counts = [(r["group__name"], r["group__title"], r["n"]) for r in rows]
    elif field == "res_format":
        rows = (
            Resource.objects.filter(dataset_id__in=ids)
            .exclude(format="")
            .values("format")
            .annotate(n=Count("dataset_id", distinct=True))
        )
        counts = [(r["format"], r["format"], r["n"]) for r in rows]
    elif field == "tags":
        sql, params = Dataset.objects.filter(pk__in=ids).values("tags").query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT t, count(*) FROM ({sql}) AS d(tags), unnest(d.tags) AS t GROUP BY t", params)  # noqa: S608 - Django-built SQL with parameters
            counts = [(tag, tag, n) for tag, n in cursor.fetchall()]
    elif field in _FACETABLE:
        rows = Dataset.objects.filter(pk__in=ids).values(field).annotate(n=Count("pk"))
        counts = [(str(r[field]).lower() if field == "private" else r[field], str(r[field]), r["n"]) for r in rows]
        if field == "license_id":
            titles = dict(License.choices)
            counts = [(name, str(titles.get(name, name)), n) for name, _d, n in counts]
    else:
        raise SearchError(_("Trường tìm kiếm không tồn tại: %(field)s") % {"field": field})
    return sorted(counts, key=lambda c: (-c[2], c[0]))


@dataclass
class SearchResult:
    count: int
    datasets: list[Dataset]
    facets: dict[str, dict[str, int]]
    search_facets: dict[str, dict[str, Any]]
    sort: str


def search_datasets(*, user: Any, data: dict[str, Any]) -> SearchResult:
    """CKAN's `package_search`: free text `q`, filters `fq`, `sort`, paging `start`/`rows`
    (at most 1000), facets. Refuses unknown fields as CKAN's Solr does."""
    errors: dict[str, list[str]] = {}
    rows = _int_param(data, "rows", 10, errors)
    start = _int_param(data, "start", 0, errors)
    facet_limit_raw = data.get("facet.limit", FACET_LIMIT_DEFAULT)
    try:
        facet_limit = int(facet_limit_raw)
    except (TypeError, ValueError):
        errors["facet.limit"] = [_("Phải là số nguyên.")]
        facet_limit = FACET_LIMIT_DEFAULT
    facet_mincount = _int_param(data, "facet.mincount", 1, errors)
    if rows > ROWS_MAX:
        errors["rows"] = [_("Mỗi trang có tối đa %(max)d kết quả.") % {"max": ROWS_MAX}]
    if errors:
        raise ValidationFailed(_("Tham số tìm kiếm không hợp lệ."), details=errors)

    include_private = str(data.get("include_private", "")).lower() == "true" or data.get("include_private") is True
    include_drafts = str(data.get("include_drafts", "")).lower() == "true" or data.get("include_drafts") is True
    datasets = visible_datasets(user, include_private=include_private, include_drafts=include_drafts)
    q_filter, text = parse_filter(str(data.get("q") or ""), strict=False)
    fq_filter, fq_text = parse_filter(str(data.get("fq") or ""))
    if fq_text.strip():
        raise SearchError(_("Bộ lọc fq phải có dạng trường:giá trị: %(fq)s") % {"fq": data.get("fq")})
    datasets = datasets.filter(q_filter).filter(fq_filter)
    ranked = _ranked(datasets, text)
    sort = str(data.get("sort") or "")
    order = _order(sort, bool(normalize_query(text)))

    facet_fields = _facet_fields(data.get("facet.field"))
    facets: dict[str, dict[str, int]] = {}
    search_facets: dict[str, dict[str, Any]] = {}
    matching = ranked.values("pk")
    for field in facet_fields:
        counts = [c for c in _facet_counts(Dataset.objects.filter(pk__in=matching), field) if c[2] >= facet_mincount]
        if facet_limit >= 0:
            counts = counts[:facet_limit]
        facets[field] = {name: n for name, _display, n in counts}
        search_facets[field] = {
            "title": field,
            "items": [{"name": name, "display_name": display, "count": n} for name, display, n in counts],
        }
    count = ranked.count()
    page = list(
        ranked.select_related("owner_org", "spatial")
        .prefetch_related("resources", "groups")
        .order_by(*order)[start : start + rows]
    )
    return SearchResult(count, page, facets, search_facets, sort or "score desc, metadata_modified desc")


# --- CKAN dictionaries -------------------------------------------------------------------------


def ckan_time(value: dt.datetime | None) -> str | None:
    """CKAN's timestamps: naive UTC ISO 8601 with microseconds."""
    if value is None:
        return None
    return value.astimezone(dt.UTC).replace(tzinfo=None).isoformat(timespec="microseconds")


def organization_dict(agency: Agency, *, package_count: int | None = None) -> dict[str, Any]:
    name = org_name(agency)
    result = {
        "id": name,
        "name": name,
        "title": agency.name,
        "display_name": agency.name,
        "title_en": agency.name_en,
        "description": "",
        "type": "organization",
        "is_organization": True,
        "state": "active" if agency.is_active else "deleted",
        "approval_status": "approved",
        "image_url": "",
        "image_display_url": "",
        "created": None,
        "agency_code": agency.code,
    }
    if package_count is not None:
        result["package_count"] = package_count
    return result


def group_dict(group: Group, *, package_count: int | None = None) -> dict[str, Any]:
    result = {
        "id": str(group.pk),
        "name": group.name,
        "title": group.title,
        "display_name": group.title,
        "description": group.description,
        "type": "group",
        "is_organization": False,
        "state": "active",
        "approval_status": "approved",
        "image_url": group.image_url,
        "image_display_url": group.image_url,
        "created": ckan_time(group.created),
    }
    if package_count is not None:
        result["package_count"] = package_count
    return result


def resource_dict(resource: Resource) -> dict[str, Any]:
    return {
        "id": str(resource.pk),
        "package_id": str(resource.dataset_id),
        "name": resource.name,
        "description": resource.description,
        "url": resource.url,
        "url_type": resource.url_type or None,
        "format": resource.format,
        "mimetype": resource.mimetype or None,
        "size": resource.size,
        "hash": resource.hash,
        "position": resource.position,
        "state": "active",
        "created": ckan_time(resource.created),
        "last_modified": ckan_time(resource.last_modified),
        "metadata_modified": ckan_time(resource.last_modified or resource.created),
        "datastore_active": False,
    }


def dataset_dict(dataset: Dataset) -> dict[str, Any]:
    """A dataset as CKAN's `package_show` returns it (plus our schema's fields at top level)."""
    resources = sorted(dataset.resources.all(), key=lambda r: r.position)
    groups = sorted(dataset.groups.all(), key=lambda g: g.name)
    org = organization_dict(dataset.owner_org)
    return {
        "id": str(dataset.pk),
        "name": dataset.name,
        "title": dataset.title,
        "notes": dataset.notes,
        "url": dataset.url,
        "version": dataset.version,
        "author": dataset.author,
        "author_email": dataset.author_email,
        "maintainer": dataset.maintainer,
        "maintainer_email": dataset.maintainer_email,
        "license_id": dataset.license_id,
        "license_title": str(dict(License.choices).get(dataset.license_id, dataset.license_id)),
        "license_url": LICENSE_URLS.get(dataset.license_id, ""),
        "isopen": dataset.license_id not in {License.NOT_SPECIFIED},
        "owner_org": org["id"],
        "organization": org,
        "private": dataset.private,
        "state": dataset.state,
        "type": "dataset",
        "metadata_created": ckan_time(dataset.metadata_created),
        "metadata_modified": ckan_time(dataset.metadata_modified),
        "creator_user_id": str(dataset.creator_id) if dataset.creator_id else None,
        "tags": [{"name": t, "display_name": t, "state": "active", "vocabulary_id": None} for t in dataset.tags],
        "groups": [
            {"id": str(g.pk), "name": g.name, "title": g.title, "display_name": g.title, "description": g.description}
            for g in groups
        ],
        "resources": [resource_dict(r) for r in resources],
        "num_resources": len(resources),
        "num_tags": len(dataset.tags),
        "extras": [{"key": k, "value": v} for k, v in sorted(dataset.extras.items())],
        "temporal_start": dataset.temporal_start.isoformat() if dataset.temporal_start else None,
        "temporal_end": dataset.temporal_end.isoformat() if dataset.temporal_end else None,
        "spatial": dataset.spatial.code if dataset.spatial else None,
        "spatial_name": dataset.spatial.name if dataset.spatial else None,
        "frequency": dataset.frequency,
        "relationships_as_object": [],
        "relationships_as_subject": [],
    }


def license_list() -> list[dict[str, Any]]:
    return [
        {
            "id": value,
            "title": str(label),
            "url": LICENSE_URLS.get(value, ""),
            "status": "active",
            "od_conformance": "not reviewed" if value == License.NOT_SPECIFIED else "approved",
            "osd_conformance": "not reviewed",
            "domain_content": False,
            "domain_data": True,
            "domain_software": False,
            "family": "",
            "maintainer": "",
            "is_generic": value in {License.OTHER_OPEN, License.NOT_SPECIFIED},
            "is_okd_compliant": value != License.NOT_SPECIFIED,
            "is_osi_compliant": False,
        }
        for value, label in License.choices
    ]
