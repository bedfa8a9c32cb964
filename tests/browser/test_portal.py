"""The public catalogue as a person on a cheap phone uses it."""

import pytest

from cqs.catalog.models import Sector
from cqs.catalog.services import catalog_import
from cqs.core.search import vietnamese_sort_key
from tests.catalog_samples import catalog_document

pytestmark = pytest.mark.browser


@pytest.fixture
def catalog(transactional_db, personas):
    catalog_import(actor=personas.system_admin, document=catalog_document())


def test_find_a_procedure_by_unaccented_query_on_a_phone(live_server, catalog, new_page):
    page = new_page()
    page.goto(live_server.url + "/")
    page.get_by_role("searchbox").fill("dang ky khai sin")
    page.get_by_role("button", name="Tìm kiếm").click()
    page.get_by_role("link", name="Đăng ký khai sinh").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Đăng ký khai sinh"
    assert page.get_by_text("Tờ khai đăng ký khai sinh").is_visible()
    # Readable at 360 px: nothing forces horizontal scrolling.
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def test_the_interface_switches_to_english(live_server, catalog, new_page):
    page = new_page()
    page.goto(live_server.url + "/thu-tuc/")
    page.get_by_role("button", name="English").click()
    assert page.locator("html").get_attribute("lang") == "en"


def test_long_filter_options_do_not_widen_the_page_on_a_phone(live_server, catalog, personas, new_page):
    Sector.objects.create(code="YTE", name="Y tế (Khám bệnh, chữa bệnh, y tế dự phòng, dược, trang thiết bị y tế)")
    page = new_page(width=360)
    page.goto(live_server.url + "/thu-tuc/?q=khai+sinh")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    # the sectors in the Vietnamese alphabet's order, as on the home page
    options = page.locator("#sector option").all_inner_texts()[1:]
    assert options == sorted(options, key=vietnamese_sort_key)

    page.goto(f"{live_server.url}/tai-khoan/dang-nhap/?next=/ho-so/")
    page.get_by_label("Thư điện tử, số điện thoại hoặc tên đăng nhập").fill("congdan")
    page.get_by_label("Mật khẩu").fill("Mat-khau-that-dai-2026")
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url("**/ho-so/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
