"""``cc.views``: as of any instant, and what-if under another directory."""

from __future__ import annotations

from datetime import timedelta

import attrs

from callcore.domain import ticket
from callcore.domain.common import Contact
from callcore.domain.directory import ClockTarget
from callcore.projections.sla import ClockStatus
from tests.support import AGENT, Scenario, at


def story() -> tuple[Scenario, str]:
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
    s.given(
        ticket.PromiseCallback(ticket_id=t, phone="13912345678", reply_due=at(23, 12), actor=AGENT)
    )
    s.after(minutes=20).given(ticket.TransferTicket(ticket_id=t, department="BUSINESS", note="n"))
    s.after(hours=4)  # the department reply (due 3 h after 09:20) never came
    return s, t


def test_now_and_as_of_a_past_instant() -> None:
    s, _t = story()
    now = {r.clock: r.state for r in s.center.views.sla().clocks}
    assert now["inquiry-transfer"] is ClockStatus.MET
    assert now["inquiry-department-reply"] is ClockStatus.BREACHED  # due 12:20, now 13:20
    earlier = s.center.views.sla(at=at(23, 9, 10))
    assert [(r.clock, r.state) for r in earlier.clocks] == [
        ("inquiry-customer-reply", ClockStatus.RUNNING),
        ("inquiry-transfer", ClockStatus.RUNNING),
    ]
    assert earlier.as_of == at(23, 9, 10)


def test_what_if_under_another_policy_touches_nothing() -> None:
    s, _t = story()
    before = s.center.store.last_position()
    strict_sla = attrs.evolve(
        s.directory.sla,
        version="what-if",
        targets={**s.directory.sla.targets, "inquiry-transfer": ClockTarget(15 * 60)},
    )
    what_if = s.center.views.sla(directory=attrs.evolve(s.directory, sla=strict_sla))
    states = {r.clock: (r.state, r.policy_version) for r in what_if.clocks}
    assert states["inquiry-transfer"] == (ClockStatus.BREACHED, "what-if")
    assert s.center.store.last_position() == before
    assert {r.clock: r.state for r in s.center.views.sla().clocks}[
        "inquiry-transfer"
    ] is ClockStatus.MET


def test_a_naive_instant_is_the_centres_local_time() -> None:
    # issue 20: a naive datetime was refused; it now reads as the centre's time (Shanghai)
    s, _ = story()
    assert s.center.views.sla(at=at(23, 9, 10).replace(tzinfo=None)) == s.center.views.sla(
        at=at(23, 9, 10)
    )
    _ = timedelta


def test_queues_satisfaction_and_daily_through_the_facade(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import io

    from rich.console import Console

    from callcore import CallCenter
    from callcore.adapters.clock import ManualClock
    from callcore.tour import DEMO_DAY, run

    url = f"sqlite:///{tmp_path}/demo.db"
    run(url, Console(file=io.StringIO()))
    end = DEMO_DAY.replace(hour=23, minute=59)
    cc = CallCenter.open(url, clock=ManualClock(end))
    (hotline,) = cc.views.queues().queues
    # the demo's 4 calls: answered after 9, 14, 21 s; one abandoned after 40 s
    assert (hotline.offered, hotline.answered, hotline.abandoned) == (4, 3, 1)
    assert hotline.service_level == 0.5  # 2 ÷ (4 − 0)
    assert cc.views.queues(at=DEMO_DAY.replace(hour=8, minute=31, second=5)).queues[0].waiting == 1
    satisfaction = cc.views.satisfaction()
    assert [a.id for a in satisfaction.agents] == ["A02"]  # the complaint's satisfaction call
    day = cc.views.daily(DEMO_DAY.date())
    assert day.totals.orders == 2
    assert {b.branch for b in day.branches} >= {"B-EAST", "B-WEST"}
    week = cc.views.period(DEMO_DAY.date(), DEMO_DAY.date() + timedelta(days=6))
    assert week.totals.amount == day.totals.amount


def test_the_daily_report_has_a_what_if_too() -> None:
    s, _t = story()
    strict_sla = attrs.evolve(
        s.directory.sla,
        version="what-if",
        targets={**s.directory.sla.targets, "inquiry-transfer": ClockTarget(15 * 60)},
    )
    day = at(23, 0).date()
    recorded = {c.clock: c for c in s.center.views.daily(day).totals.sla}
    what_if = {
        c.clock: c
        for c in s.center.views.daily(
            day, directory=attrs.evolve(s.directory, sla=strict_sla)
        ).totals.sla
    }
    assert (recorded["inquiry-transfer"].met, what_if["inquiry-transfer"].breached) == (1, 1)
