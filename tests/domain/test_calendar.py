"""The business calendar (domain.md §3, §6 business time): opening hours, weekends and
public holidays from the holidays library, in the centre's time zone."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from callcore.domain.calendar import BusinessCalendar
from callcore.domain.directory import CalendarSettings
from tests.support import CST, at

CALENDAR = BusinessCalendar(CalendarSettings())


def test_weekends_and_national_day_are_not_business_days() -> None:
    assert CALENDAR.is_business_day(date(2026, 11, 23))  # a Monday
    assert not CALENDAR.is_business_day(date(2026, 11, 22))  # a Sunday
    assert not CALENDAR.is_business_day(date(2026, 10, 1))  # National Day (holidays library)
    assert CALENDAR.is_public_holiday(date(2026, 10, 1))


def test_make_up_working_days_and_extra_closures_are_configurable() -> None:
    custom = BusinessCalendar(
        CalendarSettings(
            extra_working_days=frozenset({date(2026, 11, 22)}),
            extra_holidays=frozenset({date(2026, 11, 23)}),
        )
    )
    assert custom.is_business_day(date(2026, 11, 22))
    assert not custom.is_business_day(date(2026, 11, 23))


def test_voicemail_callbacks_are_due_at_0830_of_the_next_business_morning() -> None:
    friday_night = at(27, 23)
    assert CALENDAR.next_business_morning(friday_night) == at(30, 8, 30)  # Monday
    tuesday_2am = at(24, 2)
    assert CALENDAR.next_business_morning(tuesday_2am) == at(24, 8, 30)  # the same morning
    national_day_eve = datetime(2026, 9, 30, 23, 0, tzinfo=CST)
    due = CALENDAR.next_business_morning(national_day_eve)
    assert due.date() > date(2026, 10, 7)  # the whole Golden Week is skipped
    assert CALENDAR.is_business_day(due.date())


def test_the_time_zone_is_the_centres_not_the_callers() -> None:
    utc_evening = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)  # 23:00 in Shanghai
    assert CALENDAR.is_after_hours(utc_evening)
    assert CALENDAR.next_business_morning(utc_evening) == at(24, 8, 30)


def test_shifts() -> None:
    assert CALENDAR.shift_at(at(23, 7)) == "early"
    assert CALENDAR.shift_at(at(23, 15)) == "late"
    assert CALENDAR.shift_at(at(23, 23)) is None


def test_business_seconds_skip_nights_and_weekends() -> None:
    # Friday 21:00 → Monday 07:00: one hour on Friday, one on Monday.
    assert CALENDAR.business_seconds_between(at(27, 21), at(30, 7)) == 2 * 3600
    assert CALENDAR.add_business_seconds(at(27, 21), 2 * 3600) == at(30, 7)


def naive_business_minutes(start: datetime, end: datetime) -> int:
    """The reference: walk minute by minute and count the open ones."""
    minutes = 0
    cursor = start
    while cursor < end:
        local = cursor.astimezone(CST)
        if CALENDAR.is_business_day(local.date()) and 6 <= local.hour < 22:
            minutes += 1
        cursor += timedelta(minutes=1)
    return minutes


instants = st.datetimes(min_value=datetime(2026, 9, 25), max_value=datetime(2026, 10, 15)).map(
    lambda d: d.replace(second=0, microsecond=0, tzinfo=CST)
)


@settings(max_examples=60, deadline=None)
@given(start=instants, hours=st.integers(0, 24 * 6))
def test_business_time_agrees_with_counting_minutes(start: datetime, hours: int) -> None:
    end = start + timedelta(hours=hours)
    assert CALENDAR.business_seconds_between(start, end) == 60 * naive_business_minutes(start, end)


@settings(max_examples=60, deadline=None)
@given(start=instants, minutes=st.integers(1, 60 * 40))
def test_adding_business_time_inverts_measuring_it(start: datetime, minutes: int) -> None:
    due = CALENDAR.add_business_seconds(start, minutes * 60)
    assert CALENDAR.business_seconds_between(start, due) == minutes * 60
    assert CALENDAR.is_business_day(due.astimezone(CST).date())
