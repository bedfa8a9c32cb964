"""The working calendar as the rest of the platform reads it: always through `working_calendar()`."""

from __future__ import annotations

import threading

from django.conf import settings

from cqs.calendar.domain import CalendarOverride as OverrideRule
from cqs.calendar.domain import OfficeHours, WorkingCalendar
from cqs.calendar.models import CalendarOverride

_cache_lock = threading.Lock()
_cached: tuple[tuple, WorkingCalendar] | None = None


def working_calendar() -> WorkingCalendar:
    """The official calendar with the current overrides and office hours.

    The overrides table holds a few rows a year, so reading it is cheap; reusing the calendar
    object keeps its per-year holiday cache warm between requests until an override changes.
    """
    global _cached
    rows = tuple(CalendarOverride.objects.order_by("day").values_list("day", "working", "reason"))
    key = (settings.CQS_OFFICE_HOURS, rows)
    with _cache_lock:
        if _cached is not None and _cached[0] == key:
            return _cached[1]
        calendar = WorkingCalendar(
            office_hours=OfficeHours.parse(settings.CQS_OFFICE_HOURS),
            overrides=[OverrideRule(day=d, working=w, reason=r) for d, w, r in rows],
        )
        _cached = (key, calendar)
        return calendar
