"""The other printed forms of Circular 01/2018/TT-VPCP (as renumbered by Circular 03/2025), as A4 PDFs:

- form 02, "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ" (`render_supplement_request`);
- form 03, "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ" (`render_refusal`);
- form 04, "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ" (`render_apology`);
- form 06, "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ" (`render_control_slip`).

Form 01 (the receipt) is `cqs.dossiers.receipt`, form 05 (the tracking register, a spreadsheet) is
`cqs.dossiers.register_xlsx`.

Pure rendering, like the receipt, whose building blocks these forms share: the Be Vietnam Pro font,
the header block (agencies on the left, national title and motto on the right, place and date under
it), the title with the dossier code, the footer with the code and page numbers. Every string is
normalised to NFC. Datetimes must be timezone-aware (ValueError otherwise) and are shown in
Asia/Ho_Chi_Minh. The same data gives the same bytes: the PDF's creation date is the form's own date.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from fpdf import FPDF

from cqs.dossiers.receipt import (
    BODY_LINE,
    BODY_SIZE,
    FAMILY,
    SIGNATURE_SPACE,
    TABLE_SIZE,
    Letterhead,
    check_aware,
    clean_text,
    draw_header,
    draw_line,
    draw_title,
    format_time,
    new_pdf,
    signature_column,
    table_style,
    text_height,
)

__all__ = [
    "ApologyData",
    "ControlSlipData",
    "ControlSlipStep",
    "RefusalData",
    "SupplementRequestData",
    "render_apology",
    "render_control_slip",
    "render_refusal",
    "render_supplement_request",
]

SUPPLEMENT_TITLE = "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ"
REFUSAL_TITLE = "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ"
APOLOGY_TITLE = "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ"
CONTROL_SLIP_TITLE = "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ"

# Form 02 prints "Lý do: <note>"; without a note, the ground the law gives for asking at all.
DEFAULT_SUPPLEMENT_REASON = "Hồ sơ chưa đầy đủ, hợp lệ theo quy định"
CLOSING_REFUSAL = "Xin thông báo để Ông/Bà được biết và thực hiện./."
CLOSING_APOLOGY = "Xin trân trọng cảm ơn./."
SIGN_HINT = "(Ký và ghi rõ họ tên)"
SEAL_HINT = "(Ký, ghi rõ họ tên và đóng dấu)"

CONTROL_SLIP_HEADINGS = (
    "TÊN CƠ QUAN/BỘ PHẬN",
    "THỜI GIAN GIAO, NHẬN HỒ SƠ",
    "KẾT QUẢ GIẢI QUYẾT HỒ SƠ (Trước hạn/đúng hạn/quá hạn)",
    "GHI CHÚ",
)
CONTROL_SLIP_WIDTHS = (51, 40, 32, 52)  # millimetres, the 175 mm between the margins
BLANK_TIME = "…… giờ …… phút,\nngày ……/……/………"  # to be filled in by hand
BLANK_STEPS = 4  # rows printed for handwriting when no step is known yet
ITEM_INDENT = 4
ITEM_NUMBER_WIDTH = 8


@dataclass(frozen=True)
class SupplementRequestData:
    """Form 02. `received_at` is None for a dossier not received yet (an online one being checked);
    `number` counts the requests made for this dossier (1 for the first)."""

    province_name: str
    agency_parent_name: str
    agency_name: str
    dossier_code: str
    procedure_name: str
    applicant_name: str
    received_at: datetime | None
    requested_at: datetime
    items: tuple[str, ...]
    note: str
    officer_name: str
    number: int


@dataclass(frozen=True)
class RefusalData:
    """Form 03. `reasons` may hold several lines; each is printed as its own line."""

    province_name: str
    agency_parent_name: str
    agency_name: str
    dossier_code: str
    procedure_name: str
    applicant_name: str
    refused_at: datetime
    reasons: str
    officer_name: str


@dataclass(frozen=True)
class ApologyData:
    """Form 04, signed by the head of the agency (`signer_title` such as "Chủ tịch", may be blank)."""

    province_name: str
    agency_parent_name: str
    agency_name: str
    dossier_code: str
    procedure_name: str
    applicant_name: str
    received_at: datetime
    original_due_at: datetime
    new_due_at: datetime
    reason: str
    issued_at: datetime
    signer_name: str
    signer_title: str


@dataclass(frozen=True)
class ControlSlipStep:
    """One hand-over of the dossier. `result` is printed as given ("Trước hạn", "Đúng hạn", "Quá hạn" or "")."""

    handed_by: str
    received_by: str
    handed_at: datetime | None
    due_at: datetime | None
    done_at: datetime | None
    result: str


@dataclass(frozen=True)
class ControlSlipData:
    """Form 06: the dossier and its hand-overs, in order."""

    province_name: str
    agency_parent_name: str
    agency_name: str
    dossier_code: str
    procedure_name: str
    applicant_name: str
    received_at: datetime
    due_at: datetime
    steps: tuple[ControlSlipStep, ...]


# --- text ------------------------------------------------------------------------------------


def _sentence(value: object) -> str:
    """The text as one sentence: cleaned, trailing commas and colons dropped, a full stop added if missing."""
    text = clean_text(value).rstrip(",;: ")
    return text if not text or text.endswith((".", "!", "?", "…")) else text + "."


def _lines(value: object) -> list[str]:
    """The non-blank lines of a multi-line text, each cleaned."""
    return [line for line in (clean_text(raw) for raw in str(value).splitlines()) if line]


def _time_in_cell(value: datetime | None) -> str:
    """A time for a narrow table cell: the hour on one line, the date on the next (or blanks to fill in)."""
    return format_time(value).replace(", ", ",\n", 1) if value is not None else BLANK_TIME


# --- drawing ---------------------------------------------------------------------------------


def _start(data: Letterhead, title: str, dossier_code: str, issued_at: datetime) -> FPDF:
    """A new PDF with the header block drawn; the title is drawn by the caller."""
    code = clean_text(dossier_code)
    pdf = new_pdf(
        title=f"{title.capitalize()} {code}",
        subject=title,
        author=clean_text(data.agency_name),
        footer_text=f"Mã hồ sơ: {code}",
        issued_at=issued_at,
    )
    draw_header(pdf, data, issued_at)
    return pdf


def _paragraph(pdf: FPDF, *runs: tuple[str, str]) -> None:
    """One paragraph of runs of text, each `(style, text)` with style "" (regular) or "B" (bold)."""
    pdf.set_x(pdf.l_margin)
    for style, text in runs:
        if text:
            pdf.set_font(FAMILY, style, BODY_SIZE)
            pdf.write(BODY_LINE, text)
    pdf.ln(BODY_LINE + 0.4)


def _numbered(pdf: FPDF, number: int, text: str) -> None:
    """A numbered item with a hanging indent: wrapped lines start under the text, not the number."""
    if pdf.get_y() + BODY_LINE > pdf.page_break_trigger:
        pdf.add_page()  # keep the number with the first line of its text
    pdf.set_font(FAMILY, "", BODY_SIZE)
    pdf.set_x(pdf.l_margin + ITEM_INDENT)
    pdf.cell(ITEM_NUMBER_WIDTH, BODY_LINE, f"{number}.")
    width = pdf.epw - ITEM_INDENT - ITEM_NUMBER_WIDTH
    pdf.multi_cell(width, BODY_LINE, text, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(0.4)


def _signature(pdf: FPDF, title: str, hint: str, name: str) -> None:
    """One signature block in the right half of the page, kept in one piece (on a new page if need be)."""
    column = pdf.epw / 2
    pdf.set_font(FAMILY, "B", BODY_SIZE)
    needed = 4 + text_height(pdf, column, BODY_LINE, title) + 4.5 + SIGNATURE_SPACE
    needed += text_height(pdf, column, BODY_LINE, name or " ")
    if pdf.get_y() + needed > pdf.page_break_trigger:
        pdf.add_page()
    else:
        pdf.ln(4)
    bottom = signature_column(pdf, pdf.l_margin + column, column, pdf.get_y(), title, hint, name)
    pdf.set_xy(pdf.l_margin, bottom)


def _applicant(pdf: FPDF, agency: str, applicant_name: str) -> None:
    _paragraph(pdf, ("", f"{agency} tiếp nhận hồ sơ của Ông/Bà "), ("B", clean_text(applicant_name)))


# --- the forms -------------------------------------------------------------------------------


def render_supplement_request(data: SupplementRequestData) -> bytes:
    """Form 02, the request to supplement or complete a dossier. Raises ValueError on a naive datetime,
    on no item to supplement, or on a `number` below 1."""
    check_aware(data, "received_at", "requested_at")
    items = [text for text in (clean_text(item) for item in data.items) if text]
    if not items:
        raise ValueError("SupplementRequestData.items must name at least one thing to supplement")
    if data.number < 1:
        raise ValueError(f"SupplementRequestData.number must be 1 or more, got {data.number!r}")
    agency = clean_text(data.agency_name)

    pdf = _start(data, SUPPLEMENT_TITLE, data.dossier_code, data.requested_at)
    draw_title(pdf, SUPPLEMENT_TITLE, data.dossier_code, space_after=4 if data.number == 1 else 0.5)
    if data.number > 1:
        pdf.set_font(FAMILY, "B", BODY_SIZE)
        pdf.multi_cell(0, BODY_LINE, f"Yêu cầu bổ sung lần thứ {data.number}", align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(3.5)

    _applicant(pdf, agency, data.applicant_name)
    if data.received_at is not None:
        draw_line(pdf, "Thời gian nhận hồ sơ: ", format_time(data.received_at), bold_value=False)
    draw_line(pdf, "Nội dung yêu cầu giải quyết: ", clean_text(data.procedure_name))
    draw_line(pdf, "Yêu cầu bổ sung, hoàn thiện hồ sơ gồm những nội dung sau:")
    for number, item in enumerate(items, start=1):
        _numbered(pdf, number, item)
    reason = _sentence(data.note) or _sentence(DEFAULT_SUPPLEMENT_REASON)
    draw_line(pdf, "Lý do: ", reason, bold_value=False)
    _paragraph(
        pdf, ("", f"Trong quá trình hoàn thiện hồ sơ nếu có vướng mắc, Ông/Bà liên hệ {agency} để được hướng dẫn./.")
    )
    _signature(pdf, "NGƯỜI HƯỚNG DẪN", SIGN_HINT, clean_text(data.officer_name))
    return bytes(pdf.output())


def render_refusal(data: RefusalData) -> bytes:
    """Form 03, the refusal to receive and settle a dossier. Raises ValueError on a naive datetime or
    on blank reasons (a refusal must state them)."""
    check_aware(data, "refused_at")
    reasons = _lines(data.reasons)
    if not reasons:
        raise ValueError("RefusalData.reasons must not be blank")
    agency = clean_text(data.agency_name)

    pdf = _start(data, REFUSAL_TITLE, data.dossier_code, data.refused_at)
    draw_title(pdf, REFUSAL_TITLE, data.dossier_code)
    _applicant(pdf, agency, data.applicant_name)
    draw_line(pdf, "Nội dung yêu cầu giải quyết: ", clean_text(data.procedure_name))
    lead = f"{agency} không tiếp nhận, giải quyết hồ sơ này với lý do cụ thể như sau: "
    if len(reasons) == 1:
        _paragraph(pdf, ("", lead), ("B", _sentence(reasons[0])))
    else:  # one line per reason, as written
        _paragraph(pdf, ("", lead.rstrip()))
        for reason in reasons:
            _paragraph(pdf, ("B", reason))
    _paragraph(pdf, ("", CLOSING_REFUSAL))
    _signature(pdf, "NGƯỜI TIẾP NHẬN", SIGN_HINT, clean_text(data.officer_name))
    return bytes(pdf.output())


def render_apology(data: ApologyData) -> bytes:
    """Form 04, the apology for a late result with its new date. Raises ValueError on a naive datetime
    or on a blank reason (the form must say why the result is late)."""
    check_aware(data, "received_at", "original_due_at", "new_due_at", "issued_at")
    reason = _sentence(data.reason)
    if not reason:
        raise ValueError("ApologyData.reason must not be blank")
    agency = clean_text(data.agency_name)

    pdf = _start(data, APOLOGY_TITLE, data.dossier_code, data.issued_at)
    draw_title(pdf, APOLOGY_TITLE, data.dossier_code)
    _paragraph(
        pdf,
        ("", f"{agency} tiếp nhận hồ sơ của Ông/Bà "),
        ("B", clean_text(data.applicant_name)),
        ("", f" vào {format_time(data.received_at)}, hẹn trả kết quả vào {format_time(data.original_due_at)}."),
    )
    draw_line(pdf, "Nội dung yêu cầu giải quyết: ", clean_text(data.procedure_name))
    _paragraph(pdf, ("", f"Tuy nhiên đến nay, {agency} chưa trả kết quả giải quyết hồ sơ của Ông/Bà."))
    draw_line(pdf, "Lý do: ", reason, bold_value=False)
    _paragraph(
        pdf,
        ("", "Sự chậm trễ này đã gây phiền hà, tốn kém chi phí, công sức của Ông/Bà. "),
        ("", f"{agency} xin lỗi Ông/Bà và sẽ trả kết quả giải quyết hồ sơ cho Ông/Bà vào "),
        ("B", format_time(data.new_due_at)),
        ("", "."),
    )
    _paragraph(pdf, ("", CLOSING_APOLOGY))
    signer_title = clean_text(data.signer_title)
    title = "THỦ TRƯỞNG CƠ QUAN" + (f"\n{signer_title.upper()}" if signer_title else "")
    _signature(pdf, title, SEAL_HINT, clean_text(data.signer_name))
    return bytes(pdf.output())


def _step_cells(number: int, step: ControlSlipStep) -> tuple[str, str, str, str]:
    who = f"{number}. Giao: {clean_text(step.handed_by)}\nNhận: {clean_text(step.received_by)}"
    notes = []
    if step.due_at is not None:
        notes.append(f"Hạn: {_time_in_cell(step.due_at)}")
    if step.done_at is not None:
        notes.append(f"Hoàn thành: {_time_in_cell(step.done_at)}")
    return who, _time_in_cell(step.handed_at), clean_text(step.result), "\n".join(notes)


def render_control_slip(data: ControlSlipData) -> bytes:
    """Form 06, the slip following the dossier from hand to hand: one table row per hand-over; a long
    table continues on the next pages under its repeated headings. Without steps, blank rows are
    printed to be filled in by hand. Raises ValueError on a naive datetime."""
    check_aware(data, "received_at", "due_at")
    for step in data.steps:
        check_aware(step, "handed_at", "due_at", "done_at")
    agency = clean_text(data.agency_name)

    pdf = _start(data, CONTROL_SLIP_TITLE, data.dossier_code, data.received_at)
    draw_title(pdf, CONTROL_SLIP_TITLE, data.dossier_code)
    _applicant(pdf, agency, data.applicant_name)
    draw_line(pdf, "Nội dung yêu cầu giải quyết: ", clean_text(data.procedure_name))
    draw_line(pdf, "Thời gian nhận hồ sơ: ", format_time(data.received_at), bold_value=False)
    draw_line(pdf, "Thời gian hẹn trả kết quả: ", format_time(data.due_at))
    pdf.ln(1.5)

    if data.steps:
        rows = [_step_cells(number, step) for number, step in enumerate(data.steps, start=1)]
    else:
        rows = [(f"{number}. Giao:\nNhận:", BLANK_TIME, "", "") for number in range(1, BLANK_STEPS + 1)]
    pdf.set_font(FAMILY, "", TABLE_SIZE)
    with pdf.table(
        col_widths=CONTROL_SLIP_WIDTHS,
        text_align=("LEFT", "CENTER", "CENTER", "LEFT"),
        repeat_headings=1,
        **table_style(),
    ) as table:
        headings = table.row()
        for heading in CONTROL_SLIP_HEADINGS:
            headings.cell(heading, align="CENTER")
        for row in rows:
            table.row(row)
    return bytes(pdf.output())
