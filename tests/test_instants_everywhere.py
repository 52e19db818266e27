"""Issue 20 (4): every instant of ``cc.views`` and ``CallCenter`` is a datetime, a date
where a day is meant, or an ISO 8601 string; naive ones are the centre's local time; a
bad one is one ValueError naming the parameter."""

from __future__ import annotations

from datetime import UTC, date

import pytest

from callcore.domain import ticket
from callcore.domain.common import Contact
from tests.support import AGENT, Scenario, at


def story() -> Scenario:
    s = Scenario(start=at(23, 9))
    opened = s.center.handle(
        ticket.OpenTicket(
            category=ticket.Category.INQUIRY,
            caller=Contact("Wang", "13912345678"),
            description="bill",
            actor=AGENT,
        )
    )
    t = opened.first(ticket.TicketOpened).ticket_id
    s.after(minutes=20).given(ticket.TransferTicket(ticket_id=t, department="BUSINESS", note="n"))
    s.after(hours=4)
    return s


def test_the_sla_view_as_of_an_iso_string() -> None:
    views = story().center.views
    expected = views.sla(at(23, 9, 10))
    assert views.sla(at="2026-11-23T09:10") == expected  # the centre's local time
    assert views.sla(at="2026-11-23T09:10+08:00") == expected
    assert views.sla(at="2026-11-23T01:10Z") == expected
    assert views.sla(at=at(23, 9, 10).astimezone(UTC)) == expected
    assert views.sla("2026-11-23T09:10").as_of == at(23, 9, 10)


def test_every_view_takes_strings_for_its_instants_and_days() -> None:
    views = story().center.views
    assert views.queues("2026-11-23T12:00", since="2026-11-23", until="2026-11-23") == (
        views.queues(at(23, 12), since=at(23, 0), until=at(24, 0))
    )
    assert views.satisfaction("2026-11-23T12:00", since="2026-11-23T08:00") == (
        views.satisfaction(at(23, 12), since=at(23, 8))
    )
    assert views.daily("2026-11-23", "2026-11-23T13:00") == views.daily(
        date(2026, 11, 23), at(23, 13)
    )
    assert views.daily(at(23, 13)) == views.daily(date(2026, 11, 23))
    assert views.period("2026-11-23", "2026-11-29", "2026-11-23T13:00") == views.period(
        date(2026, 11, 23), date(2026, 11, 29), at(23, 13)
    )
    assert views.open_work("B-EAST", "2026-11-23T12:00") == views.open_work("B-EAST", at(23, 12))
    assert views.work_queue("B-EAST", "2026-11-23T12:00") == views.work_queue("B-EAST", at(23, 12))
    assert views.worker_load("W001", "2026-11-23", "2026-11-23T12:00") == views.worker_load(
        "W001", date(2026, 11, 23), at(23, 12)
    )
    assert views.handover("2026-11-23T12:00") == views.handover(at(23, 12))
    assert views.suggestions("2026-11-23T08:00", "2026-11-23T12:00") == views.suggestions(
        at(23, 8), at(23, 12)
    )
    assert views.follow_ups("2026-11-23T12:00") == views.follow_ups(at(23, 12))
    assert views.follow_up_sample("2026-11-23") == views.follow_up_sample(date(2026, 11, 23))
    assert list(views.records("2026-11-23T09:10")) == list(views.records(at(23, 9, 10)))
    assert views.rebuild_all("2026-11-23T12:00") == views.rebuild_all(at(23, 12))


def test_the_centre_takes_strings_too() -> None:
    center = story().center
    assert center.directory_at("2026-11-23T12:00") is center.directory_at(at(23, 12))


@pytest.mark.parametrize(
    ("call", "parameter"),
    [
        (lambda v: v.sla(at="noon"), "at"),
        (lambda v: v.sla(at="2026-13-01T10:00"), "at"),
        (lambda v: v.queues(since="yesterday"), "since"),
        (lambda v: v.satisfaction(until="2026-11-23 25:00"), "until"),
        (lambda v: v.daily("23/11/2026"), "day"),
        (lambda v: v.worker_load("W001", day="monday"), "day"),
        (lambda v: v.period("2026-11-23", "soon"), "end"),
        (lambda v: v.records("later"), "until"),
        (lambda v: v.sla(at=12), "at"),
    ],
)
def test_a_bad_instant_is_one_error_naming_the_parameter(call, parameter) -> None:  # type: ignore[no-untyped-def]
    views = story().center.views
    with pytest.raises(ValueError, match=f"^{parameter}: "):
        call(views)
