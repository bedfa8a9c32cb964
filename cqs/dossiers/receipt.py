"""The dossier receipt: form 01 of Circular 01/2018/TT-VPCP (as renumbered by Circular 03/2025),
"GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ", rendered as an A4 PDF.

Pure rendering: this module imports nothing from Django and reads nothing from the database. The
caller gathers everything into a `ReceiptData` and gets the PDF's bytes from `render_receipt`.

Text is drawn with Be Vietnam Pro (from the `fontpkg-be-vietnam-pro` package), embedded as a
subset. Every string is normalised to NFC before it is drawn: Vietnamese then needs only the
font's precomposed letters, so no text shaping (HarfBuzz) is needed, the marks are placed by the
type designer rather than stacked by us, and text extracted from the PDF is the same NFC text.

Datetimes must be timezone-aware; they are shown in Asia/Ho_Chi_Minh. The output is
deterministic: the same data gives the same bytes (the PDF's creation date is the receipt's date).
"""

from __future__ import annotations

import functools
import io
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from importlib import resources
from pathlib import Path
from typing import Protocol
from zoneinfo import ZoneInfo

import fontpkg_be_vietnam_pro
import segno
from fpdf import FPDF
from fpdf.fonts import FontFace

__all__ = [
    "Letterhead",
    "ReceiptData",
    "ReceiptDocument",
    "ReceiptFee",
    "check_aware",
    "clean_text",
    "draw_header",
    "draw_line",
    "draw_title",
    "font_files",
    "format_amount",
    "format_place_date",
    "format_time",
    "local_time",
    "new_pdf",
    "render_receipt",
    "signature_column",
    "table_style",
    "text_height",
]

TIMEZONE = ZoneInfo("Asia/Ho_Chi_Minh")

TITLE = "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ"
NATIONAL_TITLE = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
NATIONAL_MOTTO = "Độc lập - Tự do - Hạnh phúc"
AWAITING_RECEPTION = (
    "Hồ sơ nộp trực tuyến đang chờ tiếp nhận; thời gian hẹn trả kết quả sẽ được tính khi hồ sơ được tiếp nhận đầy đủ."
)
ONLINE_RECEIVER = "Hệ thống dịch vụ công trực tuyến"
QR_CAPTION = "Quét mã để tra cứu tình trạng hồ sơ"

FONT_PACKAGE = "fontpkg_be_vietnam_pro"
FONT_FILES = {"": "BeVietnamPro-Regular.ttf", "B": "BeVietnamPro-Bold.ttf"}
FAMILY = "BeVietnamPro"

# Layout, in millimetres and points.
MARGIN_LEFT = 20
MARGIN_RIGHT = 15
MARGIN_TOP = 15
MARGIN_BOTTOM = 16  # room for the footer
HEADER_LEFT_WIDTH = 78
HEADER_GAP = 4
BODY_SIZE = 11
BODY_LINE = 5.5
TABLE_SIZE = 10
TABLE_LINE = 5
SMALL_SIZE = 9
QR_SIZE = 27
SIGNATURE_SPACE = 16  # blank room for the handwritten signature


@dataclass(frozen=True)
class ReceiptFee:
    """One fee or charge line: its name and its amount in whole đồng."""

    name: str
    amount: int


@dataclass(frozen=True)
class ReceiptDocument:
    """One document received: its name, how many, and its form ("Bản chính", "Bản sao"...)."""

    name: str
    quantity: int
    form: str


@dataclass(frozen=True)
class ReceiptData:
    """Everything printed on the receipt. Datetimes must be timezone-aware.

    `received_at` and `appointment_at` are None for an online dossier that awaits reception: the
    receipt then says so instead of printing the two times.
    """

    province_name: str
    agency_parent_name: str
    agency_name: str
    dossier_code: str
    procedure_name: str
    applicant_name: str
    applicant_identity: str
    applicant_address: str
    applicant_phone: str
    applicant_email: str
    channel_label: str
    documents: tuple[ReceiptDocument, ...]
    fees: tuple[ReceiptFee, ...]
    received_at: datetime | None
    appointment_at: datetime | None
    submitted_at: datetime
    tracking_url: str
    receiving_officer: str
    result_channel_label: str


class Letterhead(Protocol):
    """What the header block needs: any form's data with these three fields will do."""

    province_name: str
    agency_parent_name: str
    agency_name: str


# --- formatting ------------------------------------------------------------------------------


def _text(value: object) -> str:
    """The text to draw: in NFC, on one line (runs of blanks, tabs and line breaks become one
    space), without control characters."""
    text = unicodedata.normalize("NFC", " ".join(str(value).split()))
    return "".join(char for char in text if unicodedata.category(char) != "Cc")


def _local(value: datetime) -> datetime:
    return value.astimezone(TIMEZONE)


def format_amount(amount: int) -> str:
    """50000 -> "50.000 đồng" (Vietnamese groups thousands with dots)."""
    return f"{amount:,} đồng".replace(",", ".")


def format_time(value: datetime) -> str:
    """An aware datetime as "08 giờ 05 phút, ngày 27/11/2026" in Vietnam's time."""
    local = _local(value)
    return f"{local:%H} giờ {local:%M} phút, ngày {local:%d/%m/%Y}"


def format_place_date(province_name: str, value: datetime) -> str:
    """The place and date line, "Tây Ninh, ngày 27 tháng 11 năm 2026", in Vietnam's time."""
    local = _local(value)
    place = _text(province_name)
    date = f"ngày {local:%d} tháng {local:%m} năm {local:%Y}"
    return f"{place}, {date}" if place else date


def check_aware(data: object, *fields: str) -> None:
    """Raise ValueError if one of the named datetime fields of `data` is naive (None is allowed)."""
    for field in fields:
        value = getattr(data, field)
        if value is not None and (value.tzinfo is None or value.utcoffset() is None):
            raise ValueError(f"{type(data).__name__}.{field} must be a timezone-aware datetime, got {value!r}")


def _check_aware(data: ReceiptData) -> None:
    check_aware(data, "received_at", "appointment_at", "submitted_at")


# --- fonts and QR code -----------------------------------------------------------------------


@functools.cache
def font_files() -> dict[str, Path]:
    """The Be Vietnam Pro TrueType files by fpdf2 style ("" regular, "B" bold), found inside the
    installed `fontpkg-be-vietnam-pro` package (its `ROOT`, else the package's resources)."""
    root = getattr(fontpkg_be_vietnam_pro, "ROOT", None)
    roots = [Path(root)] if root else []
    roots.append(Path(str(resources.files(FONT_PACKAGE))))
    found: dict[str, Path] = {}
    for style, name in FONT_FILES.items():
        path = next((root / "files" / name for root in roots if (root / "files" / name).is_file()), None)
        path = path or next((match for root in roots for match in sorted(root.rglob(name))), None)
        if path is None:
            raise FileNotFoundError(f"{name} not found in the {FONT_PACKAGE} package")
        found[style] = path
    return found


def qr_png(url: str) -> bytes:
    """The QR code of `url` as PNG bytes, with the standard four-module quiet zone."""
    buffer = io.BytesIO()
    segno.make(url, error="m", micro=False).save(buffer, kind="png", scale=8, border=4)
    return buffer.getvalue()


# --- drawing ---------------------------------------------------------------------------------


class _ReceiptPDF(FPDF):
    footer_text = ""

    def footer(self) -> None:
        self.set_y(-11)
        self.set_font(FAMILY, "", 8)
        self.set_text_color(90)
        self.cell(self.epw / 2, 5, self.footer_text, align="L")
        self.cell(self.epw / 2, 5, f"Trang {self.page_no()}/{{nb}}", align="R")
        self.set_text_color(0)


def _new_pdf(data: ReceiptData, issued_at: datetime) -> _ReceiptPDF:
    code = _text(data.dossier_code)
    return new_pdf(
        title=f"Giấy tiếp nhận hồ sơ {code}",
        subject=TITLE,
        author=_text(data.agency_name),
        footer_text=f"Mã hồ sơ: {code}",
        issued_at=issued_at,
    )


def new_pdf(*, title: str, subject: str, author: str, footer_text: str, issued_at: datetime) -> _ReceiptPDF:
    """An A4 portrait PDF with the receipt's fonts, margins and footer (`footer_text` on the left, "Trang
    n/N" on the right) and its first page added. `issued_at` is the creation date, for reproducible output."""
    pdf = _ReceiptPDF(orientation="portrait", unit="mm", format="A4")
    for style, path in font_files().items():
        pdf.add_font(FAMILY, style, str(path))
    for font in pdf.fonts.values():
        # Subsetting keeps every glyph's outline, so its bounding box need not be recomputed when the
        # subset is saved; skipping that halves the time `output()` takes. (`ttfont` is fpdf2's
        # fontTools font; should a later fpdf2 drop it, this is only slower.)
        ttfont = getattr(font, "ttfont", None)
        if ttfont is not None:
            ttfont.recalcBBoxes = False
    pdf.set_margins(MARGIN_LEFT, MARGIN_TOP, MARGIN_RIGHT)
    pdf.set_auto_page_break(True, margin=MARGIN_BOTTOM)
    pdf.footer_text = footer_text
    pdf.set_title(title)
    pdf.set_subject(subject)
    pdf.set_author(author)
    pdf.set_creator("Chính Quyền Số")
    pdf.set_lang("vi")
    pdf.set_creation_date(issued_at)  # the receipt's own date, so that the output is reproducible
    pdf.add_page()
    return pdf


def _height(pdf: FPDF, width: float, line: float, text: str) -> float:
    """The height `multi_cell(width, line, text)` would take with the current font."""
    return pdf.multi_cell(width, line, text, dry_run=True, output="HEIGHT")


def draw_header(pdf: FPDF, data: Letterhead, issued_at: datetime) -> None:
    """The header block: the agencies on the left, the national title and motto on the right, and
    under the motto the place and date of `issued_at` (in Vietnam's time)."""
    top = pdf.get_y()
    left_x = pdf.l_margin
    right_x = left_x + HEADER_LEFT_WIDTH + HEADER_GAP
    right_width = pdf.epw - HEADER_LEFT_WIDTH - HEADER_GAP

    # Left: the governing body, then the receiving unit in bold, underlined by a short rule.
    parent = _text(data.agency_parent_name) or f"ỦY BAN NHÂN DÂN TỈNH {_text(data.province_name)}"
    pdf.set_font(FAMILY, "", 10.5)
    pdf.multi_cell(HEADER_LEFT_WIDTH, 5, parent.upper(), align="C", new_x="LEFT", new_y="NEXT")
    pdf.set_font(FAMILY, "B", 10.5)
    pdf.multi_cell(HEADER_LEFT_WIDTH, 5, _text(data.agency_name).upper(), align="C", new_x="LEFT", new_y="NEXT")
    left_rule = pdf.get_y() + 1
    rule = HEADER_LEFT_WIDTH / 3
    pdf.set_line_width(0.3)
    pdf.line(left_x + (HEADER_LEFT_WIDTH - rule) / 2, left_rule, left_x + (HEADER_LEFT_WIDTH + rule) / 2, left_rule)

    # Right: the national title and motto, the motto underlined by a rule as long as itself.
    pdf.set_xy(right_x, top)
    pdf.set_font(FAMILY, "B", 10.5)
    pdf.multi_cell(right_width, 5, NATIONAL_TITLE, align="C", new_x="LEFT", new_y="NEXT")
    pdf.set_font(FAMILY, "B", 11)
    pdf.multi_cell(right_width, 5.5, NATIONAL_MOTTO, align="C", new_x="LEFT", new_y="NEXT")
    right_rule = pdf.get_y() + 0.5
    motto = pdf.get_string_width(NATIONAL_MOTTO)
    pdf.line(right_x + (right_width - motto) / 2, right_rule, right_x + (right_width + motto) / 2, right_rule)

    # The place and date, under the motto.
    pdf.set_xy(right_x, max(left_rule, right_rule) + 2.5)
    pdf.set_font(FAMILY, "", 10.5)
    pdf.multi_cell(
        right_width, 5, format_place_date(data.province_name, issued_at), align="C", new_x="LMARGIN", new_y="NEXT"
    )


def draw_title(pdf: FPDF, title: str, dossier_code: str, *, space_after: float = 4) -> None:
    """The form's title in bold capitals, then "Mã hồ sơ: <code>" centred, the code in bold."""
    pdf.ln(6)
    pdf.set_font(FAMILY, "B", 14)
    pdf.multi_cell(0, 7, title, align="C", new_x="LMARGIN", new_y="NEXT")
    label, code = "Mã hồ sơ: ", _text(dossier_code)
    pdf.set_font(FAMILY, "", BODY_SIZE)
    label_width = pdf.get_string_width(label)
    pdf.set_font(FAMILY, "B", BODY_SIZE)
    code_width = pdf.get_string_width(code)
    if label_width + code_width <= pdf.epw:
        pdf.set_x(pdf.l_margin + (pdf.epw - label_width - code_width) / 2)
        pdf.set_font(FAMILY, "", BODY_SIZE)
        pdf.cell(label_width, BODY_LINE, label)
        pdf.set_font(FAMILY, "B", BODY_SIZE)
        pdf.cell(code_width, BODY_LINE, code, new_x="LMARGIN", new_y="NEXT")
    else:  # an unusually long code: let it wrap
        pdf.multi_cell(0, BODY_LINE, label + code, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(space_after)


def _line(pdf: FPDF, label: str, value: str = "", *, bold_value: bool = True) -> None:
    """One paragraph of the body: a label, then its value (in bold), wrapping at the margins."""
    pdf.set_x(pdf.l_margin)
    pdf.set_font(FAMILY, "", BODY_SIZE)
    pdf.write(BODY_LINE, label)
    if value:
        pdf.set_font(FAMILY, "B" if bold_value else "", BODY_SIZE)
        pdf.write(BODY_LINE, value)
    pdf.ln(BODY_LINE + 0.4)


def _draw_applicant(pdf: FPDF, data: ReceiptData) -> None:
    _line(pdf, f"{_text(data.agency_name)} tiếp nhận hồ sơ của: Ông/Bà ", _text(data.applicant_name))
    optional = (
        ("Số định danh cá nhân/Mã số thuế: ", data.applicant_identity),
        ("Địa chỉ: ", data.applicant_address),
        ("Số điện thoại: ", data.applicant_phone),
        ("Email: ", data.applicant_email),
    )
    for label, value in optional:
        if _text(value):
            _line(pdf, label, _text(value), bold_value=False)
    _line(pdf, "Nội dung yêu cầu giải quyết: ", _text(data.procedure_name))
    _line(pdf, "Hình thức nộp: ", _text(data.channel_label), bold_value=False)


def _table_style() -> dict[str, object]:
    return {
        "line_height": TABLE_LINE,
        "padding": (1, 1.5),
        "headings_style": FontFace(emphasis="BOLD", fill_color=(236, 236, 236)),
        "v_align": "MIDDLE",
    }


def _draw_documents(pdf: FPDF, number: int, documents: tuple[ReceiptDocument, ...]) -> None:
    _line(pdf, f"{number}. Thành phần hồ sơ nộp gồm:")
    if not documents:
        _line(pdf, "(Không có giấy tờ kèm theo.)")
        return
    pdf.ln(0.5)
    pdf.set_font(FAMILY, "", TABLE_SIZE)
    with pdf.table(
        col_widths=(12, 96, 45, 22), text_align=("CENTER", "LEFT", "LEFT", "CENTER"), **_table_style()
    ) as table:
        table.row(("STT", "Tên giấy tờ", "Hình thức (bản chính, bản sao)", "Số lượng"))
        for index, document in enumerate(documents, start=1):
            table.row((str(index), _text(document.name), _text(document.form), str(document.quantity)))
    pdf.ln(2.5)


def _draw_fees(pdf: FPDF, number: int, fees: tuple[ReceiptFee, ...]) -> None:
    if not fees:
        _line(pdf, f"{number}. Phí, lệ phí: ", "Không thu phí, lệ phí", bold_value=False)
        return
    _line(pdf, f"{number}. Phí, lệ phí:")
    pdf.ln(0.5)
    pdf.set_font(FAMILY, "", TABLE_SIZE)
    with pdf.table(col_widths=(12, 118, 45), text_align=("CENTER", "LEFT", "RIGHT"), **_table_style()) as table:
        table.row(("STT", "Tên phí, lệ phí", "Số tiền"))
        for index, fee in enumerate(fees, start=1):
            table.row((str(index), _text(fee.name), format_amount(fee.amount)))
        total = table.row(style=FontFace(emphasis="BOLD"))
        total.cell("Tổng cộng", colspan=2, align="RIGHT")
        total.cell(format_amount(sum(fee.amount for fee in fees)))
    pdf.ln(2.5)


def _draw_times(pdf: FPDF, number: int, data: ReceiptData) -> int:
    """The reception and appointment times (or why there are none yet); returns the next number."""
    if data.received_at is None:
        _line(pdf, f"{number}. {AWAITING_RECEPTION}")
        return number + 1
    _line(pdf, f"{number}. Thời gian nhận hồ sơ: ", format_time(data.received_at), bold_value=False)
    appointment = format_time(data.appointment_at) if data.appointment_at is not None else "chưa xác định"
    _line(pdf, f"{number + 1}. Thời gian trả kết quả giải quyết hồ sơ: ", appointment)
    return number + 2


def _signature_column(pdf: FPDF, x: float, width: float, top: float, title: str, hint: str, name: str) -> float:
    pdf.set_xy(x, top)
    pdf.set_font(FAMILY, "B", BODY_SIZE)
    pdf.multi_cell(width, BODY_LINE, title, align="C", new_x="LEFT", new_y="NEXT")
    pdf.set_font(FAMILY, "", SMALL_SIZE)
    pdf.multi_cell(width, 4.5, hint, align="C", new_x="LEFT", new_y="NEXT")  # a blank hint keeps names level
    pdf.set_xy(x, pdf.get_y() + SIGNATURE_SPACE)
    pdf.set_font(FAMILY, "B", BODY_SIZE)
    pdf.multi_cell(width, BODY_LINE, name, align="C", new_x="LEFT", new_y="NEXT")
    return pdf.get_y()


def _draw_signatures_and_qr(pdf: FPDF, data: ReceiptData) -> None:
    column = pdf.epw / 2
    applicant = _text(data.applicant_name)
    officer = _text(data.receiving_officer)
    receiver = officer or ONLINE_RECEIVER
    hint = "(Ký và ghi rõ họ tên)"
    url = _text(data.tracking_url)

    # Keep the signatures and the QR block together: start a page if they do not fit.
    pdf.set_font(FAMILY, "B", BODY_SIZE)
    names = max(_height(pdf, column, BODY_LINE, applicant), _height(pdf, column, BODY_LINE, receiver))
    needed = 4 + BODY_LINE + 4.5 + SIGNATURE_SPACE + names + (5 + QR_SIZE if url else 0)
    if pdf.get_y() + needed > pdf.page_break_trigger:
        pdf.add_page()
    else:
        pdf.ln(4)

    top = pdf.get_y()
    left_end = _signature_column(pdf, pdf.l_margin, column, top, "NGƯỜI NỘP HỒ SƠ", hint, applicant)
    right_end = _signature_column(
        pdf, pdf.l_margin + column, column, top, "NGƯỜI TIẾP NHẬN HỒ SƠ", hint if officer else "", receiver
    )

    # The QR code of the tracking page, with a caption and the address written out.
    qr_top = max(left_end, right_end) + 5
    if not url:
        pdf.set_y(qr_top)
        return
    pdf.image(io.BytesIO(qr_png(url)), x=pdf.l_margin, y=qr_top, w=QR_SIZE, h=QR_SIZE, link=url)
    text_x = pdf.l_margin + QR_SIZE + 3
    text_width = pdf.epw - QR_SIZE - 3
    pdf.set_xy(text_x, qr_top + 4)
    pdf.set_font(FAMILY, "B", BODY_SIZE)
    pdf.multi_cell(text_width, BODY_LINE, QR_CAPTION, new_x="LEFT", new_y="NEXT")
    pdf.set_font(FAMILY, "", SMALL_SIZE)
    pdf.multi_cell(text_width, 4.5, url, link=url, wrapmode="CHAR", new_x="LEFT", new_y="NEXT")
    pdf.multi_cell(
        text_width, 4.5, f"hoặc tra cứu bằng mã hồ sơ {_text(data.dossier_code)}", new_x="LMARGIN", new_y="NEXT"
    )
    pdf.set_y(max(pdf.get_y(), qr_top + QR_SIZE))


def render_receipt(data: ReceiptData) -> bytes:
    """The receipt of a dossier as an A4 PDF. Raises ValueError on a naive datetime."""
    _check_aware(data)
    issued_at = data.received_at or data.submitted_at
    pdf = _new_pdf(data, issued_at)
    draw_header(pdf, data, issued_at)
    draw_title(pdf, TITLE, data.dossier_code)
    _draw_applicant(pdf, data)
    _draw_documents(pdf, 1, data.documents)
    _draw_fees(pdf, 2, data.fees)
    number = _draw_times(pdf, 3, data)
    _line(pdf, f"{number}. Hình thức nhận kết quả: ", _text(data.result_channel_label), bold_value=False)
    _draw_signatures_and_qr(pdf, data)
    return bytes(pdf.output())


# --- building blocks shared with the other forms (cqs.dossiers.forms_pdf) ---------------------


def clean_text(value: object) -> str:
    """The text to draw: in NFC, on one line, without control characters (see `_text`)."""
    return _text(value)


def local_time(value: datetime) -> datetime:
    """An aware datetime in Vietnam's time."""
    return _local(value)


def text_height(pdf: FPDF, width: float, line: float, text: str) -> float:
    """The height `multi_cell(width, line, text)` would take with the current font."""
    return _height(pdf, width, line, text)


def draw_line(pdf: FPDF, label: str, value: str = "", *, bold_value: bool = True) -> None:
    """One paragraph of the body: a label, then its value (in bold unless told), wrapping at the margins."""
    _line(pdf, label, value, bold_value=bold_value)


def signature_column(pdf: FPDF, x: float, width: float, top: float, title: str, hint: str, name: str) -> float:
    """A signature block (title, hint, blank room, name) centred in a column; returns its bottom."""
    return _signature_column(pdf, x, width, top, title, hint, name)


def table_style() -> dict[str, object]:
    """The keyword arguments of `FPDF.table` for the receipt's tables (padding, grey headings)."""
    return _table_style()
