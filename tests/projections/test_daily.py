"""The daily report (domain.md §8), with figures worked out by hand."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from callcore.domain import dispatch, order, ticket
from callcore.domain.common import Contact, Window
from callcore.projections.daily import DailyReport
from tests.support import AGENT, Scenario, at

CALLER = Contact("Li", "13800001111")


def two_days() -> Scenario:
    s = Scenario(start=at(23, 9))
    # Monday: two orders in the east (2 × 110 + 1 × 110 at the registered... walk-in 125)
    for n, (area, qty) in enumerate((("DONGMEN", 2), ("HUAYUAN", 1), ("XIHU", 1))):
        s.given(
            order.PlaceOrder(
                order_id=f"O{n}",
                registered=False,
                name="Li",
                phone="13800001111",
                address="x",
                area=area,
                lines=(order.OrderLineRequest("LPG-15", qty),),
                delivery_window=Window(at(23, 11), at(23, 13)),
            )
        )
    s.given(
        order.AssignOrderWorker(order_id="O0", worker_id="W001"),
        order.RecordDelivery(order_id="O0"),
        order.CancelOrder(order_id="O1", reason="changed mind"),
    )
    s.given(
        ticket.OpenTicket(
            ticket_id="T1",
            category=ticket.Category.INQUIRY,
            caller=CALLER,
            description="bill",
            area="DONGMEN",
            actor=AGENT,
        ),
        ticket.AnswerOnTheSpot(ticket_id="T1", answer="a"),
        ticket.OpenTicket(
            ticket_id="T2",
            category=ticket.Category.FAULT_REPORT,
            caller=CALLER,
            description="leak?",
            area="XIHU",
            actor=AGENT,
        ),
        ticket.PromiseCallback(ticket_id="T2", phone="13800001111", reply_due=at(23, 12)),
    )
    # Tuesday: one more order in the east
    s.clock.set(at(24, 9))
    s.given(
        order.PlaceOrder(
            order_id="O9",
            registered=False,
            name="Li",
            phone="13800001111",
            address="x",
            area="DONGMEN",
            lines=(order.OrderLineRequest("LPG-5", 1),),
            delivery_window=Window(at(24, 11), at(24, 13)),
        )
    )
    return s


def report(s: Scenario) -> DailyReport:
    return DailyReport(s.directory).apply_all(p.recorded for p in s.center.store.read_all())


def test_a_day_per_branch() -> None:
    s = two_days()
    monday = report(s).view(at(23, 0).date())
    east = {b.branch: b for b in monday.branches}["B-EAST"]
    assert (east.orders, east.amount, east.delivered, east.cancelled) == (
        2,
        Decimal("375.00"),
        1,
        1,
    )  # walk-in: 2 × 125 + 1 × 125
    assert [(c.key, c.count) for c in east.tickets_opened] == [("inquiry", 1)]
    assert [(c.key, c.count) for c in east.tickets_closed] == [("inquiry", 1)]
    assert [(d.worker, d.kind, d.state) for d in east.dispatches] == [
        (None, "delivery", "cancelled"),
        ("W001", "delivery", "completed"),
    ]
    west = {b.branch: b for b in monday.branches}["B-WEST"]
    assert (west.orders, west.amount) == (1, Decimal("125.00"))
    # the west's inquiry callback was never transferred: overdue at the end of the day
    # (the 24 h customer-reply clock is not due until tomorrow)
    assert [o.clock for o in west.overdue] == ["delivery", "inquiry-transfer"]
    clocks = {c.clock: c for c in west.sla}
    assert (clocks["inquiry-transfer"].breached, clocks["inquiry-transfer"].compliance) == (1, 0.0)
    assert monday.totals.orders == 3


def test_as_of_an_instant_in_the_day() -> None:
    s = two_days()
    morning = report(s).view(at(23, 0).date(), at=at(23, 9) - timedelta(minutes=1))
    assert morning.totals.orders == 0


def test_a_roll_up_sums_days_and_recomputes_compliance() -> None:
    s = two_days()
    r = report(s)
    week = r.roll_up(at(23, 0).date(), at(29, 0).date())
    east = {b.branch: b for b in week.branches}["B-EAST"]
    assert (east.orders, east.amount) == (3, Decimal("423.00"))  # + one 5 kg walk-in at 48
    monday, tuesday = (r.view(at(d, 0).date()) for d in (23, 24))
    assert week.totals.orders == monday.totals.orders + tuesday.totals.orders
    for clock in week.totals.sla:
        decided = clock.met + clock.breached
        assert clock.compliance == (None if decided == 0 else clock.met / decided)


def test_chunks_and_cuts_agree() -> None:
    s = two_days()
    records = [p.recorded for p in s.center.store.read_all()]
    day = at(23, 0).date()
    whole = DailyReport(s.directory).apply_all(records).view(day)
    for split in range(0, len(records) + 1, 4):
        chunked = DailyReport(s.directory).apply_all(records[:split]).apply_all(records[split:])
        assert chunked.view(day) == whole
    noon = at(23, 12)
    cut = DailyReport(s.directory).apply_all(r for r in records if r.event.at <= noon)
    assert cut.view(day, at=noon) == DailyReport(s.directory).apply_all(records).view(day, at=noon)
    _ = dispatch
