"""Scorecard endpoints (public): `/api/v1/scorecard` and `/api/v1/scorecard/index766`."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from ninja import Router

from cqs.scorecard import queries

router = Router(tags=["scorecard"])


def _num(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def _context(period: queries.Period, unit: queries.Unit) -> dict[str, Any]:
    return {
        "period": {
            "kind": period.kind,
            "start": period.start.isoformat(),
            "end": period.end.isoformat(),
            "label": str(period.label),
        },
        "unit": {"kind": unit.kind, "code": unit.code, "level": unit.level, "label": str(unit.label)},
    }


@router.get("/scorecard", summary="The plan's targets: current value, gap and status for a period and unit")
def scorecard(request: HttpRequest, period: str, unit: str | None = None) -> dict[str, Any]:
    """`period`: `2026`, `2026-Q3` or `2026-11`. `unit`: `province` (default), `level:province`,
    `level:commune`, `level:district`, or an agency's code. A value of null means "no data yet"."""
    chosen_period, chosen_unit = queries.parse_period(period), queries.parse_unit(unit)
    card = queries.scorecard(period=chosen_period, unit=chosen_unit)
    return _context(chosen_period, chosen_unit) | {
        "targets": [
            {
                "code": t.code,
                "title": t.title,
                "definition": t.definition,
                "year": t.year,
                "target": _num(t.target_value),
                "unit": t.unit_label,
                "comparison": t.comparison,
                "source": t.source,
                "current": _num(t.current),
                "gap": _num(t.gap),
                "status": t.status,
                "computed": t.computed,
                "reported_source": t.reported_source,
                "reported_by": t.reported_by,
            }
            for t in card.targets
        ]
    }


@router.get("/scorecard/index766", summary="The Decision 766 index: per indicator, per group and in total")
def index766(request: HttpRequest, period: str, unit: str | None = None) -> dict[str, Any]:
    """Scores for the period and unit. An indicator without data has `value` and `score` null
    and counts in no maximum; `nominal_maximum` is the index's 100 points."""
    chosen_period, chosen_unit = queries.parse_period(period), queries.parse_unit(unit)
    index = queries.index766(period=chosen_period, unit=chosen_unit)
    return _context(chosen_period, chosen_unit) | {
        "total": _num(index.total),
        "maximum": _num(index.maximum),
        "nominal_maximum": _num(index.nominal_maximum),
        "groups": [
            {
                "code": g.code,
                "title": g.title,
                "points": _num(g.points),
                "score": _num(g.score),
                "maximum": _num(g.maximum),
                "indicators": [
                    {
                        "code": i.code,
                        "title": i.title,
                        "definition": i.definition,
                        "weight": _num(i.weight),
                        "threshold": _num(i.threshold),
                        "value": _num(i.value),
                        "score": _num(i.score),
                    }
                    for i in g.indicators
                ],
            }
            for g in index.groups
        ],
    }
