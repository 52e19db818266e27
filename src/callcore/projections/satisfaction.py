"""Satisfaction (domain.md §7; interfaces.md §4 ``satisfaction``): a pure fold.

Counted per field worker, branch and agent, for a period:

* **calls** — follow-up calls (``FollowUpRecorded``) and complaint satisfaction calls
  (``SatisfactionCallRecorded``) about their work; **reached** — those that reached the
  customer;
* **mean_rating** — the mean attitude (1–5) of reached calls that gave one;
  **satisfied_share** — the share of those ratings that were 4 or 5;
* **on_time_share**, **safety_check_share** — of reached calls that answered the
  question, the share saying the worker came on time / did the routine safety check;
* **complaints** — complaints lodged about them (a worker or an agent named, a branch
  named or the branch of the worker named); **re_complaints** — of those, the ones that
  were re-complaints.

A follow-up is about the record it followed up (an order or a dispatch): its worker and
branch are those of that record, unless the agent recorded them. The agent is whoever
made the call. Problems the customers raised are listed with their subject and whether
each was relayed (1 h) and its resolution confirmed (24 h) in time — ``None`` while that
can still happen. Complaint resolutions are confidential (domain.md §4.4)
and never appear here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime, timedelta

from attrs import frozen

from callcore.domain import call, complaint, dispatch, order
from callcore.domain.common import Event, Role
from callcore.domain.directory import Directory
from callcore.ports import Recorded


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
    at: datetime
    worker: str | None
    branch: str | None
    agent: str | None
    re_complaint: bool


@frozen
class SatisfactionRow:
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
class Problem:
    subject: str | None
    raised_at: datetime
    text: str
    relayed_in_time: bool | None = None
    """None while it may still be relayed in time."""
    resolved_in_time: bool | None = None
    """None while the resolution check may still be made in time."""


@frozen
class _Raised:
    call: str
    subject: str | None
    raised_at: datetime
    text: str


@frozen
class SatisfactionView:
    as_of: datetime
    since: datetime | None
    until: datetime | None
    workers: tuple[SatisfactionRow, ...]
    branches: tuple[SatisfactionRow, ...]
    agents: tuple[SatisfactionRow, ...]
    problems: tuple[Problem, ...]


def _share(values: list[bool]) -> float | None:
    return sum(values) / len(values) if values else None


def _agent(event: Event) -> str | None:
    return event.actor.id if event.actor.role is Role.AGENT else None


class Satisfaction:
    def __init__(self, directory: Directory) -> None:
        self.directory = directory
        self.rated: list[Rated] = []
        self.lodged: list[Lodged] = []
        self.problems: list[_Raised] = []
        self.relayed: dict[str, datetime] = {}
        self.confirmed: dict[str, datetime] = {}
        self.work: dict[str, tuple[str | None, str | None]] = {}
        """stream → (worker, branch) of orders and dispatches, to resolve subjects."""
        self.complaint_subjects: dict[str, tuple[str | None, str | None, str | None]] = {}

    def apply_all(self, records: Iterable[Recorded]) -> Satisfaction:
        for record in records:
            self.apply(record)
        return self

    def _branch_of_worker(self, worker: str | None) -> str | None:
        found = self.directory.field_workers.get(worker or "")
        return found.branch if found else None

    def apply(self, record: Recorded) -> None:
        event = record.event
        stream = record.stream
        match event:
            case order.OrderPlaced():
                self.work[stream] = (None, event.branch)
            case dispatch.DispatchRequested():
                self.work[stream] = (None, event.branch)
            case order.OrderAssigned() | dispatch.FieldWorkerAssigned():
                _, branch = self.work.get(stream, (None, None))
                self.work[stream] = (event.worker_id, branch)
            case call.FollowUpRecorded():
                worker, branch = self.work.get(event.subject or "", (None, None))
                worker = event.worker_id or worker
                branch = event.branch or branch or self._branch_of_worker(worker)
                self.rated.append(
                    Rated(
                        event.at,
                        worker,
                        branch,
                        _agent(event),
                        event.reached,
                        event.attitude if event.reached else None,
                        event.on_time if event.reached else None,
                        event.safety_check_done if event.reached else None,
                    )
                )
                self.problems.extend(
                    _Raised(stream, event.subject, event.at, text) for text in event.problems_raised
                )
            case call.FollowUpProblemRelayed():
                self.relayed.setdefault(stream, event.at)
            case call.FollowUpResolutionConfirmed():
                self.confirmed.setdefault(stream, event.at)
            case complaint.ComplaintLodged():
                about = event.about
                worker = about.id if about.kind is complaint.SubjectKind.FIELD_WORKER else None
                agent = about.id if about.kind is complaint.SubjectKind.AGENT else None
                branch = (
                    about.id
                    if about.kind is complaint.SubjectKind.BRANCH
                    else self._branch_of_worker(worker)
                )
                self.complaint_subjects[stream] = (worker, branch, agent)
                self.lodged.append(
                    Lodged(event.at, worker, branch, agent, event.re_complaint_of is not None)
                )
            case complaint.SatisfactionCallRecorded():
                worker, branch, _ = self.complaint_subjects.get(stream, (None, None, None))
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

    def _problem(self, raised: _Raised, at: datetime) -> Problem:
        """In time against the follow-up-relay and resolution-check targets (the SLA view
        is authoritative when the clocks were paused)."""
        sla = self.directory.sla

        def in_time(start: datetime | None, done: datetime | None, clock: str) -> bool | None:
            if start is None:
                return None
            due = start + timedelta(seconds=sla.target(clock).seconds)
            if done is not None and done <= at:
                return done <= due
            return False if at > due else None

        relayed = self.relayed.get(raised.call)
        relayed = relayed if relayed is not None and relayed <= at else None
        return Problem(
            subject=raised.subject,
            raised_at=raised.raised_at,
            text=raised.text,
            relayed_in_time=in_time(raised.raised_at, relayed, "follow-up-relay"),
            resolved_in_time=in_time(
                relayed, self.confirmed.get(raised.call), "follow-up-resolution-check"
            ),
        )

    def view(
        self, at: datetime, since: datetime | None = None, until: datetime | None = None
    ) -> SatisfactionView:
        def inside(when: datetime) -> bool:
            return (
                when <= at and (since is None or when >= since) and (until is None or when < until)
            )

        rated = [r for r in self.rated if inside(r.at)]
        lodged = [c for c in self.lodged if inside(c.at)]

        def rows(key: Callable[[Rated | Lodged], str | None]) -> tuple[SatisfactionRow, ...]:
            everyone: list[Rated | Lodged] = [*rated, *lodged]
            ids = sorted({k for k in map(key, everyone) if k is not None})
            result = []
            for ident in ids:
                mine = [r for r in rated if key(r) == ident]
                reached = [r for r in mine if r.reached]
                ratings = [r.rating for r in reached if r.rating is not None]
                complaints = [c for c in lodged if key(c) == ident]
                result.append(
                    SatisfactionRow(
                        id=ident,
                        calls=len(mine),
                        reached=len(reached),
                        mean_rating=sum(ratings) / len(ratings) if ratings else None,
                        satisfied_share=_share([r >= 4 for r in ratings]),
                        on_time_share=_share([r.on_time for r in reached if r.on_time is not None]),
                        safety_check_share=_share(
                            [r.safety_check for r in reached if r.safety_check is not None]
                        ),
                        complaints=len(complaints),
                        re_complaints=sum(1 for c in complaints if c.re_complaint),
                    )
                )
            return tuple(result)

        return SatisfactionView(
            as_of=at,
            since=since,
            until=until,
            workers=rows(lambda r: r.worker),
            branches=rows(lambda r: r.branch),
            agents=rows(lambda r: r.agent),
            problems=tuple(self._problem(p, at) for p in self.problems if inside(p.raised_at)),
        )
