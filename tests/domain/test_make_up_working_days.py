"""Issue 16, decision 8: business time counts the official make-up working days (调休) of
the centre's country, from the ``holidays`` library, plus any the directory lists."""

from __future__ import annotations

import copy
import tomllib
from datetime import date, datetime, timedelta
from importlib import resources
from pathlib import Path

from callcore.adapters.directory_file import directory_from_toml
from callcore.domain.calendar import BusinessCalendar
from callcore.domain.common import Contact
from callcore.domain.directory import CalendarSettings
from callcore.domain.ticket import RecordVoicemail, TicketOpened, VoicemailRecorded
from tests.support import CST, Scenario

CALENDAR = BusinessCalendar(CalendarSettings())  # CN, Asia/Shanghai, 06:00-22:00
DATA = Path(__file__).parent / "data"
CALLER = Contact("Wang Xiuying", "139 1234 5678")


def independent_list(year: int) -> set[date]:
    text = (DATA / f"cn-make-up-working-days-{year}.txt").read_text(encoding="utf-8")
    return {date.fromisoformat(line) for line in text.splitlines() if line and line[0] != "#"}


def weekend_business_days(calendar: BusinessCalendar, year: int) -> set[date]:
    day, found = date(year, 1, 1), set()
    while day.year == year:
        if day.weekday() >= 5 and calendar.is_business_day(day):
            found.add(day)
        day += timedelta(days=1)
    return found


def test_the_weekend_days_worked_in_2025_are_exactly_the_official_list() -> None:
    # checked against a list kept by another project (tests/domain/data/README.md)
    assert weekend_business_days(CALENDAR, 2025) == independent_list(2025)


def test_2026s_make_up_days_are_worked() -> None:
    # the holidays library's 2026 table: New Year (4 Jan), Spring Festival (14, 28 Feb),
    # Labour Day (9 May), National Day (20 Sep, 10 Oct)
    assert weekend_business_days(CALENDAR, 2026) == {
        date(2026, 1, 4),
        date(2026, 2, 14),
        date(2026, 2, 28),
        date(2026, 5, 9),
        date(2026, 9, 20),
        date(2026, 10, 10),
    }


def test_a_country_without_make_up_days_has_none() -> None:
    us = BusinessCalendar(CalendarSettings(timezone="America/New_York", holiday_country="US"))
    assert weekend_business_days(us, 2026) == set()


def test_voicemail_early_on_a_make_up_saturday_is_due_that_morning() -> None:
    # given the phone is closed at 02:00 on Saturday 10 October 2026, an official working day
    s = Scenario(start=datetime(2026, 10, 10, 2, 0, tzinfo=CST))
    # when a caller leaves a voicemail
    _, recorded = s.when(RecordVoicemail(caller=CALLER)).then(TicketOpened, VoicemailRecorded)
    # then the callback is due at 08:30 that Saturday, not Monday
    assert isinstance(recorded, VoicemailRecorded)
    assert recorded.callback_due == datetime(2026, 10, 10, 8, 30, tzinfo=CST)


def test_business_time_runs_on_a_make_up_day() -> None:
    friday_evening = datetime(2026, 10, 9, 21, 0, tzinfo=CST)
    # one hour left on Friday, then Saturday 10 October opens at 06:00
    due = CALENDAR.add_business_seconds(friday_evening, 2 * 3600)
    assert due == datetime(2026, 10, 10, 7, 0, tzinfo=CST)
    sunday = datetime(2026, 10, 11, 9, 0, tzinfo=CST)  # an ordinary Sunday
    assert CALENDAR.business_seconds_between(sunday, sunday + timedelta(hours=3)) == 0


def test_the_directory_adds_its_own_make_up_days_and_closures() -> None:
    data = tomllib.loads(
        resources.files("callcore.data").joinpath("demo-directory.toml").read_text(encoding="utf-8")
    )
    data = copy.deepcopy(data)
    data.setdefault("calendar", {})["extra_working_days"] = [date(2026, 11, 21)]
    data["calendar"]["extra_holidays"] = [date(2026, 10, 10)]  # the centre closed that day
    calendar = BusinessCalendar(directory_from_toml(data).calendar)
    assert calendar.is_business_day(date(2026, 11, 21))  # a Saturday the centre works
    assert not calendar.is_business_day(date(2026, 10, 10))  # its closure wins
    assert calendar.is_business_day(date(2026, 2, 28))  # the official ones still count
