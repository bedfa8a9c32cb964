"""Reads of the open-data catalogue: lookups, visibility, search with facets, CKAN dictionaries."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import BooleanField, FloatField, Q, QuerySet, Value
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.translation import gettext as _

from cqs.core.errors import DomainError, ValidationFailed
from cqs.core.search import normalize_query
from cqs.opendata.models import LICENSE_URLS, Dataset, DatasetState, Group, License, Resource
from cqs.org.models import Agency
from cqs.org.permissions import Action, agencies_where, has_permission

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


# Descriptions match word by word through the weighted tsvector (migration 0003): trigram
# similarity over whole descriptions made every short unaccented query match most rows, and was
# what made search slow. Typos are tolerated on titles and tags only, with pg_trgm's `<%` (word
# similarity at least `pg_trgm.word_similarity_threshold`, 0.6 by default), which can use their
# trigram GIN indexes; and only when the words as typed match nothing, as a search engine's "did
# you mean": a word that exists is not a typo, and fuzzy matches would only add noise to the list.
_EXACT_SQL = '"opendata_dataset"."search_vector" @@ to_tsquery(\'simple\', %s)'
# The words as typed matched nothing, so only typos are left to find: titles or tags close to
# the query. Two index scans unioned; an OR of the two lets the planner fall back to a seq scan
# that computes the similarity of every row.
_FUZZY_SQL = (
    '"opendata_dataset"."id" IN (SELECT "id" FROM "opendata_dataset" WHERE %s <%% "search_title"'
    ' UNION ALL SELECT "id" FROM "opendata_dataset" WHERE %s <%% "search_tags")'
)
# Title (A) > tags (B) > description (C); a title or description containing the query exactly as
# typed, accents included, first ("bán" above "bạn"); fuzzy matches by closeness to title and tags.
_RANK_SQL = (
    "ts_rank('{0.05, 0.2, 0.5, 1.0}', \"opendata_dataset\".\"search_vector\", to_tsquery('simple', %s)) * 4"
    ' + CASE WHEN lower("opendata_dataset"."title") LIKE %s THEN 1.0 ELSE 0.0 END'
    ' + CASE WHEN lower("opendata_dataset"."notes") LIKE %s THEN 0.3 ELSE 0.0 END'
)
_FUZZY_RANK_SQL = (
    _RANK_SQL + ' + word_similarity(%s, "opendata_dataset"."search_title")'
    ' + word_similarity(%s, "opendata_dataset"."search_tags") * 0.5'
)


def _like_pattern(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _ranked(datasets: QuerySet[Dataset], text: str, *, fuzzy: bool = False) -> QuerySet[Dataset]:
    """Match ignoring accents, every word of the query in the title, tags or description (or,
    `fuzzy`, the query close to a title or tags despite typos); ranked titles above tags above
    descriptions, and text containing the query exactly as typed, accents included, first
    ("bán" above "bạn")."""
    words = _words(text)
    if not words:
        return datasets.annotate(rank=Value(0.0, output_field=FloatField()))
    tsquery = " & ".join(words)
    phrase = " ".join(words)
    typed = _like_pattern(" ".join(text.lower().split()))
    # Constant SQL, the query's words passed as parameters.
    if fuzzy:
        matches = RawSQL(_FUZZY_SQL, [phrase, phrase], output_field=BooleanField())  # noqa: S611
        rank = RawSQL(_FUZZY_RANK_SQL, [tsquery, typed, typed, phrase, phrase], output_field=FloatField())  # noqa: S611
    else:
        matches = RawSQL(_EXACT_SQL, [tsquery], output_field=BooleanField())  # noqa: S611
        rank = RawSQL(_RANK_SQL, [tsquery, typed, typed], output_field=FloatField())  # noqa: S611
    return datasets.filter(matches).annotate(rank=rank)


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", normalize_query(text))


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

# One SELECT per facet over the matched datasets (the CTE `m`), all in one UNION ALL query with
# the count: (facet, name, display name, count). The CTE is computed once, whatever the facets.
_FACET_SQL = {
    "organization": (
        "SELECT 'organization', a.code, a.name, count(*) FROM m JOIN {agency} a ON a.id = m.owner_org_id"
        " GROUP BY a.code, a.name"
    ),
    "groups": (
        "SELECT 'groups', g.name, g.title, count(*) FROM m JOIN {dataset_groups} dg ON dg.dataset_id = m.id"
        " JOIN {group} g ON g.id = dg.group_id GROUP BY g.name, g.title"
    ),
    "tags": "SELECT 'tags', t, t, count(*) FROM m, unnest(m.tags) AS t GROUP BY t",
    "res_format": (
        "SELECT 'res_format', r.format, r.format, count(DISTINCT r.dataset_id) FROM m"
        " JOIN {resource} r ON r.dataset_id = m.id WHERE r.format <> '' GROUP BY r.format"
    ),
    "license_id": "SELECT 'license_id', m.license_id, m.license_id, count(*) FROM m GROUP BY m.license_id",
    "frequency": "SELECT 'frequency', m.frequency, m.frequency, count(*) FROM m GROUP BY m.frequency",
    "state": "SELECT 'state', m.state, m.state, count(*) FROM m GROUP BY m.state",
    "private": "SELECT 'private', lower(m.private::text), m.private::text, count(*) FROM m GROUP BY m.private",
}


FacetCounts = dict[str, list[tuple[str, str, int]]]


def _count_and_facets(matched: QuerySet[Dataset], fields: list[str]) -> tuple[int, FacetCounts]:
    """The number of matched datasets and each facet's (name, display name, count), commonest
    first, in one query over the matched ids (not one query per facet)."""
    unknown = [f for f in fields if f not in _FACETABLE]
    if unknown:
        raise SearchError(_("Trường tìm kiếm không tồn tại: %(field)s") % {"field": unknown[0]})
    tables = {
        "agency": Agency._meta.db_table,
        "dataset_groups": Dataset.groups.through._meta.db_table,
        "group": Group._meta.db_table,
        "resource": Resource._meta.db_table,
    }
    columns = matched.order_by().values("id", "owner_org_id", "license_id", "tags", "frequency", "state", "private")
    sql, params = columns.query.sql_with_params()
    parts = ["SELECT '', NULL, NULL, count(*) FROM m"]
    parts += [_FACET_SQL[field].format(**tables) for field in dict.fromkeys(fields)]
    # Django-built SQL and constant facet SQL, with parameters.
    statement = f"WITH m AS MATERIALIZED ({sql}) " + " UNION ALL ".join(parts)
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        rows = cursor.fetchall()
    count = 0
    facets: FacetCounts = {field: [] for field in fields}
    titles = dict(License.choices)
    for field, name, display, n in rows:
        if field == "":
            count = n
        elif field == "organization":
            facets[field].append((name.lower().replace(".", "-"), display, n))
        elif field == "license_id":
            facets[field].append((name, str(titles.get(name, name)), n))
        else:
            facets[field].append((name, display, n))
    return count, {field: sorted(counts, key=lambda c: (-c[2], c[0])) for field, counts in facets.items()}


@dataclass
class SearchResult:
    count: int
    datasets: list[Dataset]
    facets: dict[str, dict[str, int]]
    search_facets: dict[str, dict[str, Any]]
    sort: str


def search_datasets(*, user: Any, data: dict[str, Any]) -> SearchResult:
    """CKAN's `package_search`: free text `q`, filters `fq`, `sort`, paging `start`/`rows`
    (at most 1000), facets. Refuses unknown fields as CKAN's Solr does.

    A constant number of queries: the count with every facet in one (twice when the words as
    typed match nothing and typos are tolerated), the page, and the page's resources and groups."""
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
    count, all_counts = _count_and_facets(ranked, facet_fields)
    if count == 0 and _words(text):  # nothing as typed: tolerate typos in titles and tags
        ranked = _ranked(datasets, text, fuzzy=True)
        count, all_counts = _count_and_facets(ranked, facet_fields)
    facets: dict[str, dict[str, int]] = {}
    search_facets: dict[str, dict[str, Any]] = {}
    for field in facet_fields:
        counts = [c for c in all_counts[field] if c[2] >= facet_mincount]
        if facet_limit >= 0:
            counts = counts[:facet_limit]
        facets[field] = {name: n for name, _display, n in counts}
        search_facets[field] = {
            "title": field,
            "items": [{"name": name, "display_name": display, "count": n} for name, display, n in counts],
        }
    page = []
    if rows and start < count:
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
        "datastore_active": resource.datastore_active,
        "datastore_state": resource.datastore_state or None,
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


# --- DataStore (see `cqs.opendata.datastore`) --------------------------------------------------


def datastore_page(
    resource: Resource,
    *,
    q: str = "",
    filters: dict[str, Any] | None = None,
    sort: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], int]:
    """A page of a resource's loaded table for the preview: (fields, records, total).

    `fields` are CKAN's {"id", "type", "info": {"label", "notes"}} starting with `_id`;
    `records` are dictionaries keyed by field id in column order; `filters` map a field id to a
    value or a list of values; `q` matches every word, accents ignored; `sort` is "field" or
    "field desc" on known fields (else `ValidationFailed` with details {"sort": [...]});
    `limit` ≤ 32000. Raises `NotFound` when the table is not loaded (check
    `resource.datastore_active` first). The caller checks the reader may see the dataset.
    Downloads of the whole table: `datastore.stream_csv(resource)`, `datastore.stream_json(resource)`
    (text chunks for a `StreamingHttpResponse`); the original file: `datastore.open_file(resource)`
    with `resource.file_name`, `resource.mimetype`."""
    from cqs.opendata import datastore

    page = datastore.search(resource, q=q, filters=filters, sort=sort, limit=limit, offset=offset)
    return page.fields, page.records, page.total or 0


def resource_dictionary(resource: Resource) -> list[dict[str, Any]]:
    """The data dictionary ("từ điển dữ liệu") of an uploaded table, in column order:
    [{"id", "type" (Table Schema: string, integer, number, date...), "ckan_type", "title",
    "description"}]. Empty for links and non-tabular files. Validation state and report are on
    the resource: `datastore_state` (queued/running/valid/invalid/failed),
    `datastore_rows_done`/`datastore_rows_total`, `datastore_report` {"valid", "error_count",
    "errors": [{"row", "field", "type", "message"}]}. Edit it with
    `services.datastore_dictionary_update(actor=, resource=, fields=[{"id", "title", "description"}])`."""
    from cqs.opendata import datastore

    return [
        {**field, "ckan_type": datastore.CKAN_TYPES.get(field.get("type", ""), "text")}
        for field in resource.datastore_fields or []
    ]
