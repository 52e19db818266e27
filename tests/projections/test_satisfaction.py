"""Satisfaction (domain.md §7, interfaces.md §4) with figures worked out by hand, and the
properties of the fold: chunking, "as of T" against the log cut at T, and its figures
against a model of the commands sent."""

from __future__ import annotations

import contextlib
from datetime import datetime, timedelta
from typing import Any

import pytest
from attrs import frozen
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from callcore import DomainError
from callcore.domain import call, complaint, dispatch, order
from callcore.domain.common import Actor, Contact, PauseClocks, ResumeClocks, Role, Window
from callcore.ports import Recorded
from callcore.projections.satisfaction import Satisfaction, SatisfactionRow, SatisfactionView
from tests.support import AGENT, Scenario, at

AGENT_2 = Actor(Role.AGENT, "A02")
CALLER = Contact("Li", "13800001111")
ROW_KEYS = [
    "id",
    "calls",
    "reached",
    "mean_rating",
    "satisfied_share",
    "on_time_share",
    "safety_check_share",
    "complaints",
    "re_complaints",
]


def delivered_order(
    s: Scenario, order_id: str, worker: str = "W001", area: str = "DONGMEN"
) -> None:
    s.given(
        order.PlaceOrder(
            order_id=order_id,
            registered=False,
            name="Li",
            phone="13800001111",
            address="1 Dongmen Road",
            area=area,
            lines=(order.OrderLineRequest("LPG-15", 1),),
            delivery_window=Window(
                s.clock.now() + timedelta(hours=1), s.clock.now() + timedelta(hours=3)
            ),
        ),
        order.AssignOrderWorker(order_id=order_id, worker_id=worker),
        order.RecordDelivery(order_id=order_id),
    )


def follow_up(
    s: Scenario,
    call_id: str,
    subject: str,
    reached: bool,
    agent: Actor = AGENT_2,
    **answers: Any,
) -> None:
    s.given(
        call.PlaceOutboundCall(
            call_id=call_id,
            agent=agent.id,
            phone="13800001111",
            purpose=call.Purpose.FOLLOW_UP,
            subject=subject,
            actor=agent,
        )
    )
    if reached:
        s.given(call.AnswerCall(call_id=call_id, agent=agent.id, actor=agent))
    else:
        s.given(call.RecordNoAnswer(call_id=call_id, actor=agent))
    s.given(call.RecordFollowUp(call_id=call_id, reached=reached, actor=agent, **answers))


def lodge(
    s: Scenario,
    complaint_id: str,
    kind: complaint.SubjectKind,
    about: str | None,
    re_complaint_of: str | None = None,
) -> None:
    s.given(
        complaint.LodgeComplaint(
            complaint_id=complaint_id,
            complainant=CALLER,
            what="rude",
            about=complaint.Subject(kind, about),
            wanted_outcome="apology",
            re_complaint_of=re_complaint_of,
            actor=AGENT,
        )
    )


def story() -> Scenario:
    """W001 delivered 4 orders on Monday 23rd; on Thursday A02 follows them up: attitude 5,
    4 and 2 reached, one not reached; then a complaint about W001 and, a day later, a
    re-complaint."""
    s = Scenario(start=at(23, 9))
    for n in range(4):
        delivered_order(s, f"O{n}")
    s.after(days=3)
    follow_up(s, "f0", "order-O0", True, attitude=5, on_time=True, safety_check_done=True)
    follow_up(
        s,
        "f1",
        "order-O1",
        True,
        attitude=4,
        on_time=True,
        safety_check_done=False,
        problems_raised=("the hose smells of gas",),
    )
    follow_up(s, "f2", "order-O2", True, attitude=2, on_time=False)  # no safety answer
    follow_up(s, "f3", "order-O3", False)
    lodge(s, "K1", complaint.SubjectKind.FIELD_WORKER, "W001")
    s.after(days=1)
    lodge(s, "K2", complaint.SubjectKind.FIELD_WORKER, "W001", re_complaint_of="K1")
    return s


def records_of(s: Scenario) -> list[Recorded]:
    return [p.recorded for p in s.center.store.read_all()]


def fold(s: Scenario) -> Satisfaction:
    return Satisfaction(s.directory).apply_all(records_of(s))


def only(rows: tuple[SatisfactionRow, ...], ident: str) -> SatisfactionRow:
    (row,) = [r for r in rows if r.id == ident]
    return row


def test_a_workers_week_worked_by_hand() -> None:
    s = story()
    view = fold(s).view(s.clock.now())
    (w001,) = view.workers
    # 4 calls, 3 reached (f3 was not); ratings 5, 4, 2 → mean 11/3 = 3.67; 4–5: f0, f1 → 2/3
    assert (w001.id, w001.calls, w001.reached) == ("W001", 4, 3)
    assert w001.mean_rating == pytest.approx(11 / 3)
    assert w001.satisfied_share == pytest.approx(2 / 3)
    # on time: yes, yes, no → 2/3; safety check: yes (f0), no (f1), f2 did not answer → 1/2
    assert w001.on_time_share == pytest.approx(2 / 3)
    assert w001.safety_check_share == pytest.approx(1 / 2)
    # K1 and its re-complaint K2 are both complaints about W001; K2 is the re-complaint
    assert (w001.complaints, w001.re_complaints) == (2, 1)
    # the orders were B-EAST's, and so was W001 (per the directory) for the complaints
    (east,) = view.branches
    assert (east.id, east.calls, east.reached, east.complaints, east.re_complaints) == (
        "B-EAST",
        4,
        3,
        2,
        1,
    )
    assert east.mean_rating == pytest.approx(11 / 3)
    # the agent who made the calls; A01 lodged the complaints, which are not about A01
    (a02,) = view.agents
    assert (a02.id, a02.calls, a02.reached, a02.complaints) == ("A02", 4, 3, 0)
    # K1 had not been notified to any department: the re-complaint counts against nobody
    assert view.departments == ()
    assert [(p.subject, p.text, p.worker, p.branch, p.agent) for p in view.problems] == [
        ("order-O1", "the hose smells of gas", "W001", "B-EAST", "A02")
    ]


def test_the_json_keys_of_a_row_are_the_contract() -> None:
    import attrs

    assert [f.name for f in attrs.fields(SatisfactionRow)] == ROW_KEYS
    names = [f.name for f in attrs.fields(SatisfactionView)]
    assert names[:6] == ["as_of", "since", "until", "workers", "branches", "agents"]


def test_complaints_count_against_the_worker_branch_agent_and_department() -> None:
    s = Scenario(start=at(23, 9))
    lodge(s, "K1", complaint.SubjectKind.FIELD_WORKER, "W004")  # a B-WEST worker
    s.given(
        complaint.JudgeComplaint(complaint_id="K1", valid=True),
        complaint.NotifyDepartment(complaint_id="K1", department="BUSINESS"),
    )
    s.after(hours=1)
    lodge(s, "K2", complaint.SubjectKind.FIELD_WORKER, "W004", re_complaint_of="K1")
    lodge(s, "K3", complaint.SubjectKind.BRANCH, "B-NORTH")
    lodge(s, "K4", complaint.SubjectKind.AGENT, "A07")
    lodge(s, "K5", complaint.SubjectKind.OTHER, None)  # about nobody: counted nowhere
    lodge(s, "K6", complaint.SubjectKind.AGENT, "A07", re_complaint_of="K4")  # K4 not notified
    view = fold(s).view(s.clock.now())
    w004 = only(view.workers, "W004")
    assert (w004.calls, w004.complaints, w004.re_complaints) == (0, 2, 1)
    assert (w004.mean_rating, w004.satisfied_share, w004.on_time_share) == (None, None, None)
    assert [(b.id, b.complaints, b.re_complaints) for b in view.branches] == [
        ("B-NORTH", 1, 0),
        ("B-WEST", 2, 1),  # W004's branch in the directory
    ]
    assert [(a.id, a.calls, a.complaints, a.re_complaints) for a in view.agents] == [
        ("A07", 0, 2, 1)
    ]
    # K2 re-complains about K1, which went to BUSINESS; K6's original went nowhere
    assert [(d.id, d.re_complaints) for d in view.departments] == [("BUSINESS", 1)]


def test_whose_follow_up_it_is() -> None:
    s = Scenario(start=at(23, 9))
    s.given(
        dispatch.RequestDispatch(
            dispatch_id="D1",
            kind=dispatch.DispatchKind.REPAIR,
            site_address="1 Dongmen Road",
            area="DONGMEN",  # B-EAST's area
            contact=CALLER,
            wished=Window(at(23, 13), at(23, 15)),
            job="valve",
        ),
        dispatch.AssignDispatch(dispatch_id="D1", worker_id="W009"),  # a B-NORTH worker
        dispatch.CompleteDispatch(dispatch_id="D1", outcome="valve replaced"),
    )
    lodge(s, "K1", complaint.SubjectKind.FIELD_WORKER, "W003")
    s.after(days=1)
    follow_up(s, "f1", "dispatch-D1", True, attitude=5)
    follow_up(s, "f2", "complaint-K1", True, attitude=3)
    # the agent recorded whose work it was: that wins over the record followed up
    follow_up(s, "f3", "dispatch-D1", True, attitude=1, worker_id="W002")
    follow_up(s, "f4", "nothing-known", True, attitude=4, agent=AGENT)
    view = fold(s).view(s.clock.now())
    assert [(w.id, w.calls, w.mean_rating) for w in view.workers] == [
        ("W002", 1, 1.0),
        ("W003", 1, 3.0),
        ("W009", 1, 5.0),
    ]
    # D1 is B-EAST's work though W009 is B-NORTH's; K1's W003 is B-EAST's; f4 no one's
    assert [(b.id, b.calls, b.complaints) for b in view.branches] == [("B-EAST", 3, 1)]
    assert [(a.id, a.calls) for a in view.agents] == [("A01", 1), ("A02", 3)]


def test_complaint_satisfaction_calls_count_and_resolutions_never_show() -> None:
    s = story()
    s.given(
        complaint.JudgeComplaint(complaint_id="K1", valid=True),
        complaint.NotifyDepartment(complaint_id="K1", department="BUSINESS"),
        complaint.RecordResolution(complaint_id="K1", resolution="SECRET apology visit"),
        complaint.RecordCustomerResponse(complaint_id="K1", accepted=True, note="SECRET ok"),
        complaint.RecordSatisfactionCall(complaint_id="K1", reached=False, actor=AGENT_2),
        complaint.RecordSatisfactionCall(
            complaint_id="K1", reached=True, rating=5, on_time=True, note="SECRET", actor=AGENT_2
        ),
    )
    f = fold(s)
    view = f.view(s.clock.now())
    w001 = only(view.workers, "W001")
    # 4 follow-ups + 2 satisfaction calls = 6; reached 3 + 1 = 4; ratings 5, 4, 2, 5 → 16/4
    assert (w001.calls, w001.reached) == (6, 4)
    assert w001.mean_rating == pytest.approx(4.0)
    assert w001.satisfied_share == pytest.approx(3 / 4)
    assert w001.on_time_share == pytest.approx(3 / 4)  # yes, yes, no, yes
    assert w001.safety_check_share == pytest.approx(1 / 2)  # never asked in a satisfaction call
    assert only(view.agents, "A02").calls == 6
    assert "SECRET" not in repr(view)
    assert "SECRET" not in repr((f.rated, f.lodged, f.problems, f.work))


def test_periods_are_half_open_and_as_of_is_exact() -> None:
    s = story()
    f = fold(s)
    now = s.clock.now()  # K2 was lodged now, K1 a day before
    before_the_re_complaint = f.view(now - timedelta(hours=1))
    assert only(before_the_re_complaint.workers, "W001").complaints == 1
    assert only(before_the_re_complaint.workers, "W001").re_complaints == 0
    last_day = f.view(now, since=now - timedelta(hours=2))
    assert [(w.id, w.calls, w.complaints, w.re_complaints) for w in last_day.workers] == [
        ("W001", 0, 1, 1)
    ]
    assert last_day.problems == ()
    up_to_k2 = f.view(now, until=now)  # until is exclusive: K2 is left out
    assert (only(up_to_k2.workers, "W001").calls, only(up_to_k2.workers, "W001").complaints) == (
        4,
        1,
    )
    from_k2 = f.view(now, since=now)  # since is inclusive
    assert only(from_k2.workers, "W001").complaints == 1
    monday = f.view(now, until=at(24, 0))  # nothing but deliveries on Monday
    assert (monday.workers, monday.branches, monday.agents) == ((), (), ())
    assert (monday.as_of, monday.since, monday.until) == (now, None, at(24, 0))


def raised_at(s: Scenario) -> datetime:
    return next(
        r.event.at
        for r in records_of(s)
        if isinstance(r.event, call.FollowUpRecorded) and r.event.problems_raised
    )


def test_problems_are_judged_by_the_follow_up_clocks() -> None:
    s = story()  # f1 raised "the hose smells of gas"
    raised = raised_at(s)
    (problem,) = fold(s).view(s.clock.now()).problems
    # raised a day ago and never relayed: the 1 h relay clock is breached; no resolution
    # clock has started
    assert (problem.relayed_in_time, problem.resolved_in_time) == (False, None)
    assert (problem.call, problem.relayed_at, problem.department) == ("call-f1", None, None)

    s = story()
    s.clock.set(raised + timedelta(minutes=30))
    s.given(call.RelayFollowUpProblem(call_id="f1", department="BUSINESS"))
    f = fold(s)
    (early,) = f.view(raised + timedelta(minutes=20)).problems
    assert (early.relayed_in_time, early.relayed_at) == (None, None)  # still within 1 h
    (problem,) = f.view(raised + timedelta(minutes=40)).problems
    # relayed in 30 min (≤ 1 h); the 24 h resolution check runs from the relay
    assert (problem.relayed_in_time, problem.resolved_in_time) == (True, None)
    assert (problem.relayed_at, problem.department) == (raised + timedelta(minutes=30), "BUSINESS")
    (late,) = f.view(raised + timedelta(minutes=30, hours=24, seconds=1)).problems
    assert late.resolved_in_time is False  # 24 h passed without the customer's confirmation


def test_a_pause_moves_the_relay_due_time() -> None:
    """The call's clocks paused for an hour while the customer asked to be called later:
    relayed 100 min after the problem was raised, against a due time of 60 + 60 min."""
    s = story()
    raised = raised_at(s)
    s.clock.set(raised + timedelta(minutes=10))
    s.given(PauseClocks(stream="call-f1", reason="call me later", clocks=("follow-up-relay",)))
    s.clock.set(raised + timedelta(minutes=70))
    s.given(ResumeClocks(stream="call-f1", clocks=("follow-up-relay",)))
    s.clock.set(raised + timedelta(minutes=100))
    s.given(call.RelayFollowUpProblem(call_id="f1", department="TECH"))
    s.clock.set(raised + timedelta(minutes=100, hours=2))
    s.given(call.ConfirmFollowUpResolution(call_id="f1"))
    (problem,) = fold(s).view(s.clock.now()).problems
    assert (problem.relayed_in_time, problem.resolved_in_time) == (True, True)
    assert problem.resolution_confirmed_at == s.clock.now()
    assert problem.department == "TECH"


# ------------------------------------------------------------------------ properties

WORKERS = ("W001", "W002")  # both B-EAST delivery workers


@frozen
class Wait:
    minutes: int


@frozen
class FollowUp:
    order: int  # O0 and O2 were W001's, O1 and O3 W002's
    reached: bool
    attitude: int | None
    on_time: bool | None
    safety: bool | None
    problem: bool
    agent: Actor


@frozen
class Relay:
    step: int  # the step whose call it was, if it was a follow-up with a problem


@frozen
class Confirm:
    step: int


@frozen
class Complain:
    worker: str
    again: bool  # a re-complaint of the previous complaint
    notify: bool  # judged valid and notified to BUSINESS


Step = Wait | FollowUp | Relay | Confirm | Complain

steps = st.one_of(
    st.builds(Wait, st.integers(1, 180)),
    st.builds(
        FollowUp,
        st.integers(0, 3),
        st.booleans(),
        st.none() | st.integers(1, 5),
        st.none() | st.booleans(),
        st.none() | st.booleans(),
        st.booleans(),
        st.sampled_from((AGENT, AGENT_2)),
    ),
    st.builds(Relay, st.integers(0, 11)),
    st.builds(Confirm, st.integers(0, 11)),
    st.builds(Complain, st.sampled_from(WORKERS), st.booleans(), st.booleans()),
)


@frozen
class Model:
    """What the view must count: per worker, the calls made and the complaints lodged
    (re-complaint or not); per department, the re-complaints against it."""

    calls: dict[str, list[FollowUp]]
    complaints: dict[str, list[bool]]
    departments: dict[str, int]


@st.composite
def histories(draw: st.DrawFn) -> tuple[Scenario, Model]:
    """A history told through the real commands, and the model of what it must count."""
    s = Scenario(start=at(23, 9))
    for n in range(4):
        delivered_order(s, f"O{n}", worker=WORKERS[n % 2])
    s.after(days=3)
    model = Model({w: [] for w in WORKERS}, {w: [] for w in WORKERS}, {})
    notified: dict[str, bool] = {}
    for n, step in enumerate(draw(st.lists(steps, min_size=1, max_size=12))):
        match step:
            case Wait(minutes):
                s.after(minutes=minutes)
            case FollowUp():
                answers: dict[str, Any] = {}
                if step.reached:  # a call that reached nobody has no answers
                    answers = {
                        "attitude": step.attitude,
                        "on_time": step.on_time,
                        "safety_check_done": step.safety,
                        "problems_raised": ("a problem",) if step.problem else (),
                    }
                follow_up(s, f"f{n}", f"order-O{step.order}", step.reached, step.agent, **answers)
                model.calls[WORKERS[step.order % 2]].append(step)
            case Relay(which) | Confirm(which):
                command = (
                    call.RelayFollowUpProblem(call_id=f"f{which}", department="TECH")
                    if isinstance(step, Relay)
                    else call.ConfirmFollowUpResolution(call_id=f"f{which}")
                )
                with contextlib.suppress(DomainError):  # no such call, nothing to relay…
                    s.given(command)  # …: the store is left unchanged
            case Complain(worker, again, notify):
                original = list(notified)[-1] if again and notified else None
                lodge(s, f"K{n}", complaint.SubjectKind.FIELD_WORKER, worker, original)
                if notify:
                    s.given(
                        complaint.JudgeComplaint(complaint_id=f"K{n}", valid=True),
                        complaint.NotifyDepartment(complaint_id=f"K{n}", department="BUSINESS"),
                    )
                notified[f"K{n}"] = notify
                model.complaints[worker].append(original is not None)
                if original is not None and notified[original]:
                    model.departments["BUSINESS"] = model.departments.get("BUSINESS", 0) + 1
        s.after(minutes=1)
    return s, model


def share(answers: list[bool]) -> float | None:
    return sum(answers) / len(answers) if answers else None


def expected_row(worker: str, model: Model) -> SatisfactionRow | None:
    calls = model.calls[worker]
    lodged = model.complaints[worker]
    if not calls and not lodged:
        return None
    reached = [c for c in calls if c.reached]
    ratings = [c.attitude for c in reached if c.attitude is not None]
    return SatisfactionRow(
        id=worker,
        calls=len(calls),
        reached=len(reached),
        mean_rating=sum(ratings) / len(ratings) if ratings else None,
        satisfied_share=share([r >= 4 for r in ratings]),
        on_time_share=share([c.on_time for c in reached if c.on_time is not None]),
        safety_check_share=share([c.safety for c in reached if c.safety is not None]),
        complaints=len(lodged),
        re_complaints=sum(lodged),
    )


PROPERTY_SETTINGS = settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


@PROPERTY_SETTINGS
@given(history=histories())
def test_the_figures_are_those_of_the_commands_sent(history: tuple[Scenario, Model]) -> None:
    s, model = history
    view = fold(s).view(s.clock.now())
    expected = tuple(row for w in WORKERS if (row := expected_row(w, model)) is not None)
    assert view.workers == expected
    assert {d.id: d.re_complaints for d in view.departments} == model.departments
    for row in (*view.workers, *view.branches, *view.agents):
        assert row.reached <= row.calls and row.re_complaints <= row.complaints
    # both workers are B-EAST's and all the work was B-EAST's: the branch sums them
    if view.workers:
        (east,) = view.branches
        assert east.calls == sum(w.calls for w in view.workers)
        assert east.complaints == sum(w.complaints for w in view.workers)
    assert sum(a.calls for a in view.agents) == sum(w.calls for w in view.workers)


@PROPERTY_SETTINGS
@given(history=histories(), data=st.data())
def test_chunks_and_cuts_agree(history: tuple[Scenario, Model], data: st.DataObject) -> None:
    s, _ = history
    records = records_of(s)
    times = sorted({r.event.at for r in records})
    probe = data.draw(st.sampled_from(times)) + timedelta(
        minutes=data.draw(st.sampled_from([0, 30, 61, 60 * 25]))
    )
    since = data.draw(st.none() | st.sampled_from(times))
    split = data.draw(st.integers(0, len(records)))
    whole = Satisfaction(s.directory).apply_all(records).view(probe, since=since)
    chunked = Satisfaction(s.directory).apply_all(records[:split]).apply_all(records[split:])
    assert chunked.view(probe, since=since) == whole
    cut = Satisfaction(s.directory).apply_all(r for r in records if r.event.at <= probe)
    assert cut.view(probe, since=since) == whole
