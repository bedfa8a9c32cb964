"""Issue "Open Data Portal", item 7: a publisher of the Department of Justice signs in, creates a
dataset, uploads a CSV, watches its validation finish and sees the preview; a visitor finds the
dataset with an unaccented query and downloads the loaded table as CSV."""

import re
import threading

import pytest
from playwright.sync_api import expect

from cqs.opendata import services
from cqs.org.models import Membership, Role

pytestmark = [
    pytest.mark.browser,
    # Runs as soon as the DataStore's upload service is in (issue 6, items 2 and 7 land together).
    pytest.mark.skipif(not hasattr(services, "resource_upload"), reason="the DataStore upload service is not in yet"),
]

PASSWORD = "Mat-khau-that-dai-2026"  # every persona's, set by `make_user` in the root conftest
CSV = "ma_xa,ten_diem,so_diem_phat\n27712,Công viên Phường Tân An,4\n00102,Nhà văn hoá Xã Cần Giuộc,2\n"


@pytest.fixture
def publisher(transactional_db, org):
    from conftest import make_user

    user = make_user("congbo.tuphap", full_name="Lê Thị Công Bố")
    Membership.objects.create(user=user, agency=org.justice, role=Role.PUBLISHER)
    return user


def run_validation_worker() -> None:
    """Process the queued validation as the worker would (on its own thread: Playwright's sync
    API owns an event loop in this one)."""
    from cqs.notify.worker import drain

    failures: list[BaseException] = []

    def work() -> None:
        try:
            drain(["opendata"])
        except BaseException as exc:  # re-raised in the test's thread
            failures.append(exc)

    thread = threading.Thread(target=work)
    thread.start()
    thread.join()
    if failures:
        raise failures[0]


def test_publisher_uploads_a_csv_and_a_visitor_finds_and_downloads_it(live_server, publisher, new_page, tmp_path):
    base = live_server.url

    # The publisher signs in and creates the dataset.
    page = new_page()
    page.goto(f"{base}/tai-khoan/dang-nhap/?next=/du-lieu-mo/quan-ly/")
    page.get_by_label("Thư điện tử, số điện thoại hoặc tên đăng nhập").fill("congbo.tuphap")
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Dữ liệu của cơ quan tôi")
    page.get_by_role("link", name="Tạo bộ dữ liệu").click()
    page.get_by_label("Tên bộ dữ liệu").fill("Điểm phát Wi-Fi công cộng miễn phí")
    page.get_by_label("Mô tả", exact=True).fill("Các điểm Wi-Fi miễn phí do xã, phường quản lý.")
    page.get_by_label("Từ khoá").fill("wifi, hạ tầng số")
    page.get_by_label("Giấy phép").select_option("cc-by")
    page.get_by_label("Phạm vi địa lý (đơn vị hành chính)").select_option(label="Phường Tân An (27712)")
    page.get_by_label("Tần suất cập nhật").select_option("annual")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.get_by_role("button", name="Tạo bộ dữ liệu").click()

    # It asks for a resource: the publisher uploads a CSV.
    expect(page.get_by_role("heading", level=1)).to_have_text("Thêm tài nguyên")
    csv_file = tmp_path / "diem-wifi.csv"
    csv_file.write_text(CSV, encoding="utf-8")
    page.get_by_label("Tên tài nguyên").fill("Danh sách điểm phát")
    page.get_by_label("Tệp dữ liệu").set_input_files(str(csv_file))
    page.get_by_role("button", name="Thêm tài nguyên").click()

    # The validation is queued; the page follows it and shows the preview once the table is loaded.
    expect(page.get_by_role("heading", level=1)).to_have_text("Danh sách điểm phát")
    expect(page.get_by_test_id("validation-status")).to_have_text(re.compile("Đang chờ kiểm tra|Đang kiểm tra"))
    run_validation_worker()
    expect(page.get_by_test_id("validation-status")).to_have_text("Hợp lệ, đã nạp vào kho dữ liệu", timeout=20_000)
    preview = page.get_by_test_id("preview")
    expect(preview).to_contain_text("Công viên Phường Tân An")
    expect(preview).to_contain_text("00102")  # a code column stays a string

    # A visitor finds it without typing accents and downloads the loaded table as CSV.
    visitor = new_page()
    visitor.goto(f"{base}/du-lieu-mo/")
    visitor.get_by_role("searchbox").fill("diem phat wifi cong cong")
    visitor.get_by_role("button", name="Tìm kiếm").click()
    visitor.get_by_role("link", name="Điểm phát Wi-Fi công cộng miễn phí").click()
    expect(visitor.get_by_role("heading", level=1)).to_have_text("Điểm phát Wi-Fi công cộng miễn phí")
    assert "package_show?id=diem-phat-wi-fi-cong-cong-mien-phi" in visitor.locator("main").inner_text()
    visitor.get_by_role("link", name="Danh sách điểm phát").click()
    with visitor.expect_download() as download:
        visitor.get_by_role("link", name="Dữ liệu đã nạp (CSV)").click()
    text = download.value.path().read_text(encoding="utf-8-sig")
    assert "Nhà văn hoá Xã Cần Giuộc" in text and "00102" in text

    # The publisher replaces the file from the dataset's edit page; the new version is validated
    # again and the page follows it. Then the resource is deleted, after a confirmation.
    page.goto(f"{base}/du-lieu-mo/quan-ly/diem-phat-wi-fi-cong-cong-mien-phi/sua/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.get_by_role("link", name="Thay tệp Danh sách điểm phát").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thay tệp")
    new_file = tmp_path / "diem-wifi-2026.csv"
    new_file.write_text(CSV + "80001,Bến xe Tây Ninh,3\n", encoding="utf-8")
    page.get_by_label("Tệp dữ liệu").set_input_files(str(new_file))
    page.get_by_role("button", name="Thay tệp").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Danh sách điểm phát")
    expect(page.get_by_test_id("validation-status")).to_have_text(re.compile("Đang chờ kiểm tra|Đang kiểm tra"))
    run_validation_worker()
    expect(page.get_by_test_id("validation-status")).to_have_text("Hợp lệ, đã nạp vào kho dữ liệu", timeout=20_000)
    expect(page.get_by_test_id("preview")).to_contain_text("Bến xe Tây Ninh")

    page.goto(f"{base}/du-lieu-mo/quan-ly/diem-phat-wi-fi-cong-cong-mien-phi/sua/")
    page.get_by_role("link", name="Xoá Danh sách điểm phát").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Xoá tài nguyên")
    page.get_by_role("button", name="Xoá").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sửa bộ dữ liệu")
    expect(page.get_by_text("Bộ dữ liệu chưa có tài nguyên.")).to_be_visible()
