"""Issue 16: SLA figures a supervisor would sign (domain.md §6, the closing semantics).

Given/when/then at the event level, one class per decision of the issue. Each history is
folded once and asked about several instants; the view as of an instant must be what
the history cut there shows (checked at the end of every class with :func:`same_as_cut`).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

import attrs

from callcore.adapters.directory_file import demo_directory
from callcore.domain import complaint, dispatch, order, ticket
from callcore.domain.common import Actor, Contact, Event, Priority, Role, Window
from callcore.domain.directory import Skill
from callcore.ports import Recorded
from callcore.projections.sla import ClockRow, ClockStatus, SlaClocks, SlaView
from tests.support import CST

A = Actor(Role.AGENT, "A01")
D = demo_directory()
CALLER = Contact("Wang Xiuying", "+8613912345678")
T0 = datetime(2026, 11, 23, 9, 0, tzinfo=CST)  # a Monday


def t(hours: float = 0, minutes: float = 0, days: float = 0) -> datetime:
    return T0 + timedelta(days=days, hours=hours, minutes=minutes)


class History:
    """Events on streams, in the order given (their ``at`` must not go back)."""

    def __init__(self) -> None:
        self.records: list[Recorded] = []
        self.versions: dict[str, int] = {}

    def add(self, stream: str, *events: Event) -> History:
        for event in events:
            self.versions[stream] = self.versions.get(stream, 0) + 1
            self.records.append(Recorded(stream, self.versions[stream], event))
        return self

    def fold(self, directory=D) -> SlaClocks:  # type: ignore[no-untyped-def]
        return SlaClocks(directory).apply_all(self.records)

    def view(self, at: datetime, directory=D) -> SlaView:  # type: ignore[no-untyped-def]
        return self.fold(directory).view(at)

    def row(self, at: datetime, clock: str, subject: str | None = None, n: int = 1) -> ClockRow:
        (found,) = [
            r
            for r in self.view(at).clocks
            if r.clock == clock and r.instance == n and subject in (None, r.subject)
        ]
        return found

    def state(self, at: datetime, clock: str, subject: str | None = None) -> ClockStatus:
        return self.row(at, clock, subject).state

    def same_as_cut(self, *instants: datetime) -> None:
        whole = self.fold()
        for at in instants:
            cut = SlaClocks(D).apply_all(r for r in self.records if r.event.at <= at)
            assert whole.view(at) == cut.view(at), at


def placed(at: datetime, window_end: datetime, order_id: str = "O") -> Event:
    return order.OrderPlaced(
        at=at,
        actor=A,
        order_id=order_id,
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
        delivery_window=Window(window_end - timedelta(hours=2), window_end),
    )


def repair_requested(
    at: datetime,
    wished: Window | None = None,
    priority: Priority = Priority.NORMAL,
    level: str = "standard",
    kind: dispatch.DispatchKind = dispatch.DispatchKind.REPAIR,
) -> Event:
    return dispatch.DispatchRequested(
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
        wished=wished or Window(at, at + timedelta(hours=1)),
        priority=priority,
        customer_level=level,
        job="j",
    )


def lodged(at: datetime, customer_number: str | None = None) -> Event:
    return complaint.ComplaintLodged(
        at=at,
        actor=A,
        complaint_id="K",
        complainant=CALLER,
        customer_number=customer_number,
        about=complaint.Subject(complaint.SubjectKind.OTHER),
        what="w",
        wanted_outcome="o",
    )


def opened_ticket(at: datetime, priority: Priority = Priority.NORMAL, **extra: object) -> Event:
    return ticket.TicketOpened(
        at=at,
        actor=A,
        ticket_id="T",
        category=ticket.Category.INQUIRY,
        channel=ticket.Channel.PHONE,
        priority=priority,
        caller=CALLER,
        description="d",
        area="XIHU",
        **extra,  # type: ignore[arg-type]
    )


class TestOnceBreachedAlwaysBreached:
    """Decision 5."""

    def test_a_delivery_cancelled_after_its_window_stays_breached(self) -> None:
        # given an order due at 11:00, and a second one delivered in time
        h = History().add("order-O", placed(t(), window_end=t(hours=2)))
        h.add("order-P", placed(t(), window_end=t(hours=2), order_id="P"))
        h.add("order-P", order.OrderDelivered(at=t(hours=1), actor=A, empty_collected=True))
        # when the first is cancelled at 12:00, after its window
        h.add("order-O", order.OrderCancelled(at=t(hours=3), actor=A, reason="not home"))
        # then it is breached at 11:30 and still at 12:30, and compliance stays 0.5
        for at in (t(hours=2.5), t(hours=3.5), t(days=3)):
            assert h.state(at, "delivery", "order-O") is ClockStatus.BREACHED
            (summary,) = [c for c in h.view(at).summary() if c.key == "delivery"]
            assert summary.compliance == 0.5
        h.same_as_cut(t(hours=2.5), t(hours=3), t(hours=3.5))

    def test_a_delivery_cancelled_before_its_window_is_withdrawn_not_met(self) -> None:
        h = History().add("order-O", placed(t(), window_end=t(hours=2)))
        h.add("order-O", order.OrderCancelled(at=t(hours=1), actor=A, reason="changed mind"))
        r = h.row(t(hours=3), "delivery")
        assert (r.state, r.stopped_at) == (ClockStatus.WITHDRAWN, t(hours=1))
        (summary,) = h.view(t(hours=3)).summary()
        assert (summary.met, summary.breached, summary.withdrawn) == (0, 0, 1)
        assert summary.compliance is None
        assert h.state(t(minutes=30), "delivery") is ClockStatus.RUNNING

    def test_a_late_reschedule_does_not_turn_a_breach_into_met(self) -> None:
        # given a window ending 11:00, rescheduled at 11:30 to end 15:00, delivered 14:00
        h = History().add("order-O", placed(t(), window_end=t(hours=2)))
        new = Window(t(hours=4), t(hours=6))
        h.add(
            "order-O",
            order.DeliveryRescheduled(
                at=t(hours=2.5),
                actor=A,
                window=new,
                reason="r",
                requested_by=order.RequestedBy.CUSTOMER,
            ),
            order.OrderDelivered(at=t(hours=5), actor=A, empty_collected=True),
        )
        for at in (t(hours=2.2), t(hours=3), t(hours=6)):
            r = h.row(at, "delivery")
            assert (r.state, r.due_at) == (ClockStatus.BREACHED, t(hours=2))
        h.same_as_cut(t(hours=2.2), t(hours=2.5), t(hours=5))

    def test_a_reschedule_before_the_due_time_moves_it(self) -> None:
        h = History().add("order-O", placed(t(), window_end=t(hours=2)))
        h.add(
            "order-O",
            order.DeliveryRescheduled(
                at=t(hours=1),
                actor=A,
                window=Window(t(hours=4), t(hours=6)),
                reason="r",
                requested_by=order.RequestedBy.CUSTOMER,
            ),
            order.OrderDelivered(at=t(hours=5), actor=A, empty_collected=True),
        )
        r = h.row(t(hours=6), "delivery")
        assert (r.state, r.due_at) == (ClockStatus.MET, t(hours=6))
        assert h.row(t(minutes=30), "delivery").due_at == t(hours=2)

    def test_a_dispatch_cancelled_after_the_arrival_was_due_stays_breached(self) -> None:
        h = History().add("dispatch-X", repair_requested(t()))
        h.add("dispatch-X", dispatch.DispatchCancelled(at=t(hours=3), actor=A, reason="r"))
        assert h.state(t(hours=5), "repair-arrival") is ClockStatus.BREACHED
        h2 = History().add("dispatch-X", repair_requested(t()))
        h2.add("dispatch-X", dispatch.DispatchCancelled(at=t(hours=1), actor=A, reason="r"))
        assert h2.state(t(hours=5), "repair-arrival") is ClockStatus.WITHDRAWN


class TestNoClockOfAClosedRecordKeepsRunning:
    """Decision 6."""

    def accepted(self, accepted_at: datetime) -> History:
        return History().add(
            "complaint-K",
            lodged(t()),
            complaint.ComplaintJudgedValid(at=t(minutes=2), actor=A),
            complaint.DepartmentNotified(at=t(minutes=5), actor=A, department="BUSINESS"),
            complaint.ResolutionProposed(
                at=accepted_at - timedelta(minutes=1),
                actor=A,
                resolution="r",
                department="BUSINESS",
            ),
            complaint.ResolutionAccepted(at=accepted_at, actor=A),
            complaint.ComplaintClosed(at=accepted_at, actor=A, reason="accepted", resolved=True),
        )

    def test_acceptance_stops_the_update_and_follow_up_clocks(self) -> None:
        # given a complaint whose resolution the customer accepted 15 min after notifying
        h = self.accepted(t(minutes=20))
        # then three hours later neither the update nor the follow-up clock is breached
        later = t(hours=3, minutes=20)
        updated = h.row(later, "complaint-customer-updated")
        follow_up = h.row(later, "complaint-department-follow-up")
        assert (updated.state, updated.stopped_at) == (ClockStatus.MET, t(minutes=20))
        assert (follow_up.state, follow_up.stopped_at) == (ClockStatus.MET, t(minutes=19))
        # the satisfaction call runs on after the close, as domain.md §4.4 says
        assert h.state(later, "complaint-satisfaction-call") is ClockStatus.RUNNING
        assert all(
            r.stopped_at is not None
            for r in h.view(later).clocks
            if r.clock != "complaint-satisfaction-call"
        )
        h.same_as_cut(t(minutes=19), t(minutes=20), later)

    def test_a_close_after_the_due_time_stops_the_clock_breached(self) -> None:
        # the customer was updated 40 min after notification: the 20-min clock breached
        h = self.accepted(t(minutes=45))
        r = h.row(t(hours=5), "complaint-customer-updated")
        assert (r.state, r.stopped_at) == (ClockStatus.BREACHED, t(minutes=45))

    def test_a_closed_ticket_keeps_no_inquiry_clock_running(self) -> None:
        h = History().add(
            "ticket-T",
            opened_ticket(t()),
            ticket.CallbackPromised(at=t(), actor=A, phone="p", reply_due=t(days=1)),
            ticket.TicketTransferred(at=t(minutes=10), actor=A, department="BUSINESS", note="n"),
            ticket.TicketResolved(at=t(hours=1), actor=A, cause="c", solution="s"),
            ticket.TicketClosed(at=t(hours=1), actor=A, disposition=ticket.Disposition.RESOLVED),
        )
        view = h.view(t(days=3))
        assert {r.clock: r.state for r in view.clocks} == {
            "inquiry-transfer": ClockStatus.MET,
            "inquiry-department-reply": ClockStatus.MET,
            "inquiry-customer-reply": ClockStatus.MET,
        }
        assert all(r.stopped_at is not None for r in view.clocks)


def adopted(at: datetime, version: str, transfer_minutes: int, *shares: float) -> Event:
    from callcore.domain.directory import ClockTarget
    from callcore.domain.policy import SlaPolicyAdopted

    targets = dict(D.sla.targets)
    targets["inquiry-transfer"] = ClockTarget(transfer_minutes * 60)
    policy = attrs.evolve(D.sla, version=version, targets=targets, warning_shares=shares)
    return SlaPolicyAdopted(at=at, actor=A, version=version, policy=policy)


def promised(at: datetime, n: int) -> tuple[str, list[Event]]:
    return f"ticket-T{n}", [
        opened_ticket(at),
        ticket.CallbackPromised(at=at, actor=A, phone="p", reply_due=at + timedelta(days=2)),
    ]


class TestEachClockKeepsWhatItStartedUnder:
    """Decision 1: a history with three policy changes, viewed between them."""

    def history(self) -> History:
        h = History().add("policy-sla", adopted(t(), "v1", 60, 0.75, 0.9))
        eras = [
            (t(minutes=10), None),
            (t(hours=1, minutes=10), adopted(t(hours=1), "v2", 40, 0.5, 0.8)),
            (t(hours=2, minutes=10), adopted(t(hours=2), "v3", 20, 0.25)),
            (t(hours=3, minutes=10), adopted(t(hours=3), "v4", 100, 0.95)),
        ]
        for n, (start, change) in enumerate(eras):
            if change is not None:
                h.add("policy-sla", change)
            stream, events = promised(start, n)
            h.add(stream, *events)
        return h

    def test_targets_warnings_and_version_are_those_the_clock_started_under(self) -> None:
        h = self.history()
        expected = {  # ticket: (version, target minutes, warning shares)
            "ticket-T0": ("v1", 60, (0.75, 0.9)),
            "ticket-T1": ("v2", 40, (0.5, 0.8)),
            "ticket-T2": ("v3", 20, (0.25,)),
            "ticket-T3": ("v4", 100, (0.95,)),
        }
        starts = {"ticket-T0": t(minutes=10), "ticket-T1": t(hours=1, minutes=10)}
        starts |= {"ticket-T2": t(hours=2, minutes=10), "ticket-T3": t(hours=3, minutes=10)}
        for at in (t(minutes=30), t(hours=1, minutes=30), t(hours=2, minutes=30), t(hours=4)):
            rows = {r.subject: r for r in h.view(at).clocks if r.clock == "inquiry-transfer"}
            for subject, row in rows.items():
                version, minutes, shares = expected[subject]
                assert row.policy_version == version
                assert row.due_at == starts[subject] + timedelta(minutes=minutes)
                assert row.warning_shares == shares
            assert len(rows) == sum(start <= at for start in starts.values())
        h.same_as_cut(
            t(minutes=59), t(hours=1), t(hours=1, minutes=30), t(hours=2, minutes=30), t(hours=5)
        )

    def test_a_warning_comes_from_the_clocks_own_policy(self) -> None:
        # T0 started under v1 (75 %/90 % of 60 min); at 09:50, 40 of 60 min (67 %) have
        # passed: no warning under v1, though v2 (50 %/80 %) is the newest policy by then
        h = self.history()
        early = h.row(t(minutes=50), "inquiry-transfer", "ticket-T0")
        assert (early.state, early.warning) == (ClockStatus.RUNNING, None)
        late = h.row(t(hours=1, minutes=10), "inquiry-transfer", "ticket-T0")  # 60 min of 60
        assert (late.state, late.warning) == (ClockStatus.AT_RISK, 0.9)
        # T2 started under v3, warning at 25 % of 20 min: 5 min in
        assert h.row(t(hours=2, minutes=15), "inquiry-transfer", "ticket-T2").warning == 0.25
        # T3 under v4, one share of 95 %: at 90 min of 100 nothing yet
        assert h.row(t(hours=4, minutes=40), "inquiry-transfer", "ticket-T3").warning is None


def with_overrides(**tables: dict[str, dict[str, object]]):  # type: ignore[no-untyped-def]
    from callcore.domain.directory import ClockTarget

    sla = attrs.evolve(
        D.sla,
        by_priority={
            **D.sla.by_priority,
            **{
                p: {c: ClockTarget(**v) for c, v in clocks.items()}  # type: ignore[arg-type]
                for p, clocks in tables.get("by_priority", {}).items()
            },
        },
        by_customer_level={
            level: {c: ClockTarget(**v) for c, v in clocks.items()}  # type: ignore[arg-type]
            for level, clocks in tables.get("by_customer_level", {}).items()
        },
    )
    return attrs.evolve(D, sla=sla)


def account(at: datetime, number: str, level: str) -> Event:
    from callcore.domain.customer import AccountOpened, CustomerType

    return AccountOpened(
        at=at,
        actor=A,
        customer_number=number,
        name="n",
        phone="+8613912345678",
        address="a",
        area="XIHU",
        branch="B-WEST",
        customer_type=CustomerType.HOUSEHOLD,
        level=level,
    )


class TestPriorityAndLevelOnEveryClock:
    """Decision 2."""

    def test_post_repair_follow_up_takes_the_dispatch_priority_and_level(self) -> None:
        directory = with_overrides(
            by_priority={"normal": {"post-repair-follow-up": {"seconds": 86400}}},
            by_customer_level={"gold": {"repair-arrival": {"seconds": 3600}}},
        )
        h = History().add(
            "dispatch-X",
            repair_requested(t(), level="gold"),
            dispatch.WorkerArrived(at=t(minutes=90), actor=A, worker_id="W006"),
            dispatch.DispatchCompleted(at=t(hours=2), actor=A, outcome="fixed"),
        )
        rows = {r.clock: r for r in h.view(t(days=2), directory).clocks}
        follow_up = rows["post-repair-follow-up"]
        assert (follow_up.priority, follow_up.customer_level) == ("normal", "gold")
        assert follow_up.due_at == t(hours=2, days=1)  # the 1-day override, not 3 days
        assert follow_up.state is ClockStatus.BREACHED
        arrival = rows["repair-arrival"]  # the gold level's hour, not the normal 2 h
        assert (arrival.customer_level, arrival.state) == ("gold", ClockStatus.BREACHED)

    def test_voicemail_callback_takes_the_ticket_priority_and_the_customer_level(self) -> None:
        directory = with_overrides(
            by_customer_level={"vip": {"voicemail-callback": {"seconds": 3600, "business": True}}}
        )
        evening = datetime(2026, 11, 23, 23, 0, tzinfo=CST)  # closed: opens 06:00
        h = History().add("customer-C1", account(t(), "C1", "vip"))
        h.add(
            "ticket-T",
            opened_ticket(evening, customer_number="C1"),
            ticket.VoicemailRecorded(
                at=evening, actor=A, callback_due=datetime(2026, 11, 24, 8, 30, tzinfo=CST)
            ),
        )
        (row,) = h.view(evening + timedelta(hours=8), directory).clocks
        assert (row.priority, row.customer_level) == ("normal", "vip")
        # one business hour from 06:00, not 08:30
        assert row.due_at == datetime(2026, 11, 24, 7, 0, tzinfo=CST)
        # without the override, the default promise: 08:30 of the next business morning
        plain = h.fold().view(evening + timedelta(hours=8))
        (default,) = [r for r in plain.clocks if r.clock == "voicemail-callback"]
        assert default.due_at == datetime(2026, 11, 24, 8, 30, tzinfo=CST)

    def test_every_clock_of_a_record_with_a_priority_reports_it(self) -> None:
        h = History().add("customer-C1", account(t(), "C1", "gold"))
        h.add(
            "ticket-T",
            opened_ticket(t(), priority=Priority.URGENT, customer_number="C1"),
            ticket.CallbackPromised(at=t(), actor=A, phone="p", reply_due=t(days=1)),
            ticket.TicketTransferred(at=t(minutes=5), actor=A, department="BUSINESS", note="n"),
        )
        h.add("complaint-K", lodged(t(), customer_number="C1"))
        rows = h.view(t(hours=1)).clocks
        assert {(r.clock, r.priority, r.customer_level) for r in rows} == {
            ("inquiry-transfer", "urgent", "gold"),
            ("inquiry-customer-reply", "urgent", "gold"),
            ("inquiry-department-reply", "urgent", "gold"),
            ("complaint-reply-committed", None, "gold"),  # a complaint has no priority
            ("complaint-department-notified", None, "gold"),
        }


class TestAppointmentsAndPromisesAreDueTimes:
    """Decision 7."""

    def test_a_repair_the_customer_wants_tomorrow_is_due_at_the_window_end(self) -> None:
        tomorrow = Window(t(days=1), t(days=1, hours=3))
        h = History().add("dispatch-X", repair_requested(t(), wished=tomorrow))
        two_hours_on = h.row(t(hours=2, minutes=1), "repair-arrival")
        assert (two_hours_on.state, two_hours_on.due_at) == (ClockStatus.RUNNING, tomorrow.end)
        assert two_hours_on.due_by == "appointment"
        h.add("dispatch-X", dispatch.WorkerArrived(at=t(days=1, hours=1), actor=A, worker_id="W"))
        assert h.state(t(days=2), "repair-arrival") is ClockStatus.MET

    def test_a_window_within_the_target_leaves_the_policy_due(self) -> None:
        h = History().add("dispatch-X", repair_requested(t(), wished=Window(t(), t(hours=1))))
        row = h.row(t(minutes=5), "repair-arrival")
        assert (row.due_at, row.due_by) == (t(hours=2), "policy")

    def test_an_appointment_agreed_later_moves_the_due_time_to_its_end(self) -> None:
        h = History().add("dispatch-X", repair_requested(t(), wished=Window(t(), t(hours=1))))
        h.add(
            "dispatch-X",
            dispatch.AppointmentConfirmed(
                at=t(hours=1),
                actor=A,
                window=Window(t(hours=5), t(hours=7)),
                contact=CALLER,
                problem_restated="p",
            ),
        )
        assert h.row(t(minutes=30), "repair-arrival").due_at == t(hours=2)  # as known then
        later = h.row(t(hours=3), "repair-arrival")
        assert (later.state, later.due_at, later.due_by) == (
            ClockStatus.RUNNING,
            t(hours=7),
            "appointment",
        )
        h.same_as_cut(t(minutes=30), t(hours=1), t(hours=3))

    def test_an_install_is_due_at_the_later_of_48_hours_and_the_window(self) -> None:
        window = Window(t(days=3), t(days=3, hours=4))
        h = History().add(
            "dispatch-X",
            repair_requested(t(), wished=window, kind=dispatch.DispatchKind.INSTALL),
        )
        row = h.row(t(days=2, hours=1), "install-completion")
        assert (row.state, row.due_at, row.due_by) == (
            ClockStatus.RUNNING,
            window.end,
            "appointment",
        )

    def test_a_promised_reply_time_sooner_than_the_policy_is_the_due_time(self) -> None:
        h = History().add(
            "ticket-T",
            opened_ticket(t()),
            ticket.CallbackPromised(at=t(), actor=A, phone="p", reply_due=t(hours=4)),
        )
        row = h.row(t(hours=4, minutes=1), "inquiry-customer-reply")
        assert (row.state, row.due_at, row.due_by) == (
            ClockStatus.BREACHED,
            t(hours=4),
            "promise",
        )
        assert h.row(t(hours=3, minutes=5), "inquiry-customer-reply").warning == 0.75

    def test_a_promise_later_than_the_policy_leaves_the_policy_due(self) -> None:
        h = History().add(
            "ticket-T",
            opened_ticket(t()),
            ticket.CallbackPromised(at=t(), actor=A, phone="p", reply_due=t(days=3)),
        )
        row = h.row(t(hours=1), "inquiry-customer-reply")
        assert (row.due_at, row.due_by) == (t(days=1), "policy")

    def test_a_delivery_is_due_by_its_window_and_says_so_in_the_json(self) -> None:
        from callcore.formats import view_data

        h = History().add("order-O", placed(t(), window_end=t(hours=2)))
        data = view_data(h.view(t(hours=1)), CST)
        (clock,) = data["clocks"]
        assert (clock["due_by"], clock["due_at"]) == ("appointment", t(hours=2).isoformat())
