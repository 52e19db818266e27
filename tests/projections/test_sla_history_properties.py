"""Issue 16: properties over generated histories with policy changes, pauses, promises,
appointments, cancellations, closures and reopens.

* the view as of T equals the view of the history cut at T (domain.md §6 "exact as of");
* folding in chunks equals folding at once;
* a second, naive implementation of the clock arithmetic of domain.md §6 — written from
  the spec, not from the fold: it walks each clock minute by minute — gives every ticket,
  order and dispatch clock the same state, warning and due time as the fold.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import attrs
from hypothesis import given, settings
from hypothesis import strategies as st

from callcore.domain import complaint, dispatch, order, ticket
from callcore.domain.common import ClockPaused, ClockResumed, Event, Priority, Window
from callcore.domain.directory import ClockTarget, SlaPolicy
from callcore.domain.policy import SlaPolicyAdopted
from callcore.ports import Recorded
from callcore.projections.sla import SlaClocks
from tests.projections.test_sla_issue16 import (
    T0,
    A,
    D,
    lodged,
    opened_ticket,
    placed,
    repair_requested,
)

MINUTE = timedelta(minutes=1)
SHARES = [(0.75, 0.9), (0.5, 0.8), (0.25,), (0.95,)]


def m(minutes: int) -> datetime:
    return T0 + minutes * MINUTE


# --------------------------------------------------------------------------- histories


@st.composite
def histories(draw: st.DrawFn) -> list[Recorded]:
    """Events of several records and policies, in the order of their ``at``."""
    streams: list[tuple[str, list[Event]]] = []
    policies: list[Event] = []
    for n, (at, transfer, reply_h, arrival, shares) in enumerate(
        draw(
            st.lists(
                st.tuples(
                    st.integers(0, 600),
                    st.sampled_from([10, 30, 60]),
                    st.sampled_from([1, 3, 24]),
                    st.sampled_from([60, 120, 180]),
                    st.sampled_from(SHARES),
                ),
                max_size=3,
            )
        )
    ):
        targets = dict(D.sla.targets)
        targets["inquiry-transfer"] = ClockTarget(transfer * 60)
        targets["inquiry-customer-reply"] = ClockTarget(reply_h * 3600)
        targets["repair-arrival"] = ClockTarget(arrival * 60)
        policy = attrs.evolve(D.sla, version=f"p{n}", targets=targets, warning_shares=shares)
        policies.append(SlaPolicyAdopted(at=m(at), actor=A, version=f"p{n}", policy=policy))
    streams.append(("policy-sla", sorted(policies, key=lambda e: e.at)))

    for n in range(draw(st.integers(0, 4))):  # tickets
        t = draw(st.integers(0, 600))
        events: list[Event] = [opened_ticket(m(t))]
        t += draw(st.integers(0, 20))
        events.append(
            ticket.CallbackPromised(
                at=m(t), actor=A, phone="p", reply_due=m(t + draw(st.integers(30, 2000)))
            )
        )
        if draw(st.booleans()):  # the customer asked to be called later
            t += draw(st.integers(0, 60))
            events.append(ClockPaused(at=m(t), actor=A, reason="later"))
            t += draw(st.integers(1, 120))
            events.append(ClockResumed(at=m(t), actor=A))
        if draw(st.booleans()):
            t += draw(st.integers(0, 90))
            events.append(
                ticket.TicketTransferred(at=m(t), actor=A, department="BUSINESS", note="n")
            )
        if draw(st.booleans()):  # resolved and closed, maybe reopened with a new promise
            t += draw(st.integers(0, 300))
            events += [
                ticket.TicketResolved(at=m(t), actor=A, cause="c", solution="s"),
                ticket.TicketClosed(at=m(t), actor=A, disposition=ticket.Disposition.RESOLVED),
            ]
            if draw(st.booleans()):
                t += draw(st.integers(0, 120))
                events.append(ticket.TicketReopened(at=m(t), actor=A, reason="r", reopen_count=1))
                events.append(
                    ticket.CallbackPromised(
                        at=m(t), actor=A, phone="p", reply_due=m(t + draw(st.integers(30, 2000)))
                    )
                )
        streams.append((f"ticket-T{n}", events))

    for n in range(draw(st.integers(0, 3))):  # orders
        t = draw(st.integers(0, 600))
        end = t + draw(st.integers(30, 300))
        events = [placed(m(t), window_end=m(end), order_id=f"O{n}")]
        if draw(st.booleans()):
            t += draw(st.integers(1, 400))
            new_end = t + draw(st.integers(60, 600))
            events.append(
                order.DeliveryRescheduled(
                    at=m(t),
                    actor=A,
                    window=Window(m(new_end - 60), m(new_end)),
                    reason="r",
                    requested_by=order.RequestedBy.CUSTOMER,
                )
            )
        ending = draw(st.sampled_from(["delivered", "cancelled", None]))
        t += draw(st.integers(1, 500))
        if ending == "delivered":
            events.append(order.OrderDelivered(at=m(t), actor=A, empty_collected=True))
        elif ending == "cancelled":
            events.append(order.OrderCancelled(at=m(t), actor=A, reason="r"))
        streams.append((f"order-O{n}", events))

    for n in range(draw(st.integers(0, 3))):  # repair dispatches
        t = draw(st.integers(0, 600))
        wished_end = t + draw(st.integers(30, 1500))
        priority = draw(st.sampled_from([Priority.NORMAL, Priority.EMERGENCY]))
        events = [
            attrs.evolve(
                repair_requested(m(t), wished=Window(m(t), m(wished_end)), priority=priority),
                dispatch_id=f"X{n}",
            )
        ]
        if draw(st.booleans()):
            t += draw(st.integers(1, 300))
            end = t + draw(st.integers(30, 1500))
            events.append(
                dispatch.AppointmentConfirmed(
                    at=m(t),
                    actor=A,
                    window=Window(m(end - 30), m(end)),
                    contact=events[0].contact,  # type: ignore[attr-defined]
                    problem_restated="p",
                )
            )
        ending = draw(st.sampled_from(["arrived", "cancelled", None]))
        t += draw(st.integers(1, 600))
        if ending == "arrived":
            events.append(dispatch.WorkerArrived(at=m(t), actor=A, worker_id="W"))
        elif ending == "cancelled":
            events.append(dispatch.DispatchCancelled(at=m(t), actor=A, reason="r"))
        streams.append((f"dispatch-X{n}", events))

    for n in range(draw(st.integers(0, 2))):  # complaints (as-of properties only)
        t = draw(st.integers(0, 600))
        events = [attrs.evolve(lodged(m(t)), complaint_id=f"K{n}")]
        t += draw(st.integers(1, 30))
        if draw(st.booleans()):
            events += [
                complaint.ComplaintJudgedInvalid(at=m(t), actor=A, reason="r"),
                complaint.ComplaintClosed(at=m(t), actor=A, reason="r", resolved=False),
            ]
        else:
            events.append(complaint.ComplaintJudgedValid(at=m(t), actor=A))
            t += draw(st.integers(0, 30))
            events.append(complaint.DepartmentNotified(at=m(t), actor=A, department="BUSINESS"))
            if draw(st.booleans()):
                t += draw(st.integers(1, 200))
                events.append(
                    complaint.ResolutionProposed(
                        at=m(t), actor=A, resolution="r", department="BUSINESS"
                    )
                )
                t += draw(st.integers(1, 60))
                events += [
                    complaint.ResolutionAccepted(at=m(t), actor=A),
                    complaint.ComplaintClosed(at=m(t), actor=A, reason="ok", resolved=True),
                ]
        streams.append((f"complaint-K{n}", events))

    keyed = [
        (event.at, s, v, Recorded(stream, v, event))
        for s, (stream, events) in enumerate(streams)
        for v, event in enumerate(events, start=1)
    ]
    return [record for *_, record in sorted(keyed, key=lambda k: (k[0], k[1], k[2]))]


probes = st.integers(-10, 3000).map(m)


@settings(max_examples=150, deadline=None)
@given(records=histories(), at=probes)
def test_the_view_as_of_t_is_the_view_of_the_history_cut_at_t(
    records: list[Recorded], at: datetime
) -> None:
    if not records:
        return
    full = SlaClocks(D).apply_all(records).view(at)
    cut = SlaClocks(D).apply_all(r for r in records if r.event.at <= at).view(at)
    assert full == cut


@settings(max_examples=60, deadline=None)
@given(records=histories(), split=st.integers(0, 80), at=probes)
def test_folding_in_chunks_equals_folding_at_once(
    records: list[Recorded], split: int, at: datetime
) -> None:
    whole = SlaClocks(D).apply_all(records).view(at)
    chunked = SlaClocks(D).apply_all(records[:split]).apply_all(records[split:]).view(at)
    assert whole == chunked


# --------------------------------------------------------------------------- the naive one


@dataclass
class NaiveClock:
    clock: str
    subject: str
    instance: int
    start: datetime
    policy: SlaPolicy
    span_minutes: int  # of unpaused time from the start to the due time
    promised: list[tuple[datetime, datetime]] = field(default_factory=list)
    """(when agreed, the new due instant) — an appointment's or delivery window's end."""
    pauses: list[list[datetime | None]] = field(default_factory=list)
    stopped: datetime | None = None
    withdrawn: datetime | None = None
    policy_minutes: int = 0

    def ended(self) -> datetime | None:
        return self.stopped or self.withdrawn

    def paused(self, x: datetime) -> bool:
        return any(p <= x and (q is None or x < q) for p, q in self.pauses)  # type: ignore[operator]

    def walk(self, at: datetime) -> tuple[datetime, int, int]:
        """Minute by minute from the start: the due instant (as known at ``at``), the
        unpaused minutes by ``at`` (or the end), and the span in force there."""
        span, counted, x = self.span_minutes, 0, self.start
        due: datetime | None = None
        limit = min(at, self.ended() or at)
        horizon = max(at, limit) + timedelta(days=5)
        while x < horizon:
            for agreed, new_due in self.promised:
                # a promise agreed at x applies if the clock is not yet past its due time
                if agreed == x and agreed <= at and (due is None or agreed <= due):
                    span = self.span_for(new_due)
                    due = None
            if due is None and counted >= span:
                due = x
            if due is not None and x >= limit:
                break
            if x >= limit or not self.paused(x):
                counted += 1  # after the end (or the instant asked) no pause is known
            x += MINUTE
        return due or x, self.elapsed(limit), span

    def span_for(self, new_due: datetime) -> int:
        return int((new_due - self.start) / MINUTE)

    def elapsed(self, limit: datetime) -> int:
        x, n = self.start, 0
        while x < limit:
            n += 0 if self.paused(x) else 1
            x += MINUTE
        return n

    def state(self, at: datetime) -> tuple[str, float | None, datetime]:
        due, elapsed, span = self.walk(at)
        end = self.ended()
        if end is not None and end <= at:
            if end > due:
                return "breached", None, due
            return ("met" if self.stopped else "withdrawn"), None, due
        if at > due:
            return "breached", None, due
        share = elapsed / span if span else 0.0
        passed = [w for w in self.policy.warning_shares if share >= w]
        return ("at-risk", max(passed), due) if passed else ("running", None, due)


def target_minutes(policy: SlaPolicy, clock: str, priority: str | None) -> int:
    chosen = policy.by_priority.get(priority or "", {}).get(clock, policy.targets[clock])
    return chosen.seconds // 60


def naive(records: list[Recorded]) -> dict[tuple[str, str, int], NaiveClock]:
    """The five clocks of tickets, orders and repairs, from domain.md §6 and issue 16."""
    policy = D.sla
    clocks: dict[tuple[str, str, int], NaiveClock] = {}

    def running(clock: str, subject: str) -> NaiveClock | None:
        mine = [c for (k, s, _), c in clocks.items() if (k, s) == (clock, subject)]
        return mine[-1] if mine and mine[-1].ended() is None else None

    def start(clock: str, subject: str, at: datetime, minutes: int, **kw: Any) -> NaiveClock:
        n = 1 + sum(1 for k, s, _ in clocks if (k, s) == (clock, subject))
        kw.setdefault("policy_minutes", minutes)
        c = NaiveClock(clock, subject, n, at, policy, minutes, **kw)
        clocks[(clock, subject, n)] = c
        return c

    def stop(clock: str, subject: str, at: datetime) -> None:
        c = running(clock, subject)
        if c is not None:
            c.stopped = at
            for p in c.pauses:
                p[1] = p[1] or at

    for record in records:
        e, subject, at = record.event, record.stream, record.event.at
        if isinstance(e, SlaPolicyAdopted):
            policy = e.policy
        elif isinstance(e, ticket.CallbackPromised):
            if running("inquiry-transfer", subject) is None:
                start(
                    "inquiry-transfer",
                    subject,
                    at,
                    target_minutes(policy, "inquiry-transfer", "normal"),
                )
            if running("inquiry-customer-reply", subject) is None:
                minutes = target_minutes(policy, "inquiry-customer-reply", "normal")
                promise = int((e.reply_due - at) / MINUTE)
                start("inquiry-customer-reply", subject, at, min(minutes, promise))
        elif isinstance(e, ticket.TicketTransferred):
            stop("inquiry-transfer", subject, at)
            if running("inquiry-department-reply", subject) is None:
                minutes = target_minutes(policy, "inquiry-department-reply", "normal")
                start("inquiry-department-reply", subject, at, minutes)
        elif isinstance(e, ticket.TicketClosed):
            for clock in ("inquiry-transfer", "inquiry-customer-reply", "inquiry-department-reply"):
                stop(clock, subject, at)
        elif isinstance(e, ClockPaused):
            for c in clocks.values():
                if c.subject == subject and c.ended() is None and not c.paused(at):
                    c.pauses.append([at, None])
        elif isinstance(e, ClockResumed):
            for c in clocks.values():
                if c.subject == subject and c.pauses and c.pauses[-1][1] is None:
                    c.pauses[-1][1] = at
        elif isinstance(e, order.OrderPlaced):
            start("delivery", subject, at, int((e.delivery_window.end - at) / MINUTE))
        elif isinstance(e, order.DeliveryRescheduled):
            c = running("delivery", subject)
            if c is not None:
                c.promised.append((at, e.window.end))
        elif isinstance(e, order.OrderDelivered):
            stop("delivery", subject, at)
        elif isinstance(e, order.OrderCancelled | dispatch.DispatchCancelled):
            for clock in ("delivery", "repair-arrival"):
                c = running(clock, subject)
                if c is not None:
                    c.withdrawn = at
        elif isinstance(e, dispatch.DispatchRequested):
            minutes = target_minutes(policy, "repair-arrival", e.priority.value)
            window = int((e.wished.end - at) / MINUTE)
            start("repair-arrival", subject, at, max(minutes, window), policy_minutes=minutes)
        elif isinstance(e, dispatch.AppointmentConfirmed):
            c = running("repair-arrival", subject)
            if c is not None:
                later = max(e.window.end, c.start + c.policy_minutes * MINUTE)
                c.promised.append((at, later))
        elif isinstance(e, dispatch.WorkerArrived):
            stop("repair-arrival", subject, at)
    return clocks


def naive_rows(records: list[Recorded], at: datetime) -> Iterator[tuple[Any, ...]]:
    for (clock, subject, n), c in naive([r for r in records if r.event.at <= at]).items():
        if c.start <= at:
            yield (clock, subject, n, *c.state(at))


@settings(max_examples=150, deadline=None)
@given(records=histories(), at=probes)
def test_the_fold_agrees_with_a_naive_minute_by_minute_count(
    records: list[Recorded], at: datetime
) -> None:
    compared = {"inquiry-transfer", "inquiry-customer-reply", "inquiry-department-reply"}
    compared |= {"delivery", "repair-arrival"}
    view = SlaClocks(D).apply_all(records).view(at)
    fold = {
        (r.clock, r.subject, r.instance, r.state.value, r.warning, r.due_at)
        for r in view.clocks
        if r.clock in compared
    }
    assert fold == set(naive_rows(records, at))
