"""Order (电话受订, domain.md §4.2): a phone order for delivery.

The agent asks first whether the caller is registered and quotes the matching price
(:func:`quote`: 开户价格 or 非开户价格, from the price list in force on the centre-local
day). A registered caller's name and customer number are checked against the customer
record, and the order is delivered to the address on that record; a walk-in caller gives
name, phone, address and area, the area gives the branch, and the caller is told the
branch's address and phone. The amount payable is computed with Decimal and the order
keeps the prices it was quoted for ever.

Lifecycle (``State.status``)::

    placed ⇄ assigned → delivered → closed        (the empty collected before closing)
       └────────┴──→ cancelled                    (only before delivery)

``assigned`` goes back to ``placed`` only when the delivery moves to a day the worker
was not booked for (:func:`unassign_worker`, driven by the delivery work order).

The decisions are plain functions of the state and values (:func:`assign_worker`,
:func:`reschedule_delivery`, :func:`record_delivery`…), so the delivery Dispatch that
serves an order can drive them from its own events; the command-taking handlers are thin
wrappers.

Where domain.md is silent, these choices were made (a supervisor's reading):

* A registered order goes to the address, phone and area on the customer record. A
  command that gives other details is refused (``registered-details-from-the-record``):
  the customer moved, so change the record first. A walk-in command carries no customer
  number (a closed account orders as a walk-in caller, at the walk-in price).
* The branch of a registered order is the one on the customer record; its address and
  phone come from the directory in force.
* A pickup window (收瓶时间: the customer's own cylinder is collected to be filled) must
  start no later than the delivery window ends, also after the delivery is moved.
* The empty cylinder is recorded as collected at or after delivery, or before it when the
  order has a pickup window. Recording a delivery again changes nothing (the work order's
  "done" may follow the agent's record); an empty collected later is its own command.
* Assigning the worker already assigned, rescheduling to the same window, cancelling a
  cancelled order and closing a closed one change nothing. A cancelled order is final.

Stream: ``order-<order id>``; order ids start with ``O``.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal

import attrs
from attrs import field, frozen

from callcore.domain import customer
from callcore.domain.backdating import RecordNote, TimeCorrected
from callcore.domain.common import (
    ALREADY_EXISTS,
    EXISTS,
    VALID_INPUT,
    ClockPaused,
    ClockResumed,
    Command,
    Context,
    DomainError,
    Fold,
    NotFound,
    Rule,
    Window,
    address_key,
    events_in,
    money,
    non_blank,
    positive,
    require,
    same_name,
    unknown_event,
    valid_id,
)
from callcore.domain.common import (
    Event as DomainEvent,
)
from callcore.domain.context import DecisionContext
from callcore.domain.directory import Directory, FieldWorker, Skill
from callcore.domain.phone import normalise_phone

KIND = "order"

CLOSED_ACCOUNT_PRICE = Rule(
    "closed-account-no-registered-price",
    "domain.md §4.1: a closed account cannot order at the registered price",
)
REGISTERED_NEEDS_NUMBER = Rule(
    "registered-needs-customer-number",
    "domain.md §4.2: registered: name and customer number are checked against the record",
)
REGISTERED_NAME = Rule(
    "registered-name-must-match",
    "domain.md §4.2: name and customer number are checked against the customer record; "
    "a mismatch is an error",
)
REGISTERED_DETAILS = Rule(
    "registered-details-from-the-record",
    "domain.md §4.1-4.2: a registered customer is delivered at the address on the record; "
    "change contact details first",
)
WALK_IN_DETAILS = Rule(
    "walk-in-details-required",
    "domain.md §4.2: walk-in: name, address, phone; the area gives the branch",
)
LINES_REQUIRED = Rule("order-has-lines", "domain.md §4.2: lines: product and quantity (> 0)")
DELIVERY_IN_FUTURE = Rule(
    "delivery-window-in-the-future",
    "domain.md §4.2: a delivery window (送瓶时间) the branch can still keep",
)
PICKUP_BEFORE_DELIVERY = Rule(
    "pickup-before-delivery-ends",
    "domain.md §4.2: when the customer uses their own cylinder, a pickup window (收瓶时间)",
)
WORKER_IN_BRANCH = Rule(
    "delivery-worker-of-the-branch",
    "domain.md §4.2: the branch is notified and a field worker (of the branch) is assigned",
)
WORKER_DELIVERS = Rule(
    "delivery-worker-has-the-skill", "domain.md §3: field workers' skills (delivery)"
)
ASSIGN_BEFORE_DELIVERY = Rule(
    "assign-before-delivery", "domain.md §4.2: placed → assigned → delivered"
)
RESCHEDULE_BEFORE_DELIVERY = Rule(
    "reschedule-before-delivery",
    "domain.md §4.2: if the branch cannot keep the window, the centre agrees a new window",
)
DELIVER_AFTER_ASSIGNMENT = Rule(
    "deliver-after-assignment", "domain.md §4.2: placed → assigned → delivered"
)
EMPTY_AT_DELIVERY_OR_PICKUP = Rule(
    "empty-collected-at-delivery-or-pickup",
    "domain.md §4.2: delivered (and empty collected); the customer's own cylinder is "
    "collected in the pickup window (收瓶时间)",
)
CLOSE_WHEN_DONE = Rule(
    "close-after-delivery-and-empty-collected",
    "domain.md §4.2: delivered (and empty collected) → closed",
)
BEFORE_DELIVERY = Rule("cancel-before-delivery", "domain.md §4.2: cancel before delivery")
ORDER_FINISHED = Rule("order-finished", "domain.md §4.2: a cancelled order is final")


def stream_id(order_id: str) -> str:
    return f"{KIND}-{order_id}"


class Status(enum.StrEnum):
    NONE = "none"
    PLACED = "placed"
    ASSIGNED = "assigned"
    DELIVERED = "delivered"
    CLOSED = "closed"
    CANCELLED = "cancelled"


_BEFORE_DELIVERY = frozenset({Status.PLACED, Status.ASSIGNED})


class RequestedBy(enum.StrEnum):
    """Who asked for a new delivery window."""

    BRANCH = "branch"
    """The branch reports it cannot keep the window."""
    CUSTOMER = "customer"
    CENTRE = "centre"


# --------------------------------------------------------------------------- quoting


@frozen
class OrderLineRequest:
    """What the caller asks for: a product code of the directory and a quantity > 0."""

    product: str = field(validator=non_blank)
    quantity: int = field(validator=positive)


@frozen
class PricedLine:
    product: str
    quantity: int
    unit_price: Decimal
    amount: Decimal
    """``unit_price × quantity``, to the cent."""


@frozen
class Quote:
    """The price told to the caller before the order is placed."""

    registered: bool
    """Which list: registered price (开户价格) or walk-in price (非开户价格)."""
    priced_on: date
    """The centre-local day whose price list is in force."""
    lines: tuple[PricedLine, ...]
    total: Decimal


def quote(
    directory: Directory, lines: Iterable[OrderLineRequest], on: date, *, registered: bool
) -> Quote:
    """Price ``lines`` from the list in force on ``on`` (a centre-local day): the
    registered price when the caller is registered, else the walk-in price.

    Raises ``order-has-lines`` for nothing to quote, and the directory's
    ``unknown-product`` / ``no-price-in-force``."""
    requested = tuple(lines)
    require(bool(requested), LINES_REQUIRED, "an order needs at least one product line")
    priced = tuple(_priced(directory, line, on, registered) for line in requested)
    total = money(sum((line.amount for line in priced), Decimal(0)))
    return Quote(registered=registered, priced_on=on, lines=priced, total=total)


def _priced(directory: Directory, line: OrderLineRequest, on: date, registered: bool) -> PricedLine:
    require(
        line.quantity > 0, VALID_INPUT, f"{line.product}: quantity must be > 0, not {line.quantity}"
    )
    unit = money(directory.unit_price(line.product, on, registered=registered))
    return PricedLine(line.product, line.quantity, unit, money(unit * line.quantity))


# --------------------------------------------------------------------------- events


@frozen(kw_only=True)
class OrderPlaced(DomainEvent):
    """Everything decided when the order was taken; later changes to the customer record
    or the directory do not change it."""

    order_id: str
    registered: bool
    customer_number: str | None
    name: str
    phone: str
    """E.164."""
    address: str
    area: str
    branch: str
    branch_address: str
    branch_phone: str
    """Told to the walk-in caller."""
    lines: tuple[PricedLine, ...]
    total: Decimal
    priced_on: date
    delivery_window: Window
    pickup_window: Window | None = None
    dispatch_id: str | None = None
    """The delivery work order opened with the order, if any."""
    note: str | None = None


@frozen(kw_only=True)
class OrderAssigned(DomainEvent):
    """A field worker of the branch will deliver; a reassignment is another one."""

    worker_id: str
    worker_phone: str
    """Recorded so the centre can reach the worker about this order."""


@frozen(kw_only=True)
class OrderWorkerUnassigned(DomainEvent):
    """The delivery moved to a day the worker was not booked for: assign again."""

    worker_id: str
    reason: str


@frozen(kw_only=True)
class DeliveryRescheduled(DomainEvent):
    """A new delivery window agreed with the customer; the branch is told again."""

    window: Window
    reason: str
    requested_by: RequestedBy


@frozen(kw_only=True)
class OrderDelivered(DomainEvent):
    empty_collected: bool
    """Whether the worker took the empty cylinder away at delivery."""


@frozen(kw_only=True)
class EmptyCylinderCollected(DomainEvent):
    pass


@frozen(kw_only=True)
class OrderClosed(DomainEvent):
    pass


@frozen(kw_only=True)
class OrderCancelled(DomainEvent):
    reason: str


# --------------------------------------------------------------------------- state


@frozen
class State:
    status: Status = Status.NONE
    order_id: str = ""
    registered: bool = False
    customer_number: str | None = None
    name: str = ""
    phone: str = ""
    address: str = ""
    area: str = ""
    branch: str = ""
    lines: tuple[PricedLine, ...] = ()
    total: Decimal = Decimal("0.00")
    priced_on: date | None = None
    placed_at: datetime | None = None
    delivery_window: Window | None = None
    pickup_window: Window | None = None
    worker_id: str | None = None
    worker_phone: str | None = None
    dispatch_id: str | None = None
    reschedules: int = 0
    delivered_at: datetime | None = None
    empty_collected: bool = False
    closed_at: datetime | None = None
    cancelled_at: datetime | None = None
    cancel_reason: str | None = None

    @property
    def exists(self) -> bool:
        return self.status is not Status.NONE

    @property
    def finished(self) -> bool:
        return self.status in (Status.CLOSED, Status.CANCELLED)

    @property
    def before_delivery(self) -> bool:
        return self.status in _BEFORE_DELIVERY


initial = State()


def evolve(state: State, event: Event | RecordNote) -> State:
    match event:
        case OrderPlaced():
            return State(
                status=Status.PLACED,
                order_id=event.order_id,
                registered=event.registered,
                customer_number=event.customer_number,
                name=event.name,
                phone=event.phone,
                address=event.address,
                area=event.area,
                branch=event.branch,
                lines=event.lines,
                total=event.total,
                priced_on=event.priced_on,
                placed_at=event.at,
                delivery_window=event.delivery_window,
                pickup_window=event.pickup_window,
                dispatch_id=event.dispatch_id,
            )
        case OrderAssigned():
            return attrs.evolve(
                state,
                status=Status.ASSIGNED,
                worker_id=event.worker_id,
                worker_phone=event.worker_phone,
            )
        case OrderWorkerUnassigned():
            return attrs.evolve(state, status=Status.PLACED, worker_id=None, worker_phone=None)
        case DeliveryRescheduled():
            return attrs.evolve(
                state, delivery_window=event.window, reschedules=state.reschedules + 1
            )
        case OrderDelivered():
            return attrs.evolve(
                state,
                status=Status.DELIVERED,
                delivered_at=event.at,
                # collected in the pickup window before delivery stays collected
                empty_collected=state.empty_collected or event.empty_collected,
            )
        case EmptyCylinderCollected():
            return attrs.evolve(state, empty_collected=True)
        case OrderClosed():
            return attrs.evolve(state, status=Status.CLOSED, closed_at=event.at)
        case OrderCancelled():
            return attrs.evolve(
                state, status=Status.CANCELLED, cancelled_at=event.at, cancel_reason=event.reason
            )
        case ClockPaused() | ClockResumed() | TimeCorrected():
            return state  # a note on the record, not a change of it
        case _:
            raise unknown_event(KIND, event)


Event = (
    OrderPlaced
    | OrderAssigned
    | OrderWorkerUnassigned
    | DeliveryRescheduled
    | OrderDelivered
    | EmptyCylinderCollected
    | OrderClosed
    | OrderCancelled
)
"""The order module's events, as stored (their class names are the stored type names)."""
EVENTS = events_in(Event)
FOLD = Fold(kind=KIND, initial=initial, evolve=evolve, events=EVENTS)


# --------------------------------------------------------------------------- commands


def _as_lines(value: Iterable[OrderLineRequest]) -> tuple[OrderLineRequest, ...]:
    return tuple(value)


@frozen(kw_only=True)
class PlaceOrder(Command):
    """电话受订. Registered: ``customer_number`` and ``name`` (checked against the record;
    address, phone and area come from it). Walk-in: ``name``, ``phone``, ``address`` and
    ``area``. ``pickup_window`` when the customer's own cylinder is collected (收瓶时间).
    ``order_id`` is derived from the command id when not given."""

    order_id: str | None = field(default=None, validator=attrs.validators.optional(valid_id))
    registered: bool
    customer_number: str | None = field(default=None, validator=attrs.validators.optional(valid_id))
    name: str = field(validator=non_blank)
    phone: str | None = field(default=None, validator=non_blank)
    address: str | None = field(default=None, validator=non_blank)
    area: str | None = field(default=None, validator=non_blank)
    lines: tuple[OrderLineRequest, ...] = field(
        converter=_as_lines,
        validator=attrs.validators.deep_iterable(attrs.validators.instance_of(OrderLineRequest)),
    )
    delivery_window: Window
    pickup_window: Window | None = None
    note: str | None = field(default=None, validator=non_blank)

    def __attrs_post_init__(self) -> None:
        if not self.registered and self.customer_number is not None:
            raise ValueError(
                "customer_number is for registered callers; a walk-in order has none "
                "(a closed account orders as a walk-in caller)"
            )


@frozen(kw_only=True)
class AssignOrderWorker(Command):
    """Assign the field worker (of the order's branch, with the delivery skill) who
    delivers the order."""

    order_id: str = field(validator=valid_id)
    worker_id: str = field(validator=valid_id)


@frozen(kw_only=True)
class RescheduleDelivery(Command):
    """The branch cannot keep the window (or the customer asks): the centre agrees a new
    window with the customer and the branch is told again."""

    order_id: str = field(validator=valid_id)
    window: Window
    reason: str = field(validator=non_blank)
    requested_by: RequestedBy = field(default=RequestedBy.BRANCH, converter=RequestedBy)


@frozen(kw_only=True)
class RecordDelivery(Command):
    """The order was delivered; ``empty_collected`` when the empty cylinder was
    collected at the door."""

    order_id: str = field(validator=valid_id)
    empty_collected: bool = True


@frozen(kw_only=True)
class RecordEmptyCollected(Command):
    """The empty cylinder was collected after the delivery (or in the pickup window)."""

    order_id: str = field(validator=valid_id)


@frozen(kw_only=True)
class CloseOrder(Command):
    """Close a delivered order whose empty cylinder was collected."""

    order_id: str = field(validator=valid_id)


@frozen(kw_only=True)
class CancelOrder(Command):
    """Cancel an order before it is delivered, with the reason; its delivery work order
    is cancelled too."""

    order_id: str = field(validator=valid_id)
    reason: str = field(validator=non_blank)


# --------------------------------------------------------------------------- decisions


def _require_order(state: State) -> None:
    if not state.exists:
        raise NotFound(EXISTS, "no such order")


def _require_not_cancelled(state: State) -> None:
    _require_order(state)
    require(
        state.status is not Status.CANCELLED,
        ORDER_FINISHED,
        f"order {state.order_id} was cancelled ({state.cancel_reason})",
    )


@frozen
class PlacingContext(DecisionContext):
    """What placing an order knows besides the command: the order's id, the id of the
    delivery work order opened with it (if any), and the customer record named by
    ``command.customer_number`` (``None`` or a missing record when there is none)."""

    order_id: str
    dispatch_id: str | None = None
    account: customer.State | None = None


def place_order(state: State, command: PlaceOrder, context: PlacingContext) -> tuple[Event, ...]:
    """Take a phone order."""
    directory, account = context.directory, context.account
    order_id, dispatch_id = context.order_id, context.dispatch_id
    require(not state.exists, ALREADY_EXISTS, f"order {order_id} already exists")
    if command.registered:
        name, phone, address, area, branch_code, number = _registered_caller(
            command, account, directory
        )
        branch = directory.branch(branch_code)
    else:
        name, phone, address, area = _walk_in_caller(command, directory)
        number = None
        branch = directory.branch_for_area(area)
    window = command.delivery_window
    require(
        window.end > context.now,
        DELIVERY_IN_FUTURE,
        f"the delivery window {window.start:%Y-%m-%d %H:%M}–{window.end:%H:%M} has passed",
    )
    _require_pickup_fits(command.pickup_window, window)
    priced = quote(
        directory,
        command.lines,
        directory.local(context.now).date(),
        registered=command.registered,
    )
    return (
        OrderPlaced(
            at=context.now,
            actor=context.actor,
            order_id=order_id,
            registered=command.registered,
            customer_number=number,
            name=name,
            phone=phone,
            address=address,
            area=area,
            branch=branch.code,
            branch_address=branch.address,
            branch_phone=branch.phone,
            lines=priced.lines,
            total=priced.total,
            priced_on=priced.priced_on,
            delivery_window=window,
            pickup_window=command.pickup_window,
            dispatch_id=dispatch_id,
            note=command.note.strip() if command.note else None,
        ),
    )


def _registered_caller(
    command: PlaceOrder, account: customer.State | None, directory: Directory
) -> tuple[str, str, str, str, str, str]:
    """Name, phone, address, area, branch and number from the customer record, once the
    caller is checked against it."""
    number = command.customer_number
    if number is None:
        raise DomainError(
            REGISTERED_NEEDS_NUMBER, "a registered caller gives the customer number (客户编号)"
        )
    if account is None or not account.exists or account.customer_number != number:
        raise NotFound(EXISTS, f"no customer {number!r}")
    require(
        not account.closed,
        CLOSED_ACCOUNT_PRICE,
        f"account {number} is closed: the caller can order as a walk-in caller",
    )
    require(
        same_name(command.name, account.name),
        REGISTERED_NAME,
        f"{command.name.strip()!r} is not the name on account {number}",
    )
    differ = []
    if command.phone is not None and (
        normalise_phone(command.phone, directory.phone_region) != account.phone
    ):
        differ.append(f"phone {command.phone!r} (on record {account.phone})")
    if command.address is not None and address_key(command.address) != address_key(account.address):
        differ.append(f"address {command.address!r} (on record {account.address!r})")
    if command.area is not None and command.area != account.area:
        differ.append(f"area {command.area} (on record {account.area})")
    require(
        not differ,
        REGISTERED_DETAILS,
        f"account {number} is delivered at the details on record; given {', '.join(differ)}",
    )
    return (
        account.name,
        account.phone,
        account.address,
        account.area,
        account.branch,
        account.customer_number,
    )


def _walk_in_caller(command: PlaceOrder, directory: Directory) -> tuple[str, str, str, str]:
    phone, address, area = command.phone, command.address, command.area
    if phone is None or address is None or area is None:
        given = (("phone", phone), ("address", address), ("area", area))
        missing = [what for what, value in given if not value]
        raise DomainError(WALK_IN_DETAILS, f"a walk-in order needs the {', '.join(missing)}")
    return (
        command.name.strip(),
        normalise_phone(phone, directory.phone_region),
        address.strip(),
        area,
    )


def _require_pickup_fits(pickup: Window | None, delivery: Window) -> None:
    if pickup is None:
        return
    require(
        pickup.start <= delivery.end,
        PICKUP_BEFORE_DELIVERY,
        f"the pickup window starts {pickup.start:%Y-%m-%d %H:%M}, after the delivery window "
        f"ends {delivery.end:%Y-%m-%d %H:%M}",
    )


def _worker_phone(worker: FieldWorker, directory: Directory) -> str:
    # a roster number that does not parse must not stop the delivery: keep it as written
    try:
        return normalise_phone(worker.phone, directory.phone_region)
    except DomainError:
        return worker.phone


def assign_order_worker(
    state: State, command: AssignOrderWorker, context: DecisionContext
) -> tuple[Event, ...]:
    """Assign (or reassign, before delivery) a field worker of the order's branch who
    delivers. The same worker again changes nothing."""
    worker_id, directory = command.worker_id, context.directory
    _require_not_cancelled(state)
    require(
        state.before_delivery,
        ASSIGN_BEFORE_DELIVERY,
        f"order {state.order_id} is already {state.status}",
    )
    if state.status is Status.ASSIGNED and state.worker_id == worker_id:
        return ()
    worker = directory.field_worker(worker_id)
    require(
        worker.branch == state.branch,
        WORKER_IN_BRANCH,
        f"{worker_id} works for {worker.branch}; order {state.order_id} is for {state.branch}",
    )
    require(
        Skill.DELIVERY in worker.skills,
        WORKER_DELIVERS,
        f"{worker_id} ({worker.name}) does not deliver",
    )
    return (
        OrderAssigned(
            at=context.now,
            actor=context.actor,
            worker_id=worker_id,
            worker_phone=_worker_phone(worker, directory),
        ),
    )


def unassign_worker(state: State, reason: str, context: Context) -> tuple[Event, ...]:
    """The delivery moved to a day the worker was not booked for: the order waits for a
    worker again. Nothing to do when no worker is assigned.

    Not a command's decision: a consequence of the work order's reschedule, taken by the
    dispatch handler in the same append (a cross-stream decision, explicit there)."""
    _require_not_cancelled(state)
    if state.status is not Status.ASSIGNED or state.worker_id is None:
        return ()
    return (
        OrderWorkerUnassigned(
            at=context.now, actor=context.actor, worker_id=state.worker_id, reason=reason
        ),
    )


def reschedule_delivery(
    state: State, command: RescheduleDelivery, context: Context
) -> tuple[Event, ...]:
    """A new delivery window, before delivery. The same window again changes nothing."""
    window, reason, requested_by = command.window, command.reason, command.requested_by
    _require_not_cancelled(state)
    require(
        state.before_delivery,
        RESCHEDULE_BEFORE_DELIVERY,
        f"order {state.order_id} is already {state.status}",
    )
    require(bool(reason.strip()), VALID_INPUT, "say why the delivery window changes")
    by = RequestedBy(requested_by)
    if window == state.delivery_window:
        return ()
    require(
        window.end > context.now,
        DELIVERY_IN_FUTURE,
        f"the new window {window.start:%Y-%m-%d %H:%M}–{window.end:%H:%M} has passed",
    )
    _require_pickup_fits(state.pickup_window, window)
    return (
        DeliveryRescheduled(
            at=context.now,
            actor=context.actor,
            window=window,
            reason=reason.strip(),
            requested_by=by,
        ),
    )


def record_delivery(state: State, command: RecordDelivery, context: Context) -> tuple[Event, ...]:
    """The cylinders were delivered by the assigned worker; ``empty_collected`` when the
    worker took the empty away at the door."""
    empty_collected = command.empty_collected
    _require_not_cancelled(state)
    if state.status in (Status.DELIVERED, Status.CLOSED):
        # a second report of the same delivery (the work order's "done" after the
        # agent recorded it); an empty collected later is RecordEmptyCollected
        return ()
    require(
        state.status is Status.ASSIGNED,
        DELIVER_AFTER_ASSIGNMENT,
        f"order {state.order_id} has no field worker: assign one first",
    )
    return (OrderDelivered(at=context.now, actor=context.actor, empty_collected=empty_collected),)


def record_empty_collected(
    state: State, command: RecordEmptyCollected, context: Context
) -> tuple[Event, ...]:
    """The empty was collected: at or after delivery, or in the pickup window."""
    _require_not_cancelled(state)
    if state.empty_collected:
        return ()
    require(
        state.status is Status.DELIVERED or state.pickup_window is not None,
        EMPTY_AT_DELIVERY_OR_PICKUP,
        f"order {state.order_id} is {state.status} and has no pickup window: "
        "the empty is collected at delivery",
    )
    return (EmptyCylinderCollected(at=context.now, actor=context.actor),)


def close_order(state: State, command: CloseOrder, context: Context) -> tuple[Event, ...]:
    """Close a delivered order whose empty was collected."""
    _require_not_cancelled(state)
    if state.status is Status.CLOSED:
        return ()
    require(
        state.status is Status.DELIVERED and state.empty_collected,
        CLOSE_WHEN_DONE,
        f"order {state.order_id} is {state.status}"
        + ("" if state.empty_collected else " and the empty is not collected"),
    )
    return (OrderClosed(at=context.now, actor=context.actor),)


def cancel_order(state: State, command: CancelOrder, context: Context) -> tuple[Event, ...]:
    """Cancel before delivery; cancelling again changes nothing."""
    reason = command.reason
    _require_order(state)
    if state.status is Status.CANCELLED:
        return ()
    require(
        state.before_delivery,
        BEFORE_DELIVERY,
        f"order {state.order_id} is already {state.status}",
    )
    require(bool(reason.strip()), VALID_INPUT, "say why the order is cancelled")
    return (OrderCancelled(at=context.now, actor=context.actor, reason=reason.strip()),)
