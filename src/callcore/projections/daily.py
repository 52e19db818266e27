"""The daily report (domain.md §8), with weekly and monthly roll-ups: a pure fold.

Per centre-local day and branch (interfaces.md §4 ``daily``):

* **orders** placed that day and their **amount** (the sum of ``OrderPlaced.total``,
  Decimal; cancelled orders included, as placed); **delivered** and **cancelled**: orders
  delivered / cancelled that day;
* **tickets_opened** / **tickets_closed**: tickets opened / closed that day, as
  ``(category, count)`` rows (a ticket closed, reopened and closed again counts twice);
* **complaints** lodged that day, and **complaints_by_department**: the same complaints
  per department notified as of ``as_of`` (``not-notified`` until one is). Counts only:
  a complaint's resolution never appears here (domain.md §4.4);
* **dispatches**: ``(worker_id, kind, state, count)`` rows for the work orders *of that
  day* — the day a field worker is booked for, or, before assignment, the day the
  appointment (confirmed, else wished) starts — in their state as of ``as_of``;
* **sla**: per clock id, the SLA clocks attributed to the branch that *started* that day,
  evaluated as of ``as_of`` (:meth:`SlaView.summary`): met, breached, running, at risk and
  compliance = met ÷ (met + breached), ``None`` when both are 0;
* **satisfaction_calls**: follow-up calls (``FollowUpRecorded``) and complaint
  satisfaction calls (``SatisfactionCallRecorded``) made that day, **satisfaction_reached**
  those that reached the customer, **satisfaction_rated** those with a rating and
  **mean_rating** their mean (a follow-up's ``attitude``, a complaint call's ``rating``).
  Kept simple on purpose: the per-worker and per-agent detail is the satisfaction view's;
* **overdue**: the branch's SLA clocks breached and still running as of ``as_of`` that
  started by the end of the day — carried-over items stay on the list until they stop.

Where a record's branch comes from: orders and dispatches carry it; a ticket's area gives
it (``directory.areas[area].branch``, else the branch recorded with the ticket, else
``unrouted``); a complaint is handled by the department notified and is reported under
``centre`` unless it is about a branch (that branch) or a field worker (the worker's
branch). A follow-up call counts for the branch it recorded, else the branch of the
record it followed up. An SLA clock counts for its attribution's branch, else the branch
of its subject, else ``centre`` (e.g. the phone queue's answer clock). The ``totals`` row
is named ``all``. Every branch of the directory is listed, with zeros on a quiet day.

**Roll-ups** (:meth:`DailyReport.roll_up`) compute the same figures over the days from
``start`` to ``end`` inclusive: every fact belongs to exactly one day, so each count of
the roll-up is the sum of the days' counts (as of the same instant); compliance and the
mean rating are recomputed from the summed counts, never averaged; overdue items are the
union of the days' lists.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from attrs import frozen

from callcore.domain import call, complaint, dispatch, order, ticket
from callcore.domain.calendar import BusinessCalendar
from callcore.domain.common import Event
from callcore.domain.directory import Directory
from callcore.ports import Recorded
from callcore.projections.satisfaction import Satisfaction
from callcore.projections.sla import ClockRow, ClockStatus, SlaClocks, SlaView

CENTRE = "centre"
UNROUTED = "unrouted"
ALL = "all"
NOT_NOTIFIED = "not-notified"
ZERO = Decimal("0.00")


# --------------------------------------------------------------------------- the view


@frozen
class CategoryCount:
    """How many tickets of a category."""

    category: str
    count: int


@frozen
class DepartmentCount:
    """How many complaints a department is responsible for."""

    department: str
    count: int


@frozen
class DispatchCount:
    """How many work orders of a kind a field worker has in a state."""

    worker_id: str | None
    """``None`` while no field worker is assigned."""
    kind: str
    state: str
    count: int


@frozen
class ClockCompliance:
    """One SLA clock's met, breached, running and at-risk counts, and its compliance."""

    clock: str
    met: int
    breached: int
    running: int
    at_risk: int
    compliance: float | None
    """met ÷ (met + breached); ``None`` when both are 0."""


@frozen
class Overdue:
    """An SLA clock past its due time without its stopping event."""

    clock: str
    subject: str
    started_at: datetime
    due_at: datetime


@frozen
class BranchDay:
    """One branch's figures of a day or period: orders and amount, deliveries, tickets,
    complaints, work orders, SLA compliance."""

    branch: str
    orders: int
    amount: Decimal
    delivered: int
    cancelled: int
    tickets_opened: tuple[CategoryCount, ...]
    tickets_closed: tuple[CategoryCount, ...]
    complaints: int
    complaints_by_department: tuple[DepartmentCount, ...]
    dispatches: tuple[DispatchCount, ...]
    sla: tuple[ClockCompliance, ...]
    satisfaction_calls: int
    satisfaction_reached: int
    satisfaction_rated: int
    mean_rating: float | None
    overdue: tuple[Overdue, ...]


@frozen
class DailyView:
    """The daily report (domain.md §8): every branch's figures of one centre-local day,
    and the totals."""

    day: date
    as_of: datetime
    branches: tuple[BranchDay, ...]
    totals: BranchDay


@frozen
class PeriodView:
    """The report of a period (a week, a month): every branch's figures and the
    totals."""

    start: date
    end: date
    as_of: datetime
    branches: tuple[BranchDay, ...]
    totals: BranchDay


# --------------------------------------------------------------------------- the facts


@frozen
class _Fact:
    """One dated thing the report counts, with the branch it counts for."""

    at: datetime
    branch: str
    kind: str
    """``order``, ``delivered``, ``cancelled``, ``opened``, ``closed``, ``complaint``,
    ``satisfaction``."""
    label: str = ""
    """The ticket category; the complaint's stream."""
    amount: Decimal = ZERO
    reached: bool = False
    rating: int | None = None


_DAILY_EVENTS: frozenset[type[Event]] = frozenset(
    {
        order.OrderPlaced,
        order.OrderDelivered,
        order.OrderCancelled,
        ticket.TicketOpened,
        ticket.TicketClosed,
        complaint.ComplaintLodged,
        complaint.DepartmentNotified,
        complaint.SatisfactionCallRecorded,
        call.FollowUpRecorded,
        *dispatch.EVENTS,
    }
)


class DailyReport:
    """The fold. ``apply`` recorded events in global order; ask :meth:`view` for a day or
    :meth:`roll_up` for a week or a month, as of any instant."""

    def __init__(self, directory: Directory, *, what_if: bool = False) -> None:
        """``what_if``: evaluate SLA compliance under this directory's policy instead of
        the policies recorded in the log."""
        self.directory = directory
        self.calendar = BusinessCalendar(directory.calendar)
        self.sla = SlaClocks(directory, policy_override=directory.sla if what_if else None)
        self.satisfaction = Satisfaction(directory, follow_recorded_directory=not what_if)
        """Not used by the report's own figures; the read-model worker
        (``adapters.readmodels``) stores its per-day sums alongside the report's rows."""
        self.facts: dict[date, list[_Fact]] = {}
        """Centre-local day → what happened that day."""
        self.branches: dict[str, str] = {}
        """Stream (order, ticket, complaint, dispatch) → the branch it is reported under."""
        self.ticket_category: dict[str, str] = {}
        self.departments: dict[str, list[tuple[datetime, str]]] = {}
        """Complaint stream → the departments notified, with when."""
        self.dispatches: dict[str, list[dispatch.Event]] = {}
        """Dispatch stream → its events, folded with ``dispatch.evolve`` as of an instant."""
        self.dispatch_now: dict[str, dispatch.State] = {}
        """Dispatch stream → its state after every event folded so far."""
        self.lodged_on: dict[str, date] = {}
        self.touched: set[date] = set()

    # -- feeding -------------------------------------------------------------------

    def apply_all(self, records: Iterable[Recorded]) -> DailyReport:
        for record in records:
            self.apply(record)
        return self

    @classmethod
    def consumes(cls) -> frozenset[type[Event]]:
        """The event types :meth:`apply` folds (its own, and its SLA and satisfaction
        folds'); a reader may leave every other type undecoded. Only the days the
        read-model worker is told were touched (:meth:`take_touched_days`) depend on
        being fed every event."""
        return SlaClocks.consumes() | Satisfaction.consumes() | _DAILY_EVENTS

    def apply(self, record: Recorded) -> None:
        self.sla.apply(record)
        self.satisfaction.apply(record)
        event, stream = record.event, record.stream
        self.touched.add(self._day(event.at))
        match event:
            case order.OrderPlaced():
                self.branches[stream] = event.branch
                self._add(_Fact(event.at, event.branch, "order", amount=event.total))
            case order.OrderDelivered():
                self._add(_Fact(event.at, self._branch_of(stream), "delivered"))
            case order.OrderCancelled():
                self._add(_Fact(event.at, self._branch_of(stream), "cancelled"))
            case ticket.TicketOpened():
                branch = self._ticket_branch(event)
                self.branches[stream] = branch
                self.ticket_category[stream] = event.category.value
                self._add(_Fact(event.at, branch, "opened", event.category.value))
            case ticket.TicketClosed():
                category = self.ticket_category.get(stream, "unknown")
                self._add(_Fact(event.at, self._branch_of(stream), "closed", category))
            case complaint.ComplaintLodged():
                branch = self._complaint_branch(event.about)
                self.branches[stream] = branch
                self.lodged_on[stream] = self._day(event.at)
                self._add(_Fact(event.at, branch, "complaint", stream))
            case complaint.DepartmentNotified():
                # the complaint is counted on the day it was lodged: that day changes
                self.departments.setdefault(stream, []).append((event.at, event.department))
                if stream in self.lodged_on:
                    self.touched.add(self.lodged_on[stream])
            case complaint.SatisfactionCallRecorded():
                self._add(
                    _Fact(
                        event.at,
                        self._branch_of(stream),
                        "satisfaction",
                        reached=event.reached,
                        rating=event.rating if event.reached else None,
                    )
                )
            case call.FollowUpRecorded():
                branch = event.branch or self._branch_of(event.subject or "")
                self._add(
                    _Fact(
                        event.at,
                        branch,
                        "satisfaction",
                        reached=event.reached,
                        rating=event.attitude if event.reached else None,
                    )
                )
            case dispatch.DispatchRequested():
                self.branches[stream] = event.branch
                self.dispatches[stream] = []
                self._dispatch_event(stream, event)
            case _ if stream in self.dispatches and isinstance(event, dispatch.Event):
                self._dispatch_event(stream, event)

    def _dispatch_event(self, stream: str, event: dispatch.Event) -> None:
        # a dispatch counts on its work day: a reschedule moves it from one day to another
        before = self.dispatch_now.get(stream, dispatch.initial)
        after = dispatch.evolve(before, event)
        self.dispatches[stream].append(event)
        self.dispatch_now[stream] = after
        self.touched |= {d for d in (self._work_day(before), self._work_day(after)) if d}

    def take_touched_days(self) -> set[date]:
        """The centre-local days whose figures (other than SLA clocks) may have changed
        since the last call: a materialiser rewrites these days' rows."""
        touched, self.touched = self.touched, set()
        return touched

    def _add(self, fact: _Fact) -> None:
        self.facts.setdefault(self._day(fact.at), []).append(fact)

    def _day(self, instant: datetime) -> date:
        return self.calendar.local(instant).date()

    def _branch_of(self, stream: str) -> str:
        return self.branches.get(stream, CENTRE)

    def _ticket_branch(self, event: ticket.TicketOpened) -> str:
        area = self.directory.areas.get(event.area or "")
        if area is not None:
            return area.branch
        return event.branch or UNROUTED

    def _complaint_branch(self, about: complaint.Subject) -> str:
        if about.kind is complaint.SubjectKind.BRANCH and about.id:
            return about.id
        if about.kind is complaint.SubjectKind.FIELD_WORKER and about.id:
            worker = self.directory.field_workers.get(about.id)
            if worker is not None:
                return worker.branch
        return CENTRE

    def _dispatch_as_of(self, stream: str, at: datetime) -> dispatch.State:
        events = self.dispatches[stream]
        if all(event.at <= at for event in events):
            return self.dispatch_now[stream]
        state = dispatch.initial
        for event in events:
            if event.at <= at:
                state = dispatch.evolve(state, event)
        return state

    def _work_day(self, state: dispatch.State) -> date | None:
        if not state.exists:
            return None
        if state.day is not None:
            return state.day
        window = state.appointment
        return self._day(window.start) if window is not None else None

    # -- reading -------------------------------------------------------------------

    def _end_of(self, day: date) -> datetime:
        """The last instant of a centre-local day."""
        return self.calendar.at(day + timedelta(days=1), time(0)) - timedelta(microseconds=1)

    def view(self, day: date, at: datetime | None = None) -> DailyView:
        """The report of one centre-local day, as of ``at`` (default: the day's end)."""
        instant = at if at is not None else self._end_of(day)
        branches, totals = self._figures(day, day, instant)
        return DailyView(day=day, as_of=instant, branches=branches, totals=totals)

    def roll_up(self, start: date, end: date, at: datetime | None = None) -> PeriodView:
        """The same figures over the days from ``start`` to ``end`` inclusive (a week, a
        month), as of ``at`` (default: the end of ``end``)."""
        if end < start:
            raise ValueError(f"a period ends on or after it starts: {start} .. {end}")
        instant = at if at is not None else self._end_of(end)
        branches, totals = self._figures(start, end, instant)
        return PeriodView(start=start, end=end, as_of=instant, branches=branches, totals=totals)

    def _figures(
        self, first: date, last: date, at: datetime
    ) -> tuple[tuple[BranchDay, ...], BranchDay]:
        facts = [
            fact for day in _days(first, last) for fact in self.facts.get(day, ()) if fact.at <= at
        ]
        work: list[tuple[str, str | None, str, str]] = []
        for stream in self.dispatches:
            state = self._dispatch_as_of(stream, at)
            day = self._work_day(state)
            if day is not None and first <= day <= last:
                work.append((state.branch, state.worker_id, state.kind.value, state.status.value))
        clocks: list[tuple[str, ClockRow]] = []
        overdue: list[tuple[str, ClockRow]] = []
        for row in self.sla.view(at).clocks:
            started = self._day(row.started_at)
            if started > last:
                continue
            branch = row.attribution.branch or self._branch_of(row.subject)
            if started >= first:
                clocks.append((branch, row))
            if row.state is ClockStatus.BREACHED and row.stopped_at is None:
                overdue.append((branch, row))
        departments = {
            stream: next((d for when, d in reversed(notified) if when <= at), NOT_NOTIFIED)
            for stream, notified in self.departments.items()
        }
        names = sorted(
            set(self.directory.branches)
            | {f.branch for f in facts}
            | {w[0] for w in work}
            | {b for b, _ in clocks}
            | {b for b, _ in overdue}
        )

        def figures(branch: str | None) -> BranchDay:
            def mine(rows: Iterable[tuple[str, ClockRow]]) -> list[ClockRow]:
                return [r for b, r in rows if branch is None or b == branch]

            kept = [f for f in facts if branch is None or f.branch == branch]
            calls = [f for f in kept if f.kind == "satisfaction"]
            ratings = [f.rating for f in calls if f.rating is not None]
            summary = SlaView(as_of=at, clocks=tuple(mine(clocks))).summary("clock")
            return BranchDay(
                branch=branch or ALL,
                orders=sum(1 for f in kept if f.kind == "order"),
                amount=sum((f.amount for f in kept if f.kind == "order"), ZERO),
                delivered=sum(1 for f in kept if f.kind == "delivered"),
                cancelled=sum(1 for f in kept if f.kind == "cancelled"),
                tickets_opened=tuple(
                    CategoryCount(*row) for row in _counted(kept, "opened", lambda f: f.label)
                ),
                tickets_closed=tuple(
                    CategoryCount(*row) for row in _counted(kept, "closed", lambda f: f.label)
                ),
                complaints=sum(1 for f in kept if f.kind == "complaint"),
                complaints_by_department=tuple(
                    DepartmentCount(*row)
                    for row in _counted(
                        kept, "complaint", lambda f: departments.get(f.label, NOT_NOTIFIED)
                    )
                ),
                dispatches=tuple(
                    DispatchCount(worker, kind, state, n)
                    for (worker, kind, state), n in sorted(
                        Counter(
                            (w, k, s) for b, w, k, s in work if branch is None or b == branch
                        ).items(),
                        key=lambda item: (item[0][0] or "", item[0][1], item[0][2]),
                    )
                ),
                sla=tuple(
                    ClockCompliance(r.key, r.met, r.breached, r.running, r.at_risk, r.compliance)
                    for r in summary
                ),
                satisfaction_calls=len(calls),
                satisfaction_reached=sum(1 for f in calls if f.reached),
                satisfaction_rated=len(ratings),
                mean_rating=sum(ratings) / len(ratings) if ratings else None,
                overdue=tuple(
                    Overdue(r.clock, r.subject, r.started_at, r.due_at)
                    for r in sorted(
                        mine(overdue), key=lambda r: (r.due_at, r.clock, r.subject, r.instance)
                    )
                ),
            )

        return tuple(figures(name) for name in names), figures(None)


def _days(first: date, last: date) -> Iterator[date]:
    day = first
    while day <= last:
        yield day
        day += timedelta(days=1)


def _counted(
    facts: Iterable[_Fact], kind: str, key: Callable[[_Fact], str]
) -> list[tuple[str, int]]:
    return sorted(Counter(key(f) for f in facts if f.kind == kind).items())
