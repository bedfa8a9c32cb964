"""Unit tests of the working-day calendar (pure Python: run with ``-p no:django``)."""

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cqs.calendar.domain import (
    TIMEZONE,
    CalendarOverride,
    DayInfo,
    OfficeHours,
    WorkingCalendar,
)

CALENDAR = WorkingCalendar()  # shared, so each year's holidays are loaded once for the whole module


def vn(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """A moment on the Vietnamese wall clock."""
    return datetime(year, month, day, hour, minute, tzinfo=TIMEZONE)


def reasons(start: date, end: date, calendar: WorkingCalendar = CALENDAR) -> dict[date, str]:
    return {info.day: info.reason for info in calendar.days(start, end)}


# --- office hours ---------------------------------------------------------------------------


def test_default_office_hours_make_an_eight_hour_day():
    hours = OfficeHours.default()
    assert hours.sessions == ((time(7, 0), time(11, 30)), (time(13, 30), time(17, 0)))
    assert hours.daily == timedelta(hours=8)


def test_office_hours_parse_reads_sessions_and_round_trips():
    hours = OfficeHours.parse(" 08:00 - 12:00 , 13:00–17:00 ")
    assert hours.sessions == ((time(8), time(12)), (time(13), time(17)))
    assert hours.daily == timedelta(hours=8)
    assert OfficeHours.parse(str(hours)) == hours
    assert OfficeHours.parse("07:30-11:30").daily == timedelta(hours=4)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("07:00", "HH:MM-HH:MM"),
        ("07:00-11:30-12:00", "HH:MM-HH:MM"),
        ("7h-11h30", "HH:MM"),
        ("07:00-25:00", "'25:00' is not a time of day"),
        ("07:00-11:60", "'11:60' is not a time of day"),
        ("11:30-07:00", "must start before it ends"),
        ("07:00-07:00", "must start before it ends"),
        ("07:00-12:00,11:00-17:00", "must not overlap"),
        ("13:30-17:00,07:00-11:30", "must be in order"),
        ("07:00-11:30,", "HH:MM-HH:MM"),
    ],
)
def test_bad_office_hours_text_is_refused_with_a_clear_message(text, message):
    with pytest.raises(ValueError, match=message):
        OfficeHours.parse(text)


def test_office_hours_refuse_no_sessions_and_timezone_aware_times():
    with pytest.raises(ValueError, match="at least one session"):
        OfficeHours(sessions=())
    with pytest.raises(ValueError, match="naive"):
        OfficeHours(sessions=((time(7, tzinfo=UTC), time(11)),))


# --- days -----------------------------------------------------------------------------------


def test_ordinary_weekdays_and_weekends():
    assert CALENDAR.day(date(2026, 3, 10)) == DayInfo(date(2026, 3, 10), True, "workday", "")
    assert CALENDAR.day(date(2026, 3, 14)) == DayInfo(date(2026, 3, 14), False, "weekend", "")
    assert not CALENDAR.is_working_day(date(2026, 3, 15))


def test_tet_2026_is_off_from_16_to_20_february():
    days = reasons(date(2026, 2, 13), date(2026, 2, 23))
    assert [d.day for d in sorted(days) if days[d] == "holiday"] == [16, 17, 18, 19, 20]
    assert days[date(2026, 2, 13)] == "workday"
    assert days[date(2026, 2, 23)] == "workday"
    assert CALENDAR.day(date(2026, 2, 17)).label == "Tết Nguyên Đán"


def test_tet_2027_is_off_from_4_to_10_february_including_its_weekend():
    infos = CALENDAR.days(date(2027, 2, 3), date(2027, 2, 11))
    off = [info.day.day for info in infos if not info.working]
    assert off == [4, 5, 6, 7, 8, 9, 10]
    # A holiday falling on a weekend is reported as the holiday, not as a plain weekend.
    assert {info.reason for info in infos if not info.working} == {"holiday"}
    assert CALENDAR.day(date(2027, 2, 4)).label == "29 Tết"


def test_days_reports_the_august_2026_swap_and_national_day():
    infos = {info.day: info for info in CALENDAR.days(date(2026, 8, 21), date(2026, 9, 3))}
    assert infos[date(2026, 8, 22)] == DayInfo(date(2026, 8, 22), True, "working_saturday", "")
    assert infos[date(2026, 8, 23)].reason == "weekend"
    assert infos[date(2026, 8, 31)] == DayInfo(
        date(2026, 8, 31), False, "swapped_day_off", "Ngày nghỉ (thay cho ngày 22/08/2026)"
    )
    assert infos[date(2026, 9, 1)] == DayInfo(date(2026, 9, 1), False, "holiday", "Quốc khánh")
    assert infos[date(2026, 9, 2)].reason == "holiday"
    assert infos[date(2026, 9, 3)].reason == "workday"
    assert len(infos) == 14


def test_observed_holiday_is_a_holiday_not_a_swap():
    info = CALENDAR.day(date(2026, 4, 27))
    assert (info.working, info.reason) == (False, "holiday")
    assert info.label == "Ngày Giỗ Tổ Hùng Vương (nghỉ bù)"


def test_days_refuses_ranges_longer_than_two_years_or_backwards():
    assert len(CALENDAR.days(date(2025, 1, 1), date(2026, 12, 31))) == 730
    assert len(CALENDAR.days(date(2026, 1, 1), date(2026, 1, 1))) == 1
    with pytest.raises(ValueError, match="limit"):
        CALENDAR.days(date(2025, 1, 1), date(2027, 1, 3))
    with pytest.raises(ValueError, match="before start"):
        CALENDAR.days(date(2026, 1, 2), date(2026, 1, 1))


def test_english_calendar_names_holidays_in_english():
    english = WorkingCalendar(language="en_US")
    assert english.day(date(2026, 9, 2)).label == "National Day"
    assert english.day(date(2026, 8, 31)).reason == "swapped_day_off"


def test_unknown_country_or_language_is_refused():
    with pytest.raises(ValueError, match="country"):
        WorkingCalendar(country="XX")
    with pytest.raises(ValueError, match="fr"):
        WorkingCalendar(language="fr")


def test_next_working_day_is_strictly_after_and_skips_days_off():
    assert CALENDAR.next_working_day(date(2026, 3, 10)) == date(2026, 3, 11)
    assert CALENDAR.next_working_day(date(2026, 3, 13)) == date(2026, 3, 16)
    assert CALENDAR.next_working_day(date(2026, 2, 13)) == date(2026, 2, 23)
    assert CALENDAR.next_working_day(date(2026, 8, 21)) == date(2026, 8, 22)
    assert CALENDAR.next_working_day(date(2026, 8, 28)) == date(2026, 9, 3)


def test_datetimes_are_refused_where_a_date_is_expected():
    with pytest.raises(TypeError):
        CALENDAR.day(vn(2026, 3, 10, 9))


# --- overrides ------------------------------------------------------------------------------


def test_override_day_off_moves_a_deadline_and_labels_the_day():
    storm = CalendarOverride(date(2026, 3, 12), working=False, reason="Nghỉ tránh bão số 3")
    calendar = WorkingCalendar(overrides=[storm])
    assert calendar.day(date(2026, 3, 12)) == DayInfo(
        date(2026, 3, 12), False, "override_day_off", "Nghỉ tránh bão số 3"
    )
    assert CALENDAR.add_working_days(vn(2026, 3, 11, 9), 1) == vn(2026, 3, 12, 9)
    assert calendar.add_working_days(vn(2026, 3, 11, 9), 1) == vn(2026, 3, 13, 9)


def test_override_working_saturday_8_february_2025_counts():
    # The holidays package lacks this make-up day for the Tết 2025 swap (27 Jan off).
    assert CALENDAR.day(date(2025, 2, 8)).reason == "weekend"
    make_up = CalendarOverride(date(2025, 2, 8), working=True, reason="Làm bù cho ngày 27/01/2025")
    calendar = WorkingCalendar(overrides=[make_up])
    assert calendar.day(date(2025, 2, 8)) == DayInfo(
        date(2025, 2, 8), True, "override_working_day", "Làm bù cho ngày 27/01/2025"
    )
    assert calendar.add_working_days(vn(2025, 2, 7, 9), 1) == vn(2025, 2, 8, 9)
    assert CALENDAR.add_working_days(vn(2025, 2, 7, 9), 1) == vn(2025, 2, 10, 9)


def test_override_wins_over_a_holiday():
    calendar = WorkingCalendar(
        overrides=[CalendarOverride(date(2026, 8, 31), working=True, reason="Trực tiếp nhận hồ sơ")]
    )
    assert calendar.is_working_day(date(2026, 8, 31))
    assert calendar.day(date(2026, 8, 31)).reason == "override_working_day"
    assert calendar.overrides[0].day == date(2026, 8, 31)


def test_overrides_need_a_reason_and_one_per_day():
    with pytest.raises(ValueError, match="reason"):
        CalendarOverride(date(2026, 3, 12), working=False, reason="  ")
    twice = [
        CalendarOverride(date(2026, 3, 12), working=False, reason="a"),
        CalendarOverride(date(2026, 3, 12), working=True, reason="b"),
    ]
    with pytest.raises(ValueError, match="more than once"):
        WorkingCalendar(overrides=twice)


# --- reception: when the clock starts -------------------------------------------------------


def test_working_time_includes_session_start_but_not_its_end():
    assert CALENDAR.is_working_time(vn(2026, 3, 10, 7))
    assert CALENDAR.is_working_time(vn(2026, 3, 10, 11, 29))
    assert not CALENDAR.is_working_time(vn(2026, 3, 10, 11, 30))
    assert not CALENDAR.is_working_time(vn(2026, 3, 10, 12))
    assert CALENDAR.is_working_time(vn(2026, 3, 10, 13, 30))
    assert not CALENDAR.is_working_time(vn(2026, 3, 10, 17))
    assert not CALENDAR.is_working_time(vn(2026, 3, 14, 9))  # Saturday
    assert not CALENDAR.is_working_time(vn(2026, 2, 17, 9))  # Tết


def test_received_in_working_time_starts_at_once():
    assert CALENDAR.effective_start(vn(2026, 3, 10, 9, 15)) == vn(2026, 3, 10, 9, 15)


def test_received_before_opening_starts_at_opening():
    assert CALENDAR.effective_start(vn(2026, 3, 10, 6, 30)) == vn(2026, 3, 10, 7)


def test_received_in_lunch_break_starts_at_afternoon_opening():
    assert CALENDAR.effective_start(vn(2026, 3, 10, 12)) == vn(2026, 3, 10, 13, 30)
    assert CALENDAR.effective_start(vn(2026, 3, 10, 11, 30)) == vn(2026, 3, 10, 13, 30)


def test_received_friday_evening_starts_monday_morning():
    assert CALENDAR.effective_start(vn(2026, 3, 13, 18)) == vn(2026, 3, 16, 7)
    assert CALENDAR.effective_start(vn(2026, 3, 13, 17)) == vn(2026, 3, 16, 7)


def test_received_on_saturday_starts_monday_morning():
    assert CALENDAR.effective_start(vn(2026, 3, 14, 10)) == vn(2026, 3, 16, 7)


def test_received_on_working_saturday_starts_at_once():
    assert CALENDAR.effective_start(vn(2026, 8, 22, 10)) == vn(2026, 8, 22, 10)


def test_received_before_tet_2026_starts_after_it():
    assert CALENDAR.effective_start(vn(2026, 2, 13, 17, 30)) == vn(2026, 2, 23, 7)


# --- deadlines in working time ----------------------------------------------------------------


def test_deadline_can_end_exactly_at_morning_closing():
    assert CALENDAR.add_working_hours(vn(2026, 3, 10, 7), 4.5) == vn(2026, 3, 10, 11, 30)


def test_deadline_of_one_working_day_from_opening_ends_at_closing_same_day():
    assert CALENDAR.add_working_hours(vn(2026, 3, 10, 7), 8) == vn(2026, 3, 10, 17)
    assert CALENDAR.add_working_days(vn(2026, 3, 10, 7), 1) == vn(2026, 3, 10, 17)


def test_deadline_skips_the_lunch_break():
    assert CALENDAR.add_working_hours(vn(2026, 3, 10, 11), Decimal("1.5")) == vn(2026, 3, 10, 14, 30)
    assert CALENDAR.add_working_hours(vn(2026, 3, 10, 11), 2) == vn(2026, 3, 10, 15)


def test_deadline_from_lunch_break_counts_from_afternoon_opening():
    assert CALENDAR.add_working_hours(vn(2026, 3, 10, 12), 2) == vn(2026, 3, 10, 15, 30)


def test_deadline_of_zero_is_the_effective_start():
    assert CALENDAR.add_working_time(vn(2026, 3, 13, 18), timedelta(0)) == vn(2026, 3, 16, 7)
    assert CALENDAR.add_working_days(vn(2026, 3, 10, 9), 0) == vn(2026, 3, 10, 9)


def test_deadline_in_working_hours_spans_days():
    assert CALENDAR.add_working_hours(vn(2026, 3, 10, 9), 16) == vn(2026, 3, 12, 9)
    assert CALENDAR.add_working_hours(vn(2026, 3, 13, 16), 2) == vn(2026, 3, 16, 8)
    assert CALENDAR.add_working_hours(vn(2026, 3, 10, 7), 0.1) == vn(2026, 3, 10, 7, 6)


def test_deadline_skips_a_weekend_and_a_holiday():
    # Wed 29 Apr 2026: 30/4 and 1/5 are holidays, then the weekend.
    assert CALENDAR.add_working_days(vn(2026, 4, 29, 9), 3) == vn(2026, 5, 6, 9)


def test_deadline_skips_tet_2026():
    assert CALENDAR.add_working_days(vn(2026, 2, 13, 9), 1) == vn(2026, 2, 23, 9)
    assert CALENDAR.add_working_days(vn(2026, 2, 12, 9), 3) == vn(2026, 2, 24, 9)


def test_deadline_skips_tet_2027():
    assert CALENDAR.add_working_days(vn(2027, 2, 3, 10), 1) == vn(2027, 2, 11, 10)


def test_deadline_uses_working_saturday_22_august_2026():
    assert CALENDAR.add_working_days(vn(2026, 8, 21, 9), 1) == vn(2026, 8, 22, 9)


def test_deadline_skips_swapped_day_off_and_national_day_2026():
    # 29–30 Aug weekend, 31 Aug swapped day off, 1–2 Sep National Day.
    assert CALENDAR.add_working_days(vn(2026, 8, 28, 9), 1) == vn(2026, 9, 3, 9)


def test_deadline_across_a_year_boundary():
    # 31 Dec 2026 (Thu) 9:00 + 1 day: 1 Jan 2027 is a holiday, then the weekend.
    assert CALENDAR.add_working_days(vn(2026, 12, 31, 9), 1) == vn(2027, 1, 4, 9)


def test_long_deadline_skips_whole_days_without_scanning():
    class CountingCalendar(WorkingCalendar):
        lookups = 0

        def day(self, d):
            self.lookups += 1
            return super().day(d)

    calendar = CountingCalendar()
    due = calendar.add_working_days(vn(2026, 3, 2, 7), 60)
    assert calendar.working_time_between(vn(2026, 3, 2, 7), due) == 60 * timedelta(hours=8)
    calendar.lookups = 0
    calendar.add_working_days(vn(2026, 3, 2, 7), 60)
    assert calendar.lookups <= 90


def test_negative_durations_are_refused():
    with pytest.raises(ValueError):
        CALENDAR.add_working_time(vn(2026, 3, 10, 9), timedelta(seconds=-1))
    with pytest.raises(ValueError):
        CALENDAR.add_working_hours(vn(2026, 3, 10, 9), -0.5)
    with pytest.raises(ValueError):
        CALENDAR.add_working_days(vn(2026, 3, 10, 9), -1)
    with pytest.raises(ValueError):
        CALENDAR.add_calendar_days(vn(2026, 3, 10, 9), -1)
    with pytest.raises(ValueError):
        CALENDAR.add_working_hours(vn(2026, 3, 10, 9), float("nan"))


def test_non_integer_days_are_refused():
    with pytest.raises(TypeError):
        CALENDAR.add_working_days(vn(2026, 3, 10, 9), 1.5)
    with pytest.raises(TypeError):
        CALENDAR.add_working_hours(vn(2026, 3, 10, 9), "2")


# --- deadlines in calendar days -------------------------------------------------------------


def test_calendar_days_keep_the_clock_time():
    assert CALENDAR.add_calendar_days(vn(2026, 3, 10, 9, 15), 2) == vn(2026, 3, 12, 9, 15)


def test_calendar_days_landing_on_sunday_move_to_monday():
    assert CALENDAR.add_calendar_days(vn(2026, 3, 2, 9), 6) == vn(2026, 3, 9, 9)


def test_calendar_days_landing_on_a_holiday_move_to_next_working_day():
    # Fri 24 Apr + 6 = Thu 30 Apr (holiday), then 1 May and the weekend.
    assert CALENDAR.add_calendar_days(vn(2026, 4, 24, 9), 6) == vn(2026, 5, 4, 9)


def test_calendar_days_count_from_the_effective_start():
    assert CALENDAR.add_calendar_days(vn(2026, 3, 13, 18), 3) == vn(2026, 3, 19, 7)
    assert CALENDAR.add_calendar_days(vn(2026, 3, 10, 12), 0) == vn(2026, 3, 10, 13, 30)


# --- elapsed working time -------------------------------------------------------------------


def test_working_time_between_excludes_lunch_break():
    assert CALENDAR.working_time_between(vn(2026, 3, 10, 11), vn(2026, 3, 10, 14)) == timedelta(hours=1)


def test_working_time_between_excludes_weekend():
    elapsed = CALENDAR.working_time_between(vn(2026, 3, 13, 15), vn(2026, 3, 16, 9))
    assert elapsed == timedelta(hours=4)


def test_working_time_between_excludes_holidays():
    elapsed = CALENDAR.working_time_between(vn(2026, 2, 13, 7), vn(2026, 2, 24, 7))
    assert elapsed == timedelta(hours=16)


def test_working_time_between_is_zero_when_b_is_not_after_a():
    assert CALENDAR.working_time_between(vn(2026, 3, 10, 14), vn(2026, 3, 10, 9)) == timedelta(0)
    assert CALENDAR.working_time_between(vn(2026, 3, 10, 9), vn(2026, 3, 10, 9)) == timedelta(0)


# --- custom office hours --------------------------------------------------------------------


def test_custom_office_hours_shift_openings_and_deadlines():
    calendar = WorkingCalendar(office_hours=OfficeHours.parse("08:00-12:00,13:00-17:00"))
    assert calendar.effective_start(vn(2026, 3, 10, 7, 30)) == vn(2026, 3, 10, 8)
    assert calendar.effective_start(vn(2026, 3, 10, 12, 30)) == vn(2026, 3, 10, 13)
    assert calendar.add_working_hours(vn(2026, 3, 10, 8), 4) == vn(2026, 3, 10, 12)
    assert calendar.add_working_days(vn(2026, 3, 10, 8), 1) == vn(2026, 3, 10, 17)
    assert calendar.add_working_hours(vn(2026, 3, 13, 16), 2) == vn(2026, 3, 16, 9)
    assert not calendar.is_working_time(vn(2026, 3, 10, 7, 30))


def test_a_working_day_lasts_as_long_as_the_sessions():
    calendar = WorkingCalendar(office_hours=OfficeHours.parse("07:30-11:30"))
    assert calendar.add_working_days(vn(2026, 3, 10, 7, 30), 1) == vn(2026, 3, 10, 11, 30)
    assert calendar.add_working_days(vn(2026, 3, 10, 9, 30), 2) == vn(2026, 3, 12, 9, 30)


# --- time zones -----------------------------------------------------------------------------

NAIVE = datetime(2026, 3, 10, 9)


@pytest.mark.parametrize(
    "call",
    [
        lambda: CALENDAR.is_working_time(NAIVE),
        lambda: CALENDAR.effective_start(NAIVE),
        lambda: CALENDAR.add_working_time(NAIVE, timedelta(hours=1)),
        lambda: CALENDAR.add_working_hours(NAIVE, 1),
        lambda: CALENDAR.add_working_days(NAIVE, 1),
        lambda: CALENDAR.add_calendar_days(NAIVE, 1),
        lambda: CALENDAR.working_time_between(NAIVE, vn(2026, 3, 10, 10)),
        lambda: CALENDAR.working_time_between(vn(2026, 3, 10, 8), NAIVE),
    ],
)
def test_naive_datetimes_are_refused(call):
    with pytest.raises(ValueError, match="timezone-aware"):
        call()


def test_utc_inputs_are_converted_and_results_are_in_vietnam_time():
    received = datetime(2026, 3, 10, 2, 0, tzinfo=UTC)  # 09:00 in Hà Nội
    start = CALENDAR.effective_start(received)
    assert start == vn(2026, 3, 10, 9)
    assert start.tzinfo == TIMEZONE
    assert start.hour == 9
    due = CALENDAR.add_working_hours(received, 1)
    assert (due.hour, due.tzinfo) == (10, TIMEZONE)
    # 10:00 UTC is 17:00 in Viet Nam: closed, so the clock starts the next morning.
    assert CALENDAR.effective_start(datetime(2026, 3, 10, 10, tzinfo=UTC)) == vn(2026, 3, 11, 7)
    assert not CALENDAR.is_working_time(datetime(2026, 3, 10, 10, tzinfo=UTC))


# --- properties -----------------------------------------------------------------------------

ZONES = st.sampled_from([TIMEZONE, UTC, ZoneInfo("Europe/Paris"), ZoneInfo("America/New_York")])
STARTS = st.datetimes(
    min_value=datetime(2024, 1, 1), max_value=datetime(2028, 12, 31), timezones=ZONES, allow_imaginary=False
)
DURATIONS = st.timedeltas(min_value=timedelta(0), max_value=timedelta(hours=8 * 60))


@settings(max_examples=200, deadline=None)
@given(start=STARTS, first=DURATIONS, second=DURATIONS)
def test_deadline_is_exactly_the_duration_of_working_time_and_monotonic(start, first, second):
    shorter, longer = sorted((first, second))
    due_shorter = CALENDAR.add_working_time(start, shorter)
    due_longer = CALENDAR.add_working_time(start, longer)
    assert CALENDAR.working_time_between(start, due_shorter) == shorter
    assert CALENDAR.working_time_between(start, due_longer) == longer
    assert due_shorter <= due_longer
    assert due_shorter.tzinfo == TIMEZONE
