"""The tracking register (form 05, "Sổ theo dõi hồ sơ") as XLSX. Pure rendering, no database: run with
`pytest cqs/dossiers/tests/test_register_xlsx.py -p no:django`."""

from __future__ import annotations

import io
import tempfile
import tracemalloc
import unicodedata
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone

import pytest
from openpyxl import load_workbook

from cqs.dossiers.register_xlsx import DATETIME_FORMAT, RegisterRow, render_register

AGENCY = "Bộ phận Một cửa Phường Tân An"
PERIOD = "Tháng 11 năm 2026"
RECEIVED = datetime(2026, 11, 27, 1, 15, tzinfo=UTC)  # 08:15 on 27/11 in Vietnam
HEADINGS_TOP = (
    "STT",
    "Mã hồ sơ",
    "Tên TTHC",
    "Số lượng hồ sơ (bộ)",
    "Tên cá nhân, tổ chức",
    "Địa chỉ, số điện thoại",
    "Cơ quan chủ trì giải quyết",
    "Ngày, tháng, năm",
    None,
    None,
    None,
    None,
    "Ghi chú",
)
HEADINGS_DATES = (
    "Nhận hồ sơ",
    "Hẹn trả kết quả",
    "Chuyển hồ sơ đến cơ quan giải quyết",
    "Nhận kết quả từ cơ quan giải quyết",
    "Trả kết quả cho cá nhân, tổ chức",
)
FIRST_ROW = 7


def make_row(number: int = 1, **changes: object) -> RegisterRow:
    row = RegisterRow(
        number=number,
        dossier_code=f"277.12.01.H53-261127-{number:05d}",
        procedure_name="Đăng ký khai sinh",
        applicant_name="Nguyễn Thị Hồng Nhung",
        applicant_address="Số 12 đường Nguyễn Huệ, khu phố 3, Phường Tân An",
        phone="0912345678",
        received_at=RECEIVED,
        due_at=datetime(2026, 12, 2, 9, 30, tzinfo=UTC),  # 16:30 on 02/12
        transferred_to="Công chức Tư pháp - Hộ tịch",
        finished_at=datetime(2026, 12, 1, 3, 0, tzinfo=UTC),  # 10:00 on 01/12
        returned_at=None,
        status_note="Đã có kết quả, chờ công dân đến nhận",
        transferred_at=datetime(2026, 11, 27, 2, 0, tzinfo=UTC),  # 09:00 on 27/11
    )
    return replace(row, **changes)


def render(rows: object) -> bytes:
    return render_register(agency_name=AGENCY, period_label=PERIOD, rows=rows)


def sheet_of(xlsx: bytes):
    return load_workbook(io.BytesIO(xlsx)).active


@pytest.fixture(scope="module")
def sheet():
    return sheet_of(render([make_row(1), make_row(2, returned_at=None, finished_at=None, status_note="")]))


def values(sheet, row: int) -> tuple:
    return tuple(cell.value for cell in sheet[row])


def test_register_is_an_xlsx_with_one_sheet():
    xlsx = render([make_row()])
    assert xlsx.startswith(b"PK")
    workbook = load_workbook(io.BytesIO(xlsx))
    assert workbook.sheetnames == ["Sổ theo dõi hồ sơ"]


def test_title_agency_and_period_head_the_sheet(sheet):
    assert sheet["A1"].value == "SỔ THEO DÕI HỒ SƠ"
    assert sheet["A1"].font.b
    assert sheet["A2"].value == AGENCY
    assert sheet["A3"].value == PERIOD
    merged = {str(cells) for cells in sheet.merged_cells.ranges}
    assert {"A1:M1", "A2:M2", "A3:M3"} <= merged


def test_headings_are_those_of_the_official_form(sheet):
    assert values(sheet, 5) == HEADINGS_TOP
    assert values(sheet, 6)[7:12] == HEADINGS_DATES
    merged = {str(cells) for cells in sheet.merged_cells.ranges}
    assert "H5:L5" in merged  # "Ngày, tháng, năm" over the five dates
    assert {"A5:A6", "B5:B6", "G5:G6", "M5:M6"} <= merged
    assert sheet["A5"].font.b
    assert sheet["J6"].alignment.wrap_text


def test_a_row_holds_the_dossier(sheet):
    assert values(sheet, FIRST_ROW) == (
        1,
        "277.12.01.H53-261127-00001",
        "Đăng ký khai sinh",
        1,
        "Nguyễn Thị Hồng Nhung",
        "Số 12 đường Nguyễn Huệ, khu phố 3, Phường Tân An\n0912345678",
        "Công chức Tư pháp - Hộ tịch",
        datetime(2026, 11, 27, 8, 15),
        datetime(2026, 12, 2, 16, 30),
        datetime(2026, 11, 27, 9, 0),
        datetime(2026, 12, 1, 10, 0),
        None,
        "Đã có kết quả, chờ công dân đến nhận",
    )


def test_times_are_real_excel_datetimes_in_vietnam_time(sheet):
    for column in "HIJK":
        cell = sheet[f"{column}{FIRST_ROW}"]
        assert cell.is_date
        assert isinstance(cell.value, datetime)
        assert cell.value.tzinfo is None
        assert cell.number_format == DATETIME_FORMAT == "dd/mm/yyyy hh:mm"
    assert sheet[f"L{FIRST_ROW}"].value is None


def test_blank_times_and_notes_stay_blank(sheet):
    row = values(sheet, FIRST_ROW + 1)
    assert row[0] == 2
    assert row[10:] == (None, None, None)


def test_times_in_another_offset_are_converted():
    plus_nine = timezone(timedelta(hours=9))
    sheet = sheet_of(render([make_row(returned_at=datetime(2026, 12, 3, 0, 5, tzinfo=plus_nine))]))
    assert sheet[f"L{FIRST_ROW}"].value == datetime(2026, 12, 2, 22, 5)


def test_transfer_time_is_optional():
    row = RegisterRow(7, "C-7", "Đăng ký khai tử", "Lê Văn An", "Ấp 3", "", RECEIVED, None, "UBND", None, None, "")
    sheet = sheet_of(render([row]))
    assert values(sheet, FIRST_ROW)[5:10] == ("Ấp 3", "UBND", datetime(2026, 11, 27, 8, 15), None, None)


def test_headings_are_frozen_and_columns_sized(sheet):
    assert sheet.freeze_panes == "C7"
    widths = {letter: sheet.column_dimensions[letter].width for letter in "ABCFHM"}
    assert widths["A"] < widths["H"] < widths["C"]
    assert all(width >= 6 for width in widths.values())
    assert sheet.print_title_rows == "$5:$6"  # repeated on every printed page
    assert sheet.page_setup.orientation == "landscape"


def test_cells_wrap_their_text(sheet):
    for column in "CEFM":
        assert sheet[f"{column}{FIRST_ROW}"].alignment.wrap_text


def test_text_is_nfc_on_one_line_without_control_characters():
    name = unicodedata.normalize("NFD", "Nguyễn Thị Hồng Nhung")
    sheet = sheet_of(render([make_row(applicant_name=f"  {name}\t\x07", status_note="Chờ\nbổ sung\x00")]))
    assert sheet[f"E{FIRST_ROW}"].value == "Nguyễn Thị Hồng Nhung"
    assert sheet[f"M{FIRST_ROW}"].value == "Chờ bổ sung"


def test_formula_like_text_stays_text():
    sheet = sheet_of(render([make_row(applicant_name='=HYPERLINK("http://evil.example","bấm")', phone="=1+1")]))
    name = sheet[f"E{FIRST_ROW}"]
    assert name.data_type == "s"
    assert name.value == '=HYPERLINK("http://evil.example","bấm")'
    assert sheet[f"F{FIRST_ROW}"].data_type == "s"


def test_an_empty_register_has_its_headings():
    sheet = sheet_of(render([]))
    assert values(sheet, 5) == HEADINGS_TOP
    assert sheet.max_row == 6


def test_rows_may_come_from_a_generator():
    def rows() -> Iterator[RegisterRow]:
        for number in range(1, 4):
            yield make_row(number)

    sheet = sheet_of(render(rows()))
    assert [sheet[f"A{FIRST_ROW + index}"].value for index in range(3)] == [1, 2, 3]


def test_naive_datetimes_are_refused_and_the_temporary_file_removed(monkeypatch, tmp_path):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))  # where openpyxl streams the sheet

    def rows() -> Iterator[RegisterRow]:
        yield make_row(1)
        yield make_row(2, due_at=datetime(2026, 12, 2, 16, 30))  # naive

    with pytest.raises(ValueError, match=r"RegisterRow\.due_at .*row 2"):
        render(rows())
    assert list(tmp_path.iterdir()) == []


def test_a_register_of_twenty_thousand_rows_renders():
    count = 20_000
    xlsx = render(make_row(number, received_at=RECEIVED + timedelta(minutes=number)) for number in range(1, count + 1))
    sheet = load_workbook(io.BytesIO(xlsx), read_only=True).active
    rows = list(sheet.iter_rows(min_row=FIRST_ROW, values_only=True))
    assert len(rows) == count
    assert [row[0] for row in rows] == list(range(1, count + 1))
    assert rows[-1][:2] == (count, f"277.12.01.H53-261127-{count:05d}")
    assert rows[-1][7] == datetime(2026, 11, 27, 8, 15) + timedelta(minutes=count)


def test_rows_are_streamed_in_bounded_memory():
    def peak(count: int) -> int:
        tracemalloc.start()
        try:
            render(make_row(number) for number in range(1, count + 1))
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()

    render([make_row()])  # imports and caches, out of the measure
    # A thousand more rows cost about their share of the compressed file (~60 kB); built in memory
    # (without write-only mode), they would cost some 6 MB.
    assert peak(1_500) - peak(500) < 1_500_000
