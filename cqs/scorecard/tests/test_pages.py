"""The scorecard pages: the public scorecard and the officials' Decision 766 dashboard render what
the queries give them (a missing value as "chưa có dữ liệu", never a number), refuse bad input
with a message rather than an error, download every table as CSV and XLSX, and keep the
dashboard for officials."""

import csv
import io
from dataclasses import dataclass, field
from decimal import Decimal
from types import SimpleNamespace

import pytest
from openpyxl import load_workbook

from cqs.scorecard import queries

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass
class FakeTarget:
    code: str
    title: str
    current: Decimal | None
    computed: bool = True
    definition: str = "Số hồ sơ nộp trực tuyến chia cho tổng số hồ sơ tiếp nhận trong kỳ."
    year: int = 2025
    target_value: Decimal | None = Decimal(50)
    unit_label: str = "%"
    source: str = "Kế hoạch 2021–2025 của tỉnh"
    gap: Decimal | None = None
    status: str = "no_data"
    reported_source: str = ""
    reported_by: str = ""


TARGETS = [
    FakeTarget(
        "ho-so-truc-tuyen", "Tỷ lệ hồ sơ nộp trực tuyến", Decimal("41.25"), gap=Decimal("8.75"), status="not_met"
    ),
    FakeTarget(
        "kinh-te-so-grdp",
        "Tỷ trọng kinh tế số trong GRDP",
        Decimal("12.0"),
        computed=False,
        definition="Giá trị gia tăng của kinh tế số chia cho GRDP.",
        target_value=Decimal(20),
        gap=Decimal(8),
        status="not_met",
        reported_source="Báo cáo số 123/BC-CTK của Cục Thống kê",
        reported_by="Trần Văn Thống",
    ),
    FakeTarget("ho-so-cong-viec", "Hồ sơ công việc xử lý trên môi trường mạng", None, target_value=Decimal(90)),
]


def fake_scorecard(*, period, unit):
    return SimpleNamespace(period=period, unit=unit, targets=TARGETS)


def fake_trend(*, indicator, unit, end, months=12):
    return [("2026-01", Decimal("30")), ("2026-02", None), ("2026-03", Decimal("41.25"))]


def fake_breakdown(*, indicator, period, by):
    row = SimpleNamespace
    if by == "level":
        return [row(label="Cấp tỉnh", unit_code="province", value=Decimal(60), numerator=6, denominator=10)]
    return [
        row(label="Sở Tư pháp", unit_code="000.10.00.H53", value=Decimal(60), numerator=6, denominator=10),
        row(label="UBND Xã Cần Giuộc", unit_code="281.59.00.H53", value=None, numerator=0, denominator=0),
    ]


@dataclass
class FakeIndicator:
    code: str
    title: str
    weight: Decimal
    value: Decimal | None
    score: Decimal | None
    thresholds: object = field(default_factory=lambda: {"đủ điểm khi": "≥ 80%"})


def fake_index766(*, period, unit):
    groups = [
        SimpleNamespace(
            code="2",
            title="Tiến độ giải quyết",
            score=Decimal("17.5"),
            maximum=Decimal(20),
            indicators=[
                FakeIndicator("2.1", "Hồ sơ giải quyết đúng hạn", Decimal(20), Decimal("87.5"), Decimal("17.5")),
            ],
        ),
        SimpleNamespace(
            code="3",
            title="Dịch vụ công trực tuyến",
            score=None,
            maximum=Decimal(12),
            indicators=[FakeIndicator("3.3", "Hồ sơ trực tuyến", Decimal(4), None, None)],
        ),
    ]
    return SimpleNamespace(total=Decimal("17.5"), maximum=Decimal(100), groups=groups)


@pytest.fixture
def fake_queries(monkeypatch, org):
    ranking = [(org.justice, Decimal("71.2")), (org.committee_b, Decimal("64.0"))]
    monkeypatch.setattr(queries, "scorecard", fake_scorecard)
    monkeypatch.setattr(queries, "trend", fake_trend)
    monkeypatch.setattr(queries, "breakdown", fake_breakdown)
    monkeypatch.setattr(queries, "index766", fake_index766)
    monkeypatch.setattr(queries, "index766_by_agency", lambda *, period: ranking)
    monkeypatch.setattr(
        queries,
        "procedure_times",
        lambda *, period, unit: [("1.001193", "Đăng ký khai sinh", 12, Decimal("1.4"))],
    )


# --- the public scorecard ----------------------------------------------------------------------


def test_scorecard_shows_each_target_with_its_value_gap_origin_and_definition(client, fake_queries):
    response = client.get("/chi-tieu/", {"period": "2026-Q3"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Tỷ lệ hồ sơ nộp trực tuyến" in page and "41,3%" in page and "8,8%" in page
    assert "Số hồ sơ nộp trực tuyến chia cho tổng số hồ sơ tiếp nhận trong kỳ." in page
    assert "Nền tảng tự tính từ dữ liệu hồ sơ" in page
    # A reported figure says where it comes from and who entered it.
    assert "Báo cáo số 123/BC-CTK của Cục Thống kê" in page and "Trần Văn Thống" in page
    # No data is said, never shown as a number.
    card = page.split('id="chi-tieu-ho-so-cong-viec"')[1].split("</li>")[0]
    assert '<dd class="current no-data">chưa có dữ liệu</dd>' in card
    assert '<dd class="gap">–</dd>' in card
    assert 'href="/chi-tieu/ho-so-truc-tuyen/?period=2026-Q3&amp;unit=province"' in page
    # The download links name the page's one table by nothing (not by the table object's text).
    assert 'href="?period=2026-Q3&amp;unit=province&amp;format=csv" download' in page
    assert "table=" not in page


def test_scorecard_form_keeps_the_choice_and_labels_every_field(client, fake_queries, org):
    page = client.get("/chi-tieu/", {"period": "2026-11", "unit": org.justice.code}).content.decode()
    assert '<label for="period">' in page and '<label for="unit">' in page
    assert 'value="2026-11"' in page
    assert f'<option value="{org.justice.code}" selected>' in page
    # One-stop desks report under their committee: not offered on their own.
    assert org.desk_a.code not in page


@pytest.mark.parametrize("period", ["2026-13", "2026-Q5", "hôm qua", "20266"])
def test_a_bad_period_is_a_message_on_the_page(client, org, period):
    response = client.get("/chi-tieu/", {"period": period})
    assert response.status_code == 400
    page = response.content.decode()
    assert 'class="error-summary" role="alert"' in page and 'aria-invalid="true"' in page
    assert f'value="{period}"' in page


def test_an_unknown_unit_is_a_message_on_the_page(client, org):
    for path in ("/chi-tieu/", "/chi-tieu/ho-so-truc-tuyen/"):
        response = client.get(path, {"period": "2026", "unit": "999.99.99.H99"})
        assert response.status_code == 400, path
        assert 'class="error-summary" role="alert"' in response.content.decode()


def test_scorecard_downloads_as_csv_with_a_bom_and_as_xlsx(client, fake_queries):
    response = client.get("/chi-tieu/", {"period": "2026-Q3", "format": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="chi-tieu_2026-q3_province.csv"'
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["Mã", "Chỉ tiêu", "Định nghĩa"]
    assert [r[0] for r in rows[1:]] == ["ho-so-truc-tuyen", "kinh-te-so-grdp", "ho-so-cong-viec"]
    no_data = rows[3]
    assert no_data[6] == "" and no_data[8] == "Chưa có dữ liệu"
    assert rows[2][10:12] == ["Báo cáo số 123/BC-CTK của Cục Thống kê", "Trần Văn Thống"]

    response = client.get("/chi-tieu/", {"period": "2026-Q3", "format": "xlsx"})
    assert response["Content-Type"] == XLSX
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet["B2"].value == "Tỷ lệ hồ sơ nộp trực tuyến" and sheet["G2"].value == 41.25
    assert sheet["G4"].value is None


def test_indicator_page_has_trend_and_drill_downs_with_their_tables(client, fake_queries):
    response = client.get("/chi-tieu/ho-so-truc-tuyen/", {"period": "2026-Q3"})
    assert response.status_code == 200
    page = response.content.decode()
    assert page.count('role="img"') == 3  # trend, by level, by agency
    assert "Số hồ sơ nộp trực tuyến chia cho tổng số hồ sơ tiếp nhận trong kỳ." in page
    # Each chart has its data table.
    assert "<caption>Theo cơ quan</caption>" in page and "<caption>Theo cấp</caption>" in page
    assert "UBND Xã Cần Giuộc" in page and "chưa có dữ liệu" in page
    assert client.get("/chi-tieu/khong-co/", {"period": "2026"}).status_code == 404


@pytest.mark.parametrize(("table", "first_row"), [("trend", ["2026-01", "30"]), ("agency", ["Sở Tư pháp"])])
def test_indicator_tables_download(client, fake_queries, table, first_row):
    response = client.get("/chi-tieu/ho-so-truc-tuyen/", {"period": "2026", "format": "csv", "table": table})
    assert (
        response["Content-Disposition"] == f'attachment; filename="chi-tieu_ho-so-truc-tuyen_{table}_2026_province.csv"'
    )
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[1][: len(first_row)] == first_row
    response = client.get("/chi-tieu/ho-so-truc-tuyen/", {"period": "2026", "format": "xlsx"})
    assert load_workbook(io.BytesIO(response.content)).sheetnames == ["Xu hướng", "Theo cấp", "Theo cơ quan"]


# --- the officials' dashboard -------------------------------------------------------------------


def test_dashboard_refuses_anonymous_and_citizens(client, personas):
    response = client.get("/can-bo/chi-so-766/")
    assert response.status_code == 302 and response["Location"].startswith("/tai-khoan/dang-nhap/")
    for outsider in (personas.citizen, personas.enterprise):
        client.force_login(outsider)
        assert client.get("/can-bo/chi-so-766/").status_code == 403
        assert client.get("/can-bo/chi-so-766/", {"format": "csv"}).status_code == 403


def test_dashboard_shows_total_groups_indicators_ranking_and_times(client, fake_queries, personas):
    client.force_login(personas.specialist)
    response = client.get("/can-bo/chi-so-766/", {"period": "2026-Q3", "unit": "level:commune"})
    assert response.status_code == 200
    assert response["Cache-Control"].startswith("max-age=0")
    page = response.content.decode()
    assert "17,50" in page and "/ 100" in page
    assert "2.1 Hồ sơ giải quyết đúng hạn" in page and "đủ điểm khi: ≥ 80%" in page
    assert "3.3 Hồ sơ trực tuyến" in page and "chưa có dữ liệu" in page
    assert page.index("Sở Tư pháp") < page.index("UBND Xã Cần Giuộc")
    assert "Đăng ký khai sinh" in page
    assert 'aria-current="page">Chỉ số 766' in page


def test_dashboard_downloads_every_table(client, fake_queries, personas):
    client.force_login(personas.leader)
    response = client.get("/can-bo/chi-so-766/", {"period": "2026", "format": "xlsx"})
    assert response["Content-Type"] == XLSX
    workbook = load_workbook(io.BytesIO(response.content))
    assert len(workbook.sheetnames) == 4
    ranking = workbook.worksheets[2]
    assert [c.value for c in ranking[2]][:3] == [1, "000.10.00.H53", "Sở Tư pháp"]
    response = client.get("/can-bo/chi-so-766/", {"period": "2026", "format": "csv", "table": "groups"})
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[1] == ["2", "Tiến độ giải quyết", "17.5", "20", "20"]
    assert rows[2] == ["3", "Dịch vụ công trực tuyến", "", "12", "12"]
    assert rows[-1][1:] == ["Tổng điểm", "17.5", "100", "100"]
    response = client.get("/can-bo/chi-so-766/", {"period": "2026", "format": "csv", "table": "times"})
    assert response["Content-Disposition"] == 'attachment; filename="chi-so-766_times_2026_province.csv"'


def test_dashboard_bad_period_is_a_message(client, personas):
    client.force_login(personas.specialist)
    response = client.get("/can-bo/chi-so-766/", {"period": "2026-Q9"})
    assert response.status_code == 400
    assert 'class="error-summary" role="alert"' in response.content.decode()


def test_navigation_links_to_the_scorecard(client, personas, fake_queries):
    assert 'href="/chi-tieu/"' in client.get("/thu-tuc/").content.decode()
    client.force_login(personas.specialist)
    page = client.get("/can-bo/").content.decode()
    assert 'href="/can-bo/chi-so-766/"' in page and 'href="/chi-tieu/"' in page


# --- on the real queries, with the plan seeded by its data migration --------------------------


def test_real_scorecard_lists_every_seeded_target_with_a_value_or_no_data(client, org):
    from cqs.scorecard.models import Target

    codes = list(Target.objects.values_list("code", flat=True))
    assert codes
    page = client.get("/chi-tieu/", {"period": "2026"}).content.decode()
    for code in codes:
        card = page.split(f'id="chi-tieu-{code}"')[1].split("</li>")[0]
        current = card.split('class="current')[1].split("</dd>")[0]
        assert "chưa có dữ liệu" in current or any(ch.isdigit() for ch in current), code


def test_real_indicator_pages_and_dashboard_render(client, org, personas):
    from cqs.scorecard.models import Target

    for code in Target.objects.values_list("code", flat=True):
        assert client.get(f"/chi-tieu/{code}/", {"period": "2026-Q3", "unit": "level:commune"}).status_code == 200
    client.force_login(personas.specialist)
    for unit in ("province", "level:commune", org.justice.code):
        response = client.get("/can-bo/chi-so-766/", {"period": "2026-11", "unit": unit})
        assert response.status_code == 200, unit
        # The index is out of 100 points even when nothing could be measured yet.
        assert "/ 100 điểm" in response.content.decode(), unit
    response = client.get("/can-bo/chi-so-766/", {"period": "2026", "format": "xlsx"})
    assert response.status_code == 200 and response["Content-Type"] == XLSX
