"""Issue "Office pages": a dossier goes the whole way with each actor in their own browser. The
citizen submits on a phone; at their desks the reception officer accepts it, the specialist
forwards it, the leader approves, the specialist uploads the result and the reception officer
returns it online; the citizen downloads the result and rates the service."""

import re

import pytest
from playwright.sync_api import expect

from cqs.catalog.services import catalog_import
from cqs.dossiers import services
from cqs.dossiers.models import Dossier
from cqs.dossiers.tests.conftest import BIRTH_FORM, attach_all, pdf_bytes
from tests.catalog_samples import BIRTH, catalog_document

pytestmark = pytest.mark.browser

PASSWORD = "Mat-khau-that-dai-2026"  # every persona's, set by `make_user` in the root conftest
DESK = {"width": 1280, "height": 900}


@pytest.fixture
def draft(transactional_db, personas, org):
    """The citizen's draft, filled in and with its documents, ready to be reviewed and submitted."""
    catalog_import(actor=personas.system_admin, document=catalog_document(BIRTH))
    draft = services.dossier_create_draft(
        actor=personas.citizen, procedure_code="1.001193", form=BIRTH_FORM, agency_code=org.committee_a.code
    )
    attach_all(draft, personas.citizen)
    return draft


def sign_in(page, base: str, identifier: str, then: str) -> None:
    page.goto(f"{base}/tai-khoan/dang-nhap/?next={then}")
    page.get_by_label("Thư điện tử, số điện thoại hoặc tên đăng nhập").fill(identifier)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(re.compile(re.escape(then.split("?")[0])))


def open_dossier(page, base: str, code: str) -> None:
    page.goto(f"{base}/can-bo/ho-so/{code}/")
    expect(page.get_by_test_id("dossier-code")).to_have_text(code)


def test_a_dossier_from_submission_to_rating(live_server, draft, new_page, tmp_path):
    base = live_server.url

    # The citizen, on a phone, reviews the draft and submits it.
    citizen = new_page()
    sign_in(citizen, base, "nhung@example.com", f"/ho-so/{draft.pk}/xem-lai/")
    citizen.get_by_role("button", name="Nộp hồ sơ").click()
    code = citizen.get_by_test_id("dossier-code").inner_text()
    assert re.fullmatch(r"277\.12\.01\.H53-\d{6}-0001", code)
    expect(citizen.locator("main span.tag").first).to_have_text("Mới nộp, chờ tiếp nhận")

    # The reception officer finds it among the dossiers waiting at the desk and accepts it.
    reception = new_page(**DESK)
    sign_in(reception, base, "tiepnhan", "/can-bo/")
    reception.get_by_role("link", name="Văn phòng").click()
    reception.get_by_role("link", name="Chờ tiếp nhận").click()
    row = reception.locator("table.worklist tbody tr", has_text=code)
    expect(row).to_contain_text("Nguyễn Thị Hồng Nhung")
    expect(row).to_contain_text("Chưa tính hạn")
    row.get_by_role("link", name=code).click()
    expect(reception.get_by_test_id("status")).to_have_text("Mới nộp, chờ tiếp nhận")
    expect(reception.get_by_text("nhung@example.com")).to_be_visible()
    expect(reception.locator("[data-action]")).to_have_count(3)  # accept, request a supplement, refuse
    reception.get_by_label("Ghi chú").first.fill("Đủ thành phần hồ sơ")
    reception.get_by_role("button", name="Tiếp nhận", exact=True).click()
    expect(reception.get_by_role("status")).to_contain_text("Đã tiếp nhận hồ sơ.")
    expect(reception.get_by_test_id("status")).to_have_text("Đã tiếp nhận")
    expect(reception.get_by_test_id("national-status")).to_contain_text("2")
    expect(reception.locator("[data-action]")).to_have_count(0)  # processing is the specialist's

    # The specialist sees it in the agency's list, due soon, and forwards it to the leader.
    specialist = new_page(**DESK)
    sign_in(specialist, base, "chuyenvien", "/can-bo/")
    row = specialist.locator("table.worklist tbody tr", has_text=code)
    expect(row).to_contain_text("Thẩm định")
    expect(row.locator(".badge")).to_have_text(re.compile("Sắp đến hạn|Trong hạn"))
    row.get_by_role("link", name=code).click()
    expect(specialist.get_by_test_id("status")).to_have_text("Đã tiếp nhận")
    expect(specialist.locator('[data-action="approve"]')).to_have_count(0)
    specialist.get_by_label("Ý kiến xử lý").fill("Hồ sơ hợp lệ, đề nghị phê duyệt")
    specialist.get_by_role("button", name="Chuyển bước", exact=True).click()
    expect(specialist.get_by_test_id("status")).to_have_text("Chờ lãnh đạo phê duyệt")

    # The leader approves.
    leader = new_page(**DESK)
    sign_in(leader, base, "lanhdao", "/can-bo/")
    open_dossier(leader, base, code)
    expect(leader.get_by_test_id("status")).to_have_text("Chờ lãnh đạo phê duyệt")
    leader.get_by_role("button", name="Phê duyệt hồ sơ").click()
    expect(leader.get_by_test_id("status")).to_have_text("Đã có quyết định, chờ ban hành kết quả")

    # The specialist uploads the result.
    result = tmp_path / "trich-luc-khai-sinh.pdf"
    result.write_bytes(pdf_bytes(7000))
    open_dossier(specialist, base, code)
    specialist.get_by_label("Tệp kết quả").set_input_files(str(result))
    specialist.get_by_role("button", name="Lưu kết quả").click()
    expect(specialist.get_by_test_id("status")).to_have_text("Đã có kết quả, chờ trả")
    expect(specialist.get_by_test_id("national-status")).to_contain_text("9")

    # The reception officer returns it online.
    open_dossier(reception, base, code)
    reception.get_by_label("Ghi chú (hình thức trả)").fill("Trả kết quả điện tử")
    reception.get_by_role("button", name="Trả kết quả cho người nộp").click()
    expect(reception.get_by_test_id("status")).to_have_text("Đã trả kết quả")
    expect(reception.get_by_test_id("national-status")).to_contain_text("10")
    expect(reception.get_by_text("Hồ sơ đã kết thúc; không còn thao tác nào.")).to_be_visible()

    # The citizen downloads the result and rates the service, once.
    citizen.goto(f"{base}/ho-so/{code}/")
    expect(citizen.locator("main span.tag").first).to_have_text("Đã trả kết quả")
    with citizen.expect_download() as download:
        citizen.get_by_role("link", name="Tải kết quả").click()
    assert download.value.suggested_filename == f"ket-qua-{code}.pdf"
    with open(download.value.path(), "rb") as downloaded:
        assert downloaded.read() == result.read_bytes()
    citizen.get_by_label("Hài lòng", exact=True).check()
    citizen.get_by_label("Góp ý (không bắt buộc)").fill("Nhanh, không phải đi lại")
    citizen.get_by_role("button", name="Gửi đánh giá").click()
    expect(citizen.get_by_role("status")).to_contain_text("Cảm ơn bạn đã đánh giá")
    expect(citizen.get_by_role("button", name="Gửi đánh giá")).to_have_count(0)
    assert citizen.evaluate("document.documentElement.scrollWidth") <= 360

    dossier = Dossier.objects.get(code=code)
    assert dossier.national_status == 10 and dossier.rating == "satisfied"


def test_a_walk_in_dossier_is_registered_at_the_desk_and_waits_for_reception(live_server, draft, new_page, tmp_path):
    base = live_server.url
    pdf = tmp_path / "to-khai.pdf"
    pdf.write_bytes(pdf_bytes())
    reception = new_page(**DESK)
    sign_in(reception, base, "tiepnhan", "/can-bo/")
    reception.get_by_role("link", name="Tiếp nhận hồ sơ tại quầy / qua bưu chính").click()
    reception.get_by_label("Thủ tục hành chính").fill("1.001193 – Đăng ký khai sinh")
    reception.get_by_label("Họ và tên (hoặc tên tổ chức)").fill("Trần Văn Tư")
    reception.get_by_label("Số định danh cá nhân (CCCD) hoặc mã số thuế").fill("080090001234")
    reception.get_by_role("button", name="Tiếp tục: khai tờ khai").click()
    expect(reception.get_by_role("heading", level=1)).to_have_text("Đăng ký khai sinh")
    reception.get_by_label("Họ và tên trẻ").fill("Trần Minh An")
    reception.get_by_label("Ngày sinh").fill("2026-11-20")
    for file_input in reception.locator("input[type=file]").all():
        file_input.set_input_files(str(pdf))
    reception.get_by_role("button", name="Nộp hồ sơ").click()
    expect(reception.get_by_test_id("status")).to_have_text("Mới nộp, chờ tiếp nhận")
    expect(reception.get_by_role("button", name="Tiếp nhận", exact=True)).to_be_visible()
    walk_in = Dossier.objects.get(applicant_name="Trần Văn Tư")
    assert walk_in.channel == 1 and walk_in.applicant_id is None

    # The desk's pages stay readable on a phone.
    phone = new_page(width=360)
    sign_in(phone, base, "tiepnhan", "/can-bo/so-theo-doi/")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    phone.goto(base + "/can-bo/tiep-nhan/")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
