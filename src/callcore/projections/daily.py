"""The daily report (domain.md §8), with weekly and monthly roll-ups: a pure fold.

Per centre-local day and branch: orders and their amount (and how many were delivered or
cancelled that day), tickets by category opened and closed, dispatches by kind and state
per field worker, SLA compliance per clock, satisfaction calls and their mean rating, and
the overdue items (clocks breached and still running).

Where a record's branch comes from: orders and dispatches carry it; a ticket's area gives
it (``unrouted`` when the caller gave none); SLA clocks carry their attribution, and
clocks with no branch (complaints are handled by departments) are reported under
``centre``. A roll-up sums the days and recomputes compliance from the summed counts,
never by averaging percentages.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from attrs import frozen

from callcore.domain import dispatch, order, ticket
from callcore.domain.calendar import BusinessCalendar
from callcore.domain.directory import Directory
from callcore.ports import Recorded
from callcore.projections.satisfaction import Satisfaction
from callcore.projections.sla import ClockStatus, SlaClocks

CENTRE = "centre"
UNROUTED = "unrouted"


@frozen
class Count:
    key: str
    count: int


@frozen
class DispatchCount:
    worker: str | None
    kind: str
    state: str
    count: int


@frozen
class ClockCompliance:
    clock: str
    met: int
    breached: int
    running: int
    at_risk: int
    compliance: float | None


@frozen
class Overdue:
    clock: str
    subject: str
    due_at: datetime


@frozen
class BranchDay:
    branch: str
    orders: int
    amount: Decimal
    delivered: int
    cancelled: int
    tickets_opened: tuple[Count, ...]
    tickets_closed: tuple[Count, ...]
    dispatches: tuple[DispatchCount, ...]
    sla: tuple[ClockCompliance, ...]
    satisfaction_calls: int
    satisfaction_reached: int
    mean_rating: float | None
    overdue: tuple[Overdue, ...]


@frozen
class DailyView:
    day: date
    as_of: datetime
    branches: tuple[BranchDay, ...]
    totals: BranchDay


@frozen
class PeriodView:
    start: date
    end: date
    as_of: datetime
    branches: tuple[BranchDay, ...]
    totals: BranchDay


@frozen
class _Dated:
    at: datetime
    branch: str
    key: str
    amount: Decimal = Decimal("0.00")


class DailyReport:
    def __init__(self, directory: Directory, *, what_if: bool = False) -> None:
        """``what_if``: evaluate SLA compliance under this directory's policy instead of
        the policies recorded in the log."""
        self.directory = directory
        self.calendar = BusinessCalendar(directory.calendar)
        self.sla = SlaClocks(directory, policy_override=directory.sla if what_if else None)
        self.satisfaction = Satisfaction(directory)
        self.facts: list[_Dated] = []
        self.ticket_branch: dict[str, str] = {}
        self.ticket_category: dict[str, str] = {}
        self.order_branch: dict[str, str] = {}
        self.dispatch_info: dict[str, tuple[str, str]] = {}
        """dispatch stream → (kind, branch)"""
        self.dispatch_history: dict[str, list[tuple[datetime, str, str | None]]] = {}
        """dispatch stream → [(at, state, worker)]"""

    def apply_all(self, records: Iterable[Recorded]) -> DailyReport:
        for record in records:
            self.apply(record)
        return self

    def apply(self, record: Recorded) -> None:
        self.sla.apply(record)
        self.satisfaction.apply(record)
        event, stream = record.event, record.stream
        match event:
            case order.OrderPlaced():
                self.order_branch[stream] = event.branch
                self.facts.append(_Dated(event.at, event.branch, "order", event.total))
            case order.OrderDelivered():
                self.facts.append(
                    _Dated(event.at, self.order_branch.get(stream, UNROUTED), "delivered")
                )
            case order.OrderCancelled():
                self.facts.append(
                    _Dated(event.at, self.order_branch.get(stream, UNROUTED), "cancelled")
                )
            case ticket.TicketOpened():
                area = self.directory.areas.get(event.area or "")
                branch = area.branch if area else UNROUTED
                self.ticket_branch[stream] = branch
                self.ticket_category[stream] = event.category.value
                self.facts.append(_Dated(event.at, branch, f"opened:{event.category.value}"))
            case ticket.TicketClosed():
                category = self.ticket_category.get(stream, "unknown")
                self.facts.append(
                    _Dated(event.at, self.ticket_branch.get(stream, UNROUTED), f"closed:{category}")
                )
            case dispatch.DispatchRequested():
                self.dispatch_info[stream] = (event.kind.value, event.branch)
                self.dispatch_history[stream] = [(event.at, "requested", None)]
            case _ if stream in self.dispatch_history:
                self._dispatch_event(stream, event)

    def _dispatch_event(self, stream: str, event: object) -> None:
        history = self.dispatch_history[stream]
        _, _, worker = history[-1]
        at = getattr(event, "at")  # noqa: B009  (every event has a time)
        match event:
            case dispatch.FieldWorkerAssigned():
                history.append((at, "assigned", event.worker_id))
            case dispatch.FieldWorkerUnassigned():
                history.append((at, "requested", None))
            case dispatch.WorkerSetOff():
                history.append((at, "en-route", worker))
            case dispatch.WorkerArrived():
                history.append((at, "on-site", worker))
            case dispatch.WorkCouldNotBeCompleted():
                history.append((at, "cannot-complete", worker))
            case dispatch.DispatchResumed():
                history.append((at, "assigned", worker))
            case dispatch.DispatchCompleted():
                history.append((at, "completed", worker))
            case dispatch.DispatchCancelled():
                history.append((at, "cancelled", worker))

    # -- reading -------------------------------------------------------------------

    def _bounds(self, start: date, end: date) -> tuple[datetime, datetime]:
        return self.calendar.at(start, time(0)), self.calendar.at(end, time(0)) + timedelta(days=1)

    def view(self, day: date, at: datetime | None = None) -> DailyView:
        low, high = self._bounds(day, day)
        instant = at or (high - timedelta(microseconds=1))
        branches, totals = self._figures(low, high, instant)
        return DailyView(day=day, as_of=instant, branches=branches, totals=totals)

    def roll_up(self, start: date, end: date, at: datetime | None = None) -> PeriodView:
        """The same figures summed over the days from ``start`` to ``end`` inclusive."""
        low, high = self._bounds(start, end)
        instant = at or (high - timedelta(microseconds=1))
        branches, totals = self._figures(low, high, instant)
        return PeriodView(start=start, end=end, as_of=instant, branches=branches, totals=totals)

    def _figures(
        self, low: datetime, high: datetime, at: datetime
    ) -> tuple[tuple[BranchDay, ...], BranchDay]:
        def inside(when: datetime) -> bool:
            return low <= when < high and when <= at

        facts = [f for f in self.facts if inside(f.at)]
        sla_rows = [r for r in self.sla.view(at).clocks if inside(r.started_at)]
        rated = [r for r in self.satisfaction.rated if inside(r.at)]
        dispatch_rows: list[tuple[str, str | None, str, str]] = []
        for stream, history in self.dispatch_history.items():
            kind, branch = self.dispatch_info[stream]
            seen = [h for h in history if h[0] <= at]
            if not seen or (not inside(seen[0][0]) and not any(inside(h[0]) for h in seen)):
                continue
            _, state, worker = seen[-1]
            dispatch_rows.append((branch, worker, kind, state))
        names = sorted(
            {f.branch for f in facts}
            | {r.attribution.branch or CENTRE for r in sla_rows}
            | {r.branch for r in rated if r.branch}
            | {row[0] for row in dispatch_rows}
        )

        def figures(branch: str | None) -> BranchDay:
            mine = [f for f in facts if branch is None or f.branch == branch]
            clocks = [
                r for r in sla_rows if branch is None or (r.attribution.branch or CENTRE) == branch
            ]
            calls = [r for r in rated if branch is None or r.branch == branch]
            work = [row for row in dispatch_rows if branch is None or row[0] == branch]
            ratings = [r.rating for r in calls if r.reached and r.rating is not None]
            per_clock: dict[str, Counter[str]] = {}
            for row in clocks:
                per_clock.setdefault(row.clock, Counter())[row.state.value] += 1
            return BranchDay(
                branch=branch or "all",
                orders=sum(1 for f in mine if f.key == "order"),
                amount=sum((f.amount for f in mine if f.key == "order"), Decimal("0.00")),
                delivered=sum(1 for f in mine if f.key == "delivered"),
                cancelled=sum(1 for f in mine if f.key == "cancelled"),
                tickets_opened=_counts(f.key[7:] for f in mine if f.key.startswith("opened:")),
                tickets_closed=_counts(f.key[7:] for f in mine if f.key.startswith("closed:")),
                dispatches=tuple(
                    DispatchCount(worker, kind, state, n)
                    for (worker, kind, state), n in sorted(
                        Counter((w, k, s) for _, w, k, s in work).items(),
                        key=lambda item: (item[0][0] or "", item[0][1], item[0][2]),
                    )
                ),
                sla=tuple(
                    ClockCompliance(
                        clock,
                        c["met"],
                        c["breached"],
                        c["running"],
                        c["at-risk"],
                        None
                        if c["met"] + c["breached"] == 0
                        else c["met"] / (c["met"] + c["breached"]),
                    )
                    for clock, c in sorted(per_clock.items())
                ),
                satisfaction_calls=len(calls),
                satisfaction_reached=sum(1 for r in calls if r.reached),
                mean_rating=sum(ratings) / len(ratings) if ratings else None,
                overdue=tuple(
                    Overdue(r.clock, r.subject, r.due_at)
                    for r in clocks
                    if r.state is ClockStatus.BREACHED and r.stopped_at is None
                ),
            )

        return tuple(figures(name) for name in names), figures(None)


def _counts(keys: Iterable[str]) -> tuple[Count, ...]:
    return tuple(Count(key, n) for key, n in sorted(Counter(keys).items()))
