"""Dispatch (派工 / work orders, domain.md §4.5), and a field worker's day.

Kinds: ``delivery`` (from an Order), ``account-visit``, ``install``, ``repair``,
``inspection``, ``training``. A dispatch is requested, its appointment confirmed with the
customer, a field worker assigned by the policy of ``callcore.domain.assignment``, and the
worker's feedback (en route, arrived, done, cannot complete) moves it along.

A worker's capacity is an invariant of their day, so each day is a small stream of its
own, ``schedule-<worker id>-<YYYY-MM-DD>``: assigning a dispatch books it there in the same
atomic append. Two agents assigning the last free slot at once cannot both win.

Stream: ``dispatch-<dispatch id>``.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from datetime import date, datetime

import attrs
from attrs import field, frozen

from callcore.domain import assignment
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
    Rule,
    Window,
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
from callcore.domain.directory import DepartmentRole, Directory, FieldWorker, Skill
from callcore.domain.phone import normalise_phone

KIND = "dispatch"
SCHEDULE_KIND = "schedule"

WORKER_HAS_SKILL = Rule(
    "field-worker-has-the-skill", "domain.md §4.5: the worker must have the skill"
)
WORKER_SERVES_ZONE = Rule("field-worker-serves-the-zone", "domain.md §4.5: ... and serve the zone")
WITHIN_CAPACITY = Rule(
    "no-assignment-past-capacity",
    "domain.md §4.5: a worker at capacity is never given more (seed rule)",
)
FINISHED = Rule("dispatch-finished", "domain.md §4.5: completed or cancelled work is final")
FEEDBACK_NEEDS_ASSIGNMENT = Rule(
    "feedback-after-assignment", "domain.md §4.5: a work order goes to an assigned worker"
)
INSTALLS_DAY_BEFORE = Rule(
    "installs-planned-the-day-before", "domain.md §4.5: new installs are assigned the day before"
)
RESUME_AFTER_FAILURE = Rule(
    "resume-after-cannot-complete", "domain.md §4.5: cannot complete → escalate, then continue"
)
WINDOW_IN_FUTURE = Rule("appointment-in-the-future", "domain.md §4.5: agree a time to come")


def stream_id(dispatch_id: str) -> str:
    return f"{KIND}-{dispatch_id}"


def schedule_stream(worker_id: str, day: date) -> str:
    return f"{SCHEDULE_KIND}-{worker_id}-{day.isoformat()}"


class DispatchKind(enum.StrEnum):
    """What a work order is for; it decides the skill the field worker needs."""

    DELIVERY = "delivery"
    ACCOUNT_VISIT = "account-visit"
    INSTALL = "install"
    REPAIR = "repair"
    INSPECTION = "inspection"
    TRAINING = "training"


class Status(enum.StrEnum):
    NONE = "none"
    REQUESTED = "requested"
    CONFIRMED = "confirmed"
    ASSIGNED = "assigned"
    EN_ROUTE = "en-route"
    ON_SITE = "on-site"
    CANNOT_COMPLETE = "cannot-complete"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    ESCALATED = "escalated"


PROGRESS = {Status.ASSIGNED: 0, Status.EN_ROUTE: 1, Status.ON_SITE: 2}


class Feedback(enum.StrEnum):
    """What a field worker reports from the job."""

    EN_ROUTE = "en-route"
    ARRIVED = "arrived"
    DONE = "done"
    CANNOT_COMPLETE = "cannot-complete"


class RequestedBy(enum.StrEnum):
    """Who asked to move a work order."""

    CUSTOMER = "customer"
    BRANCH = "branch"
    CENTRE = "centre"
    FIELD_WORKER = "field-worker"


def required_skill(kind: DispatchKind, complex_job: bool) -> Skill:
    if kind is DispatchKind.REPAIR:
        return Skill.REPAIR_COMPLEX if complex_job else Skill.REPAIR_SIMPLE
    return {
        DispatchKind.DELIVERY: Skill.DELIVERY,
        DispatchKind.ACCOUNT_VISIT: Skill.INSPECTION,
        DispatchKind.INSTALL: Skill.INSTALL,
        DispatchKind.INSPECTION: Skill.INSPECTION,
        DispatchKind.TRAINING: Skill.TRAINING,
    }[kind]


@frozen
class WorkOrder:
    """The instruction a field worker receives (派工单): who, where, what, when, contact."""

    dispatch_id: str
    kind: DispatchKind
    window: Window
    site_address: str
    area: str
    contact: Contact
    job: str
    customer_number: str | None = None
    device_id: str | None = None
    priority: Priority = Priority.NORMAL


# --------------------------------------------------------------------------- events


@frozen(kw_only=True)
class DispatchRequested(DomainEvent):
    dispatch_id: str
    kind: DispatchKind
    site_address: str
    area: str
    branch: str
    handled_by: str
    """The branch code; for complex jobs the technical-support department (the regional
    technical staff of the manuals)."""
    required_skill: Skill
    contact: Contact
    wished: Window
    priority: Priority
    customer_level: str
    job: str
    complex: bool = False
    customer_number: str | None = None
    device_id: str | None = None
    order_id: str | None = None
    ticket_id: str | None = None


@frozen(kw_only=True)
class AppointmentConfirmed(DomainEvent):
    window: Window
    contact: Contact
    problem_restated: str


@frozen(kw_only=True)
class FieldWorkerAssigned(DomainEvent):
    worker_id: str
    worker_phone: str
    day: date
    work_order: WorkOrder


@frozen(kw_only=True)
class FieldWorkerUnassigned(DomainEvent):
    worker_id: str
    reason: str


@frozen(kw_only=True)
class DispatchEscalated(DomainEvent):
    to: str
    """``supervisor``, or a department role (technical-support, business-interface)."""
    reason: str


@frozen(kw_only=True)
class FieldFeedbackReceived(DomainEvent):
    feedback: Feedback
    via: Channel
    note: str | None = None


@frozen(kw_only=True)
class WorkerSetOff(DomainEvent):
    worker_id: str


@frozen(kw_only=True)
class WorkerArrived(DomainEvent):
    worker_id: str


@frozen(kw_only=True)
class WorkCouldNotBeCompleted(DomainEvent):
    reason: str


@frozen(kw_only=True)
class DispatchResumed(DomainEvent):
    note: str


@frozen(kw_only=True)
class DispatchRescheduled(DomainEvent):
    window: Window
    reason: str
    requested_by: RequestedBy


@frozen(kw_only=True)
class DispatchCompleted(DomainEvent):
    outcome: str


@frozen(kw_only=True)
class DispatchCancelled(DomainEvent):
    reason: str


@frozen(kw_only=True)
class WorkOrderBooked(DomainEvent):
    dispatch_id: str


@frozen(kw_only=True)
class WorkOrderReleased(DomainEvent):
    dispatch_id: str


# --------------------------------------------------------------------------- state


@frozen
class State:
    status: Status = Status.NONE
    dispatch_id: str = ""
    kind: DispatchKind = DispatchKind.DELIVERY
    priority: Priority = Priority.NORMAL
    customer_level: str = "standard"
    area: str = ""
    branch: str = ""
    handled_by: str = ""
    required_skill: Skill = Skill.DELIVERY
    site_address: str = ""
    contact: Contact | None = None
    job: str = ""
    complex: bool = False
    customer_number: str | None = None
    device_id: str | None = None
    order_id: str | None = None
    ticket_id: str | None = None
    wished: Window | None = None
    confirmed: Window | None = None
    worker_id: str | None = None
    day: date | None = None
    requested_at: datetime | None = None
    arrived_at: datetime | None = None
    completed_at: datetime | None = None
    escalations: tuple[str, ...] = ()
    reschedules: int = 0
    outcome: str | None = None

    @property
    def exists(self) -> bool:
        return self.status is not Status.NONE

    @property
    def finished(self) -> bool:
        return self.status in (Status.COMPLETED, Status.CANCELLED)

    @property
    def appointment(self) -> Window | None:
        return self.confirmed or self.wished

    def work_order(self) -> WorkOrder:
        assert self.contact is not None
        assert self.appointment is not None
        return WorkOrder(
            dispatch_id=self.dispatch_id,
            kind=self.kind,
            window=self.appointment,
            site_address=self.site_address,
            area=self.area,
            contact=self.contact,
            job=self.job,
            customer_number=self.customer_number,
            device_id=self.device_id,
            priority=self.priority,
        )


initial = State()


def evolve(state: State, event: Event | RecordNote) -> State:
    match event:
        case DispatchRequested():
            return State(
                status=Status.REQUESTED,
                dispatch_id=event.dispatch_id,
                kind=event.kind,
                priority=event.priority,
                customer_level=event.customer_level,
                area=event.area,
                branch=event.branch,
                handled_by=event.handled_by,
                required_skill=event.required_skill,
                site_address=event.site_address,
                contact=event.contact,
                job=event.job,
                complex=event.complex,
                customer_number=event.customer_number,
                device_id=event.device_id,
                order_id=event.order_id,
                ticket_id=event.ticket_id,
                wished=event.wished,
                requested_at=event.at,
            )
        case AppointmentConfirmed():
            status: Status = Status.CONFIRMED if state.status is Status.REQUESTED else state.status
            return attrs.evolve(state, confirmed=event.window, contact=event.contact, status=status)
        case FieldWorkerAssigned():
            return attrs.evolve(
                state, status=Status.ASSIGNED, worker_id=event.worker_id, day=event.day
            )
        case FieldWorkerUnassigned():
            return attrs.evolve(state, status=Status.REQUESTED, worker_id=None, day=None)
        case DispatchEscalated():
            status = Status.ESCALATED if state.worker_id is None else state.status
            return attrs.evolve(state, status=status, escalations=(*state.escalations, event.to))
        case WorkerSetOff():
            return attrs.evolve(state, status=Status.EN_ROUTE)
        case WorkerArrived():
            return attrs.evolve(
                state, status=Status.ON_SITE, arrived_at=state.arrived_at or event.at
            )
        case WorkCouldNotBeCompleted():
            return attrs.evolve(state, status=Status.CANNOT_COMPLETE)
        case DispatchResumed():
            return attrs.evolve(state, status=Status.ASSIGNED)
        case DispatchRescheduled():
            return attrs.evolve(state, confirmed=event.window, reschedules=state.reschedules + 1)
        case DispatchCompleted():
            return attrs.evolve(
                state, status=Status.COMPLETED, completed_at=event.at, outcome=event.outcome
            )
        case DispatchCancelled():
            return attrs.evolve(state, status=Status.CANCELLED)
        case FieldFeedbackReceived():
            return state  # what the worker reported moves the job by the events it causes
        case ClockPaused() | ClockResumed() | TimeCorrected():
            return state  # a note on the record, not a change of it
        case _:
            raise unknown_event(KIND, event)


@frozen
class ScheduleState:
    booked: frozenset[str] = frozenset()

    @property
    def load(self) -> int:
        return len(self.booked)


def evolve_schedule(state: ScheduleState, event: ScheduleEvent) -> ScheduleState:
    match event:
        case WorkOrderBooked():
            return ScheduleState(state.booked | {event.dispatch_id})
        case WorkOrderReleased():
            return ScheduleState(state.booked - {event.dispatch_id})
        case _:
            raise unknown_event(SCHEDULE_KIND, event)


Event = (
    DispatchRequested
    | AppointmentConfirmed
    | FieldWorkerAssigned
    | FieldWorkerUnassigned
    | DispatchEscalated
    | FieldFeedbackReceived
    | WorkerSetOff
    | WorkerArrived
    | WorkCouldNotBeCompleted
    | DispatchResumed
    | DispatchRescheduled
    | DispatchCompleted
    | DispatchCancelled
)
"""A dispatch's events, as stored (their class names are the stored type names)."""
ScheduleEvent = WorkOrderBooked | WorkOrderReleased
"""A field worker's day: the work orders booked on it."""
EVENTS = events_in(Event)
SCHEDULE_EVENTS = events_in(ScheduleEvent)
FOLD = Fold(kind=KIND, initial=initial, evolve=evolve, events=EVENTS)
SCHEDULE_FOLD = Fold(
    kind=SCHEDULE_KIND, initial=ScheduleState(), evolve=evolve_schedule, events=SCHEDULE_EVENTS
)
SUPPORTING_FOLDS = (SCHEDULE_FOLD,)


# --------------------------------------------------------------------------- commands


def _as_ids(value: Iterable[str]) -> tuple[str, ...]:
    return tuple(value)


@frozen(kw_only=True)
class RequestDispatch(Command):
    """Request a work order (派工单): the site and its area, the contact, the wished
    window, the job, its priority and the customer's level; an account visit, install,
    repair, inspection or training."""

    dispatch_id: str | None = field(default=None, validator=attrs.validators.optional(valid_id))
    kind: DispatchKind
    site_address: str = field(validator=non_blank)
    area: str = field(validator=non_blank)
    contact: Contact
    wished: Window
    job: str = field(validator=non_blank)
    priority: Priority = Priority.NORMAL
    customer_level: str = "standard"
    complex: bool = False
    customer_number: str | None = None
    device_id: str | None = None
    order_id: str | None = None
    ticket_id: str | None = None


@frozen(kw_only=True)
class ConfirmAppointment(Command):
    """The appointment is confirmed with the customer: the problem repeated back, the
    window and the contact agreed."""

    dispatch_id: str = field(validator=valid_id)
    window: Window
    contact: Contact
    problem_restated: str = field(validator=non_blank)


@frozen(kw_only=True)
class AssignDispatch(Command):
    """Assign a field worker: the named one (checked), or the policy's choice."""

    dispatch_id: str = field(validator=valid_id)
    worker_id: str | None = None


@frozen(kw_only=True)
class PlanInstalls(Command):
    """Assign the installs of ``day`` by zone; done the day before."""

    day: date
    dispatch_ids: tuple[str, ...] = field(converter=_as_ids)


@frozen(kw_only=True)
class RecordFieldFeedback(Command):
    """The field worker reports from the job (by SMS or the app): en route, arrived,
    done, or cannot complete (escalated to technical support or the business
    interface)."""

    dispatch_id: str = field(validator=valid_id)
    feedback: Feedback
    via: Channel = Channel.SMS
    note: str | None = None
    outcome: str | None = None


@frozen(kw_only=True)
class ResumeDispatch(Command):
    """Work that could not be completed continues, once what was missing is sorted
    out."""

    dispatch_id: str = field(validator=valid_id)
    note: str = field(validator=non_blank)


@frozen(kw_only=True)
class RescheduleDispatch(Command):
    """Move a work order to a new window, with the reason and who asked; the worker's
    day is re-booked."""

    dispatch_id: str = field(validator=valid_id)
    window: Window
    reason: str = field(validator=non_blank)
    requested_by: RequestedBy = RequestedBy.CUSTOMER


@frozen(kw_only=True)
class CancelDispatch(Command):
    """Cancel a work order that is not finished, with the reason; the worker's slot is
    freed."""

    dispatch_id: str = field(validator=valid_id)
    reason: str = field(validator=non_blank)


@frozen(kw_only=True)
class CompleteDispatch(Command):
    """The work order is done, with its ``outcome``; a delivery's order is delivered
    with it."""

    dispatch_id: str = field(validator=valid_id)
    outcome: str = field(validator=non_blank)


# --------------------------------------------------------------------------- decisions


def _require_dispatch(state: State, dispatch_id: str) -> None:
    if not state.exists:
        raise NotFound(EXISTS, f"no dispatch {dispatch_id!r}")


def _require_open(state: State, dispatch_id: str) -> None:
    _require_dispatch(state, dispatch_id)
    require(not state.finished, FINISHED, f"dispatch {dispatch_id} is {state.status}")


@frozen
class RequestingContext(DecisionContext):
    """Requesting a dispatch knows the work order's id (the one given, or one derived
    from the command id)."""

    dispatch_id: str


def request_dispatch(
    state: State, command: RequestDispatch, context: RequestingContext
) -> tuple[Event, ...]:
    directory, dispatch_id = context.directory, context.dispatch_id
    require(not state.exists, ALREADY_EXISTS, f"dispatch {dispatch_id} already exists")
    branch = directory.branch_for_area(command.area)
    contact = Contact(
        command.contact.name.strip(), normalise_phone(command.contact.phone, directory.phone_region)
    )
    return (
        DispatchRequested(
            at=context.now,
            actor=context.actor,
            dispatch_id=dispatch_id,
            kind=command.kind,
            site_address=command.site_address.strip(),
            area=command.area,
            branch=branch.code,
            handled_by=(
                directory.department_with_role(DepartmentRole.TECHNICAL_SUPPORT).code
                if command.complex
                else branch.code
            ),
            required_skill=required_skill(command.kind, command.complex),
            contact=contact,
            wished=command.wished,
            priority=command.priority,
            customer_level=command.customer_level,
            job=command.job,
            complex=command.complex,
            customer_number=command.customer_number,
            device_id=command.device_id,
            order_id=command.order_id,
            ticket_id=command.ticket_id,
        ),
    )


def confirm_appointment(
    state: State, command: ConfirmAppointment, context: DecisionContext
) -> tuple[Event, ...]:
    directory = context.directory
    _require_open(state, command.dispatch_id)
    require(command.window.end > context.now, WINDOW_IN_FUTURE, f"{command.window.end} has passed")
    contact = Contact(
        command.contact.name.strip(), normalise_phone(command.contact.phone, directory.phone_region)
    )
    if state.confirmed == command.window and state.contact == contact:
        return ()
    return (
        AppointmentConfirmed(
            at=context.now,
            actor=context.actor,
            window=command.window,
            contact=contact,
            problem_restated=command.problem_restated,
        ),
    )


def day_of(state: State, directory: Directory) -> date:
    """The centre-local day of the appointment: the day whose capacity it uses."""
    window = state.appointment
    assert window is not None
    return directory.local(window.start).date()


def check_worker(state: State, worker: FieldWorker, load: int) -> None:
    require(
        state.required_skill in worker.skills,
        WORKER_HAS_SKILL,
        f"{worker.id} lacks {state.required_skill.value}",
    )
    require(
        state.area in worker.zones, WORKER_SERVES_ZONE, f"{worker.id} does not serve {state.area}"
    )
    require(
        load < worker.daily_capacity,
        WITHIN_CAPACITY,
        f"{worker.id} already has {load} of {worker.daily_capacity} work orders that day",
    )


@frozen
class AssignmentContext(DecisionContext):
    """Assigning knows the load of each candidate worker on the appointment's day (their
    booked work orders, from their day streams, this one excluded)."""

    loads: Mapping[str, int]


def assign_dispatch(
    state: State, command: AssignDispatch, context: AssignmentContext
) -> tuple[tuple[Event, ...], str | None]:
    """Decide an assignment. Returns the dispatch's events and the worker to book (or
    ``None``). ``loads`` are the booked work orders of the appointment's day per worker,
    not counting this dispatch."""
    directory, loads, worker_id = context.directory, context.loads, command.worker_id
    _require_open(state, state.dispatch_id)
    if worker_id is not None and worker_id == state.worker_id:
        return (), None
    if worker_id is None and state.worker_id is not None:
        return (), None  # already assigned; name a worker to reassign
    if worker_id is not None:
        worker = directory.field_worker(worker_id)
        check_worker(state, worker, loads.get(worker_id, 0))
        chosen: FieldWorker | None = worker
    else:
        chosen = assignment.choose_worker(directory, state.required_skill, state.area, loads)
    events: list[Event] = []
    if state.worker_id is not None:
        events.append(
            FieldWorkerUnassigned(
                at=context.now, actor=context.actor, worker_id=state.worker_id, reason="reassigned"
            )
        )
    if chosen is None:
        if "supervisor" in state.escalations and state.status is Status.ESCALATED:
            return (), None
        events.append(
            DispatchEscalated(
                at=context.now,
                actor=context.actor,
                to="supervisor",
                reason=f"no field worker with {state.required_skill.value} in {state.area} has "
                "capacity that day",
            )
        )
        return tuple(events), None
    events.append(
        FieldWorkerAssigned(
            at=context.now,
            actor=context.actor,
            worker_id=chosen.id,
            worker_phone=chosen.phone,
            day=day_of(state, directory),
            work_order=state.work_order(),
        )
    )
    return tuple(events), chosen.id


def book(
    schedule: ScheduleState, dispatch_id: str, worker: FieldWorker, context: Context
) -> tuple[ScheduleEvent, ...]:
    if dispatch_id in schedule.booked:
        return ()
    require(
        schedule.load < worker.daily_capacity,
        WITHIN_CAPACITY,
        f"{worker.id} already has {schedule.load} of {worker.daily_capacity} that day",
    )
    return (WorkOrderBooked(at=context.now, actor=context.actor, dispatch_id=dispatch_id),)


def release(
    schedule: ScheduleState, dispatch_id: str, context: Context
) -> tuple[ScheduleEvent, ...]:
    if dispatch_id not in schedule.booked:
        return ()
    return (WorkOrderReleased(at=context.now, actor=context.actor, dispatch_id=dispatch_id),)


def check_installs_day(day: date, context: Context, directory: Directory) -> None:
    today = directory.local(context.now).date()
    require(
        (day - today).days == 1,
        INSTALLS_DAY_BEFORE,
        f"installs for {day} are planned on the day before, not on {today}",
    )


def record_field_feedback(
    state: State, command: RecordFieldFeedback, context: DecisionContext
) -> tuple[Event, ...]:
    _require_open(state, command.dispatch_id)
    require(
        state.worker_id is not None,
        FEEDBACK_NEEDS_ASSIGNMENT,
        f"dispatch {command.dispatch_id} has no worker assigned",
    )
    assert state.worker_id is not None
    # Which worker may report it is the service layer's object-level policy
    # (callcore.service_layer.authority): one place for every field-work command.
    ack = FieldFeedbackReceived(
        at=context.now,
        actor=context.actor,
        feedback=command.feedback,
        via=command.via,
        note=command.note,
    )
    progress = PROGRESS.get(state.status)
    match command.feedback:
        case Feedback.EN_ROUTE:
            # late or repeated feedback is acknowledged but never moves the work back
            if progress is None or progress >= PROGRESS[Status.EN_ROUTE]:
                return (ack,)
            return (
                ack,
                WorkerSetOff(at=context.now, actor=context.actor, worker_id=state.worker_id),
            )
        case Feedback.ARRIVED:
            if progress is None or progress >= PROGRESS[Status.ON_SITE]:
                return (ack,)
            return (
                ack,
                WorkerArrived(at=context.now, actor=context.actor, worker_id=state.worker_id),
            )
        case Feedback.DONE:
            return (
                ack,
                DispatchCompleted(
                    at=context.now,
                    actor=context.actor,
                    outcome=command.outcome or command.note or "done",
                ),
            )
        case Feedback.CANNOT_COMPLETE:
            if state.status is Status.CANNOT_COMPLETE:
                return (ack,)
            to = (
                DepartmentRole.BUSINESS_INTERFACE
                if state.kind in (DispatchKind.DELIVERY, DispatchKind.ACCOUNT_VISIT)
                else DepartmentRole.TECHNICAL_SUPPORT
            )
            reason = command.note or "the worker cannot complete the job"
            return (
                ack,
                WorkCouldNotBeCompleted(at=context.now, actor=context.actor, reason=reason),
                DispatchEscalated(at=context.now, actor=context.actor, to=to.value, reason=reason),
            )
    raise DomainError(FEEDBACK_NEEDS_ASSIGNMENT, f"unknown feedback {command.feedback!r}")


def resume_dispatch(state: State, command: ResumeDispatch, context: Context) -> tuple[Event, ...]:
    _require_open(state, command.dispatch_id)
    require(
        state.status is Status.CANNOT_COMPLETE,
        RESUME_AFTER_FAILURE,
        f"dispatch {command.dispatch_id} is {state.status}",
    )
    return (DispatchResumed(at=context.now, actor=context.actor, note=command.note),)


def reschedule_dispatch(
    state: State, command: RescheduleDispatch, context: DecisionContext
) -> tuple[tuple[Event, ...], bool]:
    """Returns the events and whether the worker's booking must be released (the day
    changed while assigned)."""
    directory = context.directory
    _require_open(state, command.dispatch_id)
    require(command.window.end > context.now, WINDOW_IN_FUTURE, f"{command.window.end} has passed")
    if state.confirmed == command.window:
        return (), False
    events: list[Event] = [
        DispatchRescheduled(
            at=context.now,
            actor=context.actor,
            window=command.window,
            reason=command.reason,
            requested_by=command.requested_by,
        )
    ]
    moved = (
        state.worker_id is not None
        and state.day is not None
        and directory.local(command.window.start).date() != state.day
    )
    if moved:
        assert state.worker_id is not None
        events.append(
            FieldWorkerUnassigned(
                at=context.now,
                actor=context.actor,
                worker_id=state.worker_id,
                reason="rescheduled to another day",
            )
        )
    return tuple(events), moved


def cancel_dispatch(state: State, command: CancelDispatch, context: Context) -> tuple[Event, ...]:
    _require_dispatch(state, command.dispatch_id)
    if state.status is Status.CANCELLED:
        return ()
    _require_open(state, command.dispatch_id)
    return (DispatchCancelled(at=context.now, actor=context.actor, reason=command.reason),)


def complete_dispatch(
    state: State, command: CompleteDispatch, context: Context
) -> tuple[Event, ...]:
    _require_dispatch(state, command.dispatch_id)
    if state.status is Status.COMPLETED:
        return ()
    _require_open(state, command.dispatch_id)
    return (DispatchCompleted(at=context.now, actor=context.actor, outcome=command.outcome),)
