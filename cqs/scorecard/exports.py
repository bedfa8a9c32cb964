"""CSV and XLSX downloads ("tải về") of every table on the scorecard pages.

A table is a title, column headings and rows of plain values; the views build it from the same
query result the page shows, so the download always matches the screen. CSV is UTF-8 with a BOM
(Excel otherwise shows Vietnamese diacritics as mojibake); XLSX is written with openpyxl. A
missing value stays an empty cell, never a zero. File names are ASCII so every browser and mail
client keeps them.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.http import HttpResponse
from django.utils.translation import gettext as _

FORMATS = ("csv", "xlsx")
CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# A cell that starts like a formula is run by spreadsheet programs: agency names and titles are
# typed by people, so they are neutralised (OWASP "CSV injection").
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass
class Table:
    """One table of a page: `title` (also the XLSX sheet name), `columns`, `rows`."""

    title: str
    columns: list[str]
    rows: list[list[Any]] = field(default_factory=list)


def ascii_filename(*parts: object, extension: str) -> str:
    """`("chi-tieu", "2026-Q3", "Sở Tư pháp")` → `chi-tieu_2026-Q3_so-tu-phap.csv`."""
    cleaned = []
    for part in parts:
        text = str(part).replace("đ", "d").replace("Đ", "D")
        text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
        text = re.sub(r"[^A-Za-z0-9.]+", "-", text).strip("-.").lower()
        if text:
            cleaned.append(text)
    return "_".join(cleaned or ["bang"]) + "." + extension


def _cell(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, bool):
        return _("có") if value else _("không")
    if isinstance(value, Decimal | int | float | dt.date):
        return value
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def _csv_text(value: Any) -> str:
    value = _cell(value)
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def to_csv(table: Table) -> bytes:
    """The table as CSV bytes, UTF-8 with a byte-order mark."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(table.columns)
    for row in table.rows:
        writer.writerow([_csv_text(v) for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _sheet_name(title: str, taken: set[str]) -> str:
    name = re.sub(r"[\[\]:*?/\\]", " ", title).strip()[:31] or "Sheet"
    base, n = name, 2
    while name.lower() in taken:
        suffix = f" ({n})"
        name = base[: 31 - len(suffix)] + suffix
        n += 1
    taken.add(name.lower())
    return name


def to_xlsx(tables: Sequence[Table]) -> bytes:
    """The tables as one workbook, one sheet each, headings bold and frozen."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    workbook.remove(workbook.active)
    taken: set[str] = set()
    for table in tables:
        sheet = workbook.create_sheet(_sheet_name(table.title, taken))
        sheet.append(table.columns)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        sheet.freeze_panes = "A2"
        for row in table.rows:
            sheet.append([_cell(v) for v in row])
        for index, heading in enumerate(table.columns, start=1):
            widest = max([len(str(heading))] + [len(str(r[index - 1] or "")) for r in table.rows[:200]])
            sheet.column_dimensions[sheet.cell(row=1, column=index).column_letter].width = min(max(widest + 2, 8), 60)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def response(tables: Table | Iterable[Table], *, fmt: str, name: Sequence[object]) -> HttpResponse:
    """The download: `fmt` is "csv" (the first table) or "xlsx" (every table, one sheet each)."""
    tables = [tables] if isinstance(tables, Table) else list(tables)
    if fmt == "csv":
        body, content_type = to_csv(tables[0]), CSV_TYPE
    elif fmt == "xlsx":
        body, content_type = to_xlsx(tables), XLSX_TYPE
    else:  # the views only pass FORMATS
        raise ValueError(fmt)
    reply = HttpResponse(body, content_type=content_type)
    reply["Content-Disposition"] = f'attachment; filename="{ascii_filename(*name, extension=fmt)}"'
    return reply
