"""Formats the platform shows the same way everywhere."""

from django import template

register = template.Library()


@register.filter
def vnd(amount: object) -> str:
    """Integer VND with Vietnamese digit grouping: 1234567 -> "1.234.567 đ"."""
    try:
        value = int(amount)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return ""
    return f"{value:,}".replace(",", ".") + " đ"
