"""Every clock of domain.md §6 through the same cases: met, breached, at risk, paused,
reopened — started at times that cross midnight, a weekend and a public holiday.

Each row of CLOCKS gives the events that start and stop one clock on one subject; the
cases are generated from the row, so a broken start or stop rule fails here."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal

import attrs
import pytest

from callcore.adapters.directory_file import demo_directory
from callcore.domain import call, complaint, dispatch, order, ticket
from callcore.domain.common import (
    Actor,
    ClockPaused,
    ClockResumed,
    Contact,
    Event,
    Priority,
    Role,
    Window,
)
from callcore.domain.directory import Skill
from callcore.ports import Recorded
from callcore.projections.sla import ClockStatus, SlaClocks
from tests.support import CST

A = Actor(Role.AGENT, "A01")
D = demo_directory()
CALLER = Contact("C", "+8613912345678")
Make = Callable[[datetime], list[Event]]


def opened_ticket(at: datetime, category: ticket.Category = ticket.Category.INQUIRY) -> Event:
    return ticket.TicketOpened(
        at=at,
        actor=A,
        ticket_id="T",
        category=category,
        channel=ticket.Channel.PHONE,
        priority=Priority.NORMAL,
        caller=CALLER,
        description="d",
        area="XIHU",
    )


def lodged(at: datetime) -> Event:
    return complaint.ComplaintLodged(
        at=at,
        actor=A,
        complaint_id="K",
        complainant=CALLER,
        about=complaint.Subject(complaint.SubjectKind.OTHER),
        what="w",
        wanted_outcome="o",
    )


def requested(kind: dispatch.DispatchKind) -> Make:
    def make(at: datetime) -> list[Event]:
        window = Window(at, at + timedelta(hours=2))
        order_ = dispatch.WorkOrder(
            dispatch_id="X",
            kind=kind,
            window=window,
            site_address="s",
            area="XIHU",
            contact=CALLER,
            job="j",
        )
        return [
            dispatch.DispatchRequested(
                at=at,
                actor=A,
                dispatch_id="X",
                kind=kind,
                site_address="s",
                area="XIHU",
                branch="B-WEST",
                handled_by="B-WEST",
                required_skill=Skill.REPAIR_SIMPLE,
                contact=CALLER,
                wished=window,
                priority=Priority.NORMAL,
                customer_level="standard",
                job="j",
            ),
            dispatch.FieldWorkerAssigned(
                at=at,
                actor=A,
                worker_id="W006",
                worker_phone="+8613931000006",
                day=at.date(),
                work_order=order_,
            ),
        ]

    return make


def placed(at: datetime, hours: float = 2) -> Event:
    return order.OrderPlaced(
        at=at,
        actor=A,
        order_id="O",
        registered=False,
        customer_number=None,
        name="n",
        phone="+8613912345678",
        address="a",
        area="XIHU",
        branch="B-WEST",
        branch_address="b",
        branch_phone="p",
        lines=(),
        total=Decimal("1.00"),
        priced_on=at.date(),
        delivery_window=Window(at, at + timedelta(hours=hours)),
    )


def follow_up(at: datetime, *, reached: bool = True, problems: tuple[str, ...] = ()) -> Event:
    return call.FollowUpRecorded(
        at=at,
        actor=A,
        subject="order-O",
        reached=reached,
        attitude=4 if reached else None,
        problems_raised=problems,
    )


def delivered(at: datetime) -> list[Event]:
    return [
        placed(at - timedelta(minutes=1)),
        order.OrderDelivered(at=at, actor=A, empty_collected=True),
    ]


# clock id: (subject, start events at t, stop events at t, target seconds, stream of the stop)
CLOCKS: dict[str, tuple[str, Make, Make, int, str | None]] = {
    "answer": (
        "call-1",
        lambda t: [call.CallOffered(at=t, actor=A, call_id="1", queue="q", caller=None)],
        lambda t: [
            call.CallAnswered(
                at=t, actor=A, agent="A01", waited_seconds=0, rings=1, within_target=True
            )
        ],
        15,
        None,
    ),
    "inquiry-transfer": (
        "ticket-T",
        lambda t: [
            opened_ticket(t),
            ticket.CallbackPromised(at=t, actor=A, phone="p", reply_due=t + timedelta(days=1)),
        ],
        lambda t: [ticket.TicketTransferred(at=t, actor=A, department="BUSINESS", note="n")],
        1800,
        None,
    ),
    "inquiry-department-reply": (
        "ticket-T",
        lambda t: [
            opened_ticket(t),
            ticket.TicketTransferred(at=t, actor=A, department="BUSINESS", note="n"),
        ],
        lambda t: [ticket.DepartmentReplied(at=t, actor=A, department="BUSINESS", reply="r")],
        3 * 3600,
        None,
    ),
    "inquiry-customer-reply": (
        "ticket-T",
        lambda t: [
            opened_ticket(t),
            ticket.CallbackPromised(at=t, actor=A, phone="p", reply_due=t + timedelta(days=1)),
        ],
        lambda t: [ticket.CustomerReplied(at=t, actor=A, reply="r")],
        24 * 3600,
        None,
    ),
    "complaint-reply-committed": (
        "complaint-K",
        lambda t: [lodged(t)],
        lambda t: [complaint.ReplyTimeCommitted(at=t, actor=A, reply_by=t + timedelta(hours=1))],
        1800,
        None,
    ),
    "complaint-department-notified": (
        "complaint-K",
        lambda t: [lodged(t)],
        lambda t: [complaint.DepartmentNotified(at=t, actor=A, department="BUSINESS")],
        600,
        None,
    ),
    "complaint-customer-updated": (
        "complaint-K",
        lambda t: [
            lodged(t - timedelta(seconds=1)),
            complaint.DepartmentNotified(at=t, actor=A, department="BUSINESS"),
        ],
        lambda t: [complaint.CustomerUpdated(at=t, actor=A, note="n")],
        1200,
        None,
    ),
    "complaint-department-follow-up": (
        "complaint-K",
        lambda t: [
            lodged(t - timedelta(seconds=1)),
            complaint.DepartmentNotified(at=t, actor=A, department="BUSINESS"),
        ],
        lambda t: [complaint.DepartmentFollowedUp(at=t, actor=A, department="BUSINESS", note="n")],
        7200,
        None,
    ),
    "complaint-satisfaction-call": (
        "complaint-K",
        lambda t: [lodged(t - timedelta(seconds=1)), complaint.ResolutionAccepted(at=t, actor=A)],
        lambda t: [complaint.SatisfactionCallRecorded(at=t, actor=A, reached=True, rating=5)],
        24 * 3600,
        None,
    ),
    "emergency-notification": (
        "ticket-T",
        lambda t: [opened_ticket(t, ticket.Category.EMERGENCY)],
        lambda t: [ticket.RepairCentreNotified(at=t, actor=A, department="REPAIR")],
        300,
        None,
    ),
    "repair-arrival": (
        "dispatch-X",
        requested(dispatch.DispatchKind.REPAIR),
        lambda t: [dispatch.WorkerArrived(at=t, actor=A, worker_id="W006")],
        7200,
        None,
    ),
    "install-completion": (
        "dispatch-X",
        requested(dispatch.DispatchKind.INSTALL),
        lambda t: [dispatch.DispatchCompleted(at=t, actor=A, outcome="o")],
        48 * 3600,
        None,
    ),
    "delivery": (
        "order-O",
        lambda t: [placed(t)],
        lambda t: [order.OrderDelivered(at=t, actor=A, empty_collected=True)],
        7200,
        None,
    ),
    "post-purchase-follow-up-1": (
        "order-O",
        delivered,
        lambda t: [follow_up(t)],
        3 * 86400,
        "call-f",
    ),
    "post-repair-follow-up": (
        "dispatch-X",
        lambda t: [
            *requested(dispatch.DispatchKind.REPAIR)(t - timedelta(seconds=1)),
            dispatch.DispatchCompleted(at=t, actor=A, outcome="o"),
        ],
        lambda t: [
            call.FollowUpRecorded(at=t, actor=A, subject="dispatch-X", reached=True, attitude=5)
        ],
        3 * 86400,
        "call-f",
    ),
    "follow-up-relay": (
        "call-f",
        lambda t: [follow_up(t, problems=("leak",))],
        lambda t: [
            call.FollowUpProblemRelayed(at=t, actor=A, department="BUSINESS", subject="order-O")
        ],
        3600,
        None,
    ),
    "follow-up-resolution-check": (
        "call-f",
        lambda t: [
            follow_up(t - timedelta(seconds=1), problems=("leak",)),
            call.FollowUpProblemRelayed(at=t, actor=A, department="BUSINESS", subject="order-O"),
        ],
        lambda t: [call.FollowUpResolutionConfirmed(at=t, actor=A, subject="order-O")],
        86400,
        None,
    ),
}

STARTS = {
    "midday": datetime(2026, 11, 24, 12, 0, tzinfo=CST),
    "before-midnight": datetime(2026, 11, 24, 23, 50, tzinfo=CST),
    "friday-evening": datetime(2026, 11, 27, 21, 0, tzinfo=CST),
    "national-day-eve": datetime(2026, 9, 30, 23, 0, tzinfo=CST),
}


def records(
    subject: str, events: list[Event], stop_stream: str | None = None, stops: int = 0
) -> list[Recorded]:
    out = []
    versions: dict[str, int] = {}
    for index, event in enumerate(events):
        stream = stop_stream if (stop_stream and index >= len(events) - stops) else subject
        if isinstance(
            event,
            (dispatch.DispatchRequested, dispatch.FieldWorkerAssigned, dispatch.DispatchCompleted),
        ) and stream.startswith("call"):
            stream = subject
        versions[stream] = versions.get(stream, 0) + 1
        out.append(Recorded(stream, versions[stream], event))
    return out


def run(
    clock_id: str,
    start: datetime,
    stop_after: float | None,
    pause: tuple[float, float] | None = None,
    at_seconds: float | None = None,
):  # type: ignore[no-untyped-def]
    subject, make_start, make_stop, _target, stop_stream = CLOCKS[clock_id]
    events = make_start(start)
    stop_events: list[Event] = []
    if pause is not None:
        p0, p1 = (start + timedelta(seconds=pause[0]), start + timedelta(seconds=pause[1]))
        events += [
            ClockPaused(at=p0, actor=A, reason="asked to call later"),
            ClockResumed(at=p1, actor=A),
        ]
    if stop_after is not None:
        stop_events = make_stop(start + timedelta(seconds=stop_after))
        # the answer clock is decided by the call's wait, as the PBX measured it
        stop_events = [
            attrs.evolve(e, waited_seconds=stop_after) if isinstance(e, call.CallAnswered) else e
            for e in stop_events
        ]
    history = records(subject, events + stop_events, stop_stream, len(stop_events))
    history.sort(key=lambda r: r.event.at)
    when = start + timedelta(seconds=at_seconds if at_seconds is not None else 40 * 86400)
    fold = SlaClocks(D).apply_all(history)
    return [r for r in fold.view(when).clocks if r.clock == clock_id]


@pytest.mark.parametrize("clock_id", sorted(CLOCKS))
@pytest.mark.parametrize("start_name", sorted(STARTS))
class TestEveryClock:
    def test_met_when_stopped_in_time(self, clock_id: str, start_name: str) -> None:
        target = CLOCKS[clock_id][3]
        (row,) = run(clock_id, STARTS[start_name], stop_after=target * 0.5)
        assert row.state is ClockStatus.MET

    def test_breached_when_stopped_late(self, clock_id: str, start_name: str) -> None:
        target = CLOCKS[clock_id][3]
        (row,) = run(clock_id, STARTS[start_name], stop_after=target * 1.5)
        assert row.state is ClockStatus.BREACHED

    def test_at_risk_then_breached_while_running(self, clock_id: str, start_name: str) -> None:
        target = CLOCKS[clock_id][3]
        (row,) = run(clock_id, STARTS[start_name], stop_after=None, at_seconds=target * 0.8)
        assert (row.state, row.warning) == (ClockStatus.AT_RISK, 0.75)
        (row,) = run(clock_id, STARTS[start_name], stop_after=None, at_seconds=target * 1.01 + 1)
        assert row.state is ClockStatus.BREACHED

    def test_a_pause_moves_the_due_time(self, clock_id: str, start_name: str) -> None:
        if clock_id == "answer":
            pytest.skip("the answer clock is decided by the call's wait (docs/sla.md)")
        target = CLOCKS[clock_id][3]
        # paused for the whole target from a tenth in: stopping at 1.5 × target is in time
        (row,) = run(
            clock_id,
            STARTS[start_name],
            stop_after=target * 1.5,
            pause=(target * 0.1, target * 1.1),
        )
        assert row.state is ClockStatus.MET
        assert row.paused_seconds == pytest.approx(target)


@pytest.mark.parametrize("clock_id", sorted(CLOCKS))
def test_reopening_starts_a_new_instance_and_keeps_the_old(clock_id: str) -> None:
    subject, make_start, make_stop, target, stop_stream = CLOCKS[clock_id]
    start = STARTS["midday"]
    first = make_start(start) + make_stop(start + timedelta(seconds=target * 0.5))
    later = start + timedelta(seconds=target * 2)
    second = [
        e
        for e in make_start(later)
        if not isinstance(e, (ticket.TicketOpened, complaint.ComplaintLodged, order.OrderPlaced))
    ]
    history = records(subject, first, stop_stream, len(make_stop(start))) + [
        Recorded(subject, 100 + n, e) for n, e in enumerate(second)
    ]
    history.sort(key=lambda r: r.event.at)
    rows = [
        r
        for r in SlaClocks(D).apply_all(history).view(later + timedelta(seconds=target * 3)).clocks
        if r.clock == clock_id
    ]
    if clock_id in STARTED_BY_A_ONE_OFF_FACT:
        pytest.skip("the domain never records a second delivery or completion of one record")
    if clock_id in ONCE_PER_RECORD:
        # started by the record's own creation (a complaint is lodged once; a re-complaint
        # is a new record): never a second instance
        assert [(r.instance, r.state) for r in rows] == [(1, ClockStatus.MET)]
        return
    assert [(r.instance, r.state) for r in rows] == [
        (1, ClockStatus.MET),
        (2, ClockStatus.BREACHED),
    ]


ONCE_PER_RECORD = {
    "complaint-reply-committed",
    "complaint-department-notified",
    "delivery",
    "emergency-notification",
}
STARTED_BY_A_ONE_OFF_FACT = {"post-purchase-follow-up-1", "post-repair-follow-up"}


class TestBusinessTime:
    """A business-time target counts only opening hours (06:00–22:00) on business days."""

    def policy(self):  # type: ignore[no-untyped-def]
        import attrs

        from callcore.domain.directory import ClockTarget

        return attrs.evolve(
            D.sla,
            version="business",
            targets={**D.sla.targets, "inquiry-transfer": ClockTarget(2 * 3600, business=True)},
        )

    def rows(self, start: datetime, stop_after_hours: float | None, at: datetime):  # type: ignore[no-untyped-def]
        subject, make_start, make_stop, _, _ = CLOCKS["inquiry-transfer"]
        events = make_start(start)
        if stop_after_hours is not None:
            events += make_stop(start + timedelta(hours=stop_after_hours))
        fold = SlaClocks(D, policy_override=self.policy()).apply_all(records(subject, events))
        return [r for r in fold.view(at).clocks if r.clock == "inquiry-transfer"]

    def test_over_a_weekend(self) -> None:
        friday = STARTS["friday-evening"]  # Friday 21:00: one hour left that day
        (row,) = self.rows(friday, None, friday + timedelta(days=3))
        assert row.due_at == datetime(2026, 11, 30, 7, 0, tzinfo=CST)  # Monday 07:00
        (met,) = self.rows(friday, 57, friday + timedelta(days=3))  # Monday 06:00
        assert met.state is ClockStatus.MET

    def test_over_national_day(self) -> None:
        eve = datetime(2026, 9, 30, 21, 30, tzinfo=CST)  # 30 min left before the holiday
        (row,) = self.rows(eve, None, eve + timedelta(days=10))
        assert row.due_at.date() > datetime(2026, 10, 7).date()
        assert row.due_at.time().hour == 7 and row.due_at.time().minute == 30
