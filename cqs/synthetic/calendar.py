"""The official working calendar pre-computed per day, in whole local minutes, for the generator.

Moments are integers: minutes since local midnight of `base` (Asia/Ho_Chi_Minh has no daylight
saving, so local minutes map one-to-one onto instants). Working time is an integer too: the working
minutes elapsed since `base`. Every working day is as long as `OfficeHours.daily`, so the k-th
working day and a working-time offset are found by division, not by walking the calendar. The
answers equal `cqs.calendar.domain.WorkingCalendar`'s (the tests compare them); only the speed
differs, which matters at millions of dossiers.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_right

from cqs.calendar.domain import WorkingCalendar

DAY = 1440


class MinuteCalendar:
    def __init__(self, calendar: WorkingCalendar, base: dt.date, end: dt.date) -> None:
        self.base = base
        self.days = (end - base).days + 1
        sessions = [(s.hour * 60 + s.minute, e.hour * 60 + e.minute) for s, e in calendar.office_hours.sessions]
        self.sessions = sessions
        self.daily = sum(e - s for s, e in sessions)
        # Working minutes elapsed within a day at each minute of the day.
        within = [0] * (DAY + 1)
        for t in range(DAY + 1):
            within[t] = sum(max(0, min(t, e) - s) for s, e in sessions if t > s)
        self.within = within
        self.working = [calendar.is_working_day(base + dt.timedelta(days=i)) for i in range(self.days)]
        self.cum = [0] * (self.days + 1)  # working minutes before day i
        self.working_days: list[int] = []  # day index of the k-th working day
        for i, working in enumerate(self.working):
            self.cum[i + 1] = self.cum[i] + (self.daily if working else 0)
            if working:
                self.working_days.append(i)
        # Session starts and the working offset at which each session begins.
        self.offsets = []
        acc = 0
        for s, e in sessions:
            self.offsets.append(acc)
            acc += e - s
        self._offset_starts = [o for o in self.offsets]

    # --- conversions ----------------------------------------------------------------------------

    def minute(self, moment: dt.datetime) -> int:
        """Local minutes since `base` of an aware moment (seconds dropped)."""
        from django.utils import timezone

        local = timezone.localtime(moment)
        return (local.date() - self.base).days * DAY + local.hour * 60 + local.minute

    def day(self, m: int) -> dt.date:
        return self.base + dt.timedelta(days=m // DAY)

    # --- working time ---------------------------------------------------------------------------

    def work(self, m: int) -> int:
        """Working minutes elapsed from `base` up to the moment `m`."""
        i, t = divmod(m, DAY)
        return self.cum[i] + (self.within[t] if self.working[i] else 0)

    def _place(self, k: int, offset: int) -> int:
        # The moment `offset` working minutes into the k-th working day, offset in [0, daily].
        j = bisect_right(self._offset_starts, offset) - 1
        return self.working_days[k] * DAY + self.sessions[j][0] + offset - self.offsets[j]

    def at_work(self, w: int) -> int:
        """The moment at which working time `w` is reached, inside a session (an opening rather
        than the previous closing): where an official acts, and `effective_start`'s answer."""
        k, offset = divmod(w, self.daily)
        return self._place(k, offset)

    def deadline(self, w: int) -> int:
        """The earliest moment at which working time `w` is reached (a closing rather than the
        next opening), as `WorkingCalendar.add_working_time` answers. `w` > 0."""
        k, offset = divmod(w - 1, self.daily)
        offset += 1
        j = bisect_right(self._offset_starts, offset - 1) - 1
        return self.working_days[k] * DAY + self.sessions[j][0] + offset - self.offsets[j]

    def effective_start(self, m: int) -> int:
        return self.at_work(self.work(m))

    def add_working_time(self, m: int, minutes: int) -> int:
        if minutes <= 0:
            return self.effective_start(m)
        return self.deadline(self.work(m) + minutes)

    def add_calendar_days(self, m: int, days: int) -> int:
        due = self.effective_start(m) + days * DAY
        i, t = divmod(due, DAY)
        while not self.working[i]:
            i += 1
        return i * DAY + t

    def is_working_day(self, i: int) -> bool:
        return self.working[i]
