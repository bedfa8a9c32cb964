"""A citizen opens an account on a cheap phone, signs out, and comes back."""

import re

import pytest

from cqs.accounts.tests.factories import PASSWORD

pytestmark = pytest.mark.browser


def test_citizen_registers_signs_out_and_signs_in_again_on_a_phone(live_server, transactional_db, org, new_page):
    page = new_page(width=360)
    page.goto(live_server.url + "/")
    page.get_by_role("link", name="Đăng ký").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Đăng ký tài khoản"

    page.get_by_label("Thư điện tử").fill("le.thi.hoa@example.vn")
    page.get_by_label("Số điện thoại di động").fill("0901234567")
    page.get_by_label(re.compile(r"^Mật khẩu")).fill(PASSWORD)
    page.get_by_label("Nhập lại mật khẩu").fill(PASSWORD)
    page.get_by_label("Họ và tên").fill("Lê Thị Hoa")
    page.get_by_label("Số định danh cá nhân (CCCD)").fill("080195012345")
    page.get_by_label("Ngày sinh").fill("1995-05-12")
    page.get_by_label("Nữ").check()
    page.get_by_label("Xã, phường nơi cư trú").select_option(label="Phường Tân An")
    page.get_by_label("Số nhà, đường, ấp/khu phố").fill("Số 25 đường Hùng Vương")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.get_by_role("button", name="Đăng ký").click()

    assert page.get_by_role("heading", level=1).inner_text() == "Tài khoản của tôi"
    assert page.get_by_text("080195012345").is_visible()
    assert page.get_by_text("Chưa xác thực").first.is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360

    page.locator("main").get_by_role("button", name="Đăng xuất").click()
    assert page.get_by_role("link", name="Đăng nhập").is_visible()

    page.get_by_role("link", name="Đăng nhập").click()
    page.get_by_label("Thư điện tử, số điện thoại hoặc tên đăng nhập").fill("Le.Thi.Hoa@example.vn")
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(live_server.url + "/")
    page.get_by_role("link", name="Tài khoản").click()
    assert page.get_by_text("Lê Thị Hoa").first.is_visible()
