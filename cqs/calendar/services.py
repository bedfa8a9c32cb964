"""Use cases that change the calendar: administrators' overrides, audited."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from cqs.accounts.models import User
from cqs.audit.services import audited_delete, audited_save
from cqs.calendar.models import CalendarOverride
from cqs.org.permissions import Action, require_permission


def calendar_override_set(
    *, actor: User, day: dt.date, working: bool, reason: str, source_document: str
) -> CalendarOverride:
    """Declare `day` a working day or a day off, by a decision named in `source_document`.
    Replaces an earlier override of the same day. Refused unless the actor manages the calendar."""
    require_permission(actor, Action.MANAGE_CALENDAR)
    with transaction.atomic():
        override = CalendarOverride.objects.select_for_update().filter(day=day).first() or CalendarOverride(
            day=day, created_by=actor
        )
        override.working = working
        override.reason = reason
        override.source_document = source_document
        return audited_save(actor=actor, instance=override)


def calendar_override_remove(*, actor: User, override: CalendarOverride) -> None:
    """Remove an override: the day falls back to what the law and the `holidays` package say."""
    require_permission(actor, Action.MANAGE_CALENDAR)
    audited_delete(actor=actor, instance=override)
