"""The scorecard pages: the public scorecard of the plan's targets ("bảng chỉ tiêu chuyển đổi
số", `/chi-tieu/`) with a trend and a drill-down per indicator, and the officials' Decision 766
dashboard ("chỉ số phục vụ người dân, doanh nghiệp theo Quyết định 766", `/can-bo/chi-so-766/`).

Thin: each view reads the period and unit from a plain GET form, asks `queries`, renders, or
hands the same tables to `exports` when `?format=csv|xlsx`. A period or unit that does not parse
is shown as a message on the page (400), never a server error.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from cqs.core.errors import DomainError
from cqs.dossiers.office_views import official_required
from cqs.org.models import Agency, AgencyKind, UnitLevel
from cqs.scorecard import charts, exports, queries

UNIT_CHOICES = (
    ("province", gettext_lazy("Toàn tỉnh")),
    ("level:province", gettext_lazy("Các cơ quan cấp tỉnh")),
    ("level:commune", gettext_lazy("Các cơ quan cấp xã")),
    ("level:district", gettext_lazy("Các cơ quan cấp huyện (trước 01/7/2025)")),
)
LEVELS = ("province", "commune", "district")


# --- the period and unit asked for ----------------------------------------------------------------


@dataclass
class Selection:
    """What the GET form asked for, parsed; `error` when it did not parse."""

    period_text: str
    unit_text: str
    period: Any = None
    unit: Any = None
    error: str = ""
    field: str = ""


def default_period_text() -> str:
    """The current year: the plan's targets are yearly."""
    return str(timezone.localdate().year)


def _selection(request: HttpRequest) -> Selection:
    chosen = Selection(
        period_text=(request.GET.get("period") or "").strip()[:20] or default_period_text(),
        unit_text=(request.GET.get("unit") or "").strip()[:40] or "province",
    )
    try:
        chosen.period = queries.parse_period(chosen.period_text)
    except DomainError as error:
        chosen.error, chosen.field = error.message, "period"
        return chosen
    try:
        chosen.unit = queries.parse_unit(chosen.unit_text)
    except DomainError as error:
        chosen.error, chosen.field = error.message, "unit"
    return chosen


def _period_suggestions() -> list[str]:
    """Recent periods for the form's suggestion list: this year and the last two, their
    quarters, and the last twelve months."""
    today = timezone.localdate()
    years = [str(today.year - n) for n in range(3)]
    quarters = [f"{today.year}-Q{q}" for q in range((today.month - 1) // 3 + 1, 0, -1)]
    quarters += [f"{today.year - 1}-Q{q}" for q in range(4, 0, -1)]
    months = []
    year, month = today.year, today.month
    for _n in range(12):
        months.append(f"{year}-{month:02d}")
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return years + quarters + months


def _unit_options() -> list[tuple[str, list[tuple[str, str]]]]:
    """The unit selector: the province, the levels, then the agencies by level (one-stop desks
    are reported under their committee)."""
    agencies = (
        Agency.objects.filter(is_active=True)
        .exclude(kind=AgencyKind.ONE_STOP_DESK)
        .order_by("level", "name")
        .only("code", "name", "level")
    )
    groups: list[tuple[str, list[tuple[str, str]]]] = [
        (str(_("Tổng hợp")), [(value, str(label)) for value, label in UNIT_CHOICES])
    ]
    by_level: dict[str, list[tuple[str, str]]] = {}
    for agency in agencies:
        by_level.setdefault(agency.level, []).append((agency.code, agency.name))
    for level in LEVELS:
        if by_level.get(level):
            groups.append((str(UnitLevel(level).label), by_level[level]))
    return groups


def _form_context(chosen: Selection) -> dict[str, Any]:
    return {
        "chosen": chosen,
        "period_suggestions": _period_suggestions(),
        "unit_options": _unit_options(),
        "query": urlencode({"period": chosen.period_text, "unit": chosen.unit_text}),
    }


def _export_format(request: HttpRequest) -> str | None:
    fmt = request.GET.get("format")
    return fmt if fmt in exports.FORMATS else None


def _query(call: Callable[..., Any], *args: Any, **kwargs: Any) -> tuple[Any, str]:
    """A query's result, or its refusal's message for the page (a drill-down an indicator does
    not offer, a level without agencies) instead of a server error."""
    try:
        return call(*args, **kwargs), ""
    except DomainError as error:
        return None, error.message


# --- presentation of a target ---------------------------------------------------------------------

STATUS_LABELS = {
    "met": gettext_lazy("Đạt"),
    "not_met": gettext_lazy("Chưa đạt"),
    "no_data": gettext_lazy("Chưa có dữ liệu"),
}


def status_label(status: str) -> str:
    return str(STATUS_LABELS.get(status, status))


def origin_label(target: Any) -> str:
    """Computed by the platform, or reported (with its source document and who entered it)."""
    if target.computed:
        return _("Nền tảng tự tính từ dữ liệu hồ sơ")
    if target.current is None:
        return _("Số liệu báo cáo: chưa được nhập")
    return _("Số liệu báo cáo: %(source)s, do %(who)s nhập") % {
        "source": target.reported_source or _("không ghi nguồn"),
        "who": target.reported_by or _("không rõ người nhập"),
    }


@dataclass
class TargetRow:
    target: Any
    current: str
    target_value: str
    gap: str
    status: str
    origin: str


def _target_row(target: Any) -> TargetRow:
    unit = target.unit_label or ""
    return TargetRow(
        target=target,
        current=charts.format_value(target.current, unit),
        target_value=charts.format_value(target.target_value, unit),
        gap="" if target.gap is None else charts.format_value(target.gap, unit),
        status=status_label(target.status),
        origin=origin_label(target),
    )


# --- tables (the page's and the downloads') ------------------------------------------------------


def _value(value: Any) -> Any:
    return None if value is None else Decimal(value)


def targets_table(card: Any) -> exports.Table:
    return exports.Table(
        title=_("Chỉ tiêu"),
        columns=[
            _("Mã"),
            _("Chỉ tiêu"),
            _("Định nghĩa"),
            _("Năm"),
            _("Giá trị chỉ tiêu"),
            _("Đơn vị tính"),
            _("Giá trị hiện tại"),
            _("Khoảng cách"),
            _("Trạng thái"),
            _("Cách có số liệu"),
            _("Nguồn số liệu báo cáo"),
            _("Người nhập"),
            _("Văn bản giao chỉ tiêu"),
            _("Kỳ"),
            _("Phạm vi"),
        ],
        rows=[
            [
                t.code,
                t.title,
                t.definition,
                t.year,
                _value(t.target_value),
                t.unit_label,
                _value(t.current),
                _value(t.gap),
                status_label(t.status),
                _("Nền tảng tự tính") if t.computed else _("Báo cáo"),
                "" if t.computed else t.reported_source,
                "" if t.computed else t.reported_by,
                t.source,
                card.period.label,
                card.unit.label,
            ]
            for t in card.targets
        ],
    )


def trend_table(points: list[tuple[str, Any]], title: str) -> exports.Table:
    return exports.Table(title=title, columns=[_("Kỳ"), _("Giá trị")], rows=[[p, _value(v)] for p, v in points])


def breakdown_table(rows: list[Any], title: str) -> exports.Table:
    return exports.Table(
        title=title,
        columns=[_("Đơn vị"), _("Mã"), _("Giá trị"), _("Tử số"), _("Mẫu số")],
        rows=[[r.label, r.unit_code, _value(r.value), r.numerator, r.denominator] for r in rows],
    )


def index766_tables(index: Any) -> list[exports.Table]:
    groups = exports.Table(
        title=_("Nhóm chỉ số 766"),
        columns=[_("Mã nhóm"), _("Nhóm"), _("Điểm"), _("Điểm tối đa"), _("Điểm tối đa của các chỉ số đo được")],
        rows=[[g.code, g.title, _value(g.score), _value(_points(g)), _value(g.maximum)] for g in index.groups],
    )
    groups.rows.append(["", _("Tổng điểm"), _value(index.total), _value(_points(index)), _value(index.maximum)])
    indicators = exports.Table(
        title=_("Chỉ số thành phần 766"),
        columns=[_("Mã nhóm"), _("Mã"), _("Chỉ số"), _("Trọng số"), _("Giá trị"), _("Ngưỡng"), _("Điểm")],
        rows=[
            [g.code, i.code, i.title, _value(i.weight), _value(i.value), _thresholds_text(i.thresholds), score]
            for g in index.groups
            for i, score in ((i, _value(i.score)) for i in g.indicators)
        ],
    )
    return [groups, indicators]


def ranking_table(ranking: list[tuple[Any, Any]]) -> exports.Table:
    return exports.Table(
        title=_("Xếp hạng cơ quan"),
        columns=[_("Hạng"), _("Mã cơ quan"), _("Cơ quan"), _("Cấp"), _("Điểm")],
        rows=[
            [n, agency.code, agency.name, agency.get_level_display(), _value(score)]
            for n, (agency, score) in enumerate(ranking, start=1)
        ],
    )


def times_table(times: list[Any]) -> exports.Table:
    return exports.Table(
        title=_("Thời gian xử lý bình quân"),
        columns=[
            _("Mã thủ tục"),
            _("Thủ tục"),
            _("Số hồ sơ đã giải quyết"),
            _("Số ngày làm việc bình quân"),
            _("Thời hạn theo quy định (ngày)"),
        ],
        rows=[[t[0], t[1], t[2], _value(t[3]), _value(_statutory(t))] for t in times],
    )


def _points(item: Any) -> Any:
    """The nominal points of a group (or the index); `maximum` counts only what could be measured."""
    return getattr(item, "points", None) or getattr(item, "nominal_maximum", None) or item.maximum


def _statutory(row: Any) -> Any:
    return row[4] if len(row) > 4 else None


def _thresholds_text(thresholds: Any) -> str:
    """Thresholds as the data gives them: a number, a list, or a mapping (e.g. full points at
    ≥ 80 %)."""
    if thresholds is None or thresholds == "" or thresholds == [] or thresholds == {}:
        return ""
    if isinstance(thresholds, dict):
        return "; ".join(f"{key}: {value}" for key, value in thresholds.items())
    if isinstance(thresholds, list | tuple):
        return "; ".join(str(v) for v in thresholds)
    return str(thresholds)


# --- the public scorecard ------------------------------------------------------------------------


@require_GET
def scorecard(request: HttpRequest) -> HttpResponse:
    """Every target of the plan: its year and value, the current value or "chưa có dữ liệu",
    the gap, and where the figure comes from."""
    chosen = _selection(request)
    context = _form_context(chosen)
    if chosen.error:
        return render(request, "scorecard/scorecard.html", context, status=400)
    card = queries.scorecard(period=chosen.period, unit=chosen.unit)
    table = targets_table(card)
    fmt = _export_format(request)
    if fmt:
        return exports.response(table, fmt=fmt, name=("chi-tieu", chosen.period_text, chosen.unit_text))
    context.update(card=card, rows=[_target_row(t) for t in card.targets], table=table)
    return render(request, "scorecard/scorecard.html", context)


DETAIL_TABLES = ("trend", "agency", "level")


@require_GET
def indicator(request: HttpRequest, code: str) -> HttpResponse:
    """One target: its definition, the trend over the twelve months up to the period, and the
    drill-down by level and by agency for the period."""
    chosen = _selection(request)
    context = _form_context(chosen)
    if chosen.error:
        context["code"] = code
        return render(request, "scorecard/indicator.html", context, status=400)
    card = queries.scorecard(period=chosen.period, unit=chosen.unit)
    target = next((t for t in card.targets if t.code == code), None)
    if target is None:
        raise Http404(_("Không có chỉ tiêu này."))
    unit_label = target.unit_label or ""
    is_percent = unit_label == "%"
    points, trend_error = _query(queries.trend, indicator=code, unit=chosen.unit, end=chosen.period)
    points = points or []
    by_level, level_error = _query(queries.breakdown, indicator=code, period=chosen.period, by="level")
    by_agency, agency_error = _query(queries.breakdown, indicator=code, period=chosen.period, by="agency")
    by_level, by_agency = by_level or [], by_agency or []
    tables = {
        "trend": trend_table(points, _("Xu hướng")),
        "level": breakdown_table(by_level, _("Theo cấp")),
        "agency": breakdown_table(by_agency, _("Theo cơ quan")),
    }
    fmt = _export_format(request)
    if fmt:
        wanted = request.GET.get("table")
        chosen_tables = [tables[wanted]] if wanted in tables else list(tables.values())
        return exports.response(
            chosen_tables, fmt=fmt, name=("chi-tieu", code, wanted or "", chosen.period_text, chosen.unit_text)
        )
    target_value = target.target_value if target.target_value is not None else None
    maximum = Decimal(100) if is_percent else None
    context.update(
        code=code,
        card=card,
        row=_target_row(target),
        trend_svg=charts.trend_chart(
            points,
            chart_id="xu-huong",
            title=_("Xu hướng: %(t)s") % {"t": target.title},
            unit=unit_label,
            maximum=maximum,
            target=target_value,
        ),
        trend_rows=[(p, charts.format_value(v, unit_label)) for p, v in points],
        trend_error=trend_error,
        level_svg=charts.bar_chart(
            [(r.label, r.value) for r in by_level],
            chart_id="theo-cap",
            title=_("%(t)s theo cấp") % {"t": target.title},
            unit=unit_label,
            maximum=maximum,
            target=target_value,
        )
        if by_level
        else "",
        level_rows=[(r, charts.format_value(r.value, unit_label)) for r in by_level],
        level_error=level_error,
        agency_svg=charts.bar_chart(
            [(r.label, r.value) for r in by_agency],
            chart_id="theo-co-quan",
            title=_("%(t)s theo cơ quan") % {"t": target.title},
            unit=unit_label,
            maximum=maximum,
            target=target_value,
        )
        if by_agency
        else "",
        agency_rows=[(r, charts.format_value(r.value, unit_label)) for r in by_agency],
        agency_error=agency_error,
        unit_label=unit_label,
        detail_tables=DETAIL_TABLES,
    )
    return render(request, "scorecard/indicator.html", context)


# --- the officials' Decision 766 dashboard ------------------------------------------------------

INDEX_TABLES = ("groups", "indicators", "ranking", "times")


@official_required
@require_GET
def index766(request: HttpRequest) -> HttpResponse:
    """The Decision 766 index for the province, a level or an agency and a month, quarter or
    year: the total, each group, each indicator with its weight, value, thresholds and score;
    the agencies ranked; the average processing time per procedure."""
    chosen = _selection(request)
    context = _form_context(chosen)
    if chosen.error:
        return render(request, "scorecard/index766.html", context, status=400)
    index = queries.index766(period=chosen.period, unit=chosen.unit)
    ranking = queries.index766_by_agency(period=chosen.period)
    times = queries.procedure_times(period=chosen.period, unit=chosen.unit)
    groups_table, indicators_table = index766_tables(index)
    tables = {
        "groups": groups_table,
        "indicators": indicators_table,
        "ranking": ranking_table(ranking),
        "times": times_table(times),
    }
    fmt = _export_format(request)
    if fmt:
        wanted = request.GET.get("table")
        if fmt == "csv" and wanted not in tables:
            wanted = "indicators"
        chosen_tables = [tables[wanted]] if wanted in tables else list(tables.values())
        return exports.response(
            chosen_tables, fmt=fmt, name=("chi-so-766", wanted or "", chosen.period_text, chosen.unit_text)
        )
    context.update(
        index=index,
        groups=[
            {
                "group": g,
                "indicators": [(i, _thresholds_text(i.thresholds)) for i in g.indicators],
                "share": _share(g.score, g.maximum),
                "points": _points(g),
            }
            for g in index.groups
        ],
        total_share=_share(index.total, index.maximum),
        total_points=_points(index),
        groups_svg=charts.bar_chart(
            [(f"{g.code}. {g.title}", _share(g.score, g.maximum)) for g in index.groups],
            chart_id="nhom-766",
            title=_("Điểm từng nhóm, tính theo phần trăm điểm tối đa"),
            unit="%",
            maximum=Decimal(100),
        ),
        ranking=ranking,
        ranking_svg=charts.bar_chart(
            [(agency.name, score) for agency, score in ranking[:30]],
            chart_id="xep-hang",
            title=_("Xếp hạng cơ quan theo tổng điểm 766"),
            unit="",
            maximum=Decimal(_points(index)) if _points(index) else Decimal(100),
        )
        if ranking
        else "",
        times=[(t[0], t[1], t[2], t[3], _statutory(t)) for t in times],
        index_tables=INDEX_TABLES,
    )
    return render(request, "scorecard/index766.html", context)


def _share(score: Any, maximum: Any) -> Decimal | None:
    if score is None or not maximum:
        return None
    return (Decimal(score) * 100 / Decimal(maximum)).quantize(Decimal("0.1"))
