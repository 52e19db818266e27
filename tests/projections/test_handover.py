"""Shift handover and the suggestions digest (domain.md §8)."""

from __future__ import annotations

from callcore.domain import call, order, ticket
from callcore.domain.common import Actor, Contact, Role, Window
from callcore.projections.handover import ShiftHandover
from tests.support import AGENT, Scenario, at

LI = AGENT  # A01
ZHOU = Actor(Role.AGENT, "A02")
CALLER = Contact("Wang", "13912345678")


def story() -> Scenario:
    s = Scenario(start=at(23, 12))
    s.given(
        ticket.OpenTicket(
            ticket_id="T1",
            category=ticket.Category.INQUIRY,
            caller=CALLER,
            description="bill",
            actor=LI,
        ),
        ticket.PromiseCallback(ticket_id="T1", phone="13912345678", reply_due=at(23, 15), actor=LI),
        ticket.OpenTicket(
            ticket_id="T2",
            category=ticket.Category.INQUIRY,
            caller=CALLER,
            description="hours",
            actor=ZHOU,
        ),
        ticket.AnswerOnTheSpot(ticket_id="T2", answer="06:00-22:00", actor=ZHOU),
        ticket.OpenTicket(
            ticket_id="T3",
            category=ticket.Category.FAULT_REPORT,
            caller=CALLER,
            description="meter",
            actor=ZHOU,
        ),
        ticket.PromiseCallback(
            ticket_id="T3", phone="13912345678", reply_due=at(23, 13), actor=ZHOU
        ),
    )
    return s


def fold(s: Scenario) -> ShiftHandover:
    return ShiftHandover(s.directory).apply_all(p.recorded for p in s.center.store.read_all())


def test_the_handover_lists_open_work_and_what_falls_due_next_shift() -> None:
    s = story()
    view = fold(s).view(at(23, 13, 55))  # just before the early shift ends at 14:00
    assert (view.shift, view.next_shift_starts, view.next_shift_ends) == (
        "early",
        at(23, 14),
        at(23, 22),
    )
    by_agent = {a.agent: a for a in view.agents}
    assert by_agent["A01"].open_work == ("ticket-T1",)
    assert [
        (d.what, d.due_at) for d in by_agent["A01"].due_next_shift if not d.what.startswith("SLA")
    ] == [("callback promised", at(23, 15))]
    # T3's callback was due at 13:00, in this shift: not the next shift's to keep
    assert all(
        d.subject != "ticket-T3" or d.what.startswith("SLA") for d in by_agent["A02"].due_next_shift
    )
    assert by_agent["A02"].open_work == ("ticket-T3",)  # T2 was answered and closed


def test_the_late_shift_hands_over_to_tomorrow_morning() -> None:
    s = story()
    view = fold(s).view(at(23, 21, 50))
    assert (view.shift, view.next_shift_starts) == ("late", at(24, 6))


def test_the_suggestions_digest_groups_by_owning_department() -> None:
    s = story()
    s.given(
        order.PlaceOrder(
            order_id="O1",
            registered=False,
            name="Li",
            phone="13800001111",
            address="x",
            area="XIHU",
            lines=(order.OrderLineRequest("LPG-15", 1),),
            delivery_window=Window(at(23, 14), at(23, 16)),
        ),
        call.PlaceOutboundCall(
            call_id="f1",
            agent="A02",
            phone="13800001111",
            purpose=call.Purpose.FOLLOW_UP,
            subject="order-O1",
        ),
        call.AnswerCall(call_id="f1", agent="A02"),
        call.RecordFollowUp(
            call_id="f1",
            reached=True,
            attitude=4,
            suggestions=("text before coming",),
            problems_raised=("driver blocked the gate",),
        ),
        ticket.ResolveTicket(
            ticket_id="T3",
            cause="battery",
            solution="replace the meter battery",
            propose_to_knowledge_base=True,
        ),
    )
    digest = fold(s).digest()
    groups = {d.department: [(i.kind, i.text) for i in d.items] for d in digest.departments}
    assert groups["BUSINESS"] == [
        ("suggestion", "text before coming"),
        ("problem", "driver blocked the gate"),
    ]
    assert [k for k, _ in groups["TECH"]] == ["knowledge"]  # TECH owns fault reports
