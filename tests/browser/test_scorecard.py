"""Issue "Scorecard", acceptance: a person opens the public scorecard on a phone and sees every
target of the plan with its value or "chưa có dữ liệu", never a made-up number; the charts and
their tables are there, and an official reaches the Decision 766 dashboard from the office."""

import re

import pytest
from playwright.sync_api import expect

from cqs.scorecard import models as scorecard_models
from cqs.scorecard import seed

pytestmark = pytest.mark.browser

PASSWORD = "Mat-khau-that-dai-2026"  # every persona's, set by `make_user` in the root conftest
NUMBER = re.compile(r"\d")


@pytest.fixture
def plan(transactional_db, org, personas):
    """The plan's targets: a data migration seeds them, but transactional tests flush it."""
    seed.load_plan()
    return list(scorecard_models.Target.objects.order_by("code"))


def test_every_target_shows_a_value_or_no_data_on_a_phone(live_server, plan, new_page):
    assert plan, "the plan's targets were seeded"
    page = new_page()
    page.goto(live_server.url + "/")
    page.get_by_role("link", name="Chỉ tiêu chuyển đổi số").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Chỉ tiêu chuyển đổi số")
    cards = page.locator("ul.targets > li.target")
    expect(cards).to_have_count(len(plan))
    for i in range(len(plan)):
        card = cards.nth(i)
        current = card.locator("dd.current").inner_text().strip()
        # A value (a number) or the words "chưa có dữ liệu"; nothing else, never blank.
        assert current == "chưa có dữ liệu" or NUMBER.search(current), current
        assert card.locator("p.definition").inner_text().strip() != "Định nghĩa:"
    # Readable at 360 px: nothing forces horizontal scrolling.
    assert page.evaluate("document.documentElement.scrollWidth") <= 360

    # The period selector is a plain form: keyboard only, no script needed.
    page.get_by_label("Kỳ", exact=True).fill("2026-Q9")
    page.get_by_label("Kỳ", exact=True).press("Enter")
    expect(page.get_by_role("alert")).to_be_visible()
    page.get_by_label("Kỳ", exact=True).fill("2026")
    page.get_by_role("button", name="Xem").click()
    expect(cards).to_have_count(len(plan))

    # One target's trend and drill-downs: charts as images, each with its table.
    cards.first.get_by_role("link").click()
    expect(page.get_by_role("heading", name="Xu hướng 12 tháng")).to_be_visible()
    expect(page.get_by_role("img").first).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def test_an_official_opens_the_766_dashboard_from_the_office(live_server, plan, new_page):
    page = new_page(width=1280, height=900)
    page.goto(f"{live_server.url}/tai-khoan/dang-nhap/?next=/can-bo/")
    page.get_by_label("Thư điện tử, số điện thoại hoặc tên đăng nhập").fill("chuyenvien")
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(re.compile(r"/can-bo/$"))
    page.get_by_role("link", name="Chỉ số 766").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Quyết định 766")
    expect(page.get_by_role("heading", name=re.compile("^Tổng điểm"))).to_be_visible()
    expect(page.get_by_role("heading", name="Điểm theo nhóm")).to_be_visible()
