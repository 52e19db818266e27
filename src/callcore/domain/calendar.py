"""The business calendar (domain.md §3, §6 "business time").

A ``business`` SLA clock counts only opening hours on business days, in the centre's
time zone. Business days are the working weekdays, plus the official make-up working
days (调休), minus public holidays — both taken from the maintained ``holidays`` library
(never a hand-written list) — plus the make-up days and minus the closures the centre's
directory lists.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta

import holidays

from callcore.domain.directory import CalendarSettings
from callcore.domain.timezones import zone as zone  # re-exported: callers ask the calendar


@functools.cache
def _public_holidays(country: str, subdivision: str | None, year: int) -> frozenset[date]:
    table = holidays.country_holidays(country, subdiv=subdivision, years=year)
    return frozenset(table.keys())


@functools.cache
def official_working_days(country: str, subdivision: str | None, year: int) -> frozenset[date]:
    """The official make-up working days of a year (China's 调休: a Saturday or Sunday
    worked to bridge a holiday), as the ``holidays`` library publishes them in
    ``weekend_workdays`` (countries without any give none). The library's set may hold
    days of other years it computed on the way: only ``year``'s are kept."""
    table = holidays.country_holidays(country, subdiv=subdivision, years=year)
    days: set[date] = getattr(table, "weekend_workdays", set())
    return frozenset(day for day in days if day.year == year)


class BusinessCalendar:
    """Pure calendar arithmetic over :class:`CalendarSettings`."""

    def __init__(self, settings: CalendarSettings) -> None:
        self.settings = settings
        self.zone = zone(settings.timezone)

    # -- days ----------------------------------------------------------------------

    def is_public_holiday(self, day: date) -> bool:
        s = self.settings
        return day in s.extra_holidays or day in _public_holidays(
            s.holiday_country, s.holiday_subdivision, day.year
        )

    def is_make_up_working_day(self, day: date) -> bool:
        """An official make-up working day of the centre's country, or one the directory
        lists (``calendar.extra_working_days``)."""
        s = self.settings
        return day in s.extra_working_days or day in official_working_days(
            s.holiday_country, s.holiday_subdivision, day.year
        )

    def is_business_day(self, day: date) -> bool:
        """The directory's own lists first (a make-up day it names is worked, a closure
        it names is closed), then the country's: official make-up days are worked,
        public holidays are closed, and otherwise the working weekdays."""
        s = self.settings
        if day in s.extra_working_days:
            return True
        if day in s.extra_holidays:
            return False
        if day in official_working_days(s.holiday_country, s.holiday_subdivision, day.year):
            return True
        return day.weekday() in s.working_weekdays and not self.is_public_holiday(day)

    def next_business_day(self, day: date) -> date:
        candidate = day + timedelta(days=1)
        for _ in range(366):
            if self.is_business_day(candidate):
                return candidate
            candidate += timedelta(days=1)
        raise ValueError("no business day within a year: check the calendar settings")

    # -- instants ------------------------------------------------------------------

    def local(self, instant: datetime) -> datetime:
        return instant.astimezone(self.zone)

    def at(self, day: date, clock_time: time) -> datetime:
        return datetime.combine(day, clock_time, tzinfo=self.zone)

    def day_span(self, day: date) -> tuple[datetime, datetime]:
        """The centre-local day as [midnight, next midnight), in the centre's zone: 23 or
        25 hours on a day the clocks change. Subtract or step through them in UTC —
        Python's arithmetic on two times of one zone is wall-clock time."""
        return self.at(day, time.min), self.at(day + timedelta(days=1), time.min)

    def is_open(self, instant: datetime) -> bool:
        """Within opening hours (any day: the phone centre answers every day)."""
        local = self.local(instant).time()
        return self.settings.opens <= local < self.settings.closes

    def is_after_hours(self, instant: datetime) -> bool:
        return not self.is_open(instant)

    def next_business_morning(self, instant: datetime, clock_time: time | None = None) -> datetime:
        """The given time (default: the voicemail callback deadline, 08:30) on the first
        business day *after* the day of ``instant`` — or the same day when ``instant`` is
        before that time on a business day (a voicemail at 02:00 on a Tuesday is due at
        08:30 that Tuesday)."""
        deadline_time = clock_time or self.settings.voicemail_callback_by
        local = self.local(instant)
        if self.is_business_day(local.date()) and local.time() < deadline_time:
            return self.at(local.date(), deadline_time)
        return self.at(self.next_business_day(local.date()), deadline_time)

    def shift_at(self, instant: datetime) -> str | None:
        local = self.local(instant).time()
        for shift in self.settings.shifts:
            if shift.start <= local < shift.end:
                return shift.name
        return None

    # -- business time -------------------------------------------------------------

    def _open_intervals(
        self, start: datetime, end: datetime
    ) -> Iterator[tuple[datetime, datetime]]:
        """The business-open intervals of each day between two instants, clipped."""
        day = self.local(start).date()
        last = self.local(end).date()
        while day <= last:
            if self.is_business_day(day):
                lo = max(self.at(day, self.settings.opens), start)
                hi = min(self.at(day, self.settings.closes), end)
                if lo < hi:
                    yield lo, hi
            day += timedelta(days=1)

    def business_seconds_between(self, start: datetime, end: datetime) -> float:
        if end <= start:
            return 0.0
        return sum((hi - lo).total_seconds() for lo, hi in self._open_intervals(start, end))

    def add_business_seconds(self, start: datetime, seconds: float) -> datetime:
        """The instant at which ``seconds`` of business time have passed since ``start``."""
        remaining = seconds
        day = self.local(start).date()
        for _ in range(3660):
            if self.is_business_day(day):
                lo = max(self.at(day, self.settings.opens), start)
                hi = self.at(day, self.settings.closes)
                if lo < hi:
                    span = (hi - lo).total_seconds()
                    if remaining <= span:
                        return lo + timedelta(seconds=remaining)
                    remaining -= span
            day += timedelta(days=1)
        raise ValueError("business time does not fit in ten years: check the calendar")
