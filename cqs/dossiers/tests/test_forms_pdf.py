"""Forms 02, 03, 04 and 06 of Circular 01/2018/TT-VPCP as PDFs. Pure rendering, no database: run with
`pytest cqs/dossiers/tests/test_forms_pdf.py -p no:django`."""

from __future__ import annotations

import io
import unicodedata
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone

import pytest
from pypdf import PdfReader

from cqs.dossiers.forms_pdf import (
    BLANK_STEPS,
    DEFAULT_SUPPLEMENT_REASON,
    ApologyData,
    ControlSlipData,
    ControlSlipStep,
    RefusalData,
    SupplementRequestData,
    render_apology,
    render_control_slip,
    render_refusal,
    render_supplement_request,
)
from cqs.dossiers.receipt import MARGIN_BOTTOM
from cqs.dossiers.tests.test_receipt import MM, pages_text, text_of

CODE = "277.12.01.H53-261127-0001"
AGENCY = "Bộ phận Một cửa Phường Tân An"
APPLICANT = "Nguyễn Thị Hồng Nhung"
COMMON = {
    "province_name": "Tây Ninh",
    "agency_parent_name": "ỦY BAN NHÂN DÂN PHƯỜNG TÂN AN",
    "agency_name": AGENCY,
    "dossier_code": CODE,
    "procedure_name": "Đăng ký khai sinh",
    "applicant_name": APPLICANT,
}
RECEIVED = datetime(2026, 11, 27, 1, 15, tzinfo=UTC)  # 08:15 on 27/11 in Vietnam
DUE = datetime(2026, 12, 2, 9, 30, tzinfo=UTC)  # 16:30 on 02/12 in Vietnam
ITEMS = (
    "Bản sao Giấy chứng sinh có chứng thực",
    "Tờ khai đăng ký khai sinh ghi đầy đủ quê quán của cha, mẹ theo đúng Giấy khai sinh của cha, mẹ; "
    "ghi rõ nơi cư trú hiện tại và số định danh cá nhân của người đi đăng ký",
    "Văn bản ủy quyền có chứng thực (nếu nộp hồ sơ thay)",
)


def supplement(**changes: object) -> SupplementRequestData:
    data = SupplementRequestData(
        **COMMON,
        received_at=RECEIVED,
        requested_at=datetime(2026, 11, 27, 20, 0, tzinfo=UTC),  # 03:00 on 28/11 in Vietnam
        items=ITEMS,
        note="Giấy chứng sinh nộp kèm là bản chụp không rõ nét",
        officer_name="Trần Văn Bình",
        number=1,
    )
    return replace(data, **changes)


def refusal(**changes: object) -> RefusalData:
    data = RefusalData(
        **COMMON,
        refused_at=datetime(2026, 11, 27, 2, 40, tzinfo=UTC),
        reasons="Thủ tục không thuộc thẩm quyền giải quyết của Ủy ban nhân dân phường",
        officer_name="Trần Văn Bình",
    )
    return replace(data, **changes)


def apology(**changes: object) -> ApologyData:
    data = ApologyData(
        **COMMON,
        received_at=RECEIVED,
        original_due_at=DUE,
        new_due_at=datetime(2026, 12, 5, 2, 0, tzinfo=UTC),  # 09:00 on 05/12 in Vietnam
        reason="Cần xác minh thêm thông tin với Ủy ban nhân dân xã nơi cư trú trước đây",
        issued_at=datetime(2026, 12, 2, 10, 0, tzinfo=UTC),
        signer_name="Lê Văn Cường",
        signer_title="Chủ tịch",
    )
    return replace(data, **changes)


def step(number: int, **changes: object) -> ControlSlipStep:
    handed = RECEIVED + timedelta(hours=number)
    data = ControlSlipStep(
        handed_by=f"Đơn vị giao số {number}",
        received_by=f"Đơn vị nhận số {number}",
        handed_at=handed,
        due_at=handed + timedelta(hours=8),
        done_at=handed + timedelta(hours=2),
        result="Trước hạn",
    )
    return replace(data, **changes)


def control_slip(**changes: object) -> ControlSlipData:
    steps = (
        ControlSlipStep(
            handed_by="Bộ phận Một cửa",
            received_by="Công chức Tư pháp - Hộ tịch",
            handed_at=datetime(2026, 11, 27, 1, 30, tzinfo=UTC),  # 08:30 on 27/11
            due_at=datetime(2026, 11, 28, 10, 0, tzinfo=UTC),  # 17:00 on 28/11
            done_at=datetime(2026, 11, 28, 3, 45, tzinfo=UTC),  # 10:45 on 28/11
            result="Trước hạn",
        ),
        ControlSlipStep(
            handed_by="Công chức Tư pháp - Hộ tịch",
            received_by="Chủ tịch Ủy ban nhân dân phường",
            handed_at=datetime(2026, 11, 28, 4, 0, tzinfo=UTC),
            due_at=datetime(2026, 12, 1, 10, 0, tzinfo=UTC),
            done_at=None,
            result="",
        ),
    )
    data = ControlSlipData(**COMMON, received_at=RECEIVED, due_at=DUE, steps=steps)
    return replace(data, **changes)


RENDERERS = {
    "supplement": (render_supplement_request, supplement, "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ"),
    "refusal": (render_refusal, refusal, "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ"),
    "apology": (render_apology, apology, "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ"),
    "control_slip": (render_control_slip, control_slip, "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ"),
}


@pytest.fixture(scope="module", params=sorted(RENDERERS))
def form(request) -> tuple[str, bytes]:
    render, make, title = RENDERERS[request.param]
    return title, render(make())


# --- what every form shares ------------------------------------------------------------------


def test_every_form_is_a_one_page_a4_pdf(form):
    _, pdf = form
    assert pdf.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    width, height = float(reader.pages[0].mediabox.width), float(reader.pages[0].mediabox.height)
    assert (round(width / MM), round(height / MM)) == (210, 297)


def test_every_form_has_the_header_title_code_and_footer(form):
    title, pdf = form
    text = text_of(pdf)
    assert "ỦY BAN NHÂN DÂN PHƯỜNG TÂN AN BỘ PHẬN MỘT CỬA PHƯỜNG TÂN AN" in text
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM Độc lập - Tự do - Hạnh phúc" in text
    assert f"{title} Mã hồ sơ: {CODE}" in text
    assert f"{AGENCY} tiếp nhận hồ sơ của Ông/Bà {APPLICANT}" in text
    assert "Nội dung yêu cầu giải quyết: Đăng ký khai sinh" in text
    assert text.endswith(f"Mã hồ sơ: {CODE} Trang 1/1")


def test_every_form_has_its_title_and_vietnamese_language_in_the_metadata(form):
    title, pdf = form
    reader = PdfReader(io.BytesIO(pdf))
    assert reader.metadata.title == f"{title.capitalize()} {CODE}"
    assert reader.metadata.subject == title
    assert reader.trailer["/Root"]["/Lang"] == "vi"


@pytest.mark.parametrize("name", sorted(RENDERERS))
def test_every_form_renders_deterministically(name):
    render, make, _ = RENDERERS[name]
    assert render(make()) == render(make())


@pytest.mark.parametrize("name", sorted(RENDERERS))
def test_every_form_draws_decomposed_input_as_nfc_text(name):
    render, make, _ = RENDERERS[name]
    pdf = render(make(applicant_name=unicodedata.normalize("NFD", APPLICANT)))
    raw = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()  # not normalised by the test
    assert APPLICANT in raw
    assert unicodedata.normalize("NFD", "ễ") not in raw


@pytest.mark.parametrize("name", sorted(RENDERERS))
def test_every_form_falls_back_to_the_provincial_committee(name):
    render, make, _ = RENDERERS[name]
    assert "ỦY BAN NHÂN DÂN TỈNH TÂY NINH" in text_of(render(make(agency_parent_name="")))


@pytest.mark.parametrize(
    ("name", "field"),
    [
        ("supplement", "requested_at"),
        ("supplement", "received_at"),
        ("refusal", "refused_at"),
        ("apology", "received_at"),
        ("apology", "original_due_at"),
        ("apology", "new_due_at"),
        ("apology", "issued_at"),
        ("control_slip", "received_at"),
        ("control_slip", "due_at"),
    ],
)
def test_naive_datetimes_are_refused(name, field):
    render, make, _ = RENDERERS[name]
    with pytest.raises(ValueError, match=field):
        render(make(**{field: datetime(2026, 11, 27, 8, 15)}))


# --- form 02: the request to supplement a dossier ------------------------------------------------


def test_supplement_request_states_the_request():
    text = text_of(render_supplement_request(supplement()))
    assert "Tây Ninh, ngày 28 tháng 11 năm 2026" in text  # 20:00 UTC on the 27th is the 28th in Vietnam
    assert "Thời gian nhận hồ sơ: 08 giờ 15 phút, ngày 27/11/2026" in text
    assert "Yêu cầu bổ sung, hoàn thiện hồ sơ gồm những nội dung sau:" in text
    assert "Lý do: Giấy chứng sinh nộp kèm là bản chụp không rõ nét." in text
    assert (
        "Trong quá trình hoàn thiện hồ sơ nếu có vướng mắc, Ông/Bà liên hệ Bộ phận Một cửa Phường Tân An "
        "để được hướng dẫn./."
    ) in text
    assert text.index("Lý do:") > text.index(ITEMS[-1])
    assert "NGƯỜI HƯỚNG DẪN (Ký và ghi rõ họ tên) Trần Văn Bình" in text


def test_supplement_request_numbers_every_item_in_order():
    text = text_of(render_supplement_request(supplement()))
    positions = [text.index(f"{number}. {item}") for number, item in enumerate(ITEMS, start=1)]
    assert positions == sorted(positions)


def test_first_supplement_request_does_not_count_itself():
    assert "lần thứ" not in text_of(render_supplement_request(supplement()))


def test_second_supplement_request_says_so_under_the_title():
    text = text_of(render_supplement_request(supplement(number=2)))
    assert f"Mã hồ sơ: {CODE} Yêu cầu bổ sung lần thứ 2 {AGENCY}" in text


def test_supplement_request_before_reception_has_no_reception_time():
    text = text_of(render_supplement_request(supplement(received_at=None)))
    assert "Thời gian nhận hồ sơ" not in text
    assert f"{AGENCY} tiếp nhận hồ sơ của Ông/Bà {APPLICANT}" in text


def test_supplement_request_without_note_gives_the_legal_ground():
    text = text_of(render_supplement_request(supplement(note="  ")))
    assert f"Lý do: {DEFAULT_SUPPLEMENT_REASON}." in text


def test_supplement_request_does_not_double_the_full_stop():
    text = text_of(render_supplement_request(supplement(note="Thiếu chữ ký của người đi đăng ký.")))
    assert "Lý do: Thiếu chữ ký của người đi đăng ký. Trong quá trình" in text


def test_long_supplement_request_continues_on_another_page():
    items = tuple(f"Giấy tờ cần bổ sung thứ {index:02d}, bản sao có chứng thực" for index in range(1, 61))
    pages = pages_text(render_supplement_request(supplement(items=items)))
    assert len(pages) >= 2
    text = " ".join(pages)
    for index in range(1, 61):
        assert text.count(f"{index}. Giấy tờ cần bổ sung thứ {index:02d},") == 1
    assert "NGƯỜI HƯỚNG DẪN" in pages[-1]
    assert f"Trang {len(pages)}/{len(pages)}" in pages[-1]


def test_supplement_request_needs_items_and_a_positive_number():
    with pytest.raises(ValueError, match="items"):
        render_supplement_request(supplement(items=()))
    with pytest.raises(ValueError, match="items"):
        render_supplement_request(supplement(items=(" ", "")))
    with pytest.raises(ValueError, match="number"):
        render_supplement_request(supplement(number=0))


# --- form 03: the refusal -------------------------------------------------------------------------


def test_refusal_states_the_reasons():
    text = text_of(render_refusal(refusal()))
    assert "Tây Ninh, ngày 27 tháng 11 năm 2026" in text
    assert (
        f"{AGENCY} không tiếp nhận, giải quyết hồ sơ này với lý do cụ thể như sau: "
        "Thủ tục không thuộc thẩm quyền giải quyết của Ủy ban nhân dân phường. "
        "Xin thông báo để Ông/Bà được biết và thực hiện./."
    ) in text
    assert "NGƯỜI TIẾP NHẬN (Ký và ghi rõ họ tên) Trần Văn Bình" in text


def test_refusal_keeps_one_line_per_reason():
    reasons = "1. Thủ tục không thuộc thẩm quyền của phường;\n\n2. Người nộp không có văn bản ủy quyền."
    text = text_of(render_refusal(refusal(reasons=reasons)))
    assert (
        "lý do cụ thể như sau: 1. Thủ tục không thuộc thẩm quyền của phường; "
        "2. Người nộp không có văn bản ủy quyền. Xin thông báo"
    ) in text


def test_refusal_needs_reasons():
    with pytest.raises(ValueError, match="reasons"):
        render_refusal(refusal(reasons=" \n "))


# --- form 04: the apology -------------------------------------------------------------------------


def test_apology_gives_the_times_in_vietnam_and_the_reason():
    text = text_of(render_apology(apology()))
    assert "Tây Ninh, ngày 02 tháng 12 năm 2026" in text
    assert (
        f"{AGENCY} tiếp nhận hồ sơ của Ông/Bà {APPLICANT} vào 08 giờ 15 phút, ngày 27/11/2026, "
        "hẹn trả kết quả vào 16 giờ 30 phút, ngày 02/12/2026."
    ) in text
    assert f"Tuy nhiên đến nay, {AGENCY} chưa trả kết quả giải quyết hồ sơ của Ông/Bà." in text
    assert "Lý do: Cần xác minh thêm thông tin với Ủy ban nhân dân xã nơi cư trú trước đây." in text
    assert (
        "Sự chậm trễ này đã gây phiền hà, tốn kém chi phí, công sức của Ông/Bà. "
        f"{AGENCY} xin lỗi Ông/Bà và sẽ trả kết quả giải quyết hồ sơ cho Ông/Bà vào 09 giờ 00 phút, ngày 05/12/2026."
    ) in text


def test_apology_is_signed_by_the_head_of_the_agency():
    text = text_of(render_apology(apology()))
    assert "THỦ TRƯỞNG CƠ QUAN CHỦ TỊCH (Ký, ghi rõ họ tên và đóng dấu) Lê Văn Cường" in text
    text = text_of(render_apology(apology(signer_title="")))
    assert "THỦ TRƯỞNG CƠ QUAN (Ký, ghi rõ họ tên và đóng dấu) Lê Văn Cường" in text


def test_apology_converts_other_offsets():
    plus_nine = timezone(timedelta(hours=9))
    text = text_of(render_apology(apology(new_due_at=datetime(2026, 12, 6, 0, 5, tzinfo=plus_nine))))
    assert "cho Ông/Bà vào 22 giờ 05 phút, ngày 05/12/2026." in text


def test_apology_needs_a_reason():
    with pytest.raises(ValueError, match="reason"):
        render_apology(apology(reason=""))


# --- form 06: the control slip ----------------------------------------------------------------------


def test_control_slip_lists_the_steps_in_a_table():
    text = text_of(render_control_slip(control_slip()))
    assert "Thời gian nhận hồ sơ: 08 giờ 15 phút, ngày 27/11/2026" in text
    assert "Thời gian hẹn trả kết quả: 16 giờ 30 phút, ngày 02/12/2026" in text
    assert (
        "TÊN CƠ QUAN/BỘ PHẬN THỜI GIAN GIAO, NHẬN HỒ SƠ KẾT QUẢ GIẢI QUYẾT HỒ SƠ (Trước hạn/đúng hạn/quá hạn) GHI CHÚ"
    ) in text
    assert (
        "1. Giao: Bộ phận Một cửa Nhận: Công chức Tư pháp - Hộ tịch 08 giờ 30 phút, ngày 27/11/2026 Trước hạn "
        "Hạn: 17 giờ 00 phút, ngày 28/11/2026 Hoàn thành: 10 giờ 45 phút, ngày 28/11/2026"
    ) in text
    assert (
        "2. Giao: Công chức Tư pháp - Hộ tịch Nhận: Chủ tịch Ủy ban nhân dân phường "
        "11 giờ 00 phút, ngày 28/11/2026 Hạn: 17 giờ 00 phút, ngày 01/12/2026"
    ) in text


def test_control_slip_leaves_unknown_times_blank_to_fill_in():
    steps = (step(1, handed_at=None, due_at=None, done_at=None, result=""),)
    text = text_of(render_control_slip(control_slip(steps=steps)))
    assert "1. Giao: Đơn vị giao số 1 Nhận: Đơn vị nhận số 1 …… giờ …… phút, ngày ……/……/………" in text
    assert "Hạn:" not in text


def test_control_slip_without_steps_has_blank_rows():
    text = text_of(render_control_slip(control_slip(steps=())))
    for number in range(1, BLANK_STEPS + 1):
        assert f"{number}. Giao: Nhận: …… giờ …… phút" in text


def test_long_control_slip_continues_with_repeated_headings():
    steps = tuple(step(number, result="Đúng hạn" if number % 2 else "Quá hạn") for number in range(1, 31))
    pages = pages_text(render_control_slip(control_slip(steps=steps)))
    assert len(pages) >= 2
    for page in pages:
        assert "TÊN CƠ QUAN/BỘ PHẬN THỜI GIAN GIAO, NHẬN HỒ SƠ" in page
    text = " ".join(pages)
    for number in range(1, 31):
        assert text.count(f"{number}. Giao: Đơn vị giao số {number} Nhận: Đơn vị nhận số {number} ") == 1
    assert "30. Giao: Đơn vị giao số 30 Nhận: Đơn vị nhận số 30 14 giờ 15 phút, ngày 28/11/2026 Quá hạn" in pages[-1]
    assert f"Trang {len(pages)}/{len(pages)}" in pages[-1]


def test_long_control_slip_stays_above_the_footer():
    steps = tuple(step(number) for number in range(1, 31))
    reader = PdfReader(io.BytesIO(render_control_slip(control_slip(steps=steps))))
    for page in reader.pages:
        baselines: list[tuple[str, float]] = []

        def visit(text, cm, tm, font_dict, font_size, baselines=baselines):
            if text.strip():
                baselines.append((text.strip(), tm[4] * cm[1] + tm[5] * cm[3] + cm[5]))

        page.extract_text(visitor_text=visit)
        body = [y for text, y in baselines if not text.startswith(("Mã hồ sơ: 277", "Trang "))]
        assert body
        assert min(body) >= MARGIN_BOTTOM * MM


def test_control_slip_refuses_naive_step_times():
    steps = (step(1, done_at=datetime(2026, 11, 27, 10, 0)),)
    with pytest.raises(ValueError, match=r"ControlSlipStep\.done_at"):
        render_control_slip(control_slip(steps=steps))
