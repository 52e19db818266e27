"""Satisfaction (domain.md §7) with figures worked out by hand."""

from __future__ import annotations

from datetime import timedelta

import pytest

from callcore.domain import call, complaint, order
from callcore.domain.common import Actor, Contact, Role, Window
from callcore.projections.satisfaction import Satisfaction
from tests.support import AGENT, Scenario, at

AGENT_2 = Actor(Role.AGENT, "A02")


def delivered_order(s: Scenario, order_id: str) -> None:
    s.given(
        order.PlaceOrder(
            order_id=order_id,
            registered=False,
            name="Li",
            phone="13800001111",
            address="1 Dongmen Road",
            area="DONGMEN",
            lines=(order.OrderLineRequest("LPG-15", 1),),
            delivery_window=Window(at(23, 10), at(23, 12)),
        ),
        order.AssignOrderWorker(order_id=order_id, worker_id="W001"),
        order.RecordDelivery(order_id=order_id),
    )


def follow_up(s: Scenario, n: int, subject: str, reached: bool, **answers: object) -> None:
    s.given(
        call.PlaceOutboundCall(
            call_id=f"f{n}",
            agent="A02",
            phone="13800001111",
            purpose=call.Purpose.FOLLOW_UP,
            subject=subject,
            actor=AGENT_2,
        )
    )
    if reached:
        s.given(call.AnswerCall(call_id=f"f{n}", agent="A02", actor=AGENT_2))
    else:
        s.given(call.RecordNoAnswer(call_id=f"f{n}", actor=AGENT_2))
    s.given(call.RecordFollowUp(call_id=f"f{n}", reached=reached, actor=AGENT_2, **answers))  # type: ignore[arg-type]


def story() -> Scenario:
    """W001 delivered 4 orders; follow-ups: attitude 5, 4 and 2 reached, one not reached."""
    s = Scenario(start=at(23, 9))
    for n in range(4):
        delivered_order(s, f"O{n}")
    s.after(days=3)
    follow_up(s, 0, "order-O0", True, attitude=5, on_time=True, safety_check_done=True)
    follow_up(
        s,
        1,
        "order-O1",
        True,
        attitude=4,
        on_time=True,
        safety_check_done=False,
        problems_raised=("the hose smells of gas",),
    )
    follow_up(s, 2, "order-O2", True, attitude=2, on_time=False)
    follow_up(s, 3, "order-O3", False)
    s.given(
        complaint.LodgeComplaint(
            complaint_id="K1",
            complainant=Contact("Li", "13800001111"),
            what="rude",
            about=complaint.Subject(complaint.SubjectKind.FIELD_WORKER, "W001"),
            wanted_outcome="apology",
            actor=AGENT,
        )
    )
    s.after(days=1).given(
        complaint.LodgeComplaint(
            complaint_id="K2",
            complainant=Contact("Li", "13800001111"),
            what="still rude",
            about=complaint.Subject(complaint.SubjectKind.FIELD_WORKER, "W001"),
            wanted_outcome="apology",
            re_complaint_of="K1",
            actor=AGENT,
        )
    )
    return s


def fold(s: Scenario) -> Satisfaction:
    return Satisfaction(s.directory).apply_all(p.recorded for p in s.center.store.read_all())


def test_a_workers_month() -> None:
    s = story()
    view = fold(s).view(s.clock.now())
    (w001,) = view.workers
    assert (w001.id, w001.calls, w001.reached) == ("W001", 4, 3)
    assert w001.mean_rating == pytest.approx((5 + 4 + 2) / 3)
    assert w001.satisfied_share == pytest.approx(2 / 3)
    assert w001.on_time_share == pytest.approx(2 / 3)
    assert w001.safety_check_share == pytest.approx(1 / 2)  # two answered the question
    assert (w001.complaints, w001.re_complaints) == (2, 1)
    (east,) = view.branches
    assert (east.id, east.calls, east.complaints) == ("B-EAST", 4, 2)
    (a02,) = view.agents
    assert (a02.id, a02.calls, a02.complaints) == ("A02", 4, 0)
    assert [p.text for p in view.problems] == ["the hose smells of gas"]


def test_periods_and_as_of() -> None:
    s = story()
    f = fold(s)
    before_the_re_complaint = f.view(s.clock.now() - timedelta(hours=1))
    assert before_the_re_complaint.workers[0].re_complaints == 0
    only_complaints = f.view(s.clock.now(), since=s.clock.now() - timedelta(hours=2))
    assert only_complaints.workers[0].calls == 0
    assert only_complaints.workers[0].complaints == 1


def test_complaint_satisfaction_calls_count_and_resolutions_never_show() -> None:
    s = story()
    s.given(
        complaint.JudgeComplaint(complaint_id="K1", valid=True),
        complaint.NotifyDepartment(complaint_id="K1", department="BUSINESS"),
        complaint.RecordResolution(complaint_id="K1", resolution="SECRET apology visit"),
        complaint.RecordCustomerResponse(complaint_id="K1", accepted=True),
        complaint.RecordSatisfactionCall(complaint_id="K1", reached=True, rating=5),
    )
    view = fold(s).view(s.clock.now())
    assert view.workers[0].calls == 5
    assert "SECRET" not in repr(view)


def test_every_chunking_and_every_cut_agree() -> None:
    s = story()
    records = [p.recorded for p in s.center.store.read_all()]
    now = s.clock.now()
    whole = Satisfaction(s.directory).apply_all(records).view(now)
    for split in range(0, len(records) + 1, 3):
        chunked = Satisfaction(s.directory).apply_all(records[:split]).apply_all(records[split:])
        assert chunked.view(now) == whole
    for record in records[::5]:
        when = record.event.at
        cut = Satisfaction(s.directory).apply_all(r for r in records if r.event.at <= when)
        assert cut.view(when) == Satisfaction(s.directory).apply_all(records).view(when)


def test_problems_raised_are_relayed_and_resolved_in_time_or_not() -> None:
    s = story()  # f1 raised "the hose smells of gas"
    f = fold(s)
    (problem,) = f.view(s.clock.now()).problems
    assert (problem.relayed_in_time, problem.resolved_in_time) is not None
    assert problem.relayed_in_time is False  # raised days ago, never relayed
    s2 = story()
    raised = next(
        p.recorded.event.at
        for p in s2.center.store.read_all()
        if isinstance(p.recorded.event, call.FollowUpRecorded) and p.recorded.event.problems_raised
    )
    s2.clock.set(raised + timedelta(minutes=30))
    s2.given(call.RelayFollowUpProblem(call_id="f1", department="BUSINESS"))
    (problem,) = fold(s2).view(raised + timedelta(minutes=40)).problems
    assert (problem.relayed_in_time, problem.resolved_in_time) == (True, None)
