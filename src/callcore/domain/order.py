"""Order (电话受订, domain.md §4.2): a phone order for delivery.

Ask first whether the caller is registered and quote the matching price (:func:`quote`).
A registered caller's name and customer number are checked against the customer record;
a walk-in caller gives name, address and phone, and the area gives the branch, whose
address and phone the caller is told. The amount payable is computed with Decimal from
the price list in force on the day the order is placed (in the centre's time zone), and
the order keeps those prices for ever.

Lifecycle: placed → assigned → delivered (and the empty collected) → closed; cancelled
before delivery. The delivery itself is a Dispatch of kind ``delivery``, opened with the
order; the order's assignment, new windows and delivery follow that work order.

Stream: ``order-<order id>``.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal

import attrs
from attrs import field, frozen

from callcore.domain import customer
from callcore.domain.common import (
    ALREADY_EXISTS,
    EXISTS,
    Command,
    Context,
    DomainError,
    Event,
    Fold,
    NotFound,
    Rule,
    Window,
    events_of,
    money,
    non_blank,
    positive,
    require,
    same_name,
    valid_id,
)
from callcore.domain.directory import Directory, Skill
from callcore.domain.phone import normalise_phone

KIND = "order"

CLOSED_ACCOUNT_PRICE = Rule(
    "closed-account-no-registered-price",
    "domain.md §4.1: a closed account cannot order at the registered price",
)
REGISTERED_NAME = Rule(
    "registered-name-must-match",
    "domain.md §4.2: name and customer number are checked against the customer record",
)
REGISTERED_NEEDS_NUMBER = Rule(
    "registered-needs-customer-number", "domain.md §4.2: registered callers give their number"
)
WALK_IN_DETAILS = Rule(
    "walk-in-details-required", "domain.md §4.2: walk-in: name, address, phone; the area"
)
LINES_REQUIRED = Rule("order-has-lines", "domain.md §4.2: lines: product and quantity (> 0)")
DELIVERY_IN_FUTURE = Rule(
    "delivery-window-in-the-future", "domain.md §4.2: a delivery window (送瓶时间) to keep"
)
PICKUP_BEFORE_DELIVERY = Rule(
    "pickup-before-delivery-ends",
    "domain.md §4.2: the customer's own cylinder is collected (收瓶时间) for delivery",
)
WORKER_IN_BRANCH = Rule(
    "delivery-worker-of-the-branch", "domain.md §4.2: the branch assigns one of its workers"
)
WORKER_DELIVERS = Rule(
    "delivery-worker-has-the-skill", "domain.md §3: field workers' skills (delivery)"
)
DELIVER_AFTER_ASSIGNMENT = Rule(
    "deliver-after-assignment", "domain.md §4.2: placed → assigned → delivered"
)
BEFORE_DELIVERY = Rule(
    "cancel-before-delivery", "domain.md §4.2: cancel (or change the window) before delivery"
)
CLOSE_WHEN_DONE = Rule(
    "close-after-delivery-and-empty-collected",
    "domain.md §4.2: delivered (and empty collected) → closed",
)
ORDER_FINISHED = Rule("order-finished", "domain.md §4.2: a closed or cancelled order is final")


def stream_id(order_id: str) -> str:
    return f"{KIND}-{order_id}"


class Status(enum.StrEnum):
    NONE = "none"
    PLACED = "placed"
    ASSIGNED = "assigned"
    DELIVERED = "delivered"
    CLOSED = "closed"
    CANCELLED = "cancelled"


class RequestedBy(enum.StrEnum):
    BRANCH = "branch"
    CUSTOMER = "customer"
    CENTRE = "centre"


@frozen
class OrderLineRequest:
    product: str = field(validator=non_blank)
    quantity: int = field(validator=positive)


@frozen
class PricedLine:
    product: str
    quantity: int
    unit_price: Decimal
    amount: Decimal


@frozen
class Quote:
    registered: bool
    priced_on: date
    lines: tuple[PricedLine, ...]
    total: Decimal


def quote(
    directory: Directory, lines: tuple[OrderLineRequest, ...], on: date, *, registered: bool
) -> Quote:
    """The price to tell the caller: registered (开户价格) or walk-in (非开户价格), from
    the price list in force on ``on``."""
    require(bool(lines), LINES_REQUIRED, "an order needs at least one line")
    priced = []
    for line in lines:
        unit = directory.unit_price(line.product, on, registered=registered)
        priced.append(PricedLine(line.product, line.quantity, unit, money(unit * line.quantity)))
    return Quote(registered, on, tuple(priced), money(sum((p.amount for p in priced), Decimal(0))))


# --------------------------------------------------------------------------- events


@frozen(kw_only=True)
class OrderPlaced(Event):
    order_id: str
    registered: bool
    customer_number: str | None
    name: str
    phone: str
    address: str
    area: str
    branch: str
    branch_address: str
    branch_phone: str
    lines: tuple[PricedLine, ...]
    total: Decimal
    priced_on: date
    delivery_window: Window
    pickup_window: Window | None = None
    dispatch_id: str | None = None
    note: str | None = None


@frozen(kw_only=True)
class OrderAssigned(Event):
    worker_id: str
    worker_phone: str
    """Recorded so the centre can reach the worker about this order."""


@frozen(kw_only=True)
class OrderWorkerUnassigned(Event):
    """The delivery moved to a day the worker was not booked for: assign again."""

    worker_id: str
    reason: str


@frozen(kw_only=True)
class DeliveryRescheduled(Event):
    window: Window
    reason: str
    requested_by: RequestedBy


@frozen(kw_only=True)
class OrderDelivered(Event):
    empty_collected: bool


@frozen(kw_only=True)
class EmptyCylinderCollected(Event):
    pass


@frozen(kw_only=True)
class OrderClosed(Event):
    pass


@frozen(kw_only=True)
class OrderCancelled(Event):
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
    area: str = ""
    branch: str = ""
    total: Decimal = Decimal("0.00")
    placed_at: datetime | None = None
    delivery_window: Window | None = None
    pickup_window: Window | None = None
    worker_id: str | None = None
    worker_phone: str | None = None
    dispatch_id: str | None = None
    reschedules: int = 0
    delivered_at: datetime | None = None
    empty_collected: bool = False

    @property
    def exists(self) -> bool:
        return self.status is not Status.NONE

    @property
    def finished(self) -> bool:
        return self.status in (Status.CLOSED, Status.CANCELLED)


initial = State()


def evolve(state: State, event: Event) -> State:
    match event:
        case OrderPlaced():
            return State(
                status=Status.PLACED,
                order_id=event.order_id,
                registered=event.registered,
                customer_number=event.customer_number,
                name=event.name,
                phone=event.phone,
                area=event.area,
                branch=event.branch,
                total=event.total,
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
                empty_collected=event.empty_collected,
            )
        case EmptyCylinderCollected():
            return attrs.evolve(state, empty_collected=True)
        case OrderClosed():
            return attrs.evolve(state, status=Status.CLOSED)
        case OrderCancelled():
            return attrs.evolve(state, status=Status.CANCELLED)
    return state


EVENTS = events_of(globals())
FOLD = Fold(kind=KIND, initial=initial, evolve=evolve, events=EVENTS)


# --------------------------------------------------------------------------- commands


def _as_lines(value: Iterable[OrderLineRequest]) -> tuple[OrderLineRequest, ...]:
    return tuple(value)


@frozen(kw_only=True)
class PlaceOrder(Command):
    order_id: str | None = field(default=None, validator=attrs.validators.optional(valid_id))
    registered: bool
    customer_number: str | None = field(default=None, validator=attrs.validators.optional(valid_id))
    name: str = field(validator=non_blank)
    phone: str | None = field(default=None, validator=non_blank)
    address: str | None = field(default=None, validator=non_blank)
    area: str | None = field(default=None, validator=non_blank)
    lines: tuple[OrderLineRequest, ...] = field(converter=_as_lines)
    delivery_window: Window
    pickup_window: Window | None = None
    note: str | None = field(default=None, validator=non_blank)


@frozen(kw_only=True)
class AssignOrderWorker(Command):
    order_id: str = field(validator=valid_id)
    worker_id: str = field(validator=non_blank)


@frozen(kw_only=True)
class RescheduleDelivery(Command):
    order_id: str = field(validator=valid_id)
    window: Window
    reason: str = field(validator=non_blank)
    requested_by: RequestedBy = RequestedBy.BRANCH


@frozen(kw_only=True)
class RecordDelivery(Command):
    order_id: str = field(validator=valid_id)
    empty_collected: bool = True


@frozen(kw_only=True)
class RecordEmptyCollected(Command):
    order_id: str = field(validator=valid_id)


@frozen(kw_only=True)
class CloseOrder(Command):
    order_id: str = field(validator=valid_id)


@frozen(kw_only=True)
class CancelOrder(Command):
    order_id: str = field(validator=valid_id)
    reason: str = field(validator=non_blank)


# --------------------------------------------------------------------------- decisions


def _require_order(state: State, order_id: str) -> None:
    if not state.exists:
        raise NotFound(EXISTS, f"no order {order_id!r}")


def _require_open(state: State, order_id: str) -> None:
    _require_order(state, order_id)
    require(not state.finished, ORDER_FINISHED, f"order {order_id} is {state.status}")


def place(
    state: State,
    command: PlaceOrder,
    context: Context,
    directory: Directory,
    account: customer.State | None,
    order_id: str,
    dispatch_id: str | None = None,
) -> tuple[Event, ...]:
    """``account`` is the customer record when the caller says they are registered."""
    require(not state.exists, ALREADY_EXISTS, f"order {order_id} already exists")
    if command.registered:
        require(
            command.customer_number is not None,
            REGISTERED_NEEDS_NUMBER,
            "a registered caller gives the customer number",
        )
        if account is None or not account.exists:
            raise NotFound(EXISTS, f"no customer {command.customer_number!r}")
        require(
            not account.closed,
            CLOSED_ACCOUNT_PRICE,
            f"account {account.customer_number} is closed: order as a walk-in caller",
        )
        require(
            same_name(command.name, account.name),
            REGISTERED_NAME,
            f"{command.name!r} is not the name on account {account.customer_number}",
        )
        name, phone, address, area = account.name, account.phone, account.address, account.area
    else:
        missing = [k for k in ("phone", "address", "area") if getattr(command, k) is None]
        require(not missing, WALK_IN_DETAILS, f"a walk-in order needs {', '.join(missing)}")
        assert command.phone
        assert command.address
        assert command.area
        name = command.name.strip()
        phone = normalise_phone(command.phone, directory.phone_region)
        address, area = command.address.strip(), command.area
    branch = directory.branch_for_area(area)
    require(
        command.delivery_window.end > context.now,
        DELIVERY_IN_FUTURE,
        f"the delivery window ends {command.delivery_window.end}, before now",
    )
    if command.pickup_window is not None:
        require(
            command.pickup_window.start <= command.delivery_window.end,
            PICKUP_BEFORE_DELIVERY,
            "the empty cylinder must be collected before the delivery window ends",
        )
    priced = quote(
        directory, command.lines, directory.local(context.now).date(), registered=command.registered
    )
    return (
        OrderPlaced(
            at=context.now,
            actor=context.actor,
            order_id=order_id,
            registered=command.registered,
            customer_number=account.customer_number if command.registered and account else None,
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
            delivery_window=command.delivery_window,
            pickup_window=command.pickup_window,
            dispatch_id=dispatch_id,
            note=command.note,
        ),
    )


def assign_worker(
    state: State, worker_id: str, context: Context, directory: Directory
) -> tuple[Event, ...]:
    _require_open(state, state.order_id)
    require(
        state.status in (Status.PLACED, Status.ASSIGNED),
        BEFORE_DELIVERY,
        f"order {state.order_id} is already {state.status}",
    )
    worker = directory.field_worker(worker_id)
    if state.worker_id == worker_id:
        return ()
    require(
        worker.branch == state.branch,
        WORKER_IN_BRANCH,
        f"{worker_id} works for {worker.branch}, the order is for {state.branch}",
    )
    require(Skill.DELIVERY in worker.skills, WORKER_DELIVERS, f"{worker_id} does not deliver")
    return (
        OrderAssigned(
            at=context.now, actor=context.actor, worker_id=worker_id, worker_phone=worker.phone
        ),
    )


def reschedule_delivery(
    state: State, window: Window, reason: str, requested_by: RequestedBy, context: Context
) -> tuple[Event, ...]:
    _require_open(state, state.order_id)
    require(
        state.status in (Status.PLACED, Status.ASSIGNED),
        BEFORE_DELIVERY,
        f"order {state.order_id} is already {state.status}",
    )
    if state.delivery_window == window:
        return ()
    require(window.end > context.now, DELIVERY_IN_FUTURE, f"the new window ends {window.end}")
    return (
        DeliveryRescheduled(
            at=context.now,
            actor=context.actor,
            window=window,
            reason=reason,
            requested_by=requested_by,
        ),
    )


def unassign_worker(state: State, reason: str, context: Context) -> tuple[Event, ...]:
    _require_open(state, state.order_id)
    if state.worker_id is None or state.status is not Status.ASSIGNED:
        return ()
    return (
        OrderWorkerUnassigned(
            at=context.now, actor=context.actor, worker_id=state.worker_id, reason=reason
        ),
    )


def record_delivery(state: State, empty_collected: bool, context: Context) -> tuple[Event, ...]:
    _require_open(state, state.order_id)
    if state.status is Status.DELIVERED:
        return ()
    require(
        state.status is Status.ASSIGNED,
        DELIVER_AFTER_ASSIGNMENT,
        f"order {state.order_id} is {state.status}: assign a worker first",
    )
    return (OrderDelivered(at=context.now, actor=context.actor, empty_collected=empty_collected),)


def record_empty_collected(state: State, context: Context) -> tuple[Event, ...]:
    _require_open(state, state.order_id)
    require(
        state.status is Status.DELIVERED,
        DELIVER_AFTER_ASSIGNMENT,
        f"order {state.order_id} is {state.status}, not delivered",
    )
    if state.empty_collected:
        return ()
    return (EmptyCylinderCollected(at=context.now, actor=context.actor),)


def close(state: State, context: Context) -> tuple[Event, ...]:
    _require_order(state, state.order_id)
    if state.status is Status.CLOSED:
        return ()
    _require_open(state, state.order_id)
    require(
        state.status is Status.DELIVERED and state.empty_collected,
        CLOSE_WHEN_DONE,
        f"order {state.order_id} is {state.status}"
        + ("" if state.empty_collected else ", the empty is not collected"),
    )
    return (OrderClosed(at=context.now, actor=context.actor),)


def cancel(state: State, reason: str, context: Context) -> tuple[Event, ...]:
    _require_order(state, state.order_id)
    if state.status is Status.CANCELLED:
        return ()
    _require_open(state, state.order_id)
    require(
        state.status in (Status.PLACED, Status.ASSIGNED),
        BEFORE_DELIVERY,
        f"order {state.order_id} is already {state.status}",
    )
    return (OrderCancelled(at=context.now, actor=context.actor, reason=reason),)


def check_exists(state: State, order_id: str) -> State:
    if not state.exists:
        raise DomainError(EXISTS, f"no order {order_id!r}")
    return state
