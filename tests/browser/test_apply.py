"""Issue "Online applications": a citizen on a cheap phone registers, finds a procedure without
typing accents, fills the form, attaches a PDF, submits, opens the receipt and sees the dossier."""

import io
import re
import unicodedata

import pytest
from pypdf import PdfReader

from cqs.accounts.tests.factories import PASSWORD
from cqs.catalog.services import catalog_import
from cqs.dossiers.tests.conftest import pdf_bytes
from tests.catalog_samples import BIRTH, catalog_document

pytestmark = pytest.mark.browser


@pytest.fixture
def catalog(transactional_db, personas):
    catalog_import(actor=personas.system_admin, document=catalog_document(BIRTH))


def test_register_find_apply_submit_receipt_and_my_dossiers(live_server, catalog, new_page, tmp_path):
    page = new_page(width=360)
    page.goto(live_server.url + "/tai-khoan/dang-ky/")
    page.get_by_label("Thư điện tử").fill("tran.van.minh@example.vn")
    page.get_by_label("Số điện thoại di động").fill("0907654321")
    page.get_by_label(re.compile(r"^Mật khẩu")).fill(PASSWORD)
    page.get_by_label("Nhập lại mật khẩu").fill(PASSWORD)
    page.get_by_label("Họ và tên").fill("Trần Văn Minh")
    page.get_by_label("Số định danh cá nhân (CCCD)").fill("080090012345")
    page.get_by_label("Ngày sinh").fill("1990-03-04")
    page.get_by_label("Nam", exact=True).check()
    page.get_by_label("Xã, phường nơi cư trú").select_option(label="Phường Tân An")
    page.get_by_label("Số nhà, đường, ấp/khu phố").fill("12 Nguyễn Huệ")
    page.get_by_role("button", name="Đăng ký").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Tài khoản của tôi"

    # Find the procedure without accents.
    page.goto(live_server.url + "/")
    page.get_by_role("searchbox").fill("dang ky khai sinh")
    page.get_by_role("button", name="Tìm kiếm").click()
    page.get_by_role("link", name="Đăng ký khai sinh").click()
    page.get_by_role("button", name="Nộp hồ sơ trực tuyến").click()

    # The form, rendered from the procedure's JSON Schema; the home commune is the default desk.
    assert "Bộ phận Một cửa Phường Tân An" in page.locator("main").inner_text()
    page.get_by_label(re.compile("Họ và tên trẻ")).fill("Trần Minh Khôi")
    page.get_by_label(re.compile("Ngày sinh")).fill("2026-11-20")
    page.get_by_label(re.compile("Số bản sao")).fill("2")
    pdf = tmp_path / "to-khai.pdf"
    pdf.write_bytes(pdf_bytes(8000))
    page.get_by_label(re.compile("Tờ khai đăng ký khai sinh")).set_input_files(str(pdf))
    page.get_by_label(re.compile("Giấy chứng sinh")).set_input_files(str(pdf))
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.get_by_role("button", name="Tiếp tục: xem lại").click()

    # Review, then submit.
    assert page.get_by_text("Trần Minh Khôi").is_visible()
    assert page.get_by_text("Tổng cộng: 16.000 đ").is_visible()
    page.get_by_role("button", name="Nộp hồ sơ").click()
    code = page.get_by_test_id("dossier-code").inner_text()
    assert re.fullmatch(r"277\.12\.01\.H53-\d{6}-0001", code)

    # The receipt opens as a PDF with the applicant's name and the code.
    with page.expect_popup() as popup:
        page.get_by_role("link", name="Giấy tiếp nhận hồ sơ (PDF)").click()
    receipt = popup.value
    response = receipt.context.request.get(receipt.url)
    assert response.headers["content-type"] == "application/pdf"
    text = unicodedata.normalize("NFC", "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.body())).pages))
    assert "Trần Văn Minh" in text and code in text

    # And the dossier is in "my dossiers".
    page.get_by_role("link", name="Hồ sơ của tôi").first.click()
    assert page.get_by_text(code).is_visible()
    assert page.locator("ul.cards").get_by_text("Mới nộp, chờ tiếp nhận").is_visible()
