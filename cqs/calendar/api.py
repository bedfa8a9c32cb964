"""Calendar endpoints: `/api/v1/calendar/deadline` and `/api/v1/calendar/days`."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema

from cqs.api.pagination import bad_parameter
from cqs.calendar.domain import MAX_DAYS_RANGE, TIMEZONE
from cqs.calendar.queries import working_calendar

router = Router(tags=["calendar"])

# An unencoded "+" in a query string arrives as a space: "2026-08-21T16:00:00 07:00".
_SPACE_FOR_PLUS = re.compile(r"(T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?) (\d{2}:?\d{2})$")


def _parse_moment(raw: str, parameter: str) -> dt.datetime:
    text = _SPACE_FOR_PLUS.sub(r"\1+\2", raw.strip())
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError as exc:
        raise bad_parameter(
            parameter, "must be an ISO 8601 date-time with offset, e.g. 2026-08-21T16:00:00+07:00"
        ) from exc
    if moment.tzinfo is None:
        raise bad_parameter(parameter, "must carry a UTC offset, e.g. +07:00")
    return moment


def _iso(moment: dt.datetime) -> str:
    return moment.astimezone(TIMEZONE).isoformat()


class DeadlineQuery(Schema):
    start: str
    working_days: int | None = None
    working_hours: str | None = None
    calendar_days: int | None = None


class DeadlineOut(Schema):
    start: str
    effective_start: str
    deadline: str
    duration: dict[str, Any]


@router.get("/deadline", response=DeadlineOut, summary="The deadline after a duration, by the official calendar")
def deadline(request: HttpRequest, params: Query[DeadlineQuery]) -> dict[str, Any]:
    """Give exactly one of `working_days`, `working_hours` (halves allowed) or `calendar_days`.
    Reception after closing counts from the next working opening; during the lunch break, from
    the afternoon opening; a calendar-day deadline never lands on a day off."""
    start = _parse_moment(params.start, "start")
    given = {
        k: v
        for k, v in (
            ("working_days", params.working_days),
            ("working_hours", params.working_hours),
            ("calendar_days", params.calendar_days),
        )
        if v is not None
    }
    if len(given) != 1:
        raise bad_parameter("working_days", "give exactly one of working_days, working_hours, calendar_days")
    ((unit, value),) = given.items()
    calendar = working_calendar()
    if unit == "working_hours":
        try:
            hours = Decimal(str(value))
        except InvalidOperation as exc:
            raise bad_parameter("working_hours", "must be a number") from exc
        if not hours.is_finite() or hours < 0 or hours > 10_000:
            raise bad_parameter("working_hours", "must be between 0 and 10000")
        result = calendar.add_working_hours(start, hours)
        value = str(hours)
    else:
        if not 0 <= int(value) <= 1000:
            raise bad_parameter(unit, "must be between 0 and 1000")
        add = calendar.add_working_days if unit == "working_days" else calendar.add_calendar_days
        result = add(start, int(value))
    return {
        "start": _iso(start),
        "effective_start": _iso(calendar.effective_start(start)),
        "deadline": _iso(result),
        "duration": {"unit": unit, "value": value},
    }


class DayOut(Schema):
    date: dt.date
    working: bool
    reason: str
    label: str


@router.get("/days", response=list[DayOut], summary="Each day of a period: working or not, and why")
def days(request: HttpRequest, to: dt.date, from_: dt.date = Query(..., alias="from")) -> list[dict[str, Any]]:  # noqa: B008
    if to < from_:
        raise bad_parameter("to", "must not be before from")
    if (to - from_).days >= MAX_DAYS_RANGE:
        raise bad_parameter("to", f"the period may span at most {MAX_DAYS_RANGE} days")
    return [
        {"date": d.day, "working": d.working, "reason": str(d.reason), "label": d.label}
        for d in working_calendar().days(from_, to)
    ]
