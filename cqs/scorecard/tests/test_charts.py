"""The server-side SVG charts and the CSV/XLSX downloads, without the database."""

import csv
import io
import xml.etree.ElementTree as ET
from decimal import Decimal

from django.utils import translation
from openpyxl import load_workbook

from cqs.scorecard import charts, exports

SVG = "{http://www.w3.org/2000/svg}"


def parse(svg: str) -> ET.Element:
    root = ET.fromstring(svg)  # noqa: S314 - our own output, parsed to prove it is well-formed
    assert root.tag == SVG + "svg"
    return root


MONTHS = [("2026-01", Decimal("40")), ("2026-02", None), ("2026-03", Decimal("55.5")), ("2026-04", Decimal("60"))]


def test_trend_chart_is_an_accessible_svg_image():
    root = parse(charts.trend_chart(MONTHS, chart_id="t", title="Hồ sơ trực tuyến", description="Bốn tháng"))
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "t-title t-desc"
    assert root.find(SVG + "title").text == "Hồ sơ trực tuyến"
    assert root.find(SVG + "title").get("id") == "t-title"
    assert root.find(SVG + "desc").text == "Bốn tháng"
    # Sized for a phone: 360 units wide, scaling with its container.
    assert root.get("viewBox").startswith("0 0 360 ")
    assert root.get("width") == "100%"


def test_trend_chart_breaks_the_line_where_a_month_has_no_data():
    root = parse(charts.trend_chart(MONTHS, chart_id="t", title="x"))
    lines = root.findall(SVG + "polyline")
    # January stands alone (February is missing): a dot, not a line to zero; March–April is a line.
    assert len(lines) == 1
    assert len(lines[0].get("points").split()) == 2
    dots = root.findall(SVG + "circle")
    assert len(dots) == 3
    assert [d.find(SVG + "title").text for d in dots] == ["2026-01: 40%", "2026-03: 55,5%", "2026-04: 60%"]
    labels = [t.text for t in root.findall(SVG + "text")]
    assert [t for t in labels if t and "/" in t] == ["01/26", "02/26", "03/26", "04/26"]


def test_trend_chart_without_any_value_says_no_data_and_draws_nothing():
    root = parse(charts.trend_chart([("2026-01", None), ("2026-02", None)], chart_id="t", title="x"))
    assert root.findall(SVG + "polyline") == []
    assert root.findall(SVG + "circle") == []
    assert "chưa có dữ liệu" in [t.text for t in root.findall(SVG + "text")]


def test_trend_chart_draws_the_target_and_scales_to_it():
    root = parse(charts.trend_chart(MONTHS, chart_id="t", title="x", unit="ngày", target=Decimal("250")))
    target = [line for line in root.findall(SVG + "line") if line.get("stroke-dasharray")]
    assert len(target) == 1
    assert target[0].find(SVG + "title").text == "Chỉ tiêu: 250 ngày"
    # The axis reaches a round number at or above the target.
    assert "250" in [t.text for t in root.findall(SVG + "text")]


def test_text_in_charts_is_escaped():
    root = parse(charts.bar_chart([('<Sở> & "Ban"', Decimal(5))], chart_id="b", title="a < b"))
    assert root.find(SVG + "title").text == "a < b"
    assert root.findall(SVG + "text")[0].text == '<Sở> & "Ban"'


def test_bar_chart_has_one_bar_per_known_value_and_says_no_data_for_the_others():
    rows = [("Sở Tư pháp", Decimal("82.4")), ("UBND Phường Tân An", None), ("UBND Xã Cần Giuộc", Decimal("100"))]
    root = parse(charts.bar_chart(rows, chart_id="b", title="Theo cơ quan", maximum=Decimal(100)))
    bars = [r for r in root.findall(SVG + "rect") if r.find(SVG + "title") is not None]
    assert [b.find(SVG + "title").text for b in bars] == ["Sở Tư pháp: 82,4%", "UBND Xã Cần Giuộc: 100%"]
    track = float(root.findall(SVG + "rect")[0].get("width"))
    assert float(bars[1].get("width")) == track  # 100 % fills the track
    texts = [t.text for t in root.findall(SVG + "text")]
    assert "chưa có dữ liệu" in texts
    assert "UBND Phường Tân An" in texts


def test_values_follow_the_language_and_none_is_never_zero():
    assert charts.format_value(None, "%") == "chưa có dữ liệu"
    assert charts.format_value(Decimal("12.345"), "%") == "12,3%"
    assert charts.format_value(Decimal("7"), "ngày") == "7 ngày"
    with translation.override("en"):
        assert charts.format_value(Decimal("12.345"), "%") == "12.3%"


TABLE = exports.Table(
    title="Chỉ tiêu",
    columns=["Mã", "Chỉ tiêu", "Hiện tại"],
    rows=[["CT-01", "Hồ sơ trực tuyến", Decimal("55.5")], ["CT-02", '=HYPERLINK("x")', None]],
)


def test_csv_is_utf8_with_a_bom_and_keeps_diacritics():
    body = exports.to_csv(TABLE)
    assert body.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[0] == ["Mã", "Chỉ tiêu", "Hiện tại"]
    assert rows[1] == ["CT-01", "Hồ sơ trực tuyến", "55.5"]
    # No data stays empty; a formula typed into a title is neutralised.
    assert rows[2] == ["CT-02", '\'=HYPERLINK("x")', ""]


def test_xlsx_has_one_sheet_per_table_with_numbers_as_numbers():
    second = exports.Table(title="Theo cơ quan: [tháng] 11/2026 và nhiều chữ nữa cho dài", columns=["A"], rows=[])
    workbook = load_workbook(io.BytesIO(exports.to_xlsx([TABLE, second])))
    assert workbook.sheetnames[0] == "Chỉ tiêu"
    assert len(workbook.sheetnames[1]) <= 31 and "[" not in workbook.sheetnames[1]
    sheet = workbook["Chỉ tiêu"]
    assert [c.value for c in sheet[1]] == ["Mã", "Chỉ tiêu", "Hiện tại"]
    assert sheet["C2"].value == 55.5
    assert sheet["C3"].value is None


def test_download_names_are_ascii():
    assert exports.ascii_filename("chi-tieu", "2026-Q3", "Sở Tư pháp Đồng Tháp", extension="csv") == (
        "chi-tieu_2026-q3_so-tu-phap-dong-thap.csv"
    )
    reply = exports.response(TABLE, fmt="xlsx", name=("chỉ số 766", "level:commune"))
    assert reply["Content-Type"] == exports.XLSX_TYPE
    assert reply["Content-Disposition"] == 'attachment; filename="chi-so-766_level-commune.xlsx"'
