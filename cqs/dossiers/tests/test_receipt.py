"""The dossier receipt PDF (form 01, "Giấy tiếp nhận hồ sơ và hẹn trả kết quả"). Pure rendering, no
database: run with `pytest cqs/dossiers/tests/test_receipt.py -p no:django`."""

from __future__ import annotations

import io
import unicodedata
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone

import pytest
from pypdf import PdfReader

from cqs.dossiers.receipt import (
    AWAITING_RECEPTION,
    MARGIN_BOTTOM,
    ONLINE_RECEIVER,
    ReceiptData,
    ReceiptDocument,
    ReceiptFee,
    font_files,
    format_amount,
    render_receipt,
)

CODE = "277.12.01.H53-261127-0001"
URL = f"http://127.0.0.1:8000/tra-cuu/{CODE}"
MM = 72 / 25.4  # PDF points per millimetre


def make_data(**changes: object) -> ReceiptData:
    data = ReceiptData(
        province_name="Tây Ninh",
        agency_parent_name="ỦY BAN NHÂN DÂN PHƯỜNG TÂN AN",
        agency_name="Bộ phận Một cửa Phường Tân An",
        dossier_code=CODE,
        procedure_name="Đăng ký khai sinh",
        applicant_name="Nguyễn Thị Hồng Nhung",
        applicant_identity="080190001234",
        applicant_address="Số 12 đường Nguyễn Huệ, khu phố 3, Phường Tân An, tỉnh Tây Ninh",
        applicant_phone="0912345678",
        applicant_email="nhung@example.vn",
        channel_label="Trực tiếp",
        documents=(
            ReceiptDocument("Tờ khai đăng ký khai sinh", 1, "Bản chính"),
            ReceiptDocument("Giấy chứng sinh", 1, "Bản chính"),
            ReceiptDocument("Giấy chứng nhận kết hôn của cha mẹ", 1, "Bản sao"),
        ),
        fees=(ReceiptFee("Lệ phí đăng ký khai sinh", 5000), ReceiptFee("Phí cấp bản sao trích lục", 3000)),
        received_at=datetime(2026, 11, 27, 1, 15, tzinfo=UTC),  # 08:15 in Vietnam
        appointment_at=datetime(2026, 12, 2, 9, 30, tzinfo=UTC),  # 16:30 in Vietnam
        submitted_at=datetime(2026, 11, 27, 1, 0, tzinfo=UTC),
        tracking_url=URL,
        receiving_officer="Trần Văn Bình",
        result_channel_label="Nhận tại Bộ phận Một cửa",
    )
    return replace(data, **changes)


def awaiting_reception(**changes: object) -> ReceiptData:
    return make_data(
        channel_label="Trực tuyến",
        received_at=None,
        appointment_at=None,
        receiving_officer="",
        result_channel_label="Nhận trực tuyến",
        **changes,
    )


def pages_text(pdf: bytes) -> list[str]:
    """Each page's extracted text, in NFC with every run of blanks and line breaks made one space."""
    reader = PdfReader(io.BytesIO(pdf))
    return [" ".join(unicodedata.normalize("NFC", page.extract_text()).split()) for page in reader.pages]


def text_of(pdf: bytes) -> str:
    return " ".join(pages_text(pdf))


@pytest.fixture(scope="module")
def receipt() -> bytes:
    return render_receipt(make_data())


def test_receipt_is_a_one_page_pdf_for_a_typical_dossier(receipt):
    assert receipt.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(receipt))
    assert len(reader.pages) == 1
    width, height = float(reader.pages[0].mediabox.width), float(reader.pages[0].mediabox.height)
    assert (round(width / MM), round(height / MM)) == (210, 297)  # A4 portrait


def test_receipt_text_keeps_vietnamese_diacritics(receipt):
    text = text_of(receipt)
    assert "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ" in text
    assert f"Mã hồ sơ: {CODE}" in text
    assert "Bộ phận Một cửa Phường Tân An tiếp nhận hồ sơ của: Ông/Bà Nguyễn Thị Hồng Nhung" in text
    assert "Nội dung yêu cầu giải quyết: Đăng ký khai sinh" in text
    assert "Số định danh cá nhân/Mã số thuế: 080190001234" in text
    assert "Địa chỉ: Số 12 đường Nguyễn Huệ, khu phố 3, Phường Tân An, tỉnh Tây Ninh" in text
    assert "Số điện thoại: 0912345678" in text
    assert "Email: nhung@example.vn" in text
    assert "Hình thức nộp: Trực tiếp" in text
    assert "Hình thức nhận kết quả: Nhận tại Bộ phận Một cửa" in text


def test_extracted_text_is_already_nfc_without_text_shaping():
    # Decomposed input (base letters + combining marks) is drawn with the font's precomposed
    # glyphs, so the PDF's own text, unnormalised, is the NFC string.
    name = unicodedata.normalize("NFD", "Nguyễn Thị Hồng Nhung")
    pdf = render_receipt(make_data(applicant_name=name))
    raw = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert "Nguyễn Thị Hồng Nhung" in raw
    assert unicodedata.normalize("NFD", "ễ") not in raw


def test_header_shows_the_agencies_and_the_national_title(receipt):
    text = text_of(receipt)
    assert "ỦY BAN NHÂN DÂN PHƯỜNG TÂN AN BỘ PHẬN MỘT CỬA PHƯỜNG TÂN AN" in text
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM Độc lập - Tự do - Hạnh phúc" in text
    assert "Tây Ninh, ngày 27 tháng 11 năm 2026" in text


def test_header_falls_back_to_the_provincial_committee_without_a_parent_agency():
    text = text_of(render_receipt(make_data(agency_parent_name="")))
    assert "ỦY BAN NHÂN DÂN TỈNH TÂY NINH" in text


def test_times_are_shown_in_vietnam_time(receipt):
    text = text_of(receipt)
    assert "Thời gian nhận hồ sơ: 08 giờ 15 phút, ngày 27/11/2026" in text
    assert "Thời gian trả kết quả giải quyết hồ sơ: 16 giờ 30 phút, ngày 02/12/2026" in text


def test_times_in_another_offset_are_converted_too():
    plus_nine = timezone(timedelta(hours=9))
    data = make_data(appointment_at=datetime(2026, 12, 3, 0, 5, tzinfo=plus_nine))  # 2 Dec 22:05 in Vietnam
    assert "Thời gian trả kết quả giải quyết hồ sơ: 22 giờ 05 phút, ngày 02/12/2026" in text_of(render_receipt(data))


def test_date_line_uses_the_local_date_of_reception():
    # 20:15 UTC on the 26th is 03:15 on the 27th in Vietnam.
    data = make_data(received_at=datetime(2026, 11, 26, 20, 15, tzinfo=UTC))
    text = text_of(render_receipt(data))
    assert "Tây Ninh, ngày 27 tháng 11 năm 2026" in text
    assert "Thời gian nhận hồ sơ: 03 giờ 15 phút, ngày 27/11/2026" in text


def test_date_line_uses_the_submission_date_before_reception():
    data = awaiting_reception(submitted_at=datetime(2026, 11, 20, 18, 0, tzinfo=UTC))  # 21/11 01:00 in Vietnam
    assert "Tây Ninh, ngày 21 tháng 11 năm 2026" in text_of(render_receipt(data))


def test_awaiting_reception_replaces_the_times_with_a_sentence():
    text = text_of(render_receipt(awaiting_reception()))
    assert AWAITING_RECEPTION in text
    assert "Thời gian nhận hồ sơ:" not in text
    assert "Thời gian trả kết quả giải quyết hồ sơ:" not in text
    assert "Hình thức nộp: Trực tuyến" in text
    assert "Hình thức nhận kết quả: Nhận trực tuyến" in text


def test_received_dossier_has_no_awaiting_sentence(receipt):
    assert AWAITING_RECEPTION not in text_of(receipt)


def test_documents_are_listed_in_a_table(receipt):
    text = text_of(receipt)
    assert "STT Tên giấy tờ Hình thức (bản chính, bản sao) Số lượng" in text
    assert "1 Tờ khai đăng ký khai sinh Bản chính 1" in text
    assert "3 Giấy chứng nhận kết hôn của cha mẹ Bản sao 1" in text


def test_fees_are_in_vietnamese_format_with_a_total(receipt):
    text = text_of(receipt)
    assert "Lệ phí đăng ký khai sinh 5.000 đồng" in text
    assert "Phí cấp bản sao trích lục 3.000 đồng" in text
    assert "Tổng cộng 8.000 đồng" in text


def test_no_fees_is_stated():
    assert "Phí, lệ phí: Không thu phí, lệ phí" in text_of(render_receipt(make_data(fees=())))


@pytest.mark.parametrize(
    ("amount", "expected"), [(0, "0 đồng"), (500, "500 đồng"), (50_000, "50.000 đồng"), (1_234_567, "1.234.567 đồng")]
)
def test_amounts_group_thousands_with_dots(amount, expected):
    assert format_amount(amount) == expected


def test_long_document_list_continues_on_another_page():
    documents = tuple(ReceiptDocument(f"Giấy tờ kèm theo thứ {index:02d}", 1, "Bản sao") for index in range(1, 41))
    pdf = render_receipt(make_data(documents=documents))
    pages = pages_text(pdf)
    assert len(pages) >= 2
    text = " ".join(pages)
    for index in range(1, 41):
        assert text.count(f"Giấy tờ kèm theo thứ {index:02d}") == 1
    assert "Giấy tờ kèm theo thứ 40" in pages[-1] or "Giấy tờ kèm theo thứ 40" in pages[-2]
    assert "Tên giấy tờ" in pages[1]  # the table's headings are repeated
    assert f"Trang {len(pages)}/{len(pages)}" in pages[-1]


def test_body_text_stays_above_the_footer_on_every_page():
    documents = tuple(ReceiptDocument(f"Giấy tờ số {index}", 2, "Bản chính") for index in range(1, 61))
    reader = PdfReader(io.BytesIO(render_receipt(make_data(documents=documents))))
    for page in reader.pages:
        baselines: list[tuple[str, float]] = []

        def visit(text, cm, tm, font_dict, font_size, baselines=baselines):
            if text.strip():
                baselines.append((text.strip(), tm[4] * cm[1] + tm[5] * cm[3] + cm[5]))

        page.extract_text(visitor_text=visit)
        body = [y for text, y in baselines if not text.startswith(("Mã hồ sơ: 277", "Trang "))]
        assert body
        assert min(body) >= MARGIN_BOTTOM * MM


def test_long_texts_wrap_and_stay_complete():
    procedure = "Thủ tục " + " ".join(f"đăng ký thay đổi nội dung số {index}" for index in range(1, 30))
    address = "Ấp Phước Lợi, xã Phước Vinh, " * 8 + "tỉnh Tây Ninh"
    text = text_of(render_receipt(make_data(procedure_name=procedure, applicant_address=address)))
    assert procedure in text
    assert " ".join(address.split()) in text


def test_qr_code_is_embedded_as_an_image_with_the_tracking_url(receipt):
    reader = PdfReader(io.BytesIO(receipt))
    page = reader.pages[-1]
    assert len(page.images) == 1
    text = text_of(receipt)
    assert "Quét mã để tra cứu tình trạng hồ sơ" in text
    assert URL in text
    links = [annot.get_object()["/A"].get("/URI") for annot in page.get("/Annots", [])]
    assert URL in links


def test_signature_blocks_name_the_applicant_and_the_officer(receipt):
    text = text_of(receipt)
    assert "NGƯỜI NỘP HỒ SƠ" in text
    assert "NGƯỜI TIẾP NHẬN HỒ SƠ" in text
    assert "Trần Văn Bình" in text
    assert ONLINE_RECEIVER not in text


def test_online_receipt_is_signed_by_the_online_system():
    text = text_of(render_receipt(awaiting_reception()))
    assert ONLINE_RECEIVER in text


def test_metadata_has_the_title_and_vietnamese_language(receipt):
    reader = PdfReader(io.BytesIO(receipt))
    assert reader.metadata.title == f"Giấy tiếp nhận hồ sơ {CODE}"
    assert reader.trailer["/Root"]["/Lang"] == "vi"


def test_rendering_is_deterministic(receipt):
    assert render_receipt(make_data()) == receipt


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError, match="appointment_at"):
        render_receipt(make_data(appointment_at=datetime(2026, 12, 2, 16, 30)))  # naive


def test_fonts_come_from_the_font_package():
    files = font_files()
    assert {style: path.name for style, path in files.items()} == {
        "": "BeVietnamPro-Regular.ttf",
        "B": "BeVietnamPro-Bold.ttf",
    }
    assert all(path.is_file() for path in files.values())
