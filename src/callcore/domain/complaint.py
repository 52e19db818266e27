"""Complaint (投诉, domain.md §4.4).

Stream: ``complaint-<complaint id>``; ids are prefixed ``K`` (``K-1A2B3C4D5E``).

The life of a complaint::

    lodged ──judged valid──▶ judged-valid ──department notified──▶ notified
       │                                                            ▲   │
       │                                  resolution rejected ──────┘   │ resolution proposed
       │                                                                ▼
       │                                                   resolution-proposed
       │                                                                │ customer accepted
       │                                                                ▼
       └─judged invalid──▶ invalid (closed at once,         resolution-accepted ──▶ closed
                           with the reason)

* The agent **commits a reply time** (any time before the complaint closes; a new
  commitment replaces the promised time, ``committed_at`` keeps the first one because
  the ``complaint-reply-committed`` SLA clock stops there).
* **Judging** is final: judging again the same way changes nothing, the other way is
  refused (:data:`JUDGEMENT_IS_FINAL`). An invalid complaint is explained to the
  customer and closed in the same command (``ComplaintJudgedInvalid`` +
  ``ComplaintClosed``); its status stays ``invalid`` so reports can tell it from a
  resolved one, and :attr:`State.closed` is true.
* A valid complaint: the department is notified (notifying another department
  re-routes it; ``notified_at`` keeps the first notification, for the SLA clocks), the
  customer is updated, the department is followed up until a resolution exists.
* A resolution is proposed (by default on behalf of the department notified) and the
  customer responds. A rejected one goes **back to the department** or **up to the
  supervisor** (``escalated_at``) and the status returns to ``notified``: a new
  resolution may then be proposed. Only one resolution waits for the customer at a
  time. Acceptance is final; only an accepted complaint closes.
* The **satisfaction call** follows acceptance (also after the complaint closed, since
  the 24-hour clock starts at acceptance). Calls that did not reach the customer are
  recorded and the centre tries again; once a call reached the customer and got a
  rating, no more are recorded.
* A **re-complaint** (the promised service did not happen in time and the customer
  complains again) is a new complaint whose ``ComplaintLodged`` names the original
  (``re_complaint_of``) and the department the original was notified to
  (``counts_against``): the re-complaint counts against that department's assessment.
  The original's stream gets ``ReComplaintReceived`` in the same transaction so its
  history shows it. An original that was never notified to a department counts
  against nobody (``counts_against`` is ``None``). The centre does not check that the
  original's promise had passed: a customer who calls again is taken at their word.
* Who a complaint is about: a field worker or a branch must be in the directory; agents
  have no roster in the directory, so an agent's seat id is recorded as given; ``other``
  has no id.

Confidentiality (domain.md §4.4, interfaces.md §5). A resolution is shown only to the
customer and to roles allowed to see it, and never leaves in public or aggregate output
beyond counts. Decision: ``RESOLUTION_READERS`` is supervisors and the customer
(:mod:`callcore.domain.complaint_reading`, who may read what of a complaint).
Agents, field workers (often the very subject of the complaint), integrations and the
system's processes (which build the public and aggregate views) see a
:func:`public_view`: whether resolutions exist, who proposed them, when, and how the
customer responded — but not their text, nor the free-text notes of customer updates,
department follow-ups, customer responses and satisfaction calls. The customer sees
only their own complaint (:func:`callcore.domain.complaint_reading.view_for` checks the
actor's id against the customer number or the complainant's phone). The agent who
records a resolution knows what they typed; the views just do not hand it to every other
agent on the floor.
"""

from __future__ import annotations

import enum
from datetime import datetime

import attrs
from attrs import field, frozen

from callcore.domain import customer
from callcore.domain.backdating import RecordNote, TimeCorrected
from callcore.domain.common import (
    ALREADY_EXISTS,
    EXISTS,
    ClockPaused,
    ClockResumed,
    Command,
    Contact,
    Context,
    DomainError,
    Fold,
    NotFound,
    Rule,
    aware,
    events_in,
    non_blank,
    require,
    unknown_event,
    valid_id,
)
from callcore.domain.common import (
    Event as DomainEvent,
)
from callcore.domain.context import DecisionContext
from callcore.domain.directory import Directory
from callcore.domain.phone import normalise_phone

KIND = "complaint"
ID_PREFIX = "K"

COMPLAINT_CLOSED = Rule(
    "complaint-closed",
    "domain.md §4.4: an invalid one is ... closed with the reason; a "
    "resolution must be accepted by the customer before the complaint can close",
)
REPLY_TIME_AFTER_NOW = Rule(
    "reply-time-after-now", "domain.md §4.4: the agent commits a reply time"
)
JUDGEMENT_IS_FINAL = Rule(
    "judgement-is-final", "domain.md §4.4: judges whether the complaint is valid"
)
NOTIFY_AFTER_VALID_JUDGEMENT = Rule(
    "notify-after-valid-judgement",
    "domain.md §4.4: a valid one: notify the responsible department",
)
UPDATE_AFTER_VALID_JUDGEMENT = Rule(
    "update-customer-after-valid-judgement",
    "domain.md §4.4: a valid one: ... update the customer",
)
FOLLOW_UP_AFTER_NOTIFICATION = Rule(
    "follow-up-after-notification",
    "domain.md §4.4: follow up with the department until a resolution exists",
)
RESOLUTION_AFTER_NOTIFICATION = Rule(
    "resolution-after-notification",
    "domain.md §4.4: follow up with the department until a resolution exists",
)
ONE_RESOLUTION_AT_A_TIME = Rule(
    "customer-responds-before-new-resolution",
    "domain.md §4.4: a resolution must be accepted by the customer; a rejected one goes "
    "back to the department or up to the supervisor",
)
RESPONSE_NEEDS_RESOLUTION = Rule(
    "response-needs-pending-resolution",
    "domain.md §4.4: a resolution must be accepted by the customer",
)
ALREADY_RESOLVED = Rule(
    "resolution-already-accepted",
    "domain.md §4.4: a resolution must be accepted by the customer before the complaint "
    "can close (acceptance ends the department's work)",
)
ACCEPTED_BEFORE_CLOSE = Rule(
    "resolution-accepted-before-close",
    "domain.md §4.4: a resolution must be accepted by the customer before the complaint can close",
)
SATISFACTION_AFTER_ACCEPTANCE = Rule(
    "satisfaction-call-after-acceptance",
    "domain.md §4.4: a satisfaction call follows the resolution",
)
SATISFACTION_ONCE_REACHED = Rule(
    "satisfaction-call-once-reached",
    "domain.md §7: no answer → try again later (once reached, the rating stands)",
)


def stream_id(complaint_id: str) -> str:
    return f"{KIND}-{complaint_id}"


class SubjectKind(enum.StrEnum):
    """Whom a complaint is about."""

    FIELD_WORKER = "field-worker"
    AGENT = "agent"
    BRANCH = "branch"
    OTHER = "other"


@frozen
class Subject:
    """Whom a complaint is about: a field worker's 工号, an agent's seat id, a branch
    code, or ``other`` (no id: ``what`` says it all)."""

    kind: SubjectKind
    id: str | None = field(default=None, validator=non_blank)

    def __attrs_post_init__(self) -> None:
        if self.kind is SubjectKind.OTHER and self.id is not None:
            raise ValueError(f"a complaint about 'other' names nobody, got id {self.id!r}")
        if self.kind is not SubjectKind.OTHER and self.id is None:
            raise ValueError(f"a complaint about a {self.kind.value} must name them (id)")


class Status(enum.StrEnum):
    LODGED = "lodged"
    JUDGED_VALID = "judged-valid"
    NOTIFIED = "notified"
    RESOLUTION_PROPOSED = "resolution-proposed"
    RESOLUTION_ACCEPTED = "resolution-accepted"
    CLOSED = "closed"
    INVALID = "invalid"


class BackTo(enum.StrEnum):
    """Where a rejected resolution goes."""

    DEPARTMENT = "department"
    SUPERVISOR = "supervisor"


# --------------------------------------------------------------------------- events


@frozen(kw_only=True)
class ComplaintLodged(DomainEvent):
    complaint_id: str
    complainant: Contact
    customer_number: str | None = None
    about: Subject
    what: str
    wanted_outcome: str
    call_id: str | None = None
    re_complaint_of: str | None = None
    """The complaint this one repeats (the promised service did not happen in time)."""
    counts_against: str | None = None
    """For a re-complaint: the department the original was notified to."""


@frozen(kw_only=True)
class ReComplaintReceived(DomainEvent):
    """Recorded on the ORIGINAL complaint when the customer complains again."""

    re_complaint_id: str
    counts_against: str | None = None


@frozen(kw_only=True)
class ReplyTimeCommitted(DomainEvent):
    reply_by: datetime = field(validator=aware)


@frozen(kw_only=True)
class ComplaintJudgedValid(DomainEvent):
    reason: str | None = None


@frozen(kw_only=True)
class ComplaintJudgedInvalid(DomainEvent):
    """Explained to the customer; a ``ComplaintClosed`` follows in the same command."""

    reason: str


@frozen(kw_only=True)
class DepartmentNotified(DomainEvent):
    department: str


@frozen(kw_only=True)
class CustomerUpdated(DomainEvent):
    note: str


@frozen(kw_only=True)
class DepartmentFollowedUp(DomainEvent):
    department: str
    note: str


@frozen(kw_only=True)
class ResolutionProposed(DomainEvent):
    """Confidential: ``resolution`` is for the customer and the resolution readers."""

    resolution: str
    department: str


@frozen(kw_only=True)
class ResolutionAccepted(DomainEvent):
    note: str | None = None


@frozen(kw_only=True)
class ResolutionRejected(DomainEvent):
    back_to: BackTo
    note: str | None = None


@frozen(kw_only=True)
class ComplaintClosed(DomainEvent):
    reason: str
    resolved: bool
    """True when closed after the customer accepted a resolution, False for an invalid
    complaint closed with the reason it was judged invalid."""


@frozen(kw_only=True)
class SatisfactionCallRecorded(DomainEvent):
    reached: bool
    rating: int | None = None
    """1–5 when reached."""
    on_time: bool | None = None
    """Whether the promised service came on time, as the customer sees it."""
    note: str | None = None


# --------------------------------------------------------------------------- state


@frozen
class Note:
    """A customer update or a department follow-up. ``text`` is ``None`` in a public
    view."""

    at: datetime
    text: str | None


@frozen
class Resolution:
    """One proposed resolution and the customer's response to it. ``text`` and ``note``
    are ``None`` in a public view."""

    proposed_at: datetime
    department: str
    text: str | None
    accepted: bool | None = None
    """``None`` while the customer has not responded."""
    responded_at: datetime | None = None
    back_to: BackTo | None = None
    note: str | None = None


@frozen
class SatisfactionCall:
    at: datetime
    reached: bool
    rating: int | None = None
    on_time: bool | None = None
    note: str | None = None


@frozen
class State:
    exists: bool = False
    complaint_id: str = ""
    status: Status = Status.LODGED
    complainant: Contact | None = None
    customer_number: str | None = None
    about: Subject | None = None
    what: str = ""
    wanted_outcome: str = ""
    call_id: str | None = None
    lodged_at: datetime | None = None
    reply_by: datetime | None = None
    """The reply time last committed to the customer."""
    committed_at: datetime | None = None
    """When a reply time was first committed."""
    valid: bool | None = None
    judged_at: datetime | None = None
    judgement_reason: str | None = None
    department_notified: str | None = None
    """The department working on it now (the last one notified)."""
    notified_at: datetime | None = None
    """When a department was first notified."""
    customer_updates: tuple[Note, ...] = ()
    customer_updated_at: datetime | None = None
    follow_ups: tuple[Note, ...] = ()
    followed_up_at: datetime | None = None
    resolutions: tuple[Resolution, ...] = ()
    """Every resolution proposed, in order, each with the customer's response."""
    escalated_at: datetime | None = None
    """When a rejected resolution first went up to the supervisor."""
    accepted_at: datetime | None = None
    satisfaction_calls: tuple[SatisfactionCall, ...] = ()
    re_complaint_of: str | None = None
    counts_against: str | None = None
    re_complaints: tuple[str, ...] = ()
    """Re-complaints that name this complaint as their original."""
    closed_at: datetime | None = None
    close_reason: str | None = None

    @property
    def closed(self) -> bool:
        return self.closed_at is not None

    @property
    def pending_resolution(self) -> Resolution | None:
        """The resolution waiting for the customer's response, if any."""
        if self.resolutions and self.resolutions[-1].accepted is None:
            return self.resolutions[-1]
        return None

    @property
    def accepted(self) -> bool:
        return self.accepted_at is not None

    @property
    def satisfaction_reached_at(self) -> datetime | None:
        """When a satisfaction call first reached the customer."""
        return next((call.at for call in self.satisfaction_calls if call.reached), None)


initial = State()


def _responded(state: State, event: ResolutionAccepted | ResolutionRejected) -> Resolution:
    # A response is to the resolution last proposed (the one waiting for the customer).
    back_to = event.back_to if isinstance(event, ResolutionRejected) else None
    return attrs.evolve(
        state.resolutions[-1],
        accepted=isinstance(event, ResolutionAccepted),
        responded_at=event.at,
        back_to=back_to,
        note=event.note,
    )


def evolve(state: State, event: Event | RecordNote) -> State:
    match event:
        case ComplaintLodged():
            return State(
                exists=True,
                complaint_id=event.complaint_id,
                complainant=event.complainant,
                customer_number=event.customer_number,
                about=event.about,
                what=event.what,
                wanted_outcome=event.wanted_outcome,
                call_id=event.call_id,
                lodged_at=event.at,
                re_complaint_of=event.re_complaint_of,
                counts_against=event.counts_against,
            )
        case ReComplaintReceived():
            return attrs.evolve(state, re_complaints=(*state.re_complaints, event.re_complaint_id))
        case ReplyTimeCommitted():
            return attrs.evolve(
                state, reply_by=event.reply_by, committed_at=state.committed_at or event.at
            )
        case ComplaintJudgedValid():
            return attrs.evolve(
                state,
                status=Status.JUDGED_VALID,
                valid=True,
                judged_at=event.at,
                judgement_reason=event.reason,
            )
        case ComplaintJudgedInvalid():
            return attrs.evolve(
                state,
                status=Status.INVALID,
                valid=False,
                judged_at=event.at,
                judgement_reason=event.reason,
            )
        case DepartmentNotified():
            return attrs.evolve(
                state,
                status=Status.NOTIFIED if state.status is Status.JUDGED_VALID else state.status,
                department_notified=event.department,
                notified_at=state.notified_at or event.at,
            )
        case CustomerUpdated():
            return attrs.evolve(
                state,
                customer_updates=(*state.customer_updates, Note(event.at, event.note)),
                customer_updated_at=state.customer_updated_at or event.at,
            )
        case DepartmentFollowedUp():
            return attrs.evolve(
                state,
                follow_ups=(*state.follow_ups, Note(event.at, event.note)),
                followed_up_at=state.followed_up_at or event.at,
            )
        case ResolutionProposed():
            proposed = Resolution(event.at, event.department, event.resolution)
            return attrs.evolve(
                state,
                status=Status.RESOLUTION_PROPOSED,
                resolutions=(*state.resolutions, proposed),
            )
        case ResolutionAccepted():
            return attrs.evolve(
                state,
                status=Status.RESOLUTION_ACCEPTED,
                resolutions=(*state.resolutions[:-1], _responded(state, event)),
                accepted_at=event.at,
            )
        case ResolutionRejected():
            escalated = event.back_to is BackTo.SUPERVISOR
            return attrs.evolve(
                state,
                status=Status.NOTIFIED,
                resolutions=(*state.resolutions[:-1], _responded(state, event)),
                escalated_at=state.escalated_at or (event.at if escalated else None),
            )
        case ComplaintClosed():
            return attrs.evolve(
                state,
                status=Status.CLOSED if event.resolved else state.status,
                closed_at=event.at,
                close_reason=event.reason,
            )
        case SatisfactionCallRecorded():
            call = SatisfactionCall(
                event.at, event.reached, event.rating, event.on_time, event.note
            )
            return attrs.evolve(state, satisfaction_calls=(*state.satisfaction_calls, call))
        case ClockPaused() | ClockResumed() | TimeCorrected():
            return state  # a note on the record, not a change of it
        case _:
            raise unknown_event(KIND, event)


Event = (
    ComplaintLodged
    | ReComplaintReceived
    | ReplyTimeCommitted
    | ComplaintJudgedValid
    | ComplaintJudgedInvalid
    | DepartmentNotified
    | CustomerUpdated
    | DepartmentFollowedUp
    | ResolutionProposed
    | ResolutionAccepted
    | ResolutionRejected
    | ComplaintClosed
    | SatisfactionCallRecorded
)
"""The complaint module's events, as stored (their class names are the stored type names)."""
EVENTS = events_in(Event)
FOLD = Fold(kind=KIND, initial=initial, evolve=evolve, events=EVENTS)


# --------------------------------------------------------------------------- commands


@frozen(kw_only=True)
class LodgeComplaint(Command):
    """Lodge a complaint: who complains, about whom, what happened, what outcome the
    customer wants. ``re_complaint_of`` names the original when the customer complains
    again because the promised service did not happen in time."""

    complaint_id: str | None = field(default=None, validator=attrs.validators.optional(valid_id))
    complainant: Contact
    customer_number: str | None = field(default=None, validator=attrs.validators.optional(valid_id))
    about: Subject
    what: str = field(validator=non_blank)
    wanted_outcome: str = field(validator=non_blank)
    re_complaint_of: str | None = field(default=None, validator=attrs.validators.optional(valid_id))
    call_id: str | None = field(default=None, validator=attrs.validators.optional(valid_id))


@frozen(kw_only=True)
class CommitReplyTime(Command):
    """The agent commits to reply to the complainant by ``reply_by``."""

    complaint_id: str = field(validator=valid_id)
    reply_by: datetime = field(validator=aware)


@frozen(kw_only=True)
class JudgeComplaint(Command):
    """Valid or not; an invalid one needs the reason told to the customer."""

    complaint_id: str = field(validator=valid_id)
    valid: bool
    reason: str | None = field(default=None, validator=non_blank)

    def __attrs_post_init__(self) -> None:
        if not self.valid and self.reason is None:
            raise ValueError("an invalid complaint is closed with a reason: give the reason")


@frozen(kw_only=True)
class NotifyDepartment(Command):
    """A valid complaint is passed to the responsible department (within 10 minutes of
    lodging by default)."""

    complaint_id: str = field(validator=valid_id)
    department: str = field(validator=non_blank)


@frozen(kw_only=True)
class UpdateCustomer(Command):
    """The complainant is told how the complaint is being handled."""

    complaint_id: str = field(validator=valid_id)
    note: str = field(validator=non_blank)


@frozen(kw_only=True)
class FollowUpDepartment(Command):
    """The agent follows the complaint up with the department until it proposes a
    resolution."""

    complaint_id: str = field(validator=valid_id)
    note: str = field(validator=non_blank)


@frozen(kw_only=True)
class RecordResolution(Command):
    """The resolution the department (or, after an escalation, the supervisor) proposes.
    ``department`` defaults to the department notified."""

    complaint_id: str = field(validator=valid_id)
    resolution: str = field(validator=non_blank)
    department: str | None = field(default=None, validator=non_blank)


@frozen(kw_only=True)
class RecordCustomerResponse(Command):
    """The customer accepts the pending resolution, or rejects it: back to the
    department, or up to the supervisor when ``escalate_to_supervisor``."""

    complaint_id: str = field(validator=valid_id)
    accepted: bool
    note: str | None = field(default=None, validator=non_blank)
    escalate_to_supervisor: bool = False

    def __attrs_post_init__(self) -> None:
        if self.accepted and self.escalate_to_supervisor:
            raise ValueError("an accepted resolution is not escalated to the supervisor")


@frozen(kw_only=True)
class CloseComplaint(Command):
    """Close a complaint whose resolution the customer accepted."""

    complaint_id: str = field(validator=valid_id)


@frozen(kw_only=True)
class RecordSatisfactionCall(Command):
    """The satisfaction call after the resolution: whether it reached the customer, and
    if so a ``rating`` of 1-5 and whether the matter was handled on time."""

    complaint_id: str = field(validator=valid_id)
    reached: bool
    rating: int | None = None
    on_time: bool | None = None
    note: str | None = field(default=None, validator=non_blank)

    def __attrs_post_init__(self) -> None:
        if self.reached and self.rating is None:
            raise ValueError("a satisfaction call that reached the customer needs a rating 1-5")
        if not self.reached and (self.rating is not None or self.on_time is not None):
            raise ValueError("a call that did not reach the customer has no rating or answers")
        if self.rating is not None and not 1 <= self.rating <= 5:
            raise ValueError(f"rating must be from 1 to 5, got {self.rating}")


# --------------------------------------------------------------------------- decisions


def require_exists(state: State, complaint_id: str) -> None:
    if not state.exists:
        raise NotFound(EXISTS, f"no complaint {complaint_id!r}")


def require_open(state: State, complaint_id: str) -> None:
    require_exists(state, complaint_id)
    require(
        not state.closed,
        COMPLAINT_CLOSED,
        f"complaint {complaint_id} was closed at {state.closed_at}: {state.close_reason}",
    )


def _require_unresolved(state: State, complaint_id: str) -> None:
    require(
        not state.accepted,
        ALREADY_RESOLVED,
        f"the customer accepted a resolution of complaint {complaint_id} at {state.accepted_at}",
    )


def _check_subject(about: Subject, directory: Directory) -> None:
    if about.kind is SubjectKind.FIELD_WORKER and about.id is not None:
        directory.field_worker(about.id)
    elif about.kind is SubjectKind.BRANCH and about.id is not None:
        directory.branch(about.id)


@frozen
class LodgingContext(DecisionContext):
    """Lodging a complaint knows its id, the account named by ``customer_number`` and the
    complaint named by ``re_complaint_of`` (each loaded by the handler when named)."""

    complaint_id: str
    customer_record: customer.State | None = None
    original: State | None = None


def lodge_complaint(
    state: State, command: LodgeComplaint, context: LodgingContext
) -> tuple[Event, ...]:
    directory, complaint_id = context.directory, context.complaint_id
    customer_record, original = context.customer_record, context.original
    require(not state.exists, ALREADY_EXISTS, f"complaint {complaint_id} is already lodged")
    _check_subject(command.about, directory)
    if command.customer_number is not None:
        customer.customer_exists(customer_record or customer.initial, command.customer_number)
    counts_against = None
    if command.re_complaint_of is not None:
        if original is None or not original.exists:
            raise NotFound(
                EXISTS, f"no complaint {command.re_complaint_of!r} to complain again about"
            )
        counts_against = original.department_notified
    complainant = Contact(
        name=command.complainant.name.strip(),
        phone=normalise_phone(command.complainant.phone, directory.phone_region),
    )
    return (
        ComplaintLodged(
            at=context.now,
            actor=context.actor,
            complaint_id=complaint_id,
            complainant=complainant,
            customer_number=command.customer_number,
            about=command.about,
            what=command.what.strip(),
            wanted_outcome=command.wanted_outcome.strip(),
            call_id=command.call_id,
            re_complaint_of=command.re_complaint_of,
            counts_against=counts_against,
        ),
    )


def record_re_complaint(
    original: State, lodged: ComplaintLodged, context: Context
) -> tuple[Event, ...]:
    """The original's side of a re-complaint: its history shows the customer came back.
    Recorded even on a closed original (history, not a change of its course)."""
    require_exists(original, lodged.re_complaint_of or "")
    if lodged.complaint_id in original.re_complaints:
        return ()
    return (
        ReComplaintReceived(
            at=context.now,
            actor=context.actor,
            re_complaint_id=lodged.complaint_id,
            counts_against=lodged.counts_against,
        ),
    )


def commit_reply_time(
    state: State, command: CommitReplyTime, context: Context
) -> tuple[Event, ...]:
    require_open(state, command.complaint_id)
    if state.reply_by == command.reply_by:
        return ()
    require(
        command.reply_by > context.now,
        REPLY_TIME_AFTER_NOW,
        f"reply time {command.reply_by.isoformat()} is not after now ({context.now.isoformat()})",
    )
    return (ReplyTimeCommitted(at=context.now, actor=context.actor, reply_by=command.reply_by),)


def judge_complaint(state: State, command: JudgeComplaint, context: Context) -> tuple[Event, ...]:
    require_exists(state, command.complaint_id)
    if state.valid is not None:
        if state.valid == command.valid:
            return ()
        judged = "valid" if state.valid else "invalid"
        raise DomainError(
            JUDGEMENT_IS_FINAL,
            f"complaint {command.complaint_id} was judged {judged} at {state.judged_at}",
        )
    require_open(state, command.complaint_id)
    if command.valid:
        return (ComplaintJudgedValid(at=context.now, actor=context.actor, reason=command.reason),)
    reason = command.reason or ""
    return (
        ComplaintJudgedInvalid(at=context.now, actor=context.actor, reason=reason),
        ComplaintClosed(at=context.now, actor=context.actor, reason=reason, resolved=False),
    )


def _require_valid(state: State, complaint_id: str, rule: Rule, doing: str) -> None:
    require(
        state.valid is True,
        rule,
        f"complaint {complaint_id} is {state.status.value}: only a complaint judged valid "
        f"can {doing}",
    )


def notify_department(
    state: State, command: NotifyDepartment, context: DecisionContext
) -> tuple[Event, ...]:
    require_open(state, command.complaint_id)
    _require_valid(state, command.complaint_id, NOTIFY_AFTER_VALID_JUDGEMENT, "go to a department")
    department = context.directory.department(command.department).code
    if state.department_notified == department:
        return ()
    _require_unresolved(state, command.complaint_id)
    return (DepartmentNotified(at=context.now, actor=context.actor, department=department),)


def update_customer(state: State, command: UpdateCustomer, context: Context) -> tuple[Event, ...]:
    require_open(state, command.complaint_id)
    _require_valid(
        state, command.complaint_id, UPDATE_AFTER_VALID_JUDGEMENT, "have the customer updated"
    )
    return (CustomerUpdated(at=context.now, actor=context.actor, note=command.note.strip()),)


def _require_notified(state: State, complaint_id: str, rule: Rule) -> str:
    if state.department_notified is None:
        raise DomainError(
            rule, f"complaint {complaint_id} is {state.status.value}: no department notified yet"
        )
    return state.department_notified


def follow_up_department(
    state: State, command: FollowUpDepartment, context: Context
) -> tuple[Event, ...]:
    require_open(state, command.complaint_id)
    department = _require_notified(state, command.complaint_id, FOLLOW_UP_AFTER_NOTIFICATION)
    _require_unresolved(state, command.complaint_id)
    return (
        DepartmentFollowedUp(
            at=context.now, actor=context.actor, department=department, note=command.note.strip()
        ),
    )


def record_resolution(
    state: State, command: RecordResolution, context: DecisionContext
) -> tuple[Event, ...]:
    require_open(state, command.complaint_id)
    notified = _require_notified(state, command.complaint_id, RESOLUTION_AFTER_NOTIFICATION)
    _require_unresolved(state, command.complaint_id)
    department = context.directory.department(command.department or notified).code
    text = command.resolution.strip()
    pending = state.pending_resolution
    if pending is not None:
        if (pending.text, pending.department) == (text, department):
            return ()
        raise DomainError(
            ONE_RESOLUTION_AT_A_TIME,
            f"complaint {command.complaint_id} has a resolution proposed at "
            f"{pending.proposed_at} waiting for the customer's response",
        )
    return (
        ResolutionProposed(
            at=context.now, actor=context.actor, resolution=text, department=department
        ),
    )


def record_customer_response(
    state: State, command: RecordCustomerResponse, context: Context
) -> tuple[Event, ...]:
    require_exists(state, command.complaint_id)
    if command.accepted and state.accepted:
        return ()
    require_open(state, command.complaint_id)
    _require_unresolved(state, command.complaint_id)
    require(
        state.pending_resolution is not None,
        RESPONSE_NEEDS_RESOLUTION,
        f"complaint {command.complaint_id} has no resolution waiting for the customer",
    )
    if command.accepted:
        return (ResolutionAccepted(at=context.now, actor=context.actor, note=command.note),)
    back_to = BackTo.SUPERVISOR if command.escalate_to_supervisor else BackTo.DEPARTMENT
    return (
        ResolutionRejected(at=context.now, actor=context.actor, back_to=back_to, note=command.note),
    )


def close_complaint(state: State, command: CloseComplaint, context: Context) -> tuple[Event, ...]:
    require_exists(state, command.complaint_id)
    if state.closed:
        return ()
    require(
        state.accepted,
        ACCEPTED_BEFORE_CLOSE,
        f"complaint {command.complaint_id} is {state.status.value}: the customer has not "
        "accepted a resolution",
    )
    return (
        ComplaintClosed(
            at=context.now,
            actor=context.actor,
            reason="the customer accepted the resolution",
            resolved=True,
        ),
    )


def record_satisfaction_call(
    state: State, command: RecordSatisfactionCall, context: Context
) -> tuple[Event, ...]:
    require_exists(state, command.complaint_id)
    require(
        state.accepted,
        SATISFACTION_AFTER_ACCEPTANCE,
        f"complaint {command.complaint_id} is {state.status.value}: the satisfaction call "
        "follows an accepted resolution",
    )
    require(
        state.satisfaction_reached_at is None,
        SATISFACTION_ONCE_REACHED,
        f"a satisfaction call reached the customer of complaint {command.complaint_id} at "
        f"{state.satisfaction_reached_at}",
    )
    return (
        SatisfactionCallRecorded(
            at=context.now,
            actor=context.actor,
            reached=command.reached,
            rating=command.rating,
            on_time=command.on_time,
            note=command.note,
        ),
    )
