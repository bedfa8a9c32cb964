"""Reads of the catalogue for pages, the API and exports."""

from __future__ import annotations

import csv
import datetime as dt
import functools
import io
from typing import Any

from django.db.models import Case, F, FloatField, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Greatest
from django.utils import timezone

from cqs.catalog.fees import fixed_fee_total
from cqs.catalog.models import Procedure, ProcedureVersion, Sector
from cqs.catalog.services import version_as_document
from cqs.catalog.validation import FORMAT_NAME, FORMAT_VERSION
from cqs.core import rows
from cqs.core.search import Normalized, Similarity, WordSimilarity, normalize_query

# pg_trgm's word_similarity above which a query counts as matching ("khai sin" ~ "khai sinh").
MATCH_THRESHOLD = 0.5


def current_versions(on: dt.date | None = None) -> QuerySet[ProcedureVersion]:
    """The version of each procedure in force on `on` (today by default)."""
    on = on or timezone.localdate()
    latest = (
        ProcedureVersion.objects.filter(procedure=OuterRef("procedure"), effective_from__lte=on)
        .order_by("-effective_from")
        .values("pk")[:1]
    )
    return ProcedureVersion.objects.filter(pk=Subquery(latest)).select_related("procedure", "sector")


def version_in_force(code: str, on: dt.date | None = None) -> ProcedureVersion | None:
    """The version of procedure `code` (local or national code) in force on `on`, with its
    procedure and sector."""
    # Every new dossier starts here: written once rather than compiled by the ORM each call
    # (cqs.core.rows); the same choice as `current_versions`.
    found = rows.one(
        _version_in_force_sql(), [code, code, on or timezone.localdate()], ProcedureVersion, Procedure, Sector
    )
    if found is None:
        return None
    version, procedure, sector = found
    rows.attach(version, "procedure", procedure)
    rows.attach(version, "sector", sector)
    return version


@functools.cache
def _version_in_force_sql() -> str:
    return (
        f"SELECT {rows.columns(ProcedureVersion, 'v')}, {rows.columns(Procedure, 'p')}, "  # noqa: S608 - model names
        f"{rows.columns(Sector, 's')} "
        f"FROM {ProcedureVersion._meta.db_table} v "
        f"JOIN {Procedure._meta.db_table} p ON p.id = v.procedure_id "
        f"JOIN {Sector._meta.db_table} s ON s.id = v.sector_id "
        "WHERE (p.code = %s OR p.national_code = %s) AND v.effective_from <= %s "
        "ORDER BY p.code, v.effective_from DESC, v.version DESC LIMIT 1"
    )


def search_procedures(
    *,
    q: str = "",
    sector: str | None = None,
    level: str | None = None,
    online: str | None = None,
    agency: str | None = None,
) -> QuerySet[ProcedureVersion]:
    """Procedures in force, filtered, and ranked for `q`.

    Matching ignores accents and tolerates typos (trigram word similarity on unaccented text);
    name matches rank above matches in the description, and a name containing the query exactly
    as typed, accents included, ranks first.
    """
    versions = current_versions()
    if sector:
        versions = versions.filter(sector__code=sector)
    if level:
        versions = versions.filter(levels__contains=[level])
    if online:
        versions = versions.filter(online_level=online)
    if agency:
        versions = versions.filter(agencies__code=agency)
    query = normalize_query(q)
    if not query:
        return versions.order_by("sector__name", "name")
    normalized = Normalized(Value(query))
    ranked = versions.annotate(
        name_score=WordSimilarity(normalized, F("search_name")),
        text_score=WordSimilarity(normalized, F("search_text")),
    ).filter(
        Q(search_name__contains=query)
        | Q(name_score__gte=MATCH_THRESHOLD)
        | Q(text_score__gte=MATCH_THRESHOLD)
        | Q(procedure__code__startswith=q.strip())
        | Q(procedure__national_code=q.strip())
    )
    exact = Q(name__icontains=q.strip())
    return ranked.annotate(
        # Word similarity decides; whole-name similarity breaks ties in favour of the name that is
        # closest to the query as a whole ("đăng ký khai sinh" before "cấp bản sao giấy khai sinh").
        rank=Greatest(F("name_score") * 2, F("text_score"), output_field=FloatField())
        + Similarity(normalized, F("search_name")) * 0.5
        + Case(When(exact, then=Value(1.0)), default=Value(0.0), output_field=FloatField())
    ).order_by("-rank", "name")


def procedure_summary(version: ProcedureVersion) -> dict[str, Any]:
    """The listing form of a procedure (API results, CSV rows)."""
    return {
        "code": version.procedure.code,
        "national_code": version.procedure.national_code,
        "name": version.name,
        "sector": {"code": version.sector.code, "name": version.sector.name},
        "levels": list(version.levels),
        "online_level": version.online_level,
        "legacy_level": version.legacy_level,
        "processing_time": {"value": version.processing_time, "unit": version.processing_unit},
        "fixed_fee_total": fixed_fee_total(version.fees),
        "electronic_result": version.electronic_result,
        "version": version.version,
        "effective_from": version.effective_from.isoformat(),
    }


def procedure_detail(version: ProcedureVersion) -> dict[str, Any]:
    """The whole definition of a procedure version, for its page and the API."""
    detail = version_as_document(version)
    detail["sector"] = {"code": version.sector.code, "name": version.sector.name}
    detail["legacy_level"] = version.legacy_level
    detail["fixed_fee_total"] = fixed_fee_total(version.fees)
    detail["agencies"] = [{"code": a.code, "name": a.name} for a in version.agencies.order_by("code")]
    return detail


def catalog_export() -> dict[str, Any]:
    """The whole catalogue, every version, in the exchange format (re-importable as is)."""
    versions = (
        ProcedureVersion.objects.select_related("procedure", "sector")
        .prefetch_related("agencies", "documents", "steps__agency")
        .order_by("procedure__code", "version")
    )
    return {
        "format": FORMAT_NAME,
        "format_version": FORMAT_VERSION,
        "sectors": [{"code": s.code, "name": s.name, "name_en": s.name_en} for s in Sector.objects.order_by("code")],
        "procedures": [version_as_document(v) for v in versions],
    }


CSV_COLUMNS = [
    "code",
    "national_code",
    "name",
    "sector",
    "levels",
    "version",
    "effective_from",
    "online_level",
    "legacy_level",
    "processing_time",
    "processing_unit",
    "cutoff_time",
    "supplement_clock",
    "fee_total_fixed",
    "electronic_result",
]


def catalog_export_csv() -> str:
    """The flat fields of each procedure's version in force, as CSV."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for v in current_versions().order_by("procedure__code"):
        writer.writerow(
            [
                v.procedure.code,
                v.procedure.national_code,
                v.name,
                v.sector.code,
                "|".join(v.levels),
                v.version,
                v.effective_from.isoformat(),
                v.online_level,
                v.legacy_level,
                v.processing_time,
                v.processing_unit,
                v.cutoff_time.strftime("%H:%M") if v.cutoff_time else "",
                v.supplement_clock,
                fixed_fee_total(v.fees),
                "1" if v.electronic_result else "0",
            ]
        )
    return out.getvalue()


def procedure_count() -> int:
    return Procedure.objects.count()
