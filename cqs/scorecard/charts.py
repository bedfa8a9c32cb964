"""Server-side SVG charts for the scorecard pages ("biểu đồ"): no JavaScript, no build step, no
dependency. Each chart is an accessible image (`role="img"`, `<title>`, `<desc>`); the pages put
a data table next to every chart, which is the alternative for screen readers and for copying.

The drawing is sized for a 360 px phone: the view box is 360 units wide and the SVG scales to its
container, so text stays at its nominal size on a phone and grows on a desktop. A missing value
(`None`) is never drawn as zero: the line breaks there and a bar shows "chưa có dữ liệu".
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal

from django.utils.formats import number_format
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

WIDTH = 360
FONT = 'font-family="system-ui, sans-serif"'
INK = "#1a1a1a"
MUTED = "#555"
GRID = "#d0d7de"
BLUE = "#0b4f9c"
AREA = "#0b4f9c"
TARGET = "#a4161a"

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def format_value(value: Decimal | float | int | None, unit: str = "", *, decimals: int = 1) -> str:
    """A value as the page shows it, in the active language's number format; `None` is "no data
    yet", never zero."""
    if value is None:
        return _("chưa có dữ liệu")
    number = Decimal(str(value)).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    text = number_format(number, decimal_pos=decimals if number != number.to_integral_value() else 0)
    if not unit:
        return text
    return f"{text}{unit}" if unit == "%" else f"{text} {unit}"


def short_label(label: str) -> str:
    """`2026-11` → `11/26`: twelve month labels fit under a 360 px chart."""
    match = _MONTH.match(label)
    return f"{match.group(2)}/{match.group(1)[2:]}" if match else label


def _nice_ceiling(value: Decimal) -> Decimal:
    """The smallest of 1, 2, 2.5, 5 × 10^n at or above `value` (an axis that reads easily)."""
    if value <= 0:
        return Decimal(1)
    exponent = value.adjusted()
    for step in (Decimal(1), Decimal(2), Decimal("2.5"), Decimal(5), Decimal(10)):
        candidate = step.scaleb(exponent)
        if candidate >= value:
            return candidate
    return Decimal(10).scaleb(exponent)  # pragma: no cover - the loop always returns


def _axis_max(values: Sequence[Decimal | None], unit: str, maximum: Decimal | None, target: Decimal | None) -> Decimal:
    if maximum is not None:
        return Decimal(maximum)
    known = [Decimal(v) for v in values if v is not None]
    if target is not None:
        known.append(Decimal(target))
    top = max(known, default=Decimal(0))
    if unit == "%" and top <= 100:
        return Decimal(100)
    return _nice_ceiling(top)


def _num(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _target_title(target: Decimal, unit: str) -> str:
    return _("Chỉ tiêu: %(v)s") % {"v": format_value(target, unit)}


def _open_svg(chart_id: str, title: str, description: str, height: int) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" viewBox="0 0 {WIDTH} {height}"'
        f' width="100%" preserveAspectRatio="xMidYMid meet"'
        f' aria-labelledby="{escape(chart_id)}-title {escape(chart_id)}-desc" {FONT}>',
        f'<title id="{escape(chart_id)}-title">{escape(title)}</title>',
        f'<desc id="{escape(chart_id)}-desc">{escape(description)}</desc>',
    ]


def trend_chart(
    points: Sequence[tuple[str, Decimal | None]],
    *,
    chart_id: str,
    title: str,
    description: str = "",
    unit: str = "%",
    maximum: Decimal | None = None,
    target: Decimal | None = None,
) -> SafeString:
    """A line-and-area chart of one indicator over time, one point per period label
    (`2026-01` … or any label). The line breaks over a period without data; an isolated value is
    a dot. `target`, when given, is drawn as a dashed line."""
    left, right, top, bottom = 40, 20, 12, 36
    height = 200
    plot_w, plot_h = WIDTH - left - right, height - top - bottom
    values = [None if v is None else Decimal(v) for _label, v in points]
    axis_max = _axis_max(values, unit, maximum, target)
    count = len(points)
    if not description:
        known = sum(v is not None for v in values)
        description = _("%(n)s kỳ, %(k)s kỳ có dữ liệu.") % {"n": count, "k": known}

    def x(i: int) -> float:
        return left + (plot_w / 2 if count == 1 else plot_w * i / (count - 1))

    def y(v: Decimal) -> float:
        share = float(min(max(v, Decimal(0)), axis_max) / axis_max)
        return top + plot_h * (1 - share)

    parts = _open_svg(chart_id, title, description, height)
    # Horizontal grid: 0, ¼, ½, ¾, max, labelled on the left.
    for step in range(5):
        v = axis_max * step / 4
        gy = y(v)
        parts.append(f'<line x1="{left}" x2="{WIDTH - right}" y1="{_num(gy)}" y2="{_num(gy)}" stroke="{GRID}"/>')
        label = format_value(v, "%" if unit == "%" else "", decimals=0 if v == v.to_integral_value() else 1)
        parts.append(
            f'<text x="{left - 4}" y="{_num(gy + 4)}" text-anchor="end" font-size="10" fill="{MUTED}">'
            f"{escape(label)}</text>"
        )
    if target is not None:
        ty = _num(y(Decimal(target)))
        parts.append(
            f'<line x1="{left}" x2="{WIDTH - right}" y1="{ty}" y2="{ty}" stroke="{TARGET}" stroke-width="1.5"'
            f' stroke-dasharray="6 4"><title>{escape(_target_title(target, unit))}</title></line>'
        )
    # Segments of consecutive known values: area, then line, so the line stays on top.
    segments: list[list[int]] = []
    current: list[int] = []
    for i, v in enumerate(values):
        if v is None:
            if current:
                segments.append(current)
            current = []
        else:
            current.append(i)
    if current:
        segments.append(current)
    base = _num(y(Decimal(0)))
    for segment in segments:
        coords = " ".join(f"{_num(x(i))},{_num(y(values[i]))}" for i in segment)  # type: ignore[arg-type]
        if len(segment) > 1:
            first, last = _num(x(segment[0])), _num(x(segment[-1]))
            parts.append(f'<polygon points="{first},{base} {coords} {last},{base}" fill="{AREA}" fill-opacity="0.12"/>')
            parts.append(
                f'<polyline points="{coords}" fill="none" stroke="{BLUE}" stroke-width="2.5"'
                ' stroke-linejoin="round" stroke-linecap="round"/>'
            )
    for i, ((label, _value), v) in enumerate(zip(points, values, strict=True)):
        if v is not None:
            parts.append(
                f'<circle cx="{_num(x(i))}" cy="{_num(y(v))}" r="3.5" fill="{BLUE}">'
                f"<title>{escape(label)}: {escape(format_value(v, unit))}</title></circle>"
            )
    # Month labels: all of them up to 12, else every other one (still one per 26 px at 24).
    every = 1 if count <= 12 else (count + 11) // 12
    for i, (label, _value) in enumerate(points):
        if i % every and i != count - 1:
            continue
        parts.append(
            f'<text x="{_num(x(i))}" y="{height - bottom + 16}" text-anchor="middle" font-size="10"'
            f' fill="{INK}">{escape(short_label(label))}</text>'
        )
    if not any(v is not None for v in values):
        parts.append(
            f'<text x="{left + plot_w / 2:.0f}" y="{top + plot_h / 2:.0f}" text-anchor="middle" font-size="13"'
            f' fill="{MUTED}">{escape(_("chưa có dữ liệu"))}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above went through escape()


def bar_chart(
    rows: Sequence[tuple[str, Decimal | None]],
    *,
    chart_id: str,
    title: str,
    description: str = "",
    unit: str = "%",
    maximum: Decimal | None = None,
    target: Decimal | None = None,
) -> SafeString:
    """Horizontal bars, one per row (an agency, a level), in the given order. The label sits
    above its bar so long agency names fit a phone; a row without data says so instead of a
    zero-length bar."""
    left, right, top = 4, 56, 8
    row_h, bar_h = 38, 14
    height = top + row_h * max(len(rows), 1) + 6
    plot_w = WIDTH - left - right
    values = [None if v is None else Decimal(v) for _label, v in rows]
    axis_max = _axis_max(values, unit, maximum, target)
    if not description:
        description = _("%(n)s dòng.") % {"n": len(rows)}
    parts = _open_svg(chart_id, title, description, height)
    for i, ((label, _value), v) in enumerate(zip(rows, values, strict=True)):
        y0 = top + row_h * i
        shown = label if len(label) <= 52 else label[:51] + "…"
        parts.append(f'<text x="{left}" y="{y0 + 12}" font-size="12" fill="{INK}">{escape(shown)}</text>')
        bar_y = y0 + 17
        parts.append(f'<rect x="{left}" y="{bar_y}" width="{plot_w}" height="{bar_h}" fill="#f6f8fa"/>')
        if v is None:
            parts.append(
                f'<text x="{left + 4}" y="{bar_y + 11}" font-size="11" fill="{MUTED}">'
                f"{escape(_('chưa có dữ liệu'))}</text>"
            )
            continue
        share = float(min(max(v, Decimal(0)), axis_max) / axis_max)
        parts.append(
            f'<rect x="{left}" y="{bar_y}" width="{_num(plot_w * share)}" height="{bar_h}" fill="{BLUE}">'
            f"<title>{escape(label)}: {escape(format_value(v, unit))}</title></rect>"
        )
        parts.append(
            f'<text x="{WIDTH - right + 4}" y="{bar_y + 11}" font-size="11" fill="{INK}">'
            f"{escape(format_value(v, unit))}</text>"
        )
    if target is not None:
        tx = _num(left + plot_w * float(min(Decimal(target), axis_max) / axis_max))
        parts.append(
            f'<line x1="{tx}" x2="{tx}" y1="{top}" y2="{height - 4}" stroke="{TARGET}" stroke-width="1.5"'
            f' stroke-dasharray="4 3"><title>{escape(_target_title(target, unit))}</title></line>'
        )
    if not rows:
        parts.append(
            f'<text x="{WIDTH / 2:.0f}" y="{top + 20}" text-anchor="middle" font-size="13" fill="{MUTED}">'
            f"{escape(_('chưa có dữ liệu'))}</text>"
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above went through escape()
