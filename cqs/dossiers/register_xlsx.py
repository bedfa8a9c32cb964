"""The tracking register: form 05 of Circular 01/2018/TT-VPCP (as renumbered by Circular 03/2025),
"SỔ THEO DÕI HỒ SƠ", as an Excel workbook (XLSX).

Pure rendering: no Django, no database. The caller passes the rows, as any iterable (a generator or a
database cursor's iterator will do): they are written one by one with openpyxl's write-only mode, so a
register of 100,000 rows is built in bounded memory, only the finished (compressed) file is held.

Texts are normalised to NFC, on one line, without control characters (as on the PDF forms); a text
that looks like a formula ("=…") is stored as text, never as a formula. Times are real Excel
datetimes: aware datetimes (ValueError for a naive one) converted to Asia/Ho_Chi_Minh and stored
without a zone, shown as "dd/mm/yyyy hh:mm".
"""

from __future__ import annotations

import contextlib
import io
import os
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from cqs.dossiers.receipt import clean_text, local_time

__all__ = ["RegisterRow", "render_register"]

TITLE = "SỔ THEO DÕI HỒ SƠ"
SHEET_TITLE = "Sổ theo dõi hồ sơ"
DATETIME_FORMAT = "dd/mm/yyyy hh:mm"
DATES_HEADING = "Ngày, tháng, năm"
# The columns of the official form, in order: (heading, width in characters). The five dates sit
# under a shared "Ngày, tháng, năm" heading.
COLUMNS = (
    ("STT", 6),
    ("Mã hồ sơ", 26),
    ("Tên TTHC", 38),
    ("Số lượng hồ sơ (bộ)", 10),
    ("Tên cá nhân, tổ chức", 26),
    ("Địa chỉ, số điện thoại", 34),
    ("Cơ quan chủ trì giải quyết", 26),
    ("Nhận hồ sơ", 17),
    ("Hẹn trả kết quả", 17),
    ("Chuyển hồ sơ đến cơ quan giải quyết", 17),
    ("Nhận kết quả từ cơ quan giải quyết", 17),
    ("Trả kết quả cho cá nhân, tổ chức", 17),
    ("Ghi chú", 30),
)
FIRST_DATE_COLUMN = 8  # "Nhận hồ sơ", column H
LAST_DATE_COLUMN = 12  # "Trả kết quả cho cá nhân, tổ chức", column L
HEADING_ROW = 5  # the headings take rows 5 and 6; the rows of the register start at row 7
FIRST_DATA_ROW = HEADING_ROW + 2
FROZEN_AT = f"C{FIRST_DATA_ROW}"  # headings, number and code stay in view
MAX_CELL_TEXT = 32_767  # Excel's limit on the length of a cell's text


@dataclass(frozen=True)
class RegisterRow:
    """One dossier in the register. Datetimes must be timezone-aware; None leaves the cell blank.

    `transferred_to` is the agency that settles the dossier ("Cơ quan chủ trì giải quyết");
    `transferred_at`, when the dossier was sent to it, is optional.
    """

    number: int
    dossier_code: str
    procedure_name: str
    applicant_name: str
    applicant_address: str
    phone: str
    received_at: datetime | None
    due_at: datetime | None
    transferred_to: str
    finished_at: datetime | None
    returned_at: datetime | None
    status_note: str
    transferred_at: datetime | None = None


# --- styles ----------------------------------------------------------------------------------

_THIN = Side(style="thin", color="808080")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)


def _styles() -> dict[str, NamedStyle]:
    """The named styles of the workbook, by role. Cells take them by name, which costs a lookup, not a
    new style record, per cell."""
    top_left = Alignment(horizontal="left", vertical="top", wrap_text=True)
    centred = Alignment(horizontal="center", vertical="top", wrap_text=True)
    return {
        "title": NamedStyle(
            "cqs_register_title", font=Font(bold=True, size=14), alignment=Alignment(horizontal="center")
        ),
        "agency": NamedStyle("cqs_register_agency", font=Font(bold=True), alignment=Alignment(horizontal="center")),
        "period": NamedStyle("cqs_register_period", alignment=Alignment(horizontal="center")),
        "heading": NamedStyle(
            "cqs_register_heading",
            font=Font(bold=True),
            fill=PatternFill("solid", fgColor="ECECEC"),
            border=_BOX,
            alignment=Alignment(horizontal="center", vertical="center", wrap_text=True),
        ),
        "text": NamedStyle("cqs_register_text", border=_BOX, alignment=top_left),
        "number": NamedStyle("cqs_register_number", border=_BOX, alignment=centred),
        "datetime": NamedStyle("cqs_register_datetime", border=_BOX, alignment=centred, number_format=DATETIME_FORMAT),
    }


# --- values ----------------------------------------------------------------------------------


def _excel_time(row: RegisterRow, field: str) -> datetime | None:
    """The field's time in Vietnam, without a zone (Excel has none)."""
    value = getattr(row, field)
    if value is None:
        return None
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"RegisterRow.{field} must be a timezone-aware datetime, got {value!r} (row {row.number})")
    return local_time(value).replace(tzinfo=None)


def _text(*parts: object, separator: str = "\n") -> str:
    """The cleaned, non-blank parts joined, cut to the length a cell can hold."""
    return separator.join(text for text in (clean_text(part).strip() for part in parts) if text)[:MAX_CELL_TEXT]


class _Writer:
    """Makes the cells of one write-only sheet."""

    def __init__(self, sheet: object, styles: dict[str, NamedStyle]) -> None:
        self.sheet = sheet
        self.names = {role: style.name for role, style in styles.items()}

    def cell(self, value: object, role: str) -> WriteOnlyCell:
        cell = WriteOnlyCell(self.sheet, value=value)
        if isinstance(value, str):
            cell.data_type = "s"  # a text such as "=HYPERLINK(…)" stays text, never a formula
        cell.style = self.names[role]
        return cell

    def row(self, row: RegisterRow) -> list[WriteOnlyCell]:
        times = [
            _excel_time(row, field)
            for field in ("received_at", "due_at", "transferred_at", "finished_at", "returned_at")
        ]
        return [
            self.cell(row.number, "number"),
            self.cell(_text(row.dossier_code), "text"),
            self.cell(_text(row.procedure_name), "text"),
            self.cell(1, "number"),  # one row, one dossier
            self.cell(_text(row.applicant_name), "text"),
            self.cell(_text(row.applicant_address, row.phone), "text"),
            self.cell(_text(row.transferred_to), "text"),
            *(self.cell(value, "datetime") for value in times),
            self.cell(_text(row.status_note), "text"),
        ]


def _discard(sheet: object) -> None:
    """Close the sheet and remove the temporary file openpyxl streams its rows into, when rendering
    failed half-way (it would otherwise stay until the process exits)."""
    with contextlib.suppress(Exception):
        sheet.close()  # type: ignore[attr-defined]
    path = getattr(getattr(sheet, "_writer", None), "out", None)
    if isinstance(path, str):
        with contextlib.suppress(OSError):
            os.remove(path)


def render_register(*, agency_name: str, period_label: str, rows: Iterable[RegisterRow]) -> bytes:
    """The tracking register (form 05) as XLSX bytes: a title, the agency and the period, the headings
    of the official form (frozen, and repeated on every printed page), then one line per row, in the
    order given. Raises ValueError on a naive datetime."""
    workbook = Workbook(write_only=True)
    styles = _styles()
    for style in styles.values():
        workbook.add_named_style(style)
    sheet = workbook.create_sheet(SHEET_TITLE)
    write = _Writer(sheet, styles)
    last_column = get_column_letter(len(COLUMNS))

    # Everything about the sheet is set before its first row: the rows are written out as they come.
    for index, (_, width) in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = FROZEN_AT
    sheet.row_dimensions[1].height = 24
    sheet.row_dimensions[HEADING_ROW].height = 22
    sheet.row_dimensions[HEADING_ROW + 1].height = 48
    sheet.print_title_rows = f"{HEADING_ROW}:{HEADING_ROW + 1}"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    for row_number in (1, 2, 3):
        sheet.merged_cells.add(f"A{row_number}:{last_column}{row_number}")
    for column, _ in enumerate(COLUMNS, start=1):
        letter = get_column_letter(column)
        if not FIRST_DATE_COLUMN <= column <= LAST_DATE_COLUMN:
            sheet.merged_cells.add(f"{letter}{HEADING_ROW}:{letter}{HEADING_ROW + 1}")
    first_date, last_date = get_column_letter(FIRST_DATE_COLUMN), get_column_letter(LAST_DATE_COLUMN)
    sheet.merged_cells.add(f"{first_date}{HEADING_ROW}:{last_date}{HEADING_ROW}")

    try:
        sheet.append([write.cell(TITLE, "title")])
        sheet.append([write.cell(_text(agency_name), "agency")])
        sheet.append([write.cell(_text(period_label), "period")])
        sheet.append([])
        # Two rows of headings: the dates under their shared heading, every other heading spanning both
        # rows (its second cell is blank but boxed, so that the merged cell has all its borders).
        top, bottom = [], []
        for column, (heading, _) in enumerate(COLUMNS, start=1):
            is_date = FIRST_DATE_COLUMN <= column <= LAST_DATE_COLUMN
            top.append(
                write.cell(DATES_HEADING if column == FIRST_DATE_COLUMN else None if is_date else heading, "heading")
            )
            bottom.append(write.cell(heading if is_date else None, "heading"))
        sheet.append(top)
        sheet.append(bottom)
        for row in rows:
            sheet.append(write.row(row))
    except BaseException:
        _discard(sheet)
        raise

    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
