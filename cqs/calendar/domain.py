"""The official working-day calendar: which days the one-stop shop is open, and deadline arithmetic.

Deadlines for administrative procedures are counted in *working time*: the clock only runs during
office hours on working days. A working day is Monday to Friday, minus public holidays and the
weekdays the government swaps off, plus the Saturdays worked in exchange for them, plus whatever
an administrator overrides (the ``holidays`` package does not know every announced swap, and
provinces sometimes close for storms or floods).

This module is pure Python on purpose, so that it can be tested and reused without Django. Every
public method takes and returns timezone-aware datetimes; results are in Asia/Ho_Chi_Minh.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from enum import StrEnum
from types import MappingProxyType
from zoneinfo import ZoneInfo

import holidays

__all__ = [
    "DEFAULT_OFFICE_HOURS",
    "MAX_DAYS_RANGE",
    "TIMEZONE",
    "CalendarOverride",
    "DayInfo",
    "DayReason",
    "OfficeHours",
    "WorkingCalendar",
]

#: Every moment the calendar returns is expressed in this zone.
TIMEZONE = ZoneInfo("Asia/Ho_Chi_Minh")

#: The longest range ``WorkingCalendar.days`` will list, in days (two years).
MAX_DAYS_RANGE = 366 * 2

_SATURDAY, _SUNDAY = 5, 6
_WEEKEND = frozenset({_SATURDAY, _SUNDAY})
_ZERO = timedelta(0)
_MICROSECONDS_PER_HOUR = 3_600_000_000
# The English names of swapped days off read "Day off (substituted from 04/26/2025)"; the
# Vietnamese ones ("Ngày nghỉ (thay cho ngày 26/04/2025)") are not a stable thing to match on.
_SWAP_MARKER = "substituted"
_TIME_PATTERN = re.compile(r"(\d{1,2}):(\d{2})")
_SESSION_SEPARATOR = re.compile(r"\s*[-–]\s*")  # hyphen, or the en dash Vietnamese texts often use


@dataclass(frozen=True)
class OfficeHours:
    """The sessions during which the office receives and processes dossiers each working day.

    ``sessions`` holds (opening, closing) pairs of naive local times, in order and not overlapping;
    the gap between two sessions (the lunch break) does not count as working time. The length of a
    "working day" in deadline arithmetic is the total length of the sessions.
    """

    sessions: tuple[tuple[time, time], ...]

    def __post_init__(self) -> None:
        sessions = tuple((start, end) for start, end in self.sessions)
        object.__setattr__(self, "sessions", sessions)  # accept lists, store a hashable tuple
        if not sessions:
            raise ValueError("office hours need at least one session")
        previous_end: time | None = None
        for start, end in sessions:
            if not isinstance(start, time) or not isinstance(end, time):
                raise TypeError(f"a session is a pair of datetime.time, got ({start!r}, {end!r})")
            if start.tzinfo is not None or end.tzinfo is not None:
                raise ValueError("session times are local wall-clock times and must be naive")
            if start >= end:
                raise ValueError(f"session {_format_session(start, end)} must start before it ends")
            if previous_end is not None and start < previous_end:
                raise ValueError(
                    f"session {_format_session(start, end)} starts before the previous one ends at "
                    f"{previous_end:%H:%M}; sessions must be in order and must not overlap"
                )
            previous_end = end

    @classmethod
    def default(cls) -> OfficeHours:
        """The common office hours of Vietnamese agencies: 07:00–11:30 and 13:30–17:00 (8 hours)."""
        return cls(sessions=((time(7, 0), time(11, 30)), (time(13, 30), time(17, 0))))

    @classmethod
    def parse(cls, text: str) -> OfficeHours:
        """Read office hours written as ``"07:00-11:30,13:30-17:00"`` (24-hour clock, comma-separated).

        Raises ``ValueError`` naming the offending part when the text is malformed or the sessions
        are out of order, overlapping or empty.
        """
        if not text or not text.strip():
            raise ValueError('office hours are empty; expected e.g. "07:00-11:30,13:30-17:00"')
        sessions = []
        for part in text.split(","):
            bounds = _SESSION_SEPARATOR.split(part.strip())
            if len(bounds) != 2:
                raise ValueError(
                    f"invalid office hours {text!r}: session {part.strip()!r} is not of the form HH:MM-HH:MM"
                )
            sessions.append((_parse_time(bounds[0], text), _parse_time(bounds[1], text)))
        try:
            return cls(sessions=tuple(sessions))
        except ValueError as error:
            raise ValueError(f"invalid office hours {text!r}: {error}") from None

    @property
    def daily(self) -> timedelta:
        """The working time in one working day: the total length of the sessions."""
        return sum((_between(start, end) for start, end in self.sessions), _ZERO)

    def __str__(self) -> str:
        return ",".join(_format_session(start, end) for start, end in self.sessions)


#: The default office hours, 07:00–11:30 and 13:30–17:00.
DEFAULT_OFFICE_HOURS = OfficeHours.default()


@dataclass(frozen=True)
class CalendarOverride:
    """An administrator's decision about one day, which wins over holidays and weekends.

    ``working=False`` closes a day that would otherwise be worked (an announced swap the
    ``holidays`` package lacks, a storm); ``working=True`` opens one that would otherwise be off
    (a make-up Saturday). ``reason`` is the human explanation shown as the day's label.
    """

    day: date
    working: bool
    reason: str

    def __post_init__(self) -> None:
        _check_date(self.day, "override day")
        if not isinstance(self.working, bool):
            raise TypeError(f"working must be a bool, got {self.working!r}")
        if not isinstance(self.reason, str) or not self.reason.strip():
            raise ValueError(f"the override of {self.day.isoformat()} needs a reason")


class DayReason(StrEnum):
    """Why a day is, or is not, a working day (a machine code, stable for storage and APIs)."""

    WORKDAY = "workday"  # an ordinary Monday to Friday
    WEEKEND = "weekend"  # an ordinary Saturday or Sunday
    HOLIDAY = "holiday"  # a public holiday, or the weekday it is observed on
    SWAPPED_DAY_OFF = "swapped_day_off"  # a weekday off, paid back by a working Saturday
    WORKING_SATURDAY = "working_saturday"  # a Saturday worked in exchange for a swapped day off
    OVERRIDE_DAY_OFF = "override_day_off"  # closed by an administrator
    OVERRIDE_WORKING_DAY = "override_working_day"  # opened by an administrator


@dataclass(frozen=True)
class DayInfo:
    """What the calendar says about one day.

    ``working`` tells whether the clock runs that day; ``reason`` is the machine code explaining
    it; ``label`` is human text: the holiday's name in the calendar's language, the override's
    reason, or ``""`` for days with nothing to name (ordinary days and working Saturdays).
    """

    day: date
    working: bool
    reason: DayReason
    label: str


@dataclass(frozen=True)
class _YearHolidays:
    """The days off and make-up days the ``holidays`` package knows for one year."""

    names: Mapping[date, str]  # every day off, with its name in the calendar's language
    swapped: frozenset[date]  # those of them that are swapped days off rather than holidays
    working_saturdays: frozenset[date]


class WorkingCalendar:
    """The province's official calendar: working days, office hours, and deadlines computed on them.

    Holidays come from the ``holidays`` package for ``country`` (names in ``language``) and are
    loaded one year at a time when first needed. ``overrides`` are administrators' decisions about
    single days and win over everything else.
    """

    def __init__(
        self,
        *,
        office_hours: OfficeHours = DEFAULT_OFFICE_HOURS,
        overrides: Iterable[CalendarOverride] = (),
        country: str = "VN",
        language: str = "vi",
    ) -> None:
        try:
            supported = holidays.country_holidays(country).supported_languages
        except NotImplementedError:
            raise ValueError(f"the holidays package has no calendar for country {country!r}") from None
        if language not in supported:
            raise ValueError(f"holiday names for {country} are available in {supported}, not {language!r}")
        self.office_hours = office_hours
        self.country = country
        self.language = language
        # A language to classify holidays in; see _SWAP_MARKER.
        self._english = next((lang for lang in supported if lang.startswith("en")), None)
        self._overrides: dict[date, CalendarOverride] = {}
        for override in overrides:
            if override.day in self._overrides:
                raise ValueError(f"{override.day.isoformat()} is overridden more than once")
            self._overrides[override.day] = override
        self._years: dict[int, _YearHolidays] = {}

    @property
    def overrides(self) -> tuple[CalendarOverride, ...]:
        """The administrators' overrides, in date order."""
        return tuple(self._overrides[day] for day in sorted(self._overrides))

    # --- days -------------------------------------------------------------------------------

    def day(self, d: date) -> DayInfo:
        """Whether ``d`` is a working day, why, and its name if it has one."""
        _check_date(d, "day")
        if (override := self._overrides.get(d)) is not None:
            reason = DayReason.OVERRIDE_WORKING_DAY if override.working else DayReason.OVERRIDE_DAY_OFF
            return DayInfo(d, override.working, reason, override.reason)
        year = self._holidays_of(d.year)
        if (name := year.names.get(d)) is not None:
            # A holiday falling on a weekend is reported as the holiday: it is the better explanation.
            reason = DayReason.SWAPPED_DAY_OFF if d in year.swapped else DayReason.HOLIDAY
            return DayInfo(d, False, reason, name)
        if d.weekday() in _WEEKEND:
            if d in year.working_saturdays:
                return DayInfo(d, True, DayReason.WORKING_SATURDAY, "")
            return DayInfo(d, False, DayReason.WEEKEND, "")
        return DayInfo(d, True, DayReason.WORKDAY, "")

    def days(self, start: date, end: date) -> list[DayInfo]:
        """Every day from ``start`` to ``end`` inclusive, e.g. to show a month or a year.

        Raises ``ValueError`` if ``end`` is before ``start`` or the range exceeds ``MAX_DAYS_RANGE`` days.
        """
        _check_date(start, "start")
        _check_date(end, "end")
        count = (end - start).days + 1
        if count < 1:
            raise ValueError(f"end {end.isoformat()} is before start {start.isoformat()}")
        if count > MAX_DAYS_RANGE:
            raise ValueError(f"cannot list {count} days at once; the limit is {MAX_DAYS_RANGE}")
        return [self.day(start + timedelta(days=offset)) for offset in range(count)]

    def is_working_day(self, d: date) -> bool:
        """Whether the clock runs on ``d`` at all."""
        return self.day(d).working

    def next_working_day(self, d: date) -> date:
        """The first working day strictly after ``d``."""
        _check_date(d, "day")
        following = d + timedelta(days=1)
        while not self.is_working_day(following):
            following += timedelta(days=1)
        return following

    # --- moments ----------------------------------------------------------------------------

    def is_working_time(self, moment: datetime) -> bool:
        """Whether ``moment`` falls inside a session of a working day (opening included, closing not)."""
        local = _to_local(moment, "moment")
        return self.is_working_day(local.date()) and any(
            opening <= local < closing for opening, closing in self._sessions_on(local.date())
        )

    def effective_start(self, moment: datetime) -> datetime:
        """When the clock starts for something received at ``moment``.

        The moment itself during working time; the afternoon opening during the lunch break; that
        day's opening before it opens; the next working day's opening after closing or on a day off.
        """
        return _to_aware(self._effective_start(_to_local(moment, "moment")))

    def add_working_time(self, start: datetime, duration: timedelta) -> datetime:
        """The deadline for ``duration`` of working time counted from ``start``.

        This is the earliest moment at which that much working time has elapsed since ``start``,
        so a deadline may fall exactly on a closing time (11:30, 17:00), never on the next opening.
        A zero duration gives the effective start.
        """
        local = _to_local(start, "start")
        if not isinstance(duration, timedelta):
            raise TypeError(f"duration must be a timedelta, got {duration!r}")
        if duration < _ZERO:
            raise ValueError(f"duration must not be negative, got {duration}")
        return _to_aware(self._add_working_time(local, duration))

    def add_working_hours(self, start: datetime, hours: int | float | Decimal) -> datetime:
        """The deadline for a processing time given in working hours (8 hours = 1 default working day)."""
        return self.add_working_time(start, _hours_to_timedelta(hours))

    def add_working_days(self, start: datetime, days: int) -> datetime:
        """The deadline for a processing time given in working days, each as long as ``OfficeHours.daily``.

        Received at an opening, the deadline is the closing ``days`` working days later, counting
        the day of receipt; received mid-morning, it is the same time of day ``days`` working days later.
        """
        days = _non_negative_int(days, "days")
        return self.add_working_time(start, days * self.office_hours.daily)

    def add_calendar_days(self, start: datetime, days: int) -> datetime:
        """The deadline for a processing time given in calendar days.

        ``days`` calendar days after the effective start, at the same clock time; if that day is
        not a working day, the deadline moves to the next working day at that clock time.
        """
        local = _to_local(start, "start")
        days = _non_negative_int(days, "days")
        due = self._effective_start(local) + timedelta(days=days)
        due_day = due.date()
        if not self.is_working_day(due_day):
            due_day = self.next_working_day(due_day)
        return _to_aware(datetime.combine(due_day, due.time()))

    def working_time_between(self, a: datetime, b: datetime) -> timedelta:
        """The working time elapsed in [a, b): from ``a`` included to ``b`` excluded; zero if ``b <= a``."""
        start, end = _to_local(a, "a"), _to_local(b, "b")
        elapsed = _ZERO
        day = start.date()
        while day <= end.date():
            if self.is_working_day(day):
                for opening, closing in self._sessions_on(day):
                    elapsed += max(_ZERO, min(closing, end) - max(opening, start))
            day += timedelta(days=1)
        return elapsed

    # --- internals (all in naive Vietnamese wall-clock time) ----------------------------------

    def _sessions_on(self, d: date) -> Iterator[tuple[datetime, datetime]]:
        for opening, closing in self.office_hours.sessions:
            yield datetime.combine(d, opening), datetime.combine(d, closing)

    def _opening(self, d: date) -> datetime:
        return datetime.combine(d, self.office_hours.sessions[0][0])

    def _effective_start(self, local: datetime) -> datetime:
        if self.is_working_day(local.date()):
            for opening, closing in self._sessions_on(local.date()):
                if local < closing:
                    return max(local, opening)
        return self._opening(self.next_working_day(local.date()))

    def _add_working_time(self, local: datetime, duration: timedelta) -> datetime:
        moment = self._effective_start(local)  # always inside a session of a working day
        remaining = duration
        daily = self.office_hours.daily
        while True:
            # Spend what is left of the current day, session by session. Comparing with `<=`
            # makes the deadline the earliest moment, e.g. 11:30 rather than the 13:30 reopening.
            for opening, closing in self._sessions_on(moment.date()):
                if closing <= moment:
                    continue
                available = closing - max(opening, moment)
                if remaining <= available:
                    return max(opening, moment) + remaining
                remaining -= available
            # Skip whole working days in one step each; the last (possibly full) day is spent above.
            day = self.next_working_day(moment.date())
            while remaining > daily:
                remaining -= daily
                day = self.next_working_day(day)
            moment = self._opening(day)

    def _holidays_of(self, year: int) -> _YearHolidays:
        # Concurrent first use may load a year twice; both results are equal, so no lock is needed.
        if year not in self._years:
            self._years[year] = self._load_year(year)
        return self._years[year]

    def _load_year(self, year: int) -> _YearHolidays:
        local = holidays.country_holidays(self.country, years=year, language=self.language)
        if self._english is None:
            english = None
        elif self._english == self.language:
            english = local
        else:
            english = holidays.country_holidays(self.country, years=year, language=self._english)
        swapped = frozenset(
            day
            for day in local
            if english is not None and all(_SWAP_MARKER in name.lower() for name in english.get_list(day))
        )
        # `weekend_workdays` lists make-up Saturdays of every year the country class knows.
        working_saturdays = frozenset(day for day in getattr(local, "weekend_workdays", ()) if day.year == year)
        names = MappingProxyType({day: local[day] for day in local})
        return _YearHolidays(names=names, swapped=swapped, working_saturdays=working_saturdays)


def _to_local(moment: datetime, name: str) -> datetime:
    """``moment`` as naive Vietnamese wall-clock time, refusing naive input.

    Viet Nam has had a fixed UTC+7 offset without daylight saving since 1975, so arithmetic on
    naive wall-clock times is also arithmetic on elapsed time.
    """
    if not isinstance(moment, datetime):
        raise TypeError(f"{name} must be a datetime, got {moment!r}")
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got the naive datetime {moment.isoformat()}")
    return moment.astimezone(TIMEZONE).replace(tzinfo=None)


def _to_aware(local: datetime) -> datetime:
    return local.replace(tzinfo=TIMEZONE)


def _check_date(value: date, name: str) -> None:
    # datetime is a subclass of date; accepting one would silently drop its time and zone.
    if not isinstance(value, date) or isinstance(value, datetime):
        raise TypeError(f"{name} must be a datetime.date, got {value!r}")


def _non_negative_int(value: int, name: str) -> int:
    number = operator.index(value)  # TypeError for floats and other non-integers
    if number < 0:
        raise ValueError(f"{name} must not be negative, got {number}")
    return number


def _hours_to_timedelta(hours: int | float | Decimal) -> timedelta:
    # Decimal keeps 0.1 h exactly 6 minutes; the result is rounded to the microsecond.
    if isinstance(hours, bool) or not isinstance(hours, int | float | Decimal):
        raise TypeError(f"hours must be a number, got {hours!r}")
    amount = Decimal(hours)
    if not amount.is_finite():
        raise ValueError(f"hours must be a finite number, got {hours!r}")
    if amount < 0:
        raise ValueError(f"hours must not be negative, got {hours!r}")
    microseconds = (amount * _MICROSECONDS_PER_HOUR).to_integral_value(rounding=ROUND_HALF_EVEN)
    return timedelta(microseconds=int(microseconds))


def _parse_time(text: str, whole: str) -> time:
    match = _TIME_PATTERN.fullmatch(text)
    hour, minute = (int(match[1]), int(match[2])) if match else (-1, -1)
    if not (0 <= hour <= 23 and 0 <= minute <= 59):
        raise ValueError(f"invalid office hours {whole!r}: {text!r} is not a time of day HH:MM")
    return time(hour, minute)


def _between(start: time, end: time) -> timedelta:
    return datetime.combine(date.min, end) - datetime.combine(date.min, start)


def _format_session(start: time, end: time) -> str:
    return f"{start:%H:%M}-{end:%H:%M}"
