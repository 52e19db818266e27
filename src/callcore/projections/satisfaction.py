"""Satisfaction (domain.md §7; interfaces.md §4 ``satisfaction``): a pure fold.

Counted per field worker, branch and agent, over a period ``[since, until)`` of event
time, as of an instant:

* **calls** — follow-up calls (``FollowUpRecorded``, every attempt, reached or not) and
  complaint satisfaction calls (``SatisfactionCallRecorded``); **reached** — those that
  reached the customer;
* **mean_rating** — the mean attitude (1–5; a satisfaction call's ``rating``) of the
  reached calls that gave one, ``None`` when none did;
* **satisfied_share** — of those rated calls, the share rating 4 or 5;
* **on_time_share**, **safety_check_share** — of the reached calls that answered the
  question, the share saying the worker came on time / did the routine safety check
  (a complaint's satisfaction call never asks about the safety check);
* **complaints** — complaints lodged about them: a field worker named (it also counts
  against the worker's branch in the directory), a branch named, an agent named;
  **re_complaints** — of those, the ones lodged as a re-complaint (``re_complaint_of``).

Every share is ``None`` when nobody answered its question.

Whose call it is. A follow-up is about the record it followed up (``subject``): an
``order-…`` or ``dispatch-…`` (its branch, and the field worker assigned when the call
was made), a ``complaint-…`` (whom the complaint was about), a ``ticket-…`` or a
``customer-…`` (its branch). What the agent typed into the follow-up (``worker_id``,
``branch``) wins; a worker with no branch otherwise found counts for the branch the
directory puts them in. A complaint's satisfaction call counts for whom the complaint was
about. The **agent** is whoever made the call (the event's actor, when an agent).

Departments. A re-complaint counts against the department the original complaint was
notified to (``counts_against``, domain.md §4.4): ``departments`` lists those counts.

Problems. Every problem a follow-up call raised is listed with the call, its subject,
whose work it was, and whether it was **relayed** to the department within the
``follow-up-relay`` clock and its **resolution confirmed** with the customer within the
``follow-up-resolution-check`` clock. Both answers come from the SLA clocks themselves
(:mod:`callcore.projections.sla`: the policy in force when the clock started, pauses and
priorities included): ``True`` met, ``False`` breached, ``None`` while the clock is
running (or not started: a problem not yet relayed has no resolution clock).

Confidential (domain.md §4.4): a complaint's resolution, and the notes of its
satisfaction call, are never read here; only counts leave this module.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from attrs import define, frozen

from callcore.domain import call, complaint, customer, dispatch, order, ticket
from callcore.domain.common import ClockPaused, ClockResumed, Event, Role
from callcore.domain.directory import Directory, SlaPolicy
from callcore.domain.policy import SlaPolicyAdopted
from callcore.domain.reference import DirectoryAdopted
from callcore.ports import Recorded
from callcore.projections.sla import ClockStatus, SlaClocks

RELAY_CLOCK = "follow-up-relay"
RESOLUTION_CLOCK = "follow-up-resolution-check"


@frozen
class Rated:
    """One satisfaction call, as the view counts it."""

    at: datetime
    worker: str | None
    branch: str | None
    agent: str | None
    reached: bool
    rating: int | None
    on_time: bool | None
    safety_check: bool | None


@frozen
class Lodged:
    """One complaint, as the view counts it: against whom."""

    at: datetime
    worker: str | None
    branch: str | None
    agent: str | None
    re_complaint: bool
    department: str | None = None
    """For a re-complaint: the department it counts against, if any."""


@frozen
class SatisfactionRow:
    """Satisfaction figures of one field worker, branch or agent: follow-up calls,
    ratings, on-time and safety-check shares, complaints."""

    id: str
    calls: int
    reached: int
    mean_rating: float | None
    satisfied_share: float | None
    on_time_share: float | None
    safety_check_share: float | None
    complaints: int
    re_complaints: int


@frozen
class DepartmentRow:
    """Re-complaints counted against a department's assessment (domain.md §4.4)."""

    id: str
    re_complaints: int


@frozen
class Problem:
    """A problem a customer raised in a follow-up call (never a complaint's resolution)."""

    subject: str | None
    """The stream the call followed up."""
    raised_at: datetime
    text: str
    relayed_in_time: bool | None
    """``follow-up-relay`` met (True) or breached (False); None while it runs."""
    resolved_in_time: bool | None
    """``follow-up-resolution-check`` met or breached; None while it runs or before the
    problem was relayed."""
    call: str
    """The follow-up call's stream."""
    worker: str | None
    branch: str | None
    agent: str | None
    relayed_at: datetime | None
    department: str | None
    """The department it was relayed to (the latest, as of the view)."""
    resolution_confirmed_at: datetime | None


@frozen
class SatisfactionView:
    """Satisfaction (domain.md §7) by field worker, branch, agent and department, and
    the problems the follow-up calls raised."""

    as_of: datetime
    since: datetime | None
    until: datetime | None
    workers: tuple[SatisfactionRow, ...]
    branches: tuple[SatisfactionRow, ...]
    agents: tuple[SatisfactionRow, ...]
    departments: tuple[DepartmentRow, ...]
    problems: tuple[Problem, ...]


@define
class _Tally:
    calls: int = 0
    reached: int = 0
    rated: int = 0
    rating_sum: int = 0
    satisfied: int = 0
    on_time_answers: int = 0
    on_time_yes: int = 0
    safety_answers: int = 0
    safety_yes: int = 0
    complaints: int = 0
    re_complaints: int = 0

    def add_call(self, rated: Rated) -> None:
        self.calls += 1
        if not rated.reached:
            return
        self.reached += 1
        if rated.rating is not None:
            self.rated += 1
            self.rating_sum += rated.rating
            self.satisfied += rated.rating >= 4
        if rated.on_time is not None:
            self.on_time_answers += 1
            self.on_time_yes += rated.on_time
        if rated.safety_check is not None:
            self.safety_answers += 1
            self.safety_yes += rated.safety_check

    def row(self, ident: str) -> SatisfactionRow:
        return SatisfactionRow(
            id=ident,
            calls=self.calls,
            reached=self.reached,
            mean_rating=_ratio(self.rating_sum, self.rated),
            satisfied_share=_ratio(self.satisfied, self.rated),
            on_time_share=_ratio(self.on_time_yes, self.on_time_answers),
            safety_check_share=_ratio(self.safety_yes, self.safety_answers),
            complaints=self.complaints,
            re_complaints=self.re_complaints,
        )


def _ratio(part: int, whole: int) -> float | None:
    return part / whole if whole else None


@frozen
class _Raised:
    call: str
    subject: str | None
    raised_at: datetime
    text: str
    worker: str | None
    branch: str | None
    agent: str | None


@frozen
class _Relay:
    at: datetime
    department: str


def _agent(event: Event) -> str | None:
    return event.actor.id if event.actor.role is Role.AGENT else None


def _in_time(state: ClockStatus | None) -> bool | None:
    if state is ClockStatus.MET:
        return True
    if state is ClockStatus.BREACHED:
        return False
    return None


_PROBLEM_CLOCK_EVENTS = (
    call.FollowUpRecorded,
    call.FollowUpProblemRelayed,
    call.FollowUpResolutionConfirmed,
    ClockPaused,
    ClockResumed,
)


_SATISFACTION_EVENTS: frozenset[type[Event]] = frozenset(
    {
        DirectoryAdopted,
        SlaPolicyAdopted,
        order.OrderPlaced,
        order.OrderAssigned,
        order.OrderWorkerUnassigned,
        dispatch.DispatchRequested,
        dispatch.FieldWorkerAssigned,
        dispatch.FieldWorkerUnassigned,
        ticket.TicketOpened,
        customer.AccountOpened,
        customer.ContactDetailsChanged,
        complaint.ComplaintLodged,
        complaint.SatisfactionCallRecorded,
        *_PROBLEM_CLOCK_EVENTS,
    }
)


class Satisfaction:
    """The fold. ``policy_override`` evaluates the problems' clocks under another SLA
    policy (a what-if), as :class:`~callcore.projections.sla.SlaClocks` does.

    A directory adopted in the history (``DirectoryAdopted``) takes over from its
    instant: a complaint about a field worker counts for the branch the roster put the
    worker in when it was lodged, and a worker who left keeps their past figures. With
    ``follow_recorded_directory=False`` (a what-if) the directory given is used
    throughout."""

    def __init__(
        self,
        directory: Directory,
        *,
        policy_override: SlaPolicy | None = None,
        follow_recorded_directory: bool = True,
    ) -> None:
        self.directory = directory
        self.follow_recorded_directory = follow_recorded_directory
        self.rated: list[Rated] = []
        self.lodged: list[Lodged] = []
        self.problems: list[_Raised] = []
        self.work: dict[str, tuple[str | None, str | None]] = {}
        """Stream of a record that can be followed up → (its worker, its branch)."""
        self.relays: dict[str, list[_Relay]] = {}
        self.confirmed: dict[str, datetime] = {}
        self.clocks = SlaClocks(directory, policy_override=policy_override)
        """Only the follow-up problem clocks are fed to it (and the pauses of their calls)."""
        self._problem_calls: set[str] = set()

    def apply_all(self, records: Iterable[Recorded]) -> Satisfaction:
        for record in records:
            self.apply(record)
        return self

    def _branch_of_worker(self, worker: str | None) -> str | None:
        found = self.directory.field_workers.get(worker or "")
        return found.branch if found else None

    def _area_branch(self, area: str | None) -> str | None:
        found = self.directory.areas.get(area or "")
        return found.branch if found else None

    def _about(self, about: complaint.Subject) -> tuple[str | None, str | None, str | None]:
        """(worker, branch, agent) a complaint is about."""
        kind = about.kind
        if kind is complaint.SubjectKind.FIELD_WORKER:
            return about.id, self._branch_of_worker(about.id), None
        if kind is complaint.SubjectKind.BRANCH:
            return None, about.id, None
        if kind is complaint.SubjectKind.AGENT:
            return None, None, about.id
        return None, None, None

    def _set_worker(self, stream: str, worker: str | None) -> None:
        _, branch = self.work.get(stream, (None, None))
        self.work[stream] = (worker, branch)

    @classmethod
    def consumes(cls) -> frozenset[type[Event]]:
        """The event types :meth:`apply` folds; a reader may leave every other type
        undecoded (the fold ignores them)."""
        return _SATISFACTION_EVENTS

    def apply(self, record: Recorded) -> None:
        event = record.event
        stream = record.stream
        match event:
            case DirectoryAdopted() if self.follow_recorded_directory:
                self.directory = event.directory
            case order.OrderPlaced():
                self.work[stream] = (None, event.branch)
            case dispatch.DispatchRequested():
                self.work[stream] = (None, event.branch)
            case order.OrderAssigned() | dispatch.FieldWorkerAssigned():
                self._set_worker(stream, event.worker_id)
            case order.OrderWorkerUnassigned() | dispatch.FieldWorkerUnassigned():
                self._set_worker(stream, None)
            case ticket.TicketOpened():
                self.work[stream] = (None, event.branch or self._area_branch(event.area))
            case customer.AccountOpened():
                self.work[stream] = (None, event.branch)
            case customer.ContactDetailsChanged() if event.branch is not None:
                self.work[stream] = (None, event.branch)
            case call.FollowUpRecorded():
                self._follow_up(stream, event)
            case call.FollowUpProblemRelayed():
                self.relays.setdefault(stream, []).append(_Relay(event.at, event.department))
            case call.FollowUpResolutionConfirmed():
                self.confirmed.setdefault(stream, event.at)
            case complaint.ComplaintLodged():
                worker, branch, agent = self._about(event.about)
                self.work[stream] = (worker, branch)
                re_complaint = event.re_complaint_of is not None
                self.lodged.append(
                    Lodged(
                        event.at,
                        worker,
                        branch,
                        agent,
                        re_complaint,
                        event.counts_against if re_complaint else None,
                    )
                )
            case complaint.SatisfactionCallRecorded():
                worker, branch = self.work.get(stream, (None, None))
                self.rated.append(
                    Rated(
                        event.at,
                        worker,
                        branch,
                        _agent(event),
                        event.reached,
                        event.rating if event.reached else None,
                        event.on_time if event.reached else None,
                        None,
                    )
                )
        if isinstance(event, SlaPolicyAdopted) or (
            stream in self._problem_calls and isinstance(event, _PROBLEM_CLOCK_EVENTS)
        ):
            self.clocks.apply(record)

    def _follow_up(self, stream: str, event: call.FollowUpRecorded) -> None:
        found_worker, found_branch = self.work.get(event.subject or "", (None, None))
        worker = event.worker_id or found_worker
        branch = event.branch or found_branch or self._branch_of_worker(worker)
        agent = _agent(event)
        self.rated.append(
            Rated(
                event.at,
                worker,
                branch,
                agent,
                event.reached,
                event.attitude if event.reached else None,
                event.on_time if event.reached else None,
                event.safety_check_done if event.reached else None,
            )
        )
        if event.problems_raised:
            self._problem_calls.add(stream)
        self.problems.extend(
            _Raised(stream, event.subject, event.at, text, worker, branch, agent)
            for text in event.problems_raised
        )

    # -- reading -------------------------------------------------------------------

    def _problem_rows(self, at: datetime, raised: list[_Raised]) -> tuple[Problem, ...]:
        if not raised:
            return ()
        latest: dict[tuple[str, str], ClockStatus] = {}
        for row in self.clocks.view(at).clocks:  # in start order: the latest instance wins
            latest[(row.clock, row.subject)] = row.state
        problems = []
        for p in raised:
            relays = [r for r in self.relays.get(p.call, ()) if r.at <= at]
            confirmed = self.confirmed.get(p.call)
            problems.append(
                Problem(
                    subject=p.subject,
                    raised_at=p.raised_at,
                    text=p.text,
                    relayed_in_time=_in_time(latest.get((RELAY_CLOCK, p.call))),
                    resolved_in_time=_in_time(latest.get((RESOLUTION_CLOCK, p.call))),
                    call=p.call,
                    worker=p.worker,
                    branch=p.branch,
                    agent=p.agent,
                    relayed_at=relays[0].at if relays else None,
                    department=relays[-1].department if relays else None,
                    resolution_confirmed_at=(
                        confirmed if confirmed is not None and confirmed <= at else None
                    ),
                )
            )
        return tuple(problems)

    def view(
        self, at: datetime, since: datetime | None = None, until: datetime | None = None
    ) -> SatisfactionView:
        """As of ``at``, the calls and complaints of ``[since, until)`` (either open)."""

        def inside(when: datetime) -> bool:
            return (
                when <= at and (since is None or when >= since) and (until is None or when < until)
            )

        workers: dict[str, _Tally] = {}
        branches: dict[str, _Tally] = {}
        agents: dict[str, _Tally] = {}
        departments: dict[str, int] = {}

        def tallies(item: Rated | Lodged) -> Iterable[_Tally]:
            for table, ident in (
                (workers, item.worker),
                (branches, item.branch),
                (agents, item.agent),
            ):
                if ident is not None:
                    yield table.setdefault(ident, _Tally())

        for rated in self.rated:
            if inside(rated.at):
                for tally in tallies(rated):
                    tally.add_call(rated)
        for lodged in self.lodged:
            if inside(lodged.at):
                for tally in tallies(lodged):
                    tally.complaints += 1
                    tally.re_complaints += lodged.re_complaint
                if lodged.re_complaint and lodged.department is not None:
                    departments[lodged.department] = departments.get(lodged.department, 0) + 1

        def rows(table: dict[str, _Tally]) -> tuple[SatisfactionRow, ...]:
            return tuple(table[ident].row(ident) for ident in sorted(table))

        return SatisfactionView(
            as_of=at,
            since=since,
            until=until,
            workers=rows(workers),
            branches=rows(branches),
            agents=rows(agents),
            departments=tuple(DepartmentRow(d, n) for d, n in sorted(departments.items())),
            problems=self._problem_rows(at, [p for p in self.problems if inside(p.raised_at)]),
        )
