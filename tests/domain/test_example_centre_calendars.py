"""The example centres' own calendars and rings (issue 22): the LPG centre is open every
day 06:00–22:00, so a voicemail is due 08:30 the next open morning; the POS centre
answers within two rings."""

from __future__ import annotations

from datetime import date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

from callcore.adapters.directory_file import load_directory
from callcore.domain.calendar import BusinessCalendar

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
CST = ZoneInfo("Asia/Shanghai")


def _lpg_calendar() -> BusinessCalendar:
    return BusinessCalendar(
        load_directory(EXAMPLES / "lpg_phone_centre" / "directory.toml").calendar
    )


def test_lpg_voicemail_left_friday_or_saturday_night_is_due_next_morning() -> None:
    calendar = _lpg_calendar()
    friday_night = datetime(2026, 11, 27, 22, 30, tzinfo=CST)
    saturday_night = datetime(2026, 11, 28, 22, 30, tzinfo=CST)
    assert calendar.next_business_morning(friday_night) == calendar.at(
        date(2026, 11, 28), time(8, 30)
    )
    assert calendar.next_business_morning(saturday_night) == calendar.at(
        date(2026, 11, 29), time(8, 30)
    )


def test_lpg_voicemail_left_on_30_september_is_due_8_october() -> None:
    calendar = _lpg_calendar()
    evening = datetime(2026, 9, 30, 22, 30, tzinfo=CST)
    assert calendar.next_business_morning(evening) == calendar.at(date(2026, 10, 8), time(8, 30))


def test_pos_centre_answers_within_two_rings() -> None:
    sla = load_directory(EXAMPLES / "pos_operations_centre" / "directory.toml").sla
    assert sla.answer_rings == 2
    assert sla.answer_seconds == 2 * sla.ring_cycle_seconds
