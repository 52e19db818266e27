"""Shift handover (交接) and the suggestions digest (domain.md §8): a pure fold.

**Handover** (:meth:`ShiftHandover.view`). The shift handed over is the first shift of
the centre's calendar (``directory.calendar.shifts``, centre-local, every day: the phone
centre answers every day) that ends at or after ``at``; the next shift is the one that
starts after it (after the day's last shift: the first shift of the next day). Per agent:

* **open_work**: the tickets and complaints open as of ``at`` (opened, not closed; a
  reopened ticket is open again). Work belongs to the agent who opened or last touched it
  (the latest event recorded by an agent); work no agent has touched is handed over under
  ``unassigned``.
* **due_next_shift**: the callbacks and deadlines that fall due in the next shift, in
  [start, end): a ticket's promised callback (``CallbackPromised.reply_due``, kept until
  the customer is replied to), a voicemail callback (``VoicemailRecorded.callback_due``,
  kept until a callback reaches the caller), a complaint's committed reply time
  (``ReplyTimeCommitted.reply_by``, kept until a resolution is proposed to the customer),
  and running SLA clocks whose due time falls in the next shift (an SLA deadline on the
  same subject and at the same instant as a promise above is listed once, as the promise).
  Closing the work drops its promises. A promise belongs to the work's agent; an SLA
  clock to the agent of its subject's work, else the agent the clock is attributed to,
  else ``unassigned``.

**Suggestions digest** (:meth:`ShiftHandover.suggestions`). The suggestions and problems
customers raised in follow-up calls (``FollowUpRecorded.suggestions`` /
``problems_raised``) and the resolutions proposed to the knowledge base
(``KnowledgeArticleProposed``), grouped by the department that owns them, for the
departments' periodic review. A department owns a subject when its ``owns`` list names
the subject's ticket category, or the kind of the subject (``order``, a dispatch's kind
such as ``repair``, ``complaint``). Otherwise: a follow-up about an order or a delivery
goes to the business office (role ``business-office``); about other field work (repairs,
installs, visits) to technical support (``technical-support``); about a complaint to the
department the complaint was notified to; a knowledge-base proposal to the department that
keeps the knowledge base (recorded with it); anything else is ``unassigned``.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta

from attrs import frozen

from callcore.domain import call, complaint, dispatch, order, ticket
from callcore.domain.calendar import BusinessCalendar
from callcore.domain.common import Event, Role
from callcore.domain.directory import DepartmentRole, Directory, Shift
from callcore.ports import Recorded
from callcore.projections.sla import ClockStatus, SlaClocks

UNASSIGNED = "unassigned"

CALLBACK = "callback"
VOICEMAIL_CALLBACK = "voicemail-callback"
COMPLAINT_REPLY = "complaint-reply"
SLA_CLOCK = "sla-clock"


# --------------------------------------------------------------------------- views


@frozen
class HandedOverWork:
    """An open ticket or complaint handed over to the next shift."""

    subject: str
    """The stream: ``ticket-…`` or ``complaint-…``."""
    kind: str
    """``ticket`` or ``complaint``."""
    category: str
    """A ticket's category; whom a complaint is about (``field-worker``, ``branch``…)."""
    opened_at: datetime
    last_touched_at: datetime


@frozen
class Deadline:
    """Something due in the next shift: a callback, a voicemail callback, a complaint
    reply or an SLA clock."""

    kind: str
    """``callback``, ``voicemail-callback``, ``complaint-reply`` or ``sla-clock``."""
    subject: str
    due_at: datetime
    clock: str | None = None
    """The SLA clock id, for ``sla-clock``."""


@frozen
class AgentHandover:
    """One agent's part of the shift hand-over: the open work they touched and what
    falls due in the next shift."""

    agent: str
    open_work: tuple[HandedOverWork, ...]
    due_next_shift: tuple[Deadline, ...]


@frozen
class HandoverView:
    """The shift hand-over: what each agent leaves open and what is due in the next
    shift."""

    as_of: datetime
    shift: str
    shift_starts: datetime
    shift_ends: datetime
    next_shift: str
    next_shift_starts: datetime
    next_shift_ends: datetime
    agents: tuple[AgentHandover, ...]


@frozen
class Suggestion:
    """A suggestion, a problem or a knowledge proposal recorded on a follow-up call or a
    ticket."""

    at: datetime
    kind: str
    """``suggestion``, ``problem`` or ``knowledge``."""
    text: str
    subject: str | None
    """The record it is about (an order, a dispatch, a complaint, a ticket)."""
    source: str
    """The stream it was recorded on (the follow-up call, the ticket)."""


@frozen
class DepartmentDigest:
    """What one department is told: the suggestions, problems and knowledge proposals
    about its work."""

    department: str
    name: str
    items: tuple[Suggestion, ...]


@frozen
class DigestView:
    """The digest of suggestions, problems raised and knowledge proposals, by
    department."""

    since: datetime | None
    until: datetime | None
    as_of: datetime | None
    departments: tuple[DepartmentDigest, ...]


# --------------------------------------------------------------------------- the fold


@frozen
class _Touch:
    at: datetime
    agent: str | None
    open: bool | None = None
    """True: (re)opened; False: closed; None: no change."""
    promise: tuple[str, datetime | None] | None = None
    """(kind, due): a promise made; (kind, None): kept; None: no promise news."""


class _Work:
    def __init__(self, subject: str, kind: str, category: str, opened_at: datetime) -> None:
        self.subject = subject
        self.kind = kind
        self.category = category
        self.opened_at = opened_at
        self.touches: list[_Touch] = []

    def as_of(self, at: datetime) -> tuple[bool, str, datetime, dict[str, datetime]]:
        """Open?, the agent it belongs to, when last touched, and the pending promises."""
        is_open, agent, touched = False, UNASSIGNED, self.opened_at
        pending: dict[str, datetime] = {}
        for touch in self.touches:
            if touch.at > at:
                continue
            touched = max(touched, touch.at)
            if touch.agent is not None:
                agent = touch.agent
            if touch.open is not None:
                is_open = touch.open
                if not touch.open:
                    pending.clear()
            if touch.promise is not None:
                what, due = touch.promise
                if due is None:
                    pending.pop(what, None)
                else:
                    pending[what] = due
        return is_open, agent, touched, pending


def _agent(event: Event) -> str | None:
    return event.actor.id if event.actor.role is Role.AGENT else None


class ShiftHandover:
    """The fold. ``apply`` recorded events in global order; ask :meth:`view` for the
    handover as of an instant, :meth:`suggestions` for the digest of a period."""

    def __init__(self, directory: Directory) -> None:
        self.directory = directory
        self.calendar = BusinessCalendar(directory.calendar)
        self.sla = SlaClocks(directory)
        self.work: dict[str, _Work] = {}
        """Ticket and complaint streams → their open/close, agents and promises."""
        self.items: list[tuple[str, Suggestion]] = []
        """(owning department, item), in the order recorded."""
        self.subject_kind: dict[str, str] = {}
        """Stream → what the owns lists are matched against: a ticket's category, a
        dispatch's kind, ``order``, ``complaint``."""
        self.notified: dict[str, str] = {}
        """Complaint stream → the department last notified."""
        self.last_at: datetime | None = None

    def apply_all(self, records: Iterable[Recorded]) -> ShiftHandover:
        for record in records:
            self.apply(record)
        return self

    def apply(self, record: Recorded) -> None:
        self.sla.apply(record)
        event, stream = record.event, record.stream
        if self.last_at is None or event.at > self.last_at:
            self.last_at = event.at
        match event:
            case ticket.TicketOpened():
                self.subject_kind[stream] = event.category.value
                self.work[stream] = _Work(stream, "ticket", event.category.value, event.at)
                self._touch(stream, event, opens=True)
            case complaint.ComplaintLodged():
                self.subject_kind[stream] = "complaint"
                self.work[stream] = _Work(stream, "complaint", event.about.kind.value, event.at)
                self._touch(stream, event, opens=True)
            case order.OrderPlaced():
                self.subject_kind[stream] = "order"
            case dispatch.DispatchRequested():
                self.subject_kind[stream] = event.kind.value
            case ticket.TicketClosed() | complaint.ComplaintClosed():
                self._touch(stream, event, opens=False)
            case ticket.TicketReopened():
                self._touch(stream, event, opens=True)
            case ticket.CallbackPromised():
                self._touch(stream, event, promise=(CALLBACK, event.reply_due))
            case ticket.CustomerReplied():
                self._touch(stream, event, promise=(CALLBACK, None))
            case ticket.VoicemailRecorded():
                self._touch(stream, event, promise=(VOICEMAIL_CALLBACK, event.callback_due))
            case ticket.VoicemailCallbackMade():
                self._touch(
                    stream, event, promise=(VOICEMAIL_CALLBACK, None) if event.reached else None
                )
            case complaint.ReplyTimeCommitted():
                self._touch(stream, event, promise=(COMPLAINT_REPLY, event.reply_by))
            case complaint.ResolutionProposed():
                self._touch(stream, event, promise=(COMPLAINT_REPLY, None))
            case complaint.DepartmentNotified():
                self.notified[stream] = event.department
                self._touch(stream, event)
            case call.FollowUpRecorded():
                owner = self._owner_of_follow_up(event.subject)
                for kind, texts in (
                    ("suggestion", event.suggestions),
                    ("problem", event.problems_raised),
                ):
                    self.items.extend(
                        (owner, Suggestion(event.at, kind, text, event.subject, stream))
                        for text in texts
                    )
            case ticket.KnowledgeArticleProposed():
                owner = self._owner_of(event.category.value) or self._known(event.department)
                text = f"{event.question}: {event.solution}"
                self.items.append((owner, Suggestion(event.at, "knowledge", text, stream, stream)))
                self._touch(stream, event)
            case _:
                self._touch(stream, event)

    def _touch(
        self,
        stream: str,
        event: Event,
        *,
        opens: bool | None = None,
        promise: tuple[str, datetime | None] | None = None,
    ) -> None:
        work = self.work.get(stream)
        if work is not None:
            work.touches.append(_Touch(event.at, _agent(event), opens, promise))

    # -- owners of the digest's items ----------------------------------------------

    def _owner_of(self, kind: str) -> str | None:
        for department in self.directory.departments.values():
            if kind in department.owns:
                return department.code
        return None

    def _with_role(self, role: DepartmentRole) -> str:
        for department in self.directory.departments.values():
            if department.role is role:
                return department.code
        return UNASSIGNED

    def _known(self, department: str) -> str:
        return department if department in self.directory.departments else UNASSIGNED

    def _owner_of_follow_up(self, subject: str | None) -> str:
        if subject is None:
            return UNASSIGNED
        kind = self.subject_kind.get(subject)
        owner = self._owner_of(kind) if kind is not None else None
        if owner is not None:
            return owner
        prefix = subject.partition("-")[0]
        if prefix == "order" or kind == dispatch.DispatchKind.DELIVERY.value:
            return self._with_role(DepartmentRole.BUSINESS_OFFICE)
        if prefix == "dispatch":
            return self._with_role(DepartmentRole.TECHNICAL_SUPPORT)
        if prefix == "complaint" and subject in self.notified:
            return self._known(self.notified[subject])
        return UNASSIGNED

    # -- reading -------------------------------------------------------------------

    def _shifts(self) -> tuple[Shift, ...]:
        settings = self.directory.calendar
        return settings.shifts or (Shift("day", settings.opens, settings.closes),)

    def _windows(self, day: date) -> list[tuple[datetime, datetime, str]]:
        """Every shift of the days around ``day``: (start, end, name)."""
        windows = []
        for offset in (-1, 0, 1, 2):
            on = day + timedelta(days=offset)
            for shift in self._shifts():
                start = self.calendar.at(on, shift.start)
                ends_on = on if shift.end > shift.start else on + timedelta(days=1)
                end = self.calendar.at(ends_on, shift.end)
                windows.append((start, end, shift.name))
        return windows

    def shifts_at(
        self, at: datetime
    ) -> tuple[tuple[datetime, datetime, str], tuple[datetime, datetime, str]]:
        """The shift ending at or after ``at`` and the one after it."""
        windows = self._windows(self.calendar.local(at).date())
        current = min((w for w in windows if w[1] >= at), key=lambda w: (w[1], w[0]))
        following = min((w for w in windows if w[0] > current[0]), key=lambda w: (w[0], w[1]))
        return current, following

    def view(self, at: datetime) -> HandoverView:
        (start, end, name), (next_start, next_end, next_name) = self.shifts_at(at)

        def due_next(when: datetime) -> bool:
            return next_start <= when < next_end

        open_work: dict[str, list[HandedOverWork]] = {}
        due: dict[str, list[Deadline]] = {}
        owner_of: dict[str, str] = {}
        promised: set[tuple[str, datetime]] = set()
        for work in self.work.values():
            if work.opened_at > at:
                continue
            is_open, agent, touched, pending = work.as_of(at)
            owner_of[work.subject] = agent
            if not is_open:
                continue
            open_work.setdefault(agent, []).append(
                HandedOverWork(work.subject, work.kind, work.category, work.opened_at, touched)
            )
            for what, when in pending.items():
                if due_next(when):
                    due.setdefault(agent, []).append(Deadline(what, work.subject, when))
                    promised.add((work.subject, when))
        for row in self.sla.view(at).clocks:
            if row.state not in (ClockStatus.RUNNING, ClockStatus.AT_RISK):
                continue
            if not due_next(row.due_at) or (row.subject, row.due_at) in promised:
                continue
            agent = owner_of.get(row.subject, UNASSIGNED)
            if agent == UNASSIGNED:
                agent = row.attribution.agent or UNASSIGNED
            due.setdefault(agent, []).append(
                Deadline(SLA_CLOCK, row.subject, row.due_at, clock=row.clock)
            )
        return HandoverView(
            as_of=at,
            shift=name,
            shift_starts=start,
            shift_ends=end,
            next_shift=next_name,
            next_shift_starts=next_start,
            next_shift_ends=next_end,
            agents=tuple(
                AgentHandover(
                    agent,
                    tuple(sorted(open_work.get(agent, ()), key=lambda w: (w.opened_at, w.subject))),
                    tuple(
                        sorted(
                            due.get(agent, ()),
                            key=lambda d: (d.due_at, d.subject, d.kind, d.clock or ""),
                        )
                    ),
                )
                for agent in sorted(set(open_work) | set(due))
            ),
        )

    def suggestions(
        self,
        since: datetime | None = None,
        until: datetime | None = None,
        at: datetime | None = None,
    ) -> DigestView:
        """The digest of the items recorded in [since, until) and by ``at`` (each bound
        optional), grouped by owning department."""
        grouped: dict[str, list[Suggestion]] = {}
        for department, item in self.items:
            if since is not None and item.at < since:
                continue
            if until is not None and item.at >= until:
                continue
            if at is not None and item.at > at:
                continue
            grouped.setdefault(department, []).append(item)
        return DigestView(
            since=since,
            until=until,
            as_of=at if at is not None else self.last_at,
            departments=tuple(
                DepartmentDigest(
                    department,
                    self.directory.departments[department].name
                    if department in self.directory.departments
                    else "Unassigned",
                    tuple(sorted(items, key=lambda s: s.at)),
                )
                for department, items in sorted(grouped.items())
            ),
        )

    def digest(
        self,
        since: datetime | None = None,
        until: datetime | None = None,
        at: datetime | None = None,
    ) -> DigestView:
        """The same as :meth:`suggestions` (the name ``callcore.views`` calls)."""
        return self.suggestions(since, until, at)
