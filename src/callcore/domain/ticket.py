"""Ticket (domain.md §4.3): inquiries and cases (问讯解答 / Case 受理).

A ticket is opened for every contact that is not an order or a complaint: an inquiry,
a fault report, a service-visit request, training, reconciliation, a software update, a
consumables request, an emergency (报险), an after-hours voicemail (录音电话), and
outbound work (market surveys, sales-lead follow-up).

Stream: ``ticket-<ticket id>``; ids are ``T-…`` (given by the caller or derived from
the command id, so a retried command names the same ticket).

5W1H: *when* is the time of :class:`TicketOpened`; *who* the caller (and the customer
number of a registered caller); *where* the location given, or the customer's address;
*what* the description. *Why* and *how* are recorded while the case is handled — the
transfers, replies, visits and consumables outcome — and at the end as the cause and
solution of :class:`TicketResolved`.

Lifecycle: open → resolved → closed, and back to open on a reopen. Decisions the spec
leaves open, as a supervisor would expect them:

* a *resolved* ticket takes no new work until it is reopened (:data:`TICKET_RESOLVED`);
  it may still be closed, reopened, replied to, hear back from a department, have the
  repair centre's notification recorded, or end an abusive call;
* a closed ticket refuses everything but a reopen (:data:`TICKET_CLOSED`); closing it
  again records nothing, like closing an account twice;
* an emergency opened with :class:`OpenTicket` is handled as a report (:class:`ReportEmergency`):
  emergency priority and the supervisor escalated, always;
* a voicemail ticket is only opened by :class:`RecordVoicemail`, which knows the
  callback deadline (:data:`VOICEMAIL_THROUGH_RECORDING`);
* complex service visits go to the regional technical staff, i.e. the directory's
  technical-support department; simple ones to the branch of the customer's area.
"""

from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal

import attrs
from attrs import field, frozen

from callcore.domain import customer
from callcore.domain.backdating import RecordNote, TimeCorrected
from callcore.domain.common import (
    ALREADY_EXISTS,
    EXISTS,
    Channel,
    ClockPaused,
    ClockResumed,
    Command,
    Contact,
    Context,
    DomainError,
    Fold,
    NotFound,
    Priority,
    Role,
    Rule,
    Window,
    address_key,
    aware,
    events_in,
    non_blank,
    positive,
    require,
    unknown_event,
    valid_id,
)
from callcore.domain.common import (
    Event as DomainEvent,
)
from callcore.domain.context import DecisionContext
from callcore.domain.directory import DepartmentRole, Directory
from callcore.domain.phone import normalise_phone

KIND = "ticket"


def stream_id(ticket_id: str) -> str:
    return f"{KIND}-{ticket_id}"


# --------------------------------------------------------------------------- rules

TICKET_CLOSED = Rule(
    "ticket-closed", "domain.md §4.3: Close; reopen if the customer calls back on the same problem"
)
TICKET_RESOLVED = Rule(
    "ticket-resolved",
    "domain.md §4.3: Resolve with cause and solution ... reopen if the customer calls back "
    "(new work on a resolved case starts with a reopen)",
)
MERCHANT_DEVICE_ON_RECORD = Rule(
    "merchant-device-on-record",
    "domain.md §4.3: Must capture ... for merchants, the device checked against the record",
)
VOICEMAIL_THROUGH_RECORDING = Rule(
    "voicemail-recorded-as-voicemail",
    "domain.md §4.3: After-hours voicemail: the caller's name and phone are recorded; an agent "
    "must call back before 08:30 the next business morning",
)
REPLY_DUE_IN_THE_FUTURE = Rule(
    "reply-due-in-the-future",
    "domain.md §4.3: recorded with a promised callback: the agent records the customer's "
    "phone and a reply due time",
)
DEPARTMENT_REPLY_AFTER_TRANSFER = Rule(
    "department-reply-after-transfer",
    "domain.md §4.3: transfers the question to the owning department, follows it up and "
    "replies to the customer",
)
REGISTERED_ADDRESS_MUST_MATCH = Rule(
    "registered-address-must-match",
    "domain.md §4.3: Service visit: registered customers are verified by number and address",
)
WALK_IN_FEE_ACCEPTED = Rule(
    "walk-in-fee-accepted",
    "domain.md §4.3: walk-in customers are quoted the base service fee first and must accept it",
)
WALK_IN_VISIT_ADDRESS = Rule(
    "walk-in-visit-needs-address",
    "domain.md §4.2-4.3: a walk-in caller gives name, address and phone; the area gives the branch",
)
WISHED_WINDOW_AHEAD = Rule(
    "wished-window-in-the-future", "domain.md §4.5: Request ... wished window"
)
REPAIR_CENTRE_FOR_EMERGENCIES = Rule(
    "repair-centre-for-emergencies",
    "domain.md §4.3: Emergency (报险): notify the emergency repair centre at once",
)
CONSUMABLES_TICKET = Rule(
    "consumables-on-consumables-ticket",
    "domain.md §4.3: Consumables: a merchant over its quota is refused",
)
SUPERVISOR_GRANTS_QUOTA_EXCEPTION = Rule(
    "supervisor-grants-quota-exception",
    "domain.md §4.3: a merchant over its quota is refused ... unless a supervisor grants an "
    "exception",
)
EXCEPTION_FOR_REFUSED_REQUEST = Rule(
    "exception-for-refused-request",
    "domain.md §4.3: a merchant over its quota is refused ... unless a supervisor grants an "
    "exception (to that refused request)",
)
CLOSE_AFTER_RESOLUTION = Rule(
    "close-after-resolution", "domain.md §4.3: Resolve with cause and solution ... Close"
)
REOPEN_AFTER_RESOLUTION = Rule(
    "reopen-after-resolution",
    "domain.md §4.3: reopen if the customer calls back on the same problem",
)
VOICEMAIL_AFTER_HOURS = Rule(
    "voicemail-after-hours", "domain.md §4.3: After-hours voicemail (22:00–06:00)"
)
VOICEMAIL_TICKET = Rule(
    "voicemail-callback-on-voicemail-ticket",
    "domain.md §4.3: an agent must call back and confirm before 08:30 the next business morning",
)


# --------------------------------------------------------------------------- values


class Category(enum.StrEnum):
    """What a ticket is about (domain.md §4.3); the department owning a category is
    found in the directory."""

    INQUIRY = "inquiry"
    FAULT_REPORT = "fault-report"
    SERVICE_VISIT = "service-visit"
    TRAINING = "training"
    RECONCILIATION = "reconciliation"
    SOFTWARE_UPDATE = "software-update"
    CONSUMABLES = "consumables"
    EMERGENCY = "emergency"
    VOICEMAIL = "voicemail"
    MARKET_SURVEY = "market-survey"
    SALES_LEAD = "sales-lead"


DEVICE_CATEGORIES: frozenset[Category] = frozenset(
    {
        Category.FAULT_REPORT,
        Category.SERVICE_VISIT,
        Category.SOFTWARE_UPDATE,
        Category.CONSUMABLES,
        Category.TRAINING,
    }
)
"""Categories about a merchant's terminal: the device must be on the merchant's record."""


class Status(enum.StrEnum):
    OPEN = "open"
    RESOLVED = "resolved"
    CLOSED = "closed"


class Disposition(enum.StrEnum):
    """How a ticket came to be closed (the daily report counts them)."""

    RESOLVED = "resolved"
    ANSWERED_ON_THE_SPOT = "answered-on-the-spot"
    ABUSIVE_CALL = "abusive-call"


class ConsumablesStatus(enum.StrEnum):
    PROVIDED = "provided"
    REFUSED = "refused"
    EXCEPTION_GRANTED = "exception-granted"


# --------------------------------------------------------------------------- events


@frozen(kw_only=True)
class TicketOpened(DomainEvent):
    """5W1H at intake: ``at`` is when, ``caller``/``customer_number`` who, ``location``
    where (the place given, or the customer's address), ``description`` what."""

    ticket_id: str
    category: Category
    channel: Channel
    priority: Priority
    caller: Contact
    description: str
    customer_number: str | None = None
    location: str | None = None
    area: str | None = None
    branch: str | None = None
    device_id: str | None = None
    call_id: str | None = None


@frozen(kw_only=True)
class AnsweredOnTheSpot(DomainEvent):
    answer: str
    knowledge_article: str | None = None


@frozen(kw_only=True)
class CallbackPromised(DomainEvent):
    """Starts the inquiry clocks: transfer within 30 min, customer reply within 24 h."""

    phone: str
    reply_due: datetime


@frozen(kw_only=True)
class TicketTransferred(DomainEvent):
    department: str
    note: str


@frozen(kw_only=True)
class DepartmentReplied(DomainEvent):
    department: str
    reply: str


@frozen(kw_only=True)
class CustomerReplied(DomainEvent):
    reply: str


@frozen(kw_only=True)
class ServiceVisitRequested(DomainEvent):
    """上门服务: ``handled_by`` is the branch code for a simple job, the technical-support
    department's code for a complex one; ``fee`` is what a walk-in caller accepted
    (None for registered customers). ``dispatch_id`` names the work order."""

    dispatch_id: str
    complex: bool
    fee: Decimal | None
    handled_by: str
    wished: Window
    address: str
    area: str
    customer_number: str | None = None


@frozen(kw_only=True)
class EscalatedToSupervisor(DomainEvent):
    reason: str


@frozen(kw_only=True)
class RepairCentreNotified(DomainEvent):
    """Stops the emergency-notification clock."""

    department: str


@frozen(kw_only=True)
class ConsumablesProvided(DomainEvent):
    customer_number: str
    item: str
    quantity: int


@frozen(kw_only=True)
class ConsumablesRefused(DomainEvent):
    """The merchant is over its quota; ``business_interface`` is the department told."""

    customer_number: str
    item: str
    quantity: int
    reason: str
    business_interface: str


@frozen(kw_only=True)
class QuotaExceptionGranted(DomainEvent):
    customer_number: str
    item: str
    quantity: int
    supervisor: str


@frozen(kw_only=True)
class TicketResolved(DomainEvent):
    """The *why* (cause) and *how* (solution) of 5W1H."""

    cause: str
    solution: str


@frozen(kw_only=True)
class KnowledgeArticleProposed(DomainEvent):
    """A resolution offered to the knowledge base (知识库), for the department that keeps it."""

    category: Category
    question: str
    cause: str
    solution: str
    department: str


@frozen(kw_only=True)
class TicketClosed(DomainEvent):
    disposition: Disposition


@frozen(kw_only=True)
class TicketReopened(DomainEvent):
    reason: str
    reopen_count: int


@frozen(kw_only=True)
class AbusiveCallEnded(DomainEvent):
    note: str


@frozen(kw_only=True)
class VoicemailRecorded(DomainEvent):
    """Starts the voicemail-callback clock, due at ``callback_due`` (08:30 of the next
    business morning, decided with the centre's calendar)."""

    callback_due: datetime


@frozen(kw_only=True)
class VoicemailCallbackMade(DomainEvent):
    """An agent called the voicemail's caller back; ``reached`` stops its clock."""

    reached: bool
    note: str


# --------------------------------------------------------------------------- state


@frozen
class Resolution:
    at: datetime
    cause: str
    solution: str


@frozen
class ConsumablesRequest:
    item: str
    quantity: int
    status: ConsumablesStatus


@frozen
class State:
    exists: bool = False
    ticket_id: str = ""
    status: Status = Status.OPEN
    category: Category = Category.INQUIRY
    channel: Channel = Channel.PHONE
    priority: Priority = Priority.NORMAL
    caller: Contact | None = None
    description: str = ""
    customer_number: str | None = None
    location: str | None = None
    area: str | None = None
    branch: str | None = None
    device_id: str | None = None
    call_id: str | None = None
    opened_at: datetime | None = None
    answered_on_the_spot: bool = False
    callback_phone: str | None = None
    reply_due: datetime | None = None
    transfers: tuple[str, ...] = ()
    """Departments the ticket was transferred to, in order; the last one owns it."""
    department_replies: int = 0
    customer_replies: int = 0
    last_customer_reply_at: datetime | None = None
    visits: tuple[str, ...] = ()
    """Dispatch ids of the service visits requested."""
    escalated: bool = False
    repair_centre_notified_at: datetime | None = None
    consumables: ConsumablesRequest | None = None
    voicemail_due: datetime | None = None
    voicemail_reached: bool = False
    voicemail_attempts: int = 0
    resolution: Resolution | None = None
    abusive: bool = False
    disposition: Disposition | None = None
    closed_at: datetime | None = None
    reopen_count: int = 0

    @property
    def department(self) -> str | None:
        """The department currently owning a transferred ticket."""
        return self.transfers[-1] if self.transfers else None


initial = State()


def evolve(state: State, event: Event | RecordNote) -> State:
    match event:
        case TicketOpened():
            return State(
                exists=True,
                ticket_id=event.ticket_id,
                category=event.category,
                channel=event.channel,
                priority=event.priority,
                caller=event.caller,
                description=event.description,
                customer_number=event.customer_number,
                location=event.location,
                area=event.area,
                branch=event.branch,
                device_id=event.device_id,
                call_id=event.call_id,
                opened_at=event.at,
            )
        case AnsweredOnTheSpot():
            return attrs.evolve(
                state,
                answered_on_the_spot=True,
                resolution=Resolution(event.at, "inquiry", event.answer),
            )
        case CallbackPromised():
            return attrs.evolve(state, callback_phone=event.phone, reply_due=event.reply_due)
        case TicketTransferred():
            return attrs.evolve(state, transfers=(*state.transfers, event.department))
        case DepartmentReplied():
            return attrs.evolve(state, department_replies=state.department_replies + 1)
        case CustomerReplied():
            return attrs.evolve(
                state, customer_replies=state.customer_replies + 1, last_customer_reply_at=event.at
            )
        case ServiceVisitRequested():
            return attrs.evolve(state, visits=(*state.visits, event.dispatch_id))
        case EscalatedToSupervisor():
            return attrs.evolve(state, escalated=True)
        case RepairCentreNotified():
            return attrs.evolve(state, repair_centre_notified_at=event.at)
        case ConsumablesProvided():
            request = ConsumablesRequest(event.item, event.quantity, ConsumablesStatus.PROVIDED)
            return attrs.evolve(state, consumables=request)
        case ConsumablesRefused():
            request = ConsumablesRequest(event.item, event.quantity, ConsumablesStatus.REFUSED)
            return attrs.evolve(state, consumables=request)
        case QuotaExceptionGranted():
            request = ConsumablesRequest(
                event.item, event.quantity, ConsumablesStatus.EXCEPTION_GRANTED
            )
            return attrs.evolve(state, consumables=request)
        case TicketResolved():
            return attrs.evolve(
                state,
                status=Status.RESOLVED,
                resolution=Resolution(event.at, event.cause, event.solution),
            )
        case KnowledgeArticleProposed():
            return state
        case TicketClosed():
            return attrs.evolve(
                state, status=Status.CLOSED, disposition=event.disposition, closed_at=event.at
            )
        case TicketReopened():
            return attrs.evolve(
                state,
                status=Status.OPEN,
                resolution=None,
                disposition=None,
                closed_at=None,
                reopen_count=event.reopen_count,
            )
        case AbusiveCallEnded():
            return attrs.evolve(state, abusive=True)
        case VoicemailRecorded():
            return attrs.evolve(state, voicemail_due=event.callback_due)
        case VoicemailCallbackMade():
            return attrs.evolve(
                state,
                voicemail_attempts=state.voicemail_attempts + 1,
                voicemail_reached=state.voicemail_reached or event.reached,
            )
        case ClockPaused() | ClockResumed() | TimeCorrected():
            return state  # a note on the record, not a change of it
        case _:
            raise unknown_event(KIND, event)


Event = (
    TicketOpened
    | AnsweredOnTheSpot
    | CallbackPromised
    | TicketTransferred
    | DepartmentReplied
    | CustomerReplied
    | ServiceVisitRequested
    | EscalatedToSupervisor
    | RepairCentreNotified
    | ConsumablesProvided
    | ConsumablesRefused
    | QuotaExceptionGranted
    | TicketResolved
    | KnowledgeArticleProposed
    | TicketClosed
    | TicketReopened
    | AbusiveCallEnded
    | VoicemailRecorded
    | VoicemailCallbackMade
)
"""The ticket module's events, as stored (their class names are the stored type names)."""
EVENTS = events_in(Event)
FOLD = Fold(kind=KIND, initial=initial, evolve=evolve, events=EVENTS)


# --------------------------------------------------------------------------- commands

_optional_id = attrs.validators.optional(valid_id)


@frozen(kw_only=True)
class OpenTicket(Command):
    """Open a ticket for a contact. ``customer_number`` for a registered caller (checked
    against the record); ``area`` for a walk-in caller whose area is known (it gives the
    branch); ``device_id`` is a merchant's terminal."""

    ticket_id: str | None = field(default=None, validator=_optional_id)
    category: Category = field(converter=Category)
    channel: Channel = field(default=Channel.PHONE, converter=Channel)
    caller: Contact
    description: str = field(validator=non_blank)
    customer_number: str | None = field(default=None, validator=_optional_id)
    location: str | None = field(default=None, validator=non_blank)
    area: str | None = field(default=None, validator=non_blank)
    device_id: str | None = field(default=None, validator=non_blank)
    call_id: str | None = field(default=None, validator=non_blank)
    priority: Priority = field(default=Priority.NORMAL, converter=Priority)


@frozen(kw_only=True)
class AnswerOnTheSpot(Command):
    """Answered from the knowledge base during the call: the ticket closes."""

    ticket_id: str = field(validator=valid_id)
    answer: str = field(validator=non_blank)
    knowledge_article: str | None = field(default=None, validator=non_blank)


@frozen(kw_only=True)
class PromiseCallback(Command):
    """The question cannot be answered on the call: the agent records the customer's
    phone and promises a reply by ``reply_due``."""

    ticket_id: str = field(validator=valid_id)
    phone: str = field(validator=non_blank)
    reply_due: datetime = field(validator=aware)


@frozen(kw_only=True)
class TransferTicket(Command):
    """Transfer the ticket to the department (or post) that owns the question; the
    centre keeps tracking it until it is closed."""

    ticket_id: str = field(validator=valid_id)
    department: str = field(validator=non_blank)
    note: str = field(validator=non_blank)


@frozen(kw_only=True)
class RecordDepartmentReply(Command):
    """The department the ticket was transferred to replied."""

    ticket_id: str = field(validator=valid_id)
    reply: str = field(validator=non_blank)


@frozen(kw_only=True)
class ReplyToCustomer(Command):
    """The agent gives the customer the reply."""

    ticket_id: str = field(validator=valid_id)
    reply: str = field(validator=non_blank)


@frozen(kw_only=True)
class RequestServiceVisit(Command):
    """上门服务. A registered customer's ``address``, when given, must match the record;
    a walk-in caller gives the address and area (or they were captured on the ticket)
    and must accept the quoted fee."""

    ticket_id: str = field(validator=valid_id)
    complex: bool = False
    wished: Window
    address: str | None = field(default=None, validator=non_blank)
    area: str | None = field(default=None, validator=non_blank)
    fee_accepted: bool = False


@frozen(kw_only=True)
class ReportEmergency(Command):
    """报险: a gas leak or other danger. Opens an emergency ticket and escalates it."""

    ticket_id: str | None = field(default=None, validator=_optional_id)
    reporter: Contact
    location: str = field(validator=non_blank)
    description: str = field(validator=non_blank)
    call_id: str | None = field(default=None, validator=non_blank)
    channel: Channel = field(default=Channel.PHONE, converter=Channel)


@frozen(kw_only=True)
class RecordRepairCentreNotified(Command):
    """The emergency repair centre (维抢修中心) was told of the emergency (within 5 minutes
    by default)."""

    ticket_id: str = field(validator=valid_id)


@frozen(kw_only=True)
class RequestConsumables(Command):
    """A merchant asks for consumables (thermal paper): issued within the quota, refused
    over it and the business interface told."""

    ticket_id: str = field(validator=valid_id)
    item: str = field(validator=non_blank)
    quantity: int = field(validator=positive)


@frozen(kw_only=True)
class GrantQuotaException(Command):
    """A supervisor lets the refused consumables request of this ticket go over quota."""

    ticket_id: str = field(validator=valid_id)


@frozen(kw_only=True)
class ResolveTicket(Command):
    """Resolve the ticket with its cause and solution; ``propose_to_knowledge_base``
    offers the solution to the knowledge base."""

    ticket_id: str = field(validator=valid_id)
    cause: str = field(validator=non_blank)
    solution: str = field(validator=non_blank)
    propose_to_knowledge_base: bool = False


@frozen(kw_only=True)
class CloseTicket(Command):
    """Close a ticket."""

    ticket_id: str = field(validator=valid_id)


@frozen(kw_only=True)
class ReopenTicket(Command):
    """Reopen a resolved or closed ticket: the customer called back on the same
    problem."""

    ticket_id: str = field(validator=valid_id)
    reason: str = field(validator=non_blank)


@frozen(kw_only=True)
class EndAbusiveCall(Command):
    """An abusive caller: the call is ended politely and the disposition recorded."""

    ticket_id: str = field(validator=valid_id)
    note: str = field(validator=non_blank)


@frozen(kw_only=True)
class RecordVoicemail(Command):
    """录音电话: a caller left a message after hours."""

    ticket_id: str | None = field(default=None, validator=_optional_id)
    caller: Contact
    call_id: str | None = field(default=None, validator=non_blank)
    message: str | None = field(default=None, validator=non_blank)


@frozen(kw_only=True)
class ConfirmVoicemailCallback(Command):
    """An agent called the voicemail's caller back (due by 08:30 the next business
    morning): ``reached`` or not."""

    ticket_id: str = field(validator=valid_id)
    reached: bool
    note: str = field(validator=non_blank)


# --------------------------------------------------------------------------- guards


def require_exists(state: State, ticket_id: str) -> None:
    if not state.exists:
        raise NotFound(EXISTS, f"no ticket {ticket_id!r}")


def require_not_closed(state: State, ticket_id: str) -> None:
    require_exists(state, ticket_id)
    require(
        state.status is not Status.CLOSED,
        TICKET_CLOSED,
        f"ticket {ticket_id} is closed; reopen it if the customer calls back on the same problem",
    )


def require_open(state: State, ticket_id: str) -> None:
    """Open for work: not closed, and not resolved (a resolved case is reopened first)."""
    require_not_closed(state, ticket_id)
    require(
        state.status is Status.OPEN,
        TICKET_RESOLVED,
        f"ticket {ticket_id} is resolved ({state.resolution.cause if state.resolution else ''}); "
        "reopen it before new work",
    )


@frozen
class OpeningContext(DecisionContext):
    """Opening a ticket (a call, an emergency, a voicemail) knows its id and the customer
    record named by ``customer_number`` (``None`` when it names none)."""

    ticket_id: str
    registered: customer.State | None = None


@frozen
class VisitContext(DecisionContext):
    """Requesting a service visit knows the id of the work order it opens and the
    ticket's customer record."""

    dispatch_id: str
    registered: customer.State | None = None


def _caller(contact: Contact, directory: Directory) -> Contact:
    return Contact(contact.name.strip(), normalise_phone(contact.phone, directory.phone_region))


# --------------------------------------------------------------------------- decisions


def open_ticket(state: State, command: OpenTicket, context: OpeningContext) -> tuple[Event, ...]:
    """Open a ticket. ``registered`` is the record of ``command.customer_number`` (the
    handler loads it); an emergency is escalated as :func:`report_emergency` does."""
    directory, ticket_id, registered = context.directory, context.ticket_id, context.registered
    require(not state.exists, ALREADY_EXISTS, f"ticket {ticket_id} already exists")
    require(
        command.category is not Category.VOICEMAIL,
        VOICEMAIL_THROUGH_RECORDING,
        "a voicemail ticket is opened by RecordVoicemail, which sets its callback deadline",
    )
    caller = _caller(command.caller, directory)
    location = command.location.strip() if command.location else None
    area = branch = None
    if command.customer_number is not None:
        if registered is None or not registered.exists:
            raise NotFound(EXISTS, f"no customer {command.customer_number!r}")
        area, branch = registered.area, registered.branch
        location = location or registered.address
        if registered.customer_type is customer.CustomerType.MERCHANT:
            _check_merchant_device(command, registered)
    elif command.area is not None:
        area, branch = command.area, directory.branch_for_area(command.area).code
    emergency = command.category is Category.EMERGENCY
    opened = TicketOpened(
        at=context.now,
        actor=context.actor,
        ticket_id=ticket_id,
        category=command.category,
        channel=command.channel,
        priority=Priority.EMERGENCY if emergency else command.priority,
        caller=caller,
        description=command.description.strip(),
        customer_number=command.customer_number,
        location=location,
        area=area,
        branch=branch,
        device_id=command.device_id,
        call_id=command.call_id,
    )
    if emergency:
        return (opened, _escalation(context, location))
    return (opened,)


def _check_merchant_device(command: OpenTicket, merchant: customer.State) -> None:
    if command.device_id is None:
        require(
            command.category not in DEVICE_CATEGORIES,
            MERCHANT_DEVICE_ON_RECORD,
            f"a {command.category.value} ticket of merchant {merchant.customer_number} names "
            "the device concerned",
        )
        return
    require(
        command.device_id in merchant.devices,
        MERCHANT_DEVICE_ON_RECORD,
        f"device {command.device_id!r} is not on merchant {merchant.customer_number}'s record "
        f"(on record: {', '.join(sorted(merchant.devices)) or 'none'})",
    )


def _escalation(context: Context, location: str | None) -> EscalatedToSupervisor:
    return EscalatedToSupervisor(
        at=context.now,
        actor=context.actor,
        reason=f"emergency reported at {location or 'an unknown location'}",
    )


def report_emergency(
    state: State, command: ReportEmergency, context: OpeningContext
) -> tuple[Event, ...]:
    directory, ticket_id = context.directory, context.ticket_id
    require(not state.exists, ALREADY_EXISTS, f"ticket {ticket_id} already exists")
    location = command.location.strip()
    return (
        TicketOpened(
            at=context.now,
            actor=context.actor,
            ticket_id=ticket_id,
            category=Category.EMERGENCY,
            channel=command.channel,
            priority=Priority.EMERGENCY,
            caller=_caller(command.reporter, directory),
            description=command.description.strip(),
            location=location,
            call_id=command.call_id,
        ),
        _escalation(context, location),
    )


def record_repair_centre_notified(
    state: State, command: RecordRepairCentreNotified, context: DecisionContext
) -> tuple[Event, ...]:
    directory = context.directory
    require_not_closed(state, command.ticket_id)
    require(
        state.category is Category.EMERGENCY,
        REPAIR_CENTRE_FOR_EMERGENCIES,
        f"ticket {command.ticket_id} is a {state.category.value} ticket, not an emergency",
    )
    if state.repair_centre_notified_at is not None:
        return ()
    repair = directory.department_with_role(DepartmentRole.EMERGENCY_REPAIR)
    return (RepairCentreNotified(at=context.now, actor=context.actor, department=repair.code),)


def answer_on_the_spot(
    state: State, command: AnswerOnTheSpot, context: Context
) -> tuple[Event, ...]:
    require_open(state, command.ticket_id)
    return (
        AnsweredOnTheSpot(
            at=context.now,
            actor=context.actor,
            answer=command.answer.strip(),
            knowledge_article=command.knowledge_article,
        ),
        TicketClosed(
            at=context.now, actor=context.actor, disposition=Disposition.ANSWERED_ON_THE_SPOT
        ),
    )


def promise_callback(
    state: State, command: PromiseCallback, context: DecisionContext
) -> tuple[Event, ...]:
    require_open(state, command.ticket_id)
    require(
        command.reply_due > context.now,
        REPLY_DUE_IN_THE_FUTURE,
        f"the reply is due at {command.reply_due.isoformat()}, not after now "
        f"({context.now.isoformat()})",
    )
    return (
        CallbackPromised(
            at=context.now,
            actor=context.actor,
            phone=normalise_phone(command.phone, context.directory.phone_region),
            reply_due=command.reply_due,
        ),
    )


def transfer_ticket(
    state: State, command: TransferTicket, context: DecisionContext
) -> tuple[Event, ...]:
    require_open(state, command.ticket_id)
    department = context.directory.department(command.department)
    return (
        TicketTransferred(
            at=context.now,
            actor=context.actor,
            department=department.code,
            note=command.note.strip(),
        ),
    )


def record_department_reply(
    state: State, command: RecordDepartmentReply, context: Context
) -> tuple[Event, ...]:
    require_not_closed(state, command.ticket_id)
    department = state.department
    if department is None:
        raise DomainError(
            DEPARTMENT_REPLY_AFTER_TRANSFER,
            f"ticket {command.ticket_id} was never transferred to a department",
        )
    return (
        DepartmentReplied(
            at=context.now,
            actor=context.actor,
            department=department,
            reply=command.reply.strip(),
        ),
    )


def reply_to_customer(
    state: State, command: ReplyToCustomer, context: Context
) -> tuple[Event, ...]:
    require_not_closed(state, command.ticket_id)
    return (CustomerReplied(at=context.now, actor=context.actor, reply=command.reply.strip()),)


def request_service_visit(
    state: State, command: RequestServiceVisit, context: VisitContext
) -> tuple[Event, ...]:
    """Registered customers are verified by number and address (``registered`` is the
    record of the ticket's customer); walk-in callers accept the quoted fee first."""
    directory, dispatch_id, registered = context.directory, context.dispatch_id, context.registered
    require_open(state, command.ticket_id)
    if dispatch_id in state.visits:
        return ()
    require(
        command.wished.end > context.now,
        WISHED_WINDOW_AHEAD,
        f"the wished window ends at {command.wished.end.isoformat()}, before now",
    )
    fee: Decimal | None = None
    if state.customer_number is not None:
        if registered is None:
            raise NotFound(EXISTS, f"no customer {state.customer_number!r}")
        customer.require_open(registered, state.customer_number)
        if command.address is not None:
            require(
                address_key(command.address) == address_key(registered.address),
                REGISTERED_ADDRESS_MUST_MATCH,
                f"{command.address!r} is not the address on record for "
                f"{registered.customer_number}",
            )
        address, area = registered.address, registered.area
    else:
        given_address = command.address or state.location
        given_area = command.area or state.area
        if given_address is None or given_area is None:
            raise DomainError(
                WALK_IN_VISIT_ADDRESS,
                f"ticket {command.ticket_id} is a walk-in caller's: give the visit's address "
                "and area",
            )
        address, area = given_address.strip(), given_area
        directory.area(area)
        fees = directory.service_fees
        fee = fees.complex_visit if command.complex else fees.base_visit
        require(
            command.fee_accepted,
            WALK_IN_FEE_ACCEPTED,
            f"a walk-in caller accepts the {fee} service fee before a visit is booked",
        )
    if command.complex:
        handled_by = directory.department_with_role(DepartmentRole.TECHNICAL_SUPPORT).code
    else:
        handled_by = directory.branch_for_area(area).code
    return (
        ServiceVisitRequested(
            at=context.now,
            actor=context.actor,
            dispatch_id=dispatch_id,
            complex=command.complex,
            fee=fee,
            handled_by=handled_by,
            wished=command.wished,
            address=address,
            area=area,
            customer_number=state.customer_number,
        ),
    )


MerchantEvent = customer.Event
"""What a consumables decision records on the merchant's account."""


@frozen
class MerchantContext(DecisionContext):
    """A consumables decision also knows the merchant's account the ticket is about
    (``customer.initial`` for a ticket that names none)."""

    merchant: customer.State


@frozen
class ConsumablesDecision:
    """What a consumables request records, on the ticket and on the customer's record."""

    ticket: tuple[Event, ...]
    customer: tuple[MerchantEvent, ...] = ()


def request_consumables(
    state: State,
    command: RequestConsumables,
    context: MerchantContext,
) -> ConsumablesDecision:
    """Issue within the quota; over it, refuse and tell the business interface (the
    refusal is recorded, not raised: the refusal *is* the outcome of the request)."""
    directory, merchant = context.directory, context.merchant
    require_open(state, command.ticket_id)
    require(
        state.category is Category.CONSUMABLES,
        CONSUMABLES_TICKET,
        f"ticket {command.ticket_id} is a {state.category.value} ticket, not a consumables one",
    )
    number = state.customer_number
    if number is None:
        raise DomainError(
            customer.NOT_A_MERCHANT, f"ticket {command.ticket_id} is a walk-in caller's"
        )
    if not merchant.exists:
        raise NotFound(EXISTS, f"no customer {number!r}")
    try:
        issued = customer.issue_consumables(
            merchant,
            customer.ConsumablesIssue(
                item=command.item, quantity=command.quantity, ticket_id=state.ticket_id
            ),
            context,
        )
    except DomainError as error:
        if error.rule != customer.QUOTA_EXCEEDED:
            raise
        interface = directory.department_with_role(DepartmentRole.BUSINESS_INTERFACE)
        refused = ConsumablesRefused(
            at=context.now,
            actor=context.actor,
            customer_number=number,
            item=command.item,
            quantity=command.quantity,
            reason=error.detail,
            business_interface=interface.code,
        )
        return ConsumablesDecision(ticket=(refused,))
    provided = ConsumablesProvided(
        at=context.now,
        actor=context.actor,
        customer_number=number,
        item=command.item,
        quantity=command.quantity,
    )
    return ConsumablesDecision(ticket=(provided,), customer=issued)


def grant_quota_exception(
    state: State,
    command: GrantQuotaException,
    context: MerchantContext,
) -> ConsumablesDecision:
    merchant = context.merchant
    require_open(state, command.ticket_id)
    require(
        context.actor.role is Role.SUPERVISOR,
        SUPERVISOR_GRANTS_QUOTA_EXCEPTION,
        f"{context.actor} is not a supervisor",
    )
    request = state.consumables
    if request is None or request.status is not ConsumablesStatus.REFUSED:
        raise DomainError(
            EXCEPTION_FOR_REFUSED_REQUEST,
            f"ticket {command.ticket_id} has no refused consumables request "
            f"({request.status.value if request else 'none made'})",
        )
    assert state.customer_number is not None  # a refusal names the merchant
    issued = customer.issue_consumables(
        merchant,
        customer.ConsumablesIssue(
            item=request.item,
            quantity=request.quantity,
            ticket_id=state.ticket_id,
            exception_granted_by=context.actor.id,
        ),
        context,
    )
    granted = QuotaExceptionGranted(
        at=context.now,
        actor=context.actor,
        customer_number=state.customer_number,
        item=request.item,
        quantity=request.quantity,
        supervisor=context.actor.id,
    )
    return ConsumablesDecision(ticket=(granted,), customer=issued)


def resolve_ticket(
    state: State, command: ResolveTicket, context: DecisionContext
) -> tuple[Event, ...]:
    require_open(state, command.ticket_id)
    resolved = TicketResolved(
        at=context.now,
        actor=context.actor,
        cause=command.cause.strip(),
        solution=command.solution.strip(),
    )
    if not command.propose_to_knowledge_base:
        return (resolved,)
    keeper = context.directory.department_with_role(DepartmentRole.INFORMATION_CENTRE)
    return (
        resolved,
        KnowledgeArticleProposed(
            at=context.now,
            actor=context.actor,
            category=state.category,
            question=state.description,
            cause=resolved.cause,
            solution=resolved.solution,
            department=keeper.code,
        ),
    )


def close_ticket(state: State, command: CloseTicket, context: Context) -> tuple[Event, ...]:
    require_exists(state, command.ticket_id)
    if state.status is Status.CLOSED:
        return ()
    require(
        state.status is Status.RESOLVED,
        CLOSE_AFTER_RESOLUTION,
        f"ticket {command.ticket_id} has no resolution yet: resolve it with cause and solution",
    )
    return (TicketClosed(at=context.now, actor=context.actor, disposition=Disposition.RESOLVED),)


def reopen_ticket(state: State, command: ReopenTicket, context: Context) -> tuple[Event, ...]:
    require_exists(state, command.ticket_id)
    require(
        state.status is not Status.OPEN,
        REOPEN_AFTER_RESOLUTION,
        f"ticket {command.ticket_id} is still open",
    )
    return (
        TicketReopened(
            at=context.now,
            actor=context.actor,
            reason=command.reason.strip(),
            reopen_count=state.reopen_count + 1,
        ),
    )


def end_abusive_call(state: State, command: EndAbusiveCall, context: Context) -> tuple[Event, ...]:
    require_not_closed(state, command.ticket_id)
    return (
        AbusiveCallEnded(at=context.now, actor=context.actor, note=command.note.strip()),
        TicketClosed(at=context.now, actor=context.actor, disposition=Disposition.ABUSIVE_CALL),
    )


def record_voicemail(
    state: State, command: RecordVoicemail, context: OpeningContext
) -> tuple[Event, ...]:
    directory, calendar, ticket_id = context.directory, context.calendar, context.ticket_id
    require(not state.exists, ALREADY_EXISTS, f"ticket {ticket_id} already exists")
    require(
        calendar.is_after_hours(context.now),
        VOICEMAIL_AFTER_HOURS,
        f"{calendar.local(context.now).isoformat()} is within opening hours "
        f"({calendar.settings.opens}–{calendar.settings.closes}): the phone is answered",
    )
    return (
        TicketOpened(
            at=context.now,
            actor=context.actor,
            ticket_id=ticket_id,
            category=Category.VOICEMAIL,
            channel=Channel.VOICEMAIL,
            priority=Priority.NORMAL,
            caller=_caller(command.caller, directory),
            description=command.message.strip() if command.message else "voicemail after hours",
            call_id=command.call_id,
        ),
        VoicemailRecorded(
            at=context.now,
            actor=context.actor,
            callback_due=calendar.next_business_morning(context.now),
        ),
    )


def confirm_voicemail_callback(
    state: State, command: ConfirmVoicemailCallback, context: Context
) -> tuple[Event, ...]:
    require_open(state, command.ticket_id)
    require(
        state.category is Category.VOICEMAIL,
        VOICEMAIL_TICKET,
        f"ticket {command.ticket_id} is a {state.category.value} ticket, not a voicemail",
    )
    made = VoicemailCallbackMade(
        at=context.now, actor=context.actor, reached=command.reached, note=command.note.strip()
    )
    if not command.reached:
        return (made,)
    return (
        made,
        TicketResolved(
            at=context.now,
            actor=context.actor,
            cause="after-hours voicemail",
            solution=made.note,
        ),
    )
