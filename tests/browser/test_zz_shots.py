import pytest
from cqs.dossiers import services
from cqs.dossiers.tests.conftest import BIRTH_FORM, attach_all
from cqs.catalog.services import catalog_import
from tests.catalog_samples import BIRTH, catalog_document
pytestmark = pytest.mark.browser

def test_shots(live_server, transactional_db, personas, org, new_page):
    catalog_import(actor=personas.system_admin, document=catalog_document(BIRTH))
    codes = []
    for i in range(3):
        d = services.dossier_create_draft(actor=personas.citizen, procedure_code="1.001193", form=BIRTH_FORM, agency_code=org.committee_a.code)
        attach_all(d, personas.citizen)
        d = services.dossier_submit(actor=personas.citizen, dossier=d)
        codes.append(d.code)
    services.dossier_accept(actor=personas.reception, dossier=codes[0])
    services.dossier_accept(actor=personas.reception, dossier=codes[1])
    services.dossier_forward(actor=personas.specialist, dossier=codes[1])
    page = new_page(width=1280, height=900)
    page.goto(live_server.url + "/tai-khoan/dang-nhap/?next=/can-bo/")
    page.get_by_label("Thư điện tử, số điện thoại hoặc tên đăng nhập").fill("lanhdao")
    page.get_by_label("Mật khẩu").fill("Mat-khau-that-dai-2026")
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url("**/can-bo/")
    page.screenshot(path="/tmp/shot-worklist.png", full_page=True)
    page.goto(live_server.url + f"/can-bo/ho-so/{codes[0]}/")
    page.screenshot(path="/tmp/shot-dossier.png", full_page=True)
    page.goto(live_server.url + f"/can-bo/ho-so/{codes[1]}/")
    page.get_by_role("button", name="Phê duyệt hồ sơ").click()
    page.screenshot(path="/tmp/shot-dossier2.png", full_page=False)
    page.goto(live_server.url + "/can-bo/so-theo-doi/")
    page.screenshot(path="/tmp/shot-register.png", full_page=True)
    phone = new_page()
    phone.goto(live_server.url + "/tai-khoan/dang-nhap/?next=/can-bo/")
    phone.get_by_label("Thư điện tử, số điện thoại hoặc tên đăng nhập").fill("tiepnhan")
    phone.get_by_label("Mật khẩu").fill("Mat-khau-that-dai-2026")
    phone.get_by_role("button", name="Đăng nhập").click()
    phone.wait_for_url("**/can-bo/")
    phone.screenshot(path="/tmp/shot-phone-worklist.png", full_page=True)
    print("scroll", phone.evaluate("document.documentElement.scrollWidth"))
    phone.goto(live_server.url + f"/can-bo/ho-so/{codes[2]}/")
    phone.screenshot(path="/tmp/shot-phone-dossier.png", full_page=True)
    print("scroll", phone.evaluate("document.documentElement.scrollWidth"))
