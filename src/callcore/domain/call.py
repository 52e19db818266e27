"""Call (domain.md §4.6): the phone contact itself.

Offered to the queue → ringing at an agent (possibly several agents in turn) → answered,
abandoned, timed out, or sent to voicemail → completed, with transfers. Outbound calls
(follow-ups, callbacks) are Calls too. A Call links to the tickets, orders and complaints
opened during it.

Stream: ``call-<call id>``, where the call id is the PBX's own (an Asterisk uniqueid, a
Twilio CallSid), so a fact delivered twice lands on the same stream.

Telephony reports facts after they happen: commands carry ``occurred_at`` and events are
stamped with it. Decisions tolerate the PBX's repeats (a fact already recorded records
nothing) and refuse facts that can no longer happen (ringing after the call ended) with a
named rule, so a feed can count them.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import ClassVar

import attrs
from attrs import field, frozen

from callcore.domain.backdating import RecordNote, TimeCorrected
from callcore.domain.common import (
    ALREADY_EXISTS,
    EXISTS,
    ClockPaused,
    ClockResumed,
    Command,
    Context,
    DomainError,
    Fold,
    NotFound,
    Role,
    Rule,
    aware,
    events_in,
    non_blank,
    require,
    seconds,
    unknown_event,
    valid_id,
)
from callcore.domain.common import (
    Event as DomainEvent,
)
from callcore.domain.context import DecisionContext
from callcore.domain.phone import normalise_phone

KIND = "call"

ANSWER_NEEDS_WAITING_CALL = Rule(
    "answer-a-waiting-call", "domain.md §4.6: offered → ringing → answered"
)
CALL_ENDED = Rule("call-ended", "domain.md §4.6: nothing happens on a call after it ended")
TRANSFER_ANSWERED_CALL = Rule("transfer-an-answered-call", "domain.md §4.6: with transfers")
NOT_BEFORE_OFFER = Rule(
    "not-before-the-offer", "domain.md §6: the answer clock starts at the offer"
)
WAIT_MEASURED_BY_THE_PBX = Rule(
    "wait-measured-by-the-pbx",
    "domain.md §6 one answer figure, interfaces.md §6: a caller's wait is the PBX's own "
    "measure (CONNECT's hold time, ABANDON's wait) or the call's recorded times; a person "
    "records when a call was answered or left, never how long it waited",
)
FOLLOW_UP_ON_OUTBOUND = Rule(
    "follow-up-on-an-outbound-call", "domain.md §7: a follow-up call records what it found"
)
PROBLEM_FOUND = Rule(
    "relay-a-problem-found",
    "domain.md §6: a follow-up call found a problem → it is passed to the department",
)
RELAYED_FIRST = Rule(
    "confirm-after-relay", "domain.md §6: problem passed on → resolution confirmed"
)
OUTBOUND_ONLY = Rule("outbound-call-only", "domain.md §4.6: outbound calls (follow-ups, callbacks)")


def stream_id(call_id: str) -> str:
    return f"{KIND}-{call_id}"


class Direction(enum.StrEnum):
    INBOUND = "inbound"
    OUTBOUND = "outbound"


class Status(enum.StrEnum):
    NONE = "none"
    OFFERED = "offered"
    RINGING = "ringing"
    ANSWERED = "answered"
    ABANDONED = "abandoned"
    TIMED_OUT = "timed-out"
    VOICEMAIL = "voicemail"
    NOT_REACHED = "not-reached"
    COMPLETED = "completed"


ENDED = frozenset(
    {Status.ABANDONED, Status.TIMED_OUT, Status.VOICEMAIL, Status.NOT_REACHED, Status.COMPLETED}
)


class ExitReason(enum.StrEnum):
    """Why a call left its queue unanswered without the caller hanging up."""

    TIMEOUT = "timeout"
    EMPTY_QUEUE = "empty-queue"
    CALLER_PRESSED_KEY = "caller-pressed-key"


class Purpose(enum.StrEnum):
    """Why an agent places an outbound call."""

    FOLLOW_UP = "follow-up"
    CALLBACK = "callback"
    SURVEY = "survey"
    SALES_LEAD = "sales-lead"
    VOICEMAIL_CALLBACK = "voicemail-callback"


class FollowUpNotReached(enum.StrEnum):
    """Why a follow-up did not reach the customer (domain.md §7): nobody answered (try
    again later), or only a child was home (say when we will call again)."""

    NO_ANSWER = "no-answer"
    CHILD_AT_HOME = "child-at-home"


class EndedBy(enum.StrEnum):
    """Who ended a call."""

    CALLER = "caller"
    AGENT = "agent"
    SYSTEM = "system"


class TransferKind(enum.StrEnum):
    """A blind transfer (handed straight on) or an attended one (announced first)."""

    BLIND = "blind"
    ATTENDED = "attended"


class RecordKind(enum.StrEnum):
    """The kind of record a call is linked to."""

    TICKET = "ticket"
    ORDER = "order"
    COMPLAINT = "complaint"


class NotReachedReason(enum.StrEnum):
    """Why an outbound call did not reach the customer."""

    NO_ANSWER = "no-answer"
    BUSY = "busy"
    FAILED = "failed"


# --------------------------------------------------------------------------- events


@frozen(kw_only=True)
class CallOffered(DomainEvent):
    call_id: str
    queue: str
    caller: str | None
    """E.164 when the caller id is a valid number; else None and ``caller_id_raw``."""
    caller_id_raw: str | None = None
    did: str | None = None
    after_hours: bool = False


@frozen(kw_only=True)
class CallEnteredQueue(DomainEvent):
    """The caller moved to another queue on the same call (a transfer to a queue, a
    failover after a queue's timeout): leg ``leg`` (the first offer is leg 1), counted in
    the figures of the queue it was offered to."""

    queue: str
    leg: int


@frozen(kw_only=True)
class AgentRang(DomainEvent):
    agent: str


@frozen(kw_only=True)
class RingNotAnswered(DomainEvent):
    agent: str
    ring_seconds: float


@frozen(kw_only=True)
class CallAnswered(DomainEvent):
    agent: str
    waited_seconds: float
    rings: int
    within_target: bool


@frozen(kw_only=True)
class CallAbandoned(DomainEvent):
    waited_seconds: float
    position: int | None = None


@frozen(kw_only=True)
class CallTimedOut(DomainEvent):
    waited_seconds: float
    reason: ExitReason = ExitReason.TIMEOUT


@frozen(kw_only=True)
class CallSentToVoicemail(DomainEvent):
    waited_seconds: float
    after_hours: bool


@frozen(kw_only=True)
class CallTransferred(DomainEvent):
    to: str
    kind: TransferKind


@frozen(kw_only=True)
class CallCompleted(DomainEvent):
    ended_by: EndedBy
    talk_seconds: float


@frozen(kw_only=True)
class CallLinked(DomainEvent):
    record_kind: RecordKind
    record_id: str


@frozen(kw_only=True)
class OutboundCallPlaced(DomainEvent):
    call_id: str
    agent: str
    phone: str
    purpose: Purpose
    subject: str | None = None


@frozen(kw_only=True)
class OutboundCallNotReached(DomainEvent):
    reason: NotReachedReason


@frozen(kw_only=True)
class FollowUpRecorded(DomainEvent):
    """What a follow-up call (回访) found (domain.md §7).

    Schema 2 says why a call did not reach the customer (``not_reached``): nobody
    answered, or only a child was home and was told ``call_again_at``. Schema 1 logs are
    upcast by ``callcore.adapters.upcasters`` (a ``call_again_at`` meant someone
    answered: a child at home)."""

    schema: ClassVar[int] = 2

    subject: str | None
    """The stream followed up: ``order-…``, ``dispatch-…``, ``complaint-…``."""
    reached: bool
    not_reached: FollowUpNotReached | None = None
    """``None`` when the customer was reached."""
    worker_id: str | None = None
    branch: str | None = None
    on_time: bool | None = None
    attitude: int | None = None
    safety_check_done: bool | None = None
    problems_raised: tuple[str, ...] = ()
    suggestions: tuple[str, ...] = ()
    call_again_at: datetime | None = None


@frozen(kw_only=True)
class FollowUpProblemRelayed(DomainEvent):
    """A problem a follow-up call found was passed to the department that owns it."""

    department: str
    subject: str | None


@frozen(kw_only=True)
class FollowUpResolutionConfirmed(DomainEvent):
    """The customer confirmed the relayed problem was resolved."""

    subject: str | None


# --------------------------------------------------------------------------- state


@frozen
class State:
    status: Status = Status.NONE
    call_id: str = ""
    direction: Direction = Direction.INBOUND
    queue: str | None = None
    caller: str | None = None
    offered_at: datetime | None = None
    leg: int = 1
    leg_offered_at: datetime | None = None
    """When the current leg (queue visit) began; the first leg's is ``offered_at``."""
    after_hours: bool = False
    ringing_agent: str | None = None
    agents_rung: tuple[str, ...] = ()
    ring_attempts: int = 0
    answered_at: datetime | None = None
    agent: str | None = None
    waited_seconds: float | None = field(default=None, validator=seconds)
    rings: int | None = None
    within_target: bool | None = None
    outcome: Status | None = None
    ended_at: datetime | None = None
    talk_seconds: float | None = None
    transfers: tuple[str, ...] = ()
    links: tuple[tuple[RecordKind, str], ...] = ()
    purpose: Purpose | None = None
    subject: str | None = None
    follow_up_recorded: bool = False
    problems_found: bool = False
    problem_relayed_to: str | None = None
    resolution_confirmed: bool = False

    @property
    def exists(self) -> bool:
        return self.status is not Status.NONE

    @property
    def ended(self) -> bool:
        return self.status in ENDED


initial = State()


def evolve(state: State, event: Event | RecordNote) -> State:
    match event:
        case CallOffered():
            return State(
                status=Status.OFFERED,
                call_id=event.call_id,
                queue=event.queue,
                caller=event.caller or event.caller_id_raw,
                offered_at=event.at,
                leg_offered_at=event.at,
                after_hours=event.after_hours,
            )
        case CallEnteredQueue():
            # The call's outcome is its last leg's: what the earlier legs did is in the
            # figures of their own queues.
            return attrs.evolve(
                state,
                status=Status.OFFERED,
                queue=event.queue,
                leg=event.leg,
                leg_offered_at=event.at,
                ringing_agent=None,
                answered_at=None,
                agent=None,
                waited_seconds=None,
                rings=None,
                within_target=None,
                outcome=None,
                ended_at=None,
                talk_seconds=None,
            )
        case OutboundCallPlaced():
            return State(
                status=Status.RINGING,
                call_id=event.call_id,
                direction=Direction.OUTBOUND,
                caller=event.phone,
                offered_at=event.at,
                agent=event.agent,
                purpose=event.purpose,
                subject=event.subject,
            )
        case AgentRang():
            return attrs.evolve(
                state,
                status=Status.RINGING,
                ringing_agent=event.agent,
                agents_rung=(*state.agents_rung, event.agent),
                ring_attempts=state.ring_attempts + 1,
            )
        case RingNotAnswered():
            return attrs.evolve(state, status=Status.OFFERED, ringing_agent=None)
        case CallAnswered():
            return attrs.evolve(
                state,
                status=Status.ANSWERED,
                answered_at=event.at,
                agent=event.agent,
                waited_seconds=event.waited_seconds,
                rings=event.rings,
                within_target=event.within_target,
                ringing_agent=None,
            )
        case CallAbandoned() | CallTimedOut() | CallSentToVoicemail():
            ended = UNANSWERED_ENDINGS[type(event)]
            return attrs.evolve(
                state,
                status=ended,
                outcome=ended,
                ended_at=event.at,
                waited_seconds=event.waited_seconds,
                after_hours=getattr(event, "after_hours", state.after_hours),
            )
        case OutboundCallNotReached():
            return attrs.evolve(
                state, status=Status.NOT_REACHED, outcome=Status.NOT_REACHED, ended_at=event.at
            )
        case CallTransferred():
            return attrs.evolve(state, transfers=(*state.transfers, event.to))
        case CallCompleted():
            return attrs.evolve(
                state,
                status=Status.COMPLETED,
                outcome=state.outcome or Status.ANSWERED,
                ended_at=event.at,
                talk_seconds=event.talk_seconds,
            )
        case FollowUpRecorded():
            return attrs.evolve(
                state, follow_up_recorded=True, problems_found=bool(event.problems_raised)
            )
        case FollowUpProblemRelayed():
            return attrs.evolve(state, problem_relayed_to=event.department)
        case FollowUpResolutionConfirmed():
            return attrs.evolve(state, resolution_confirmed=True)
        case CallLinked():
            return attrs.evolve(state, links=(*state.links, (event.record_kind, event.record_id)))
        case ClockPaused() | ClockResumed() | TimeCorrected():
            return state  # a note on the record, not a change of it
        case _:
            raise unknown_event(KIND, event)


UNANSWERED_ENDINGS: dict[type[Event], Status] = {
    CallAbandoned: Status.ABANDONED,
    CallTimedOut: Status.TIMED_OUT,
    CallSentToVoicemail: Status.VOICEMAIL,
}

Event = (
    CallOffered
    | CallEnteredQueue
    | AgentRang
    | RingNotAnswered
    | CallAnswered
    | CallAbandoned
    | CallTimedOut
    | CallSentToVoicemail
    | CallTransferred
    | CallCompleted
    | CallLinked
    | OutboundCallPlaced
    | OutboundCallNotReached
    | FollowUpRecorded
    | FollowUpProblemRelayed
    | FollowUpResolutionConfirmed
)
"""The call module's events, as stored (their class names are the stored type names)."""
EVENTS = events_in(Event)
FOLD = Fold(kind=KIND, initial=initial, evolve=evolve, events=EVENTS)


# --------------------------------------------------------------------------- commands


def _as_texts(value: Iterable[str]) -> tuple[str, ...]:
    return tuple(text.strip() for text in value if text.strip())


@frozen(kw_only=True)
class OfferCall(Command):
    """A caller enters a queue (the PBX's ENTERQUEUE): the answer clock starts. Offered
    again to another queue, the call enters that queue as a new leg."""

    call_id: str = field(validator=valid_id)
    queue: str = field(validator=non_blank)
    caller_phone: str | None = None
    did: str | None = None


@frozen(kw_only=True)
class RingAgent(Command):
    """The queue rings an agent's phone for this call."""

    call_id: str = field(validator=valid_id)
    agent: str = field(validator=non_blank)


@frozen(kw_only=True)
class RecordRingNoAnswer(Command):
    """The agent rang did not pick up (``ring_seconds`` of ringing); the call waits on
    in the queue."""

    call_id: str = field(validator=valid_id)
    agent: str = field(validator=non_blank)
    ring_seconds: float = field(default=0.0, validator=seconds)


@frozen(kw_only=True)
class AnswerCall(Command):
    """An agent picks the call up; the answer clock stops and the rings it took are
    recorded."""

    call_id: str = field(validator=valid_id)
    agent: str = field(validator=non_blank)
    waited_seconds: float | None = field(
        default=None, validator=seconds, metadata={"added_later": True}
    )
    """The wait as the PBX measured it (Asterisk's CONNECT hold time, from the caller's
    entry into the queue); without it, the wait is measured from the offer's time."""


@frozen(kw_only=True)
class AbandonCall(Command):
    """The caller hung up while waiting (``position`` in the queue, when the PBX
    says)."""

    call_id: str = field(validator=valid_id)
    position: int | None = None
    waited_seconds: float | None = field(default=None, validator=seconds)


@frozen(kw_only=True)
class TimeOutCall(Command):
    """The call left the queue unanswered: the queue's timeout, an empty queue, or the
    caller pressed a key to leave."""

    call_id: str = field(validator=valid_id)
    reason: ExitReason = ExitReason.TIMEOUT
    waited_seconds: float | None = field(default=None, validator=seconds)


@frozen(kw_only=True)
class SendToVoicemail(Command):
    """After hours (or when the queue sends it there) the caller is sent to the
    voicemail box (录音电话)."""

    call_id: str = field(validator=valid_id)


@frozen(kw_only=True)
class TransferCall(Command):
    """An answered call is transferred to another agent, queue, department or branch
    (``to``)."""

    call_id: str = field(validator=valid_id)
    to: str = field(validator=non_blank)
    kind: TransferKind = TransferKind.BLIND


@frozen(kw_only=True)
class CompleteCall(Command):
    """The call ended (``ended_by`` says who hung up)."""

    call_id: str = field(validator=valid_id)
    ended_by: EndedBy = EndedBy.CALLER


@frozen(kw_only=True)
class LinkCall(Command):
    """The call is linked to the ticket, order or complaint opened during it, so each
    record shows the contact that brought it in."""

    call_id: str = field(validator=valid_id)
    record_kind: RecordKind
    record_id: str = field(validator=valid_id)


@frozen(kw_only=True)
class PlaceOutboundCall(Command):
    """An agent calls a customer: a follow-up (回访), a promised callback, a survey, a
    sales lead, a voicemail callback. ``subject`` names the record it is about."""

    call_id: str = field(validator=valid_id)
    agent: str = field(validator=non_blank)
    phone: str = field(validator=non_blank)
    purpose: Purpose
    subject: str | None = None


@frozen(kw_only=True)
class RecordNoAnswer(Command):
    """The outbound call did not reach the customer (no answer, busy, failed)."""

    call_id: str = field(validator=valid_id)
    reason: NotReachedReason = NotReachedReason.NO_ANSWER


@frozen(kw_only=True)
class RecordFollowUp(Command):
    """The agent records what the follow-up call found. ``attitude`` is 1–5."""

    call_id: str = field(validator=valid_id)
    reached: bool
    on_time: bool | None = None
    attitude: int | None = None
    safety_check_done: bool | None = None
    problems_raised: tuple[str, ...] = field(default=(), converter=_as_texts)
    suggestions: tuple[str, ...] = field(default=(), converter=_as_texts)
    call_again_at: datetime | None = field(default=None, validator=aware)
    worker_id: str | None = None
    branch: str | None = None

    @property
    def not_reached(self) -> FollowUpNotReached:
        """Only someone at home can be told when we will call again: a child."""
        if self.call_again_at is not None:
            return FollowUpNotReached.CHILD_AT_HOME
        return FollowUpNotReached.NO_ANSWER

    def __attrs_post_init__(self) -> None:
        if self.attitude is not None and not 1 <= self.attitude <= 5:
            raise ValueError(f"attitude is rated 1 to 5, got {self.attitude}")
        if not self.reached and (self.attitude is not None or self.on_time is not None):
            raise ValueError("a follow-up that did not reach the customer has no answers")


@frozen(kw_only=True)
class RelayFollowUpProblem(Command):
    """The problem a follow-up call found is passed to the department that owns it."""

    call_id: str = field(validator=valid_id)
    department: str = field(validator=non_blank)


@frozen(kw_only=True)
class ConfirmFollowUpResolution(Command):
    """The customer confirms the problem the follow-up call found is resolved."""

    call_id: str = field(validator=valid_id)


# --------------------------------------------------------------------------- decisions


def ring_count(seconds: float, ring_cycle: int) -> int:
    """How many rings a wait lasted: a call picked up during the 3rd ring cycle was
    answered on the 3rd ring (12 s at 5 s a ring is 3 rings; 15 s is still 3)."""
    if seconds <= 0:
        return 1
    return max(1, math.ceil(seconds / ring_cycle))


def answered_within(state: State, target_seconds: float) -> bool:
    return (
        state.waited_seconds is not None
        and state.answered_at is not None
        and (state.waited_seconds <= target_seconds)
    )


def _require_call(state: State, call_id: str) -> None:
    if not state.exists:
        raise NotFound(EXISTS, f"no call {call_id!r}")


def _require_live(state: State, call_id: str, what: str) -> None:
    _require_call(state, call_id)
    require(not state.ended, CALL_ENDED, f"call {call_id} already ended ({state.status}): {what}")


def _waited(state: State, now: datetime) -> float:
    """The current leg's wait so far (a call's first leg starts at its offer)."""
    start = state.leg_offered_at or state.offered_at
    assert start is not None
    return max(0.0, (now - start).total_seconds())


# A caller can be moved to another queue while waiting (failover), after a queue's
# timeout, or after an agent transferred the answered call to a queue; not after hanging
# up or leaving a voicemail.
_CAN_ENTER_ANOTHER_QUEUE = frozenset(
    {Status.OFFERED, Status.RINGING, Status.ANSWERED, Status.TIMED_OUT, Status.COMPLETED}
)


def offer_call(
    state: State,
    command: OfferCall,
    context: DecisionContext,
) -> tuple[Event, ...]:
    if state.exists:
        if state.queue == command.queue:
            return ()  # the PBX said it twice
        start = state.leg_offered_at or state.offered_at
        if start is not None and context.now < start:
            return ()  # an earlier leg told again
        if state.direction is Direction.INBOUND and state.status in _CAN_ENTER_ANOTHER_QUEUE:
            return (
                CallEnteredQueue(
                    at=context.now, actor=context.actor, queue=command.queue, leg=state.leg + 1
                ),
            )
        raise DomainError(ALREADY_EXISTS, f"call {command.call_id} was offered to {state.queue}")
    caller: str | None = None
    raw: str | None = None
    if command.caller_phone:
        try:
            caller = normalise_phone(command.caller_phone, context.directory.phone_region)
        except DomainError:
            raw = command.caller_phone  # anonymous, internal extensions, foreign formats
    return (
        CallOffered(
            at=context.now,
            actor=context.actor,
            call_id=command.call_id,
            queue=command.queue,
            caller=caller,
            caller_id_raw=raw,
            did=command.did,
            after_hours=context.calendar.is_after_hours(context.now),
        ),
    )


def ring_agent(state: State, command: RingAgent, context: Context) -> tuple[Event, ...]:
    _require_live(state, command.call_id, "ringing an agent")
    if state.status is Status.ANSWERED:
        raise DomainError(CALL_ENDED, f"call {command.call_id} is already answered")
    if state.ringing_agent == command.agent:
        return ()
    return (AgentRang(at=context.now, actor=context.actor, agent=command.agent),)


def record_ring_no_answer(
    state: State, command: RecordRingNoAnswer, context: Context
) -> tuple[Event, ...]:
    _require_live(state, command.call_id, "an unanswered ring")
    if state.ringing_agent != command.agent:
        return ()  # not ringing there (any more): a repeat
    return (
        RingNotAnswered(
            at=context.now,
            actor=context.actor,
            agent=command.agent,
            ring_seconds=command.ring_seconds,
        ),
    )


def answer_call(state: State, command: AnswerCall, context: DecisionContext) -> tuple[Event, ...]:
    _require_call(state, command.call_id)
    if state.status is Status.ANSWERED or state.answered_at is not None:
        if state.agent == command.agent:
            return ()
        raise DomainError(
            ANSWER_NEEDS_WAITING_CALL, f"call {command.call_id} was answered by {state.agent}"
        )
    require(not state.ended, CALL_ENDED, f"call {command.call_id} already ended ({state.status})")
    start = state.leg_offered_at or state.offered_at
    assert start is not None
    require(
        context.now >= start,
        NOT_BEFORE_OFFER,
        f"answered at {context.now} before it was offered at {start}",
    )
    waited = _measured_wait(command.waited_seconds, context)
    if waited is None:
        waited = _waited(state, context.now)
    return (
        CallAnswered(
            at=context.now,
            actor=context.actor,
            agent=command.agent,
            waited_seconds=waited,
            rings=ring_count(waited, context.directory.sla.ring_cycle_seconds),
            within_target=waited <= context.directory.sla.answer_seconds,
        ),
    )


def _measured_wait(waited: float | None, context: Context) -> float | None:
    """A wait given with a command is the PBX's measure, trusted from the telephony
    integration (and the centre's own replays) only: anyone else could move a call across
    the answer target by typing a number (issue 19, "no token can make a clock lie")."""
    if waited is not None and context.actor.role not in (Role.INTEGRATION, Role.SYSTEM):
        raise DomainError(
            WAIT_MEASURED_BY_THE_PBX,
            f"{context.actor} gave waited_seconds={waited:g}: only the PBX's integration "
            f"reports a measured wait; leave it out and the call's times give it",
        )
    return waited


def _end_unanswered(
    state: State,
    call_id: str,
    ending: Status,
    what: str,
    build: Callable[[float], Event],
    context: Context,
    waited: float | None = None,
) -> tuple[Event, ...]:
    """A caller leaves the queue unanswered (hangs up, times out, goes to voicemail)."""
    _require_call(state, call_id)
    if state.status is ending:
        return ()  # the PBX said it twice
    _require_live(state, call_id, what)
    if state.status is Status.ANSWERED:
        raise DomainError(
            ANSWER_NEEDS_WAITING_CALL, f"call {call_id} was answered: it cannot be {what}"
        )
    return (build(waited if waited is not None else _waited(state, context.now)),)


def abandon_call(state: State, command: AbandonCall, context: Context) -> tuple[Event, ...]:
    return _end_unanswered(
        state,
        command.call_id,
        Status.ABANDONED,
        "abandoned",
        lambda waited: CallAbandoned(
            at=context.now, actor=context.actor, waited_seconds=waited, position=command.position
        ),
        context,
        _measured_wait(command.waited_seconds, context),
    )


def time_out_call(state: State, command: TimeOutCall, context: Context) -> tuple[Event, ...]:
    return _end_unanswered(
        state,
        command.call_id,
        Status.TIMED_OUT,
        "timed out",
        lambda waited: CallTimedOut(
            at=context.now, actor=context.actor, waited_seconds=waited, reason=command.reason
        ),
        context,
        _measured_wait(command.waited_seconds, context),
    )


def send_to_voicemail(
    state: State, command: SendToVoicemail, context: DecisionContext
) -> tuple[Event, ...]:
    return _end_unanswered(
        state,
        command.call_id,
        Status.VOICEMAIL,
        "sent to voicemail",
        lambda waited: CallSentToVoicemail(
            at=context.now,
            actor=context.actor,
            waited_seconds=waited,
            after_hours=context.calendar.is_after_hours(context.now),
        ),
        context,
    )


def transfer_call(state: State, command: TransferCall, context: Context) -> tuple[Event, ...]:
    _require_live(state, command.call_id, "transferred")
    require(
        state.status is Status.ANSWERED,
        TRANSFER_ANSWERED_CALL,
        f"call {command.call_id} is {state.status}, not answered",
    )
    return (CallTransferred(at=context.now, actor=context.actor, to=command.to, kind=command.kind),)


def complete_call(state: State, command: CompleteCall, context: Context) -> tuple[Event, ...]:
    _require_call(state, command.call_id)
    if state.ended:
        return ()  # a second hang-up, or the end of a call that was never answered
    talk = 0.0
    if state.answered_at is not None:
        talk = max(0.0, (context.now - state.answered_at).total_seconds())
    return (
        CallCompleted(
            at=context.now, actor=context.actor, ended_by=command.ended_by, talk_seconds=talk
        ),
    )


def link_call(state: State, command: LinkCall, context: Context) -> tuple[Event, ...]:
    _require_call(state, command.call_id)
    if (command.record_kind, command.record_id) in state.links:
        return ()
    return (
        CallLinked(
            at=context.now,
            actor=context.actor,
            record_kind=command.record_kind,
            record_id=command.record_id,
        ),
    )


def place_outbound_call(
    state: State, command: PlaceOutboundCall, context: DecisionContext
) -> tuple[Event, ...]:
    if state.exists:
        if state.direction is Direction.OUTBOUND and state.agent == command.agent:
            return ()
        raise DomainError(ALREADY_EXISTS, f"call {command.call_id} exists")
    return (
        OutboundCallPlaced(
            at=context.now,
            actor=context.actor,
            call_id=command.call_id,
            agent=command.agent,
            phone=normalise_phone(command.phone, context.directory.phone_region),
            purpose=command.purpose,
            subject=command.subject,
        ),
    )


def record_no_answer(state: State, command: RecordNoAnswer, context: Context) -> tuple[Event, ...]:
    _require_call(state, command.call_id)
    require(
        state.direction is Direction.OUTBOUND, OUTBOUND_ONLY, f"call {command.call_id} is inbound"
    )
    if state.status is Status.NOT_REACHED:
        return ()
    _require_live(state, command.call_id, "not reached")
    if state.status is Status.ANSWERED:
        raise DomainError(ANSWER_NEEDS_WAITING_CALL, f"call {command.call_id} was answered")
    return (OutboundCallNotReached(at=context.now, actor=context.actor, reason=command.reason),)


def record_follow_up(state: State, command: RecordFollowUp, context: Context) -> tuple[Event, ...]:
    _require_call(state, command.call_id)
    require(
        state.direction is Direction.OUTBOUND,
        FOLLOW_UP_ON_OUTBOUND,
        f"call {command.call_id} is inbound",
    )
    if state.follow_up_recorded:
        return ()
    if command.reached:
        require(
            state.answered_at is not None,
            FOLLOW_UP_ON_OUTBOUND,
            f"call {command.call_id} was not answered: it cannot have reached the customer",
        )
    return (
        FollowUpRecorded(
            at=context.now,
            actor=context.actor,
            subject=state.subject,
            reached=command.reached,
            not_reached=None if command.reached else command.not_reached,
            worker_id=command.worker_id,
            branch=command.branch,
            on_time=command.on_time,
            attitude=command.attitude,
            safety_check_done=command.safety_check_done,
            problems_raised=command.problems_raised,
            suggestions=command.suggestions,
            call_again_at=command.call_again_at,
        ),
    )


def relay_follow_up_problem(
    state: State, command: RelayFollowUpProblem, context: DecisionContext
) -> tuple[Event, ...]:
    _require_call(state, command.call_id)
    require(
        state.problems_found, PROBLEM_FOUND, f"call {command.call_id} found no problem to pass on"
    )
    department = context.directory.department(command.department).code
    if state.problem_relayed_to == department:
        return ()
    return (
        FollowUpProblemRelayed(
            at=context.now, actor=context.actor, department=department, subject=state.subject
        ),
    )


def confirm_follow_up_resolution(
    state: State, command: ConfirmFollowUpResolution, context: Context
) -> tuple[Event, ...]:
    _require_call(state, command.call_id)
    require(
        state.problem_relayed_to is not None,
        RELAYED_FIRST,
        f"the problem of call {command.call_id} was not passed to a department",
    )
    if state.resolution_confirmed:
        return ()
    return (
        FollowUpResolutionConfirmed(at=context.now, actor=context.actor, subject=state.subject),
    )
