"""Reads of the scorecard ("bảng chỉ tiêu"), for the pages and the API. Every figure comes from
the warehouse's monthly summaries (`cqs.warehouse`) or the catalogue, never from a scan of the
dossier table, so an answer takes a few milliseconds whatever the archive's size.
`plain_group_by` is the deliberate exception: the benchmark's baseline."""

# ruff: noqa: S608 - SQL text built from constants; every value is bound

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, NamedTuple

from django.conf import settings
from django.db import connection
from django.utils.translation import gettext as _

from cqs.core.errors import ValidationFailed
from cqs.org.models import Agency, AgencyKind, UnitLevel
from cqs.scorecard.indicators import REGISTRY, Ratio, score
from cqs.scorecard.models import IndexGroup, ReportedIndicator, ReportedValue, Target
from cqs.warehouse.services import AGENCY_COUNTERS

LEVELS = ("province", "commune", "district")


# --- period and unit ------------------------------------------------------------------------


@dataclass
class Period:
    kind: str  # "month" | "quarter" | "year"
    start: dt.date
    end: dt.date  # exclusive
    label: str


@dataclass
class Unit:
    kind: str  # "province" | "level" | "agency"
    level: str | None = None
    agency: Agency | None = None
    label: str = ""

    @property
    def code(self) -> str:
        if self.kind == "agency" and self.agency is not None:
            return self.agency.code
        return f"level:{self.level}" if self.kind == "level" else "province"


def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def parse_period(text: str) -> Period:
    """ "2026-11" (a month), "2026-Q3" (a quarter) or "2026" (a year)."""
    value = (text or "").strip().upper()
    problem = ValidationFailed(
        _("Kỳ báo cáo không hợp lệ: '%(t)s'. Dùng dạng 2026, 2026-Q3 hoặc 2026-11.") % {"t": text},
        details=[{"field": "period", "message": _("Dùng dạng 2026, 2026-Q3 hoặc 2026-11.")}],
    )
    if m := re.fullmatch(r"(\d{4})", value):
        year = int(m[1])
        if not 2000 <= year <= 2100:
            raise problem
        return Period("year", dt.date(year, 1, 1), dt.date(year + 1, 1, 1), _("Năm %(y)s") % {"y": year})
    if m := re.fullmatch(r"(\d{4})-Q([1-4])", value):
        year, quarter = int(m[1]), int(m[2])
        if not 2000 <= year <= 2100:
            raise problem
        start = dt.date(year, 3 * quarter - 2, 1)
        return Period("quarter", start, _add_months(start, 3), _("Quý %(q)s/%(y)s") % {"q": quarter, "y": year})
    if m := re.fullmatch(r"(\d{4})-(\d{2})", value):
        year, month = int(m[1]), int(m[2])
        if not (2000 <= year <= 2100 and 1 <= month <= 12):
            raise problem
        start = dt.date(year, month, 1)
        return Period("month", start, _add_months(start, 1), f"{month:02d}/{year}")
    raise problem


def parse_unit(text: str | None) -> Unit:
    """None or "province" (the whole province), "level:province|commune|district" (the agencies of
    a level; a bare "commune" or "district" too), or an agency's code."""
    value = (text or "").strip()
    if value in ("", "province"):
        return Unit("province", label=_("Toàn tỉnh"))
    level = value.removeprefix("level:")
    if level in LEVELS and (value.startswith("level:") or level != "province"):
        return Unit("level", level=level, label=str(UnitLevel(level).label))
    agency = Agency.objects.filter(code=value).first()
    if agency is None:
        raise ValidationFailed(
            _(
                "Không tìm thấy đơn vị '%(t)s'. Dùng province, level:province, level:commune, level:district "
                "hoặc mã định danh cơ quan."
            )
            % {"t": value},
            details=[{"field": "unit", "message": _("Đơn vị không hợp lệ.")}],
        )
    return Unit("agency", level=agency.level, agency=agency, label=agency.name)


def _agency_ids(agency: Agency) -> list[int]:
    """The agency and the agencies directly under it (a committee's one-stop desk receives for it)."""
    return [agency.pk, *Agency.objects.filter(parent=agency).values_list("pk", flat=True)]


def _unit_filter(unit: Unit) -> tuple[str, list[Any]]:
    if unit.kind == "level":
        return " AND agency_level = %s", [unit.level]
    if unit.kind == "agency" and unit.agency is not None:
        return " AND agency_id = ANY(%s)", [_agency_ids(unit.agency)]
    return "", []


# --- the summaries --------------------------------------------------------------------------

_SUMS = ", ".join(f"coalesce(sum({c}), 0)" for c in AGENCY_COUNTERS)
_ONLINE_ELECTRONIC = "coalesce(sum(CASE WHEN channel = 3 THEN electronic_results ELSE 0 END), 0)"
_COUNTER_NAMES = (*AGENCY_COUNTERS, "online_electronic")


def _counters(period_start: dt.date, period_end: dt.date, unit: Unit) -> dict[str, int]:
    where, params = _unit_filter(unit)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {_SUMS}, {_ONLINE_ELECTRONIC} FROM warehouse_agency_month WHERE month >= %s AND month < %s{where}",
            [period_start, period_end, *params],
        )
        row = cursor.fetchone()
    return {name: int(value) for name, value in zip(_COUNTER_NAMES, row, strict=True)}


def _grouped_counters(period: Period, by: str) -> dict[Any, dict[str, int]]:
    column = "agency_level" if by == "level" else "agency_id"
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {column}, {_SUMS}, {_ONLINE_ELECTRONIC} FROM warehouse_agency_month "
            f"WHERE month >= %s AND month < %s GROUP BY {column}",
            [period.start, period.end],
        )
        rows = cursor.fetchall()
    return {row[0]: {n: int(v) for n, v in zip(_COUNTER_NAMES, row[1:], strict=True)} for row in rows}


def _catalogue(on: dt.date, level: str | None) -> dict[str, int]:
    """Counts over the procedures' versions in force on `on` (the last day of the period)."""
    where, params = ("", [])
    if level:
        where, params = " AND %s = ANY(levels)", [level]
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            WITH current AS (
                SELECT DISTINCT ON (procedure_id) online_level, fees, levels
                  FROM catalog_procedureversion WHERE effective_from <= %s
                 ORDER BY procedure_id, effective_from DESC)
            SELECT count(*), count(*) FILTER (WHERE online_level IN ('partial', 'full')),
                   count(*) FILTER (WHERE online_level = 'full'),
                   count(*) FILTER (WHERE jsonb_array_length(fees) > 0),
                   count(*) FILTER (WHERE jsonb_array_length(fees) > 0 AND online_level = 'full')
              FROM current WHERE TRUE{where}
            """,
            [on, *params],
        )
        row = cursor.fetchone()
    return dict(zip(("procedures", "online", "full", "with_fees", "fees_full"), row, strict=True))


class _Context:
    """The counters one (period, unit) needs, each read once."""

    def __init__(self, start: dt.date, end: dt.date, unit: Unit) -> None:
        self.start, self.end, self.unit = start, end, unit
        self._summary: dict[str, int] | None = None
        self._catalogue: dict[str | None, dict[str, int]] = {}

    def counters(self, source: str, level: str | None = None) -> dict[str, int]:
        if source == "catalogue":
            level = level or (self.unit.level if self.unit.kind != "province" else None)
            if level not in self._catalogue:
                self._catalogue[level] = _catalogue(self.end - dt.timedelta(days=1), level)
            return self._catalogue[level]
        if level and level != self.unit.level:
            return _counters(self.start, self.end, Unit("level", level=level))
        if self._summary is None:
            self._summary = _counters(self.start, self.end, self.unit)
        return self._summary

    def ratio(self, indicator: str, level: str | None = None) -> Ratio | None:
        definition = REGISTRY[indicator]
        if definition.source == "none":
            return None
        return definition.formula(self.counters(definition.source, level))

    def value(self, indicator: str, level: str | None = None) -> Decimal | None:
        found = self.ratio(indicator, level)
        return found.value if found is not None else None


def indicator_value(*, indicator: str, period: Period, unit: Unit) -> Decimal | None:
    """One computed indicator's value for a period and unit (None: no data)."""
    return _Context(period.start, period.end, unit).value(indicator)


# --- the scorecard --------------------------------------------------------------------------


@dataclass
class TargetStatus:
    code: str
    title: str
    definition: str
    year: int
    target_value: Decimal
    unit_label: str
    source: str
    current: Decimal | None
    gap: Decimal | None
    status: str  # "met" | "not_met" | "no_data"
    computed: bool
    reported_source: str = ""
    reported_by: str = ""
    indicator: str = ""
    level: str = ""
    comparison: str = "gte"


@dataclass
class Scorecard:
    period: Period
    unit: Unit
    targets: list[TargetStatus] = field(default_factory=list)


def _reported(indicator: ReportedIndicator | None, period: Period) -> ReportedValue | None:
    if indicator is None:
        return None
    return (
        ReportedValue.objects.filter(indicator=indicator, period_start__lt=period.end)
        .select_related("entered_by")
        .order_by("-period_end", "-entered_at")
        .first()
    )


def _status(target: Target, current: Decimal | None) -> tuple[Decimal | None, str]:
    if current is None:
        return None, "no_data"
    gap = current - target.value if target.comparison == "lte" else target.value - current
    return max(gap, Decimal(0)).quantize(Decimal("0.01")), ("met" if gap <= 0 else "not_met")


def scorecard(*, period: Period, unit: Unit) -> Scorecard:
    """Every target of the plan with its current value for the period and unit, the gap and
    whether it is met. Reported figures are province-wide: other units show "no data" for them."""
    context = _Context(period.start, period.end, unit)
    reported = {r.code: r for r in ReportedIndicator.objects.all()}
    card = Scorecard(period=period, unit=unit)
    for target in Target.objects.all():
        definition = REGISTRY.get(target.indicator)
        reported_source = reported_by = ""
        if definition is not None:
            current = context.value(target.indicator, target.level or None)
            text = str(definition.definition)
        else:
            indicator = reported.get(target.indicator)
            entry = _reported(indicator, period) if unit.kind == "province" else None
            current = entry.value if entry is not None else None
            if entry is not None:
                reported_source = entry.source_document
                reported_by = entry.entered_by.get_full_name() if entry.entered_by else ""
                reported_by = reported_by or (entry.entered_by.username if entry.entered_by else "")
            text = indicator.definition if indicator is not None else ""
        gap, status = _status(target, current)
        card.targets.append(
            TargetStatus(
                code=target.code,
                title=target.title,
                definition=text,
                year=target.year,
                target_value=target.value,
                unit_label=target.unit,
                source=" – ".join(p for p in (target.source_document, target.source_section) if p),
                current=current,
                gap=gap,
                status=status,
                computed=definition is not None,
                reported_source=reported_source,
                reported_by=reported_by,
                indicator=target.indicator,
                level=target.level,
                comparison=target.comparison,
            )
        )
    return card


def _resolve(indicator: str) -> tuple[str, str | None]:
    """An indicator name, or a target's code (its indicator and level)."""
    if indicator in REGISTRY:
        return indicator, None
    target = Target.objects.filter(code=indicator).first()
    if target is not None:
        return target.indicator, target.level or None
    if ReportedIndicator.objects.filter(code=indicator).exists():
        return indicator, None
    raise ValidationFailed(
        _("Không có chỉ số '%(c)s'.") % {"c": indicator},
        details=[{"field": "indicator", "message": _("Chỉ số không hợp lệ.")}],
    )


def trend(*, indicator: str, unit: Unit, end: Period, months: int = 12) -> list[tuple[str, Decimal | None]]:
    """The indicator month by month, the `months` months ending with the end period's last month."""
    name, level = _resolve(indicator)
    last = _add_months(end.end, -1)
    points: list[tuple[str, Decimal | None]] = []
    definition = REGISTRY.get(name)
    if definition is not None and definition.source == "summary":
        where, params = _unit_filter(unit if not level else Unit("level", level=level))
        first = _add_months(last, -(months - 1))
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT month, {_SUMS}, {_ONLINE_ELECTRONIC} FROM warehouse_agency_month "
                f"WHERE month >= %s AND month < %s{where} GROUP BY month",
                [first, end.end, *params],
            )
            by_month = {
                row[0]: {n: int(v) for n, v in zip(_COUNTER_NAMES, row[1:], strict=True)} for row in cursor.fetchall()
            }
        for n in range(months):
            month = _add_months(first, n)
            ratio = definition.formula(by_month.get(month, {}))
            points.append((f"{month:%Y-%m}", ratio.value if ratio is not None else None))
        return points
    reported = ReportedIndicator.objects.filter(code=name).first() if definition is None else None
    for n in range(months - 1, -1, -1):
        month = _add_months(last, -n)
        following = _add_months(month, 1)
        if definition is not None:
            value = _Context(month, following, unit).value(name, level)
        elif reported is not None and unit.kind == "province":
            entry = (
                ReportedValue.objects.filter(indicator=reported, period_start__lt=following, period_end__gte=month)
                .order_by("-period_end")
                .first()
            )
            value = entry.value if entry else None
        else:
            value = None
        points.append((f"{month:%Y-%m}", value))
    return points


@dataclass
class BreakdownRow:
    label: str
    unit_code: str
    value: Decimal | None
    numerator: Decimal | None
    denominator: Decimal | None


def _reporting_agency(agencies: dict[int, Agency], pk: int) -> Agency | None:
    agency = agencies.get(pk)
    if agency is not None and agency.kind == AgencyKind.ONE_STOP_DESK and agency.parent_id in agencies:
        return agencies[agency.parent_id]
    return agency


def breakdown(*, indicator: str, period: Period, by: str) -> list[BreakdownRow]:
    """The indicator for the period by level or by agency (one-stop desks under their
    committee). Catalogue indicators break down by level only; reported ones not at all."""
    if by not in ("agency", "level"):
        raise ValidationFailed(_("Chỉ chia theo 'agency' hoặc 'level'."), details=[{"field": "by", "message": by}])
    name, _level = _resolve(indicator)
    definition = REGISTRY.get(name)
    if definition is None or definition.source == "none":
        return []
    rows: list[BreakdownRow] = []
    if definition.source == "catalogue":
        if by == "agency":
            return []
        context = _Context(period.start, period.end, Unit("province"))
        for level in LEVELS:
            ratio = definition.formula(context.counters("catalogue", level))
            if ratio.denominator:
                rows.append(_row(str(UnitLevel(level).label), f"level:{level}", ratio))
        return rows
    grouped = _grouped_counters(period, by)
    if by == "level":
        for level in LEVELS:
            if level in grouped:
                rows.append(_row(str(UnitLevel(level).label), f"level:{level}", definition.formula(grouped[level])))
        return rows
    agencies = {a.pk: a for a in Agency.objects.all().only("pk", "code", "name", "kind", "parent_id", "level")}
    merged: dict[int, dict[str, int]] = {}
    for pk, counters in grouped.items():
        agency = _reporting_agency(agencies, pk)
        if agency is None:
            continue
        into = merged.setdefault(agency.pk, {})
        for key, value in counters.items():
            into[key] = into.get(key, 0) + value
    for pk, counters in merged.items():
        rows.append(_row(agencies[pk].name, agencies[pk].code, definition.formula(counters)))
    rows.sort(key=lambda r: (r.value is None, -(r.value or 0), r.label))
    return rows


def _row(label: str, code: str, ratio: Ratio | None) -> BreakdownRow:
    if ratio is None:
        return BreakdownRow(label, code, None, None, None)
    return BreakdownRow(label, code, ratio.value, ratio.numerator, ratio.denominator)


# --- Decision 766 ---------------------------------------------------------------------------


@dataclass
class IndexIndicatorScore:
    code: str
    title: str
    definition: str
    weight: Decimal
    threshold: Decimal
    value: Decimal | None
    score: Decimal | None
    thresholds: dict[str, str]


@dataclass
class IndexGroupScore:
    code: str
    title: str
    points: Decimal  # nominal points of the group
    score: Decimal | None
    maximum: Decimal  # points of the indicators that could be measured
    indicators: list[IndexIndicatorScore] = field(default_factory=list)


@dataclass
class Index766:
    period: Period
    unit: Unit
    total: Decimal | None
    maximum: Decimal  # points of the indicators that could be measured
    nominal_maximum: Decimal
    groups: list[IndexGroupScore] = field(default_factory=list)


def _definitions() -> list[IndexGroup]:
    return list(IndexGroup.objects.prefetch_related("indicators"))


def _index(context: _Context, groups: list[IndexGroup], period: Period, unit: Unit) -> Index766:
    result = Index766(period=period, unit=unit, total=None, maximum=Decimal(0), nominal_maximum=Decimal(0))
    for group in groups:
        entry = IndexGroupScore(group.code, group.title, group.points, None, Decimal(0))
        for item in group.indicators.all():
            value = context.value(item.formula) if item.formula in REGISTRY else None
            points = score(value, weight=item.weight, threshold=item.threshold)
            entry.indicators.append(
                IndexIndicatorScore(
                    code=item.code,
                    title=item.title,
                    definition=item.definition,
                    weight=item.weight,
                    threshold=item.threshold,
                    value=value,
                    score=points,
                    thresholds={_("điểm tối đa khi đạt"): f"≥ {item.threshold.normalize():f} %"},
                )
            )
            if points is not None:
                entry.score = (entry.score or Decimal(0)) + points
                entry.maximum += item.weight
        result.groups.append(entry)
        result.nominal_maximum += group.points
        result.maximum += entry.maximum
        if entry.score is not None:
            result.total = (result.total or Decimal(0)) + entry.score
    return result


def index766(*, period: Period, unit: Unit) -> Index766:
    """The Decision 766 index for the period and unit: each indicator's rate and score, each
    group's and the total. Indicators without data score nothing and count in no maximum."""
    return _index(_Context(period.start, period.end, unit), _definitions(), period, unit)


class _Preloaded(_Context):
    def __init__(self, period: Period, unit: Unit, summary: dict[str, int], catalogue: dict[str, int]) -> None:
        super().__init__(period.start, period.end, unit)
        self._summary = summary
        self._catalogue[unit.level] = catalogue


def index766_by_agency(*, period: Period) -> list[tuple[Agency, Decimal]]:
    """Every agency with dossiers in the period and its total 766 score, best first (two queries
    for the summaries, one per level for the catalogue)."""
    grouped = _grouped_counters(period, "agency")
    agencies = {a.pk: a for a in Agency.objects.all()}
    merged: dict[int, dict[str, int]] = {}
    for pk, counters in grouped.items():
        agency = _reporting_agency(agencies, pk)
        if agency is None:
            continue
        into = merged.setdefault(agency.pk, {})
        for key, value in counters.items():
            into[key] = into.get(key, 0) + value
    groups = _definitions()
    catalogue = {level: _catalogue(period.end - dt.timedelta(days=1), level) for level in LEVELS}
    ranking = []
    for pk, counters in merged.items():
        agency = agencies[pk]
        unit = Unit("agency", level=agency.level, agency=agency, label=agency.name)
        index = _index(_Preloaded(period, unit, counters, catalogue[agency.level]), groups, period, unit)
        if index.total is not None:
            ranking.append((agency, index.total))
    ranking.sort(key=lambda pair: (-pair[1], pair[0].name))
    return ranking


class ProcedureTime(NamedTuple):
    code: str
    title: str
    finished: int
    average_days: Decimal | None
    statutory_days: Decimal | None


def procedure_times(*, period: Period, unit: Unit) -> list[ProcedureTime]:
    """Per procedure: dossiers finished in the period and their average processing time in
    working days (pauses excluded), with the statutory time beside it; most dossiers first.
    Province and level read the procedure-month summary; one agency reads its own facts."""
    if unit.kind == "agency" and unit.agency is not None:
        sql = """
            SELECT procedure_id, count(*), count(processing_seconds), coalesce(sum(processing_seconds), 0),
                   coalesce(sum(statutory_seconds) FILTER (WHERE processing_seconds IS NOT NULL), 0)
              FROM warehouse_dossier_fact
             WHERE agency_id = ANY(%s) AND finished_at >= %s AND finished_at < %s AND is_finished
             GROUP BY procedure_id"""
        tz = settings.TIME_ZONE
        from zoneinfo import ZoneInfo

        zone = ZoneInfo(tz)
        params: list[Any] = [
            _agency_ids(unit.agency),
            dt.datetime.combine(period.start, dt.time(), zone),
            dt.datetime.combine(period.end, dt.time(), zone),
        ]
    else:
        where = " AND agency_level = %s" if unit.kind == "level" else ""
        sql = f"""
            SELECT procedure_id, sum(finished), sum(timed), sum(processing_seconds), sum(statutory_seconds)
              FROM warehouse_procedure_month WHERE month >= %s AND month < %s{where}
             GROUP BY procedure_id"""
        params = [period.start, period.end] + ([unit.level] if unit.kind == "level" else [])
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
        names: dict[int, tuple[str, str]] = {}
        if rows:
            cursor.execute(
                """SELECT DISTINCT ON (v.procedure_id) v.procedure_id, p.code, v.name
                     FROM catalog_procedureversion v JOIN catalog_procedure p ON p.id = v.procedure_id
                    WHERE v.procedure_id = ANY(%s) ORDER BY v.procedure_id, v.effective_from DESC""",
                [[r[0] for r in rows]],
            )
            names = {pk: (code, name) for pk, code, name in cursor.fetchall()}
    day = Decimal(8 * 3600)
    result = []
    for pk, finished, timed, processing, statutory in rows:
        code, title = names.get(pk, (str(pk), ""))
        average = (Decimal(processing) / timed / day).quantize(Decimal("0.01")) if timed else None
        statutory_days = (Decimal(statutory) / timed / day).quantize(Decimal("0.01")) if timed else None
        result.append(ProcedureTime(code, title, int(finished), average, statutory_days))
    result.sort(key=lambda r: (-r.finished, r.code))
    return result


# --- the benchmark's baseline ----------------------------------------------------------------

HEADLINE = ("dossiers_online", "on_time", "processing_days", "paid_online", "electronic_results", "satisfaction")


def headline(*, period: Period, unit: Unit | None = None) -> dict[str, Decimal | None]:
    """The headline figures from the summaries (what `plain_group_by` recomputes the slow way)."""
    context = _Context(period.start, period.end, unit or Unit("province"))
    return {name: context.value(name) for name in HEADLINE}


def plain_group_by(*, period: Period) -> dict[str, Decimal | None]:
    """The same headline figures for the province, computed by a plain GROUP BY over the dossier
    table (no warehouse): the baseline the scorecard benchmark compares against."""
    tz = settings.TIME_ZONE
    finished = "d.status IN ('awaiting_return', 'returned')"
    on_time = f"{finished} AND d.finished_at <= d.due_at AND d.apologized_at IS NULL AND d.supplement_rounds <= 1"
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT
              count(*) FILTER (WHERE sub),
              count(*) FILTER (WHERE sub AND d.channel = 3),
              count(*) FILTER (WHERE fin AND {finished}),
              count(*) FILTER (WHERE fin AND {on_time}),
              count(*) FILTER (WHERE fin AND {finished} AND d.processing_time IS NOT NULL),
              coalesce(sum(floor(extract(epoch FROM d.processing_time))) FILTER (WHERE fin AND {finished}), 0),
              count(*) FILTER (WHERE fin AND {finished} AND d.fee_total > 0),
              count(*) FILTER (WHERE fin AND {finished} AND d.fee_paid_online),
              count(*) FILTER (WHERE fin AND {finished} AND d.result_file_id IS NOT NULL AND v.electronic_result),
              count(*) FILTER (WHERE fin AND {finished} AND d.rating <> ''),
              count(*) FILTER (WHERE fin AND {finished} AND d.rating = 'satisfied')
            FROM (
              SELECT d.*,
                     (d.submitted_at AT TIME ZONE %s)::date >= %s AND (d.submitted_at AT TIME ZONE %s)::date < %s
                       AS sub,
                     (d.finished_at AT TIME ZONE %s)::date >= %s AND (d.finished_at AT TIME ZONE %s)::date < %s
                       AS fin
                FROM dossiers_dossier d WHERE d.status <> 'draft') d
            JOIN catalog_procedureversion v ON v.id = d.procedure_version_id
            """,
            [tz, period.start, tz, period.end] * 2,
        )
        row = cursor.fetchone()
    (filed, online, done, in_time, timed, seconds, with_fee, paid_online, electronic, rated, satisfied) = row
    return {
        "dossiers_online": Ratio(Decimal(online), Decimal(filed)).value,
        "on_time": Ratio(Decimal(in_time), Decimal(done)).value,
        "processing_days": Ratio(Decimal(seconds), Decimal(timed * 8 * 3600), False).value,
        "paid_online": Ratio(Decimal(paid_online), Decimal(with_fee)).value,
        "electronic_results": Ratio(Decimal(electronic), Decimal(done)).value,
        "satisfaction": Ratio(Decimal(satisfied), Decimal(rated)).value,
    }
