"""Shift handover (交接) and the suggestions digest (domain.md §8): a pure fold.

**Handover.** At the end of a shift, per agent: their open work (tickets and complaints
they opened or last touched that are not closed), and the callbacks and deadlines that
fall due in the *next* shift — promised callbacks, voicemail callbacks, complaint reply
times and running SLA clocks — so nothing is dropped between shifts. Work nobody has
touched as an agent is handed over under ``unassigned``.

**Suggestions digest.** Customers' suggestions and problems raised in follow-up calls,
and resolutions proposed to the knowledge base, grouped by the department that owns them
for the departments' periodic review: a department owns what its ``owns`` list names;
follow-ups about orders and deliveries go to the business office, about field work to
technical support; anything else is ``unassigned``.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta

from attrs import frozen

from callcore.domain import call, complaint, ticket
from callcore.domain.calendar import BusinessCalendar
from callcore.domain.common import Event, Role
from callcore.domain.directory import DepartmentRole, Directory
from callcore.ports import Recorded
from callcore.projections.sla import ClockStatus, SlaClocks

UNASSIGNED = "unassigned"


@frozen
class Deadline:
    what: str
    subject: str
    due_at: datetime


@frozen
class AgentHandover:
    agent: str
    open_work: tuple[str, ...]
    due_next_shift: tuple[Deadline, ...]


@frozen
class HandoverView:
    as_of: datetime
    shift: str
    next_shift_starts: datetime
    next_shift_ends: datetime
    agents: tuple[AgentHandover, ...]


@frozen
class Suggestion:
    at: datetime
    subject: str | None
    kind: str
    """``suggestion``, ``problem`` or ``knowledge``"""
    text: str


@frozen
class DepartmentDigest:
    department: str
    items: tuple[Suggestion, ...]


@frozen
class DigestView:
    since: datetime | None
    until: datetime | None
    departments: tuple[DepartmentDigest, ...]


def _agent(event: Event) -> str | None:
    return event.actor.id if event.actor.role is Role.AGENT else None


class ShiftHandover:
    def __init__(self, directory: Directory) -> None:
        self.directory = directory
        self.calendar = BusinessCalendar(directory.calendar)
        self.sla = SlaClocks(directory)
        self.owner: dict[str, list[tuple[datetime, str]]] = {}
        self.closed: dict[str, datetime] = {}
        self.promises: list[tuple[datetime, str, str, datetime]] = []
        """(recorded at, what, subject, due)"""
        self.suggestions: list[tuple[str, Suggestion]] = []
        """(owning department, suggestion)"""
        self.ticket_category: dict[str, str] = {}

    def apply_all(self, records: Iterable[Recorded]) -> ShiftHandover:
        for record in records:
            self.apply(record)
        return self

    def apply(self, record: Recorded) -> None:
        self.sla.apply(record)
        event, stream = record.event, record.stream
        kind = stream.partition("-")[0]
        if kind in ("ticket", "complaint") and (agent := _agent(event)) is not None:
            self.owner.setdefault(stream, []).append((event.at, agent))
        match event:
            case ticket.TicketOpened():
                self.ticket_category[stream] = event.category.value
                self.owner.setdefault(stream, [])
            case complaint.ComplaintLodged():
                self.owner.setdefault(stream, [])
            case ticket.TicketClosed() | complaint.ComplaintClosed():
                self.closed[stream] = event.at
            case ticket.TicketReopened():
                self.closed.pop(stream, None)
            case ticket.CallbackPromised():
                self.promises.append((event.at, "callback promised", stream, event.reply_due))
            case ticket.VoicemailRecorded():
                self.promises.append((event.at, "voicemail callback", stream, event.callback_due))
            case complaint.ReplyTimeCommitted():
                self.promises.append((event.at, "complaint reply", stream, event.reply_by))
            case call.FollowUpRecorded():
                department = self._owner_of_follow_up(event.subject)
                self.suggestions.extend(
                    (department, Suggestion(event.at, event.subject, "suggestion", text))
                    for text in event.suggestions
                )
                self.suggestions.extend(
                    (department, Suggestion(event.at, event.subject, "problem", text))
                    for text in event.problems_raised
                )
            case ticket.KnowledgeArticleProposed():
                owner = self._owner_of_category(event.category.value) or event.department
                self.suggestions.append(
                    (
                        owner,
                        Suggestion(
                            event.at, stream, "knowledge", f"{event.question}: {event.solution}"
                        ),
                    )
                )

    def _owner_of_category(self, category: str) -> str | None:
        for department in self.directory.departments.values():
            if category in department.owns:
                return department.code
        return None

    def _owner_of_follow_up(self, subject: str | None) -> str:
        role = {
            "order": DepartmentRole.BUSINESS_OFFICE,
            "dispatch": DepartmentRole.TECHNICAL_SUPPORT,
        }.get((subject or "").partition("-")[0])
        if role is None:
            return UNASSIGNED
        for department in self.directory.departments.values():
            if department.role is role:
                return department.code
        return UNASSIGNED

    # -- reading -------------------------------------------------------------------

    def _next_shift(self, at: datetime) -> tuple[str, datetime, datetime]:
        """The shift running at ``at`` (or the last one that ended) and the next one."""
        local = self.calendar.local(at)
        shifts = sorted(self.directory.calendar.shifts, key=lambda s: s.start)
        day: date = local.date()
        current = self.calendar.shift_at(at) or shifts[-1].name
        for shift in shifts:
            start = self.calendar.at(day, shift.start)
            if start > at:
                end = self.calendar.at(day, shift.end)
                return current, start, end
        first = shifts[0]
        tomorrow = day + timedelta(days=1)
        return (
            current,
            self.calendar.at(tomorrow, first.start),
            self.calendar.at(tomorrow, first.end),
        )

    def view(self, at: datetime) -> HandoverView:
        shift, start, end = self._next_shift(at)
        agents: dict[str, tuple[list[str], list[Deadline]]] = {}

        def owner_of(stream: str) -> str:
            seen = [agent for when, agent in self.owner.get(stream, []) if when <= at]
            return seen[-1] if seen else UNASSIGNED

        for stream in self.owner:
            closed = self.closed.get(stream)
            opened = [when for when, _ in self.owner.get(stream, [])]
            if closed is not None and closed <= at:
                continue
            if opened and min(opened) > at:
                continue
            agents.setdefault(owner_of(stream), ([], []))[0].append(stream)
        for recorded_at, what, stream, due in self.promises:
            closed = self.closed.get(stream)
            if recorded_at <= at and start <= due < end and not (closed and closed <= at):
                agents.setdefault(owner_of(stream), ([], []))[1].append(Deadline(what, stream, due))
        for row in self.sla.view(at).clocks:
            if (
                row.state in (ClockStatus.RUNNING, ClockStatus.AT_RISK)
                and start <= row.due_at < end
            ):
                who = row.attribution.agent or owner_of(row.subject)
                agents.setdefault(who, ([], []))[1].append(
                    Deadline(f"SLA {row.clock}", row.subject, row.due_at)
                )
        return HandoverView(
            as_of=at,
            shift=shift,
            next_shift_starts=start,
            next_shift_ends=end,
            agents=tuple(
                AgentHandover(
                    agent,
                    tuple(sorted(work)),
                    tuple(sorted(due, key=lambda d: (d.due_at, d.subject, d.what))),
                )
                for agent, (work, due) in sorted(agents.items())
            ),
        )

    def digest(self, since: datetime | None = None, until: datetime | None = None) -> DigestView:
        grouped: dict[str, list[Suggestion]] = {}
        for department, item in self.suggestions:
            if (since is None or item.at >= since) and (until is None or item.at < until):
                grouped.setdefault(department, []).append(item)
        return DigestView(
            since=since,
            until=until,
            departments=tuple(
                DepartmentDigest(department, tuple(sorted(items, key=lambda s: s.at)))
                for department, items in sorted(grouped.items())
            ),
        )
