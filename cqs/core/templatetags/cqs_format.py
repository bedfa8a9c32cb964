"""Formats the platform shows the same way everywhere."""

import datetime as dt

from django import template
from django.utils import timezone

register = template.Library()


@register.filter
def vnd(amount: object) -> str:
    """Integer VND with Vietnamese digit grouping: 1234567 -> "1.234.567 đ"."""
    try:
        value = int(amount)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return ""
    # A no-break space: the amount and its unit stay on one line on a narrow screen.
    return f"{value:,}".replace(",", ".") + "\u00a0đ"


@register.filter
def moment(value: object) -> str:
    """A moment as people here write it, in local time: "2026-12-07T14:05:00+07:00" (as the reads
    hand it to pages and the API) or a datetime -> "14:05 07/12/2026"; empty when there is none."""
    if isinstance(value, str) and value:
        try:
            value = dt.datetime.fromisoformat(value)
        except ValueError:
            return ""
    if not isinstance(value, dt.datetime):
        return ""
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return value.strftime("%H:%M %d/%m/%Y")
