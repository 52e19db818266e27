"""Customer (domain.md §4.1): registered accounts (开户用户) with a customer number.

Walk-in callers (非开户用户) have no Customer record; orders and tickets keep their
contact details instead.

Stream: ``customer-<customer number>``. Customer numbers come from the
``sequence-customer-number`` stream (``callcore.domain.numbering``), appended in the
same transaction as the account, so a number can never be issued twice.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from datetime import datetime

import attrs
from attrs import field, frozen

from callcore.domain.backdating import TimeCorrected
from callcore.domain.common import (
    ALREADY_EXISTS,
    EXISTS,
    Command,
    Context,
    DomainError,
    Fold,
    NotFound,
    Rule,
    Window,
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
from callcore.domain.directory import Directory
from callcore.domain.phone import normalise_phone

KIND = "customer"

ACCOUNT_CLOSED = Rule("account-closed", "domain.md §4.1: a closed account cannot act")
DEVICE_ALREADY_REGISTERED = Rule("device-registered-once", "domain.md §4.3: device record")
NOT_A_MERCHANT = Rule("merchant-only", "domain.md §4.3: consumables are for merchants")
QUOTA_EXCEEDED = Rule(
    "consumable-quota",
    "domain.md §4.3: a merchant over its quota is refused unless a supervisor grants an exception",
)
UNKNOWN_CONSUMABLE = Rule("unknown-consumable", "domain.md §3: consumable quotas")


def stream_id(customer_number: str) -> str:
    return f"{KIND}-{customer_number}"


class CustomerType(enum.StrEnum):
    """A household, a business, or a merchant (whose devices are on record and who has
    consumable quotas)."""

    HOUSEHOLD = "household"
    BUSINESS = "business"
    MERCHANT = "merchant"


# --------------------------------------------------------------------------- events


@frozen(kw_only=True)
class AccountOpened(DomainEvent):
    customer_number: str
    name: str
    phone: str
    address: str
    area: str
    branch: str
    customer_type: CustomerType
    level: str


@frozen(kw_only=True)
class ContactDetailsChanged(DomainEvent):
    """Only the fields that changed are set."""

    name: str | None = None
    phone: str | None = None
    address: str | None = None
    area: str | None = None
    branch: str | None = None


@frozen(kw_only=True)
class AccountVisitRequested(DomainEvent):
    """The customer asked for a home visit to open the account; ``dispatch_id`` is the
    account-visit work order opened for the branch."""

    dispatch_id: str
    wished: Window


@frozen(kw_only=True)
class DeviceRegistered(DomainEvent):
    device_id: str
    model: str


@frozen(kw_only=True)
class ConsumablesIssued(DomainEvent):
    item: str
    quantity: int
    ticket_id: str
    exception_granted_by: str | None = None
    """The supervisor who allowed going over the quota, if it was needed."""


@frozen(kw_only=True)
class AccountClosed(DomainEvent):
    reason: str


# --------------------------------------------------------------------------- state


@frozen
class Issue:
    at: datetime
    item: str
    quantity: int


@frozen
class State:
    exists: bool = False
    customer_number: str = ""
    name: str = ""
    phone: str = ""
    address: str = ""
    area: str = ""
    branch: str = ""
    customer_type: CustomerType = CustomerType.HOUSEHOLD
    level: str = "standard"
    closed: bool = False
    devices: Mapping[str, str] = field(factory=dict)
    consumables: tuple[Issue, ...] = ()
    visits: tuple[str, ...] = ()


initial = State()


def evolve(state: State, event: Event | TimeCorrected) -> State:
    match event:
        case AccountOpened():
            return State(
                exists=True,
                customer_number=event.customer_number,
                name=event.name,
                phone=event.phone,
                address=event.address,
                area=event.area,
                branch=event.branch,
                customer_type=event.customer_type,
                level=event.level,
            )
        case ContactDetailsChanged():
            changes = {
                key: value
                for key in ("name", "phone", "address", "area", "branch")
                if (value := getattr(event, key)) is not None
            }
            return attrs.evolve(state, **changes)
        case AccountVisitRequested():
            return attrs.evolve(state, visits=(*state.visits, event.dispatch_id))
        case DeviceRegistered():
            return attrs.evolve(state, devices={**state.devices, event.device_id: event.model})
        case ConsumablesIssued():
            issue = Issue(event.at, event.item, event.quantity)
            return attrs.evolve(state, consumables=(*state.consumables, issue))
        case AccountClosed():
            return attrs.evolve(state, closed=True)
        case TimeCorrected():
            return state  # a note on the record, not a change of it
        case _:
            raise unknown_event(KIND, event)


Event = (
    AccountOpened
    | ContactDetailsChanged
    | AccountVisitRequested
    | DeviceRegistered
    | ConsumablesIssued
    | AccountClosed
)
"""The customer module's events, as stored (their class names are the stored type names)."""
EVENTS = events_in(Event)
FOLD = Fold(kind=KIND, initial=initial, evolve=evolve, events=EVENTS)


# --------------------------------------------------------------------------- commands


@frozen(kw_only=True)
class OpenAccount(Command):
    """开户登记. The branch is found from the area; the customer number is issued."""

    name: str = field(validator=non_blank)
    phone: str = field(validator=non_blank)
    address: str = field(validator=non_blank)
    area: str = field(validator=non_blank)
    customer_type: CustomerType = CustomerType.HOUSEHOLD
    level: str = "standard"
    devices: Mapping[str, str] = field(factory=dict)
    """Merchants' terminals: device id → model."""


@frozen(kw_only=True)
class ChangeContactDetails(Command):
    """Change a customer's name, phone, address or area (a new area gives a new branch);
    only the fields given change."""

    customer_number: str = field(validator=valid_id)
    name: str | None = field(default=None, validator=non_blank)
    phone: str | None = field(default=None, validator=non_blank)
    address: str | None = field(default=None, validator=non_blank)
    area: str | None = field(default=None, validator=non_blank)


@frozen(kw_only=True)
class RequestAccountVisit(Command):
    """The customer wants a home visit to open the account. Opens an account-visit
    dispatch for the branch in the same transaction."""

    customer_number: str = field(validator=valid_id)
    wished: Window
    dispatch_id: str = field(validator=valid_id)
    contact_name: str | None = None


@frozen(kw_only=True)
class RegisterDevice(Command):
    """Put a merchant's device (a POS terminal) on record, so its cases are checked
    against it."""

    customer_number: str = field(validator=valid_id)
    device_id: str = field(validator=non_blank)
    model: str = field(validator=non_blank)


@frozen(kw_only=True)
class CloseAccount(Command):
    """Close a customer's account, with the reason; a closed account no longer orders at
    the registered price."""

    customer_number: str = field(validator=valid_id)
    reason: str = field(validator=non_blank)


# --------------------------------------------------------------------------- decisions


def require_open(state: State, customer_number: str) -> None:
    if not state.exists:
        raise NotFound(EXISTS, f"no customer {customer_number!r}")
    require(not state.closed, ACCOUNT_CLOSED, f"account {customer_number} is closed")


@frozen
class OpeningContext(DecisionContext):
    """Opening an account knows the customer number issued for it (the number sequence is
    its own stream, appended in the same transaction)."""

    customer_number: str


def open_account(state: State, command: OpenAccount, context: OpeningContext) -> tuple[Event, ...]:
    directory, number = context.directory, context.customer_number
    require(not state.exists, ALREADY_EXISTS, f"customer number {number} is already issued")
    branch = directory.branch_for_area(command.area)
    return (
        AccountOpened(
            at=context.now,
            actor=context.actor,
            customer_number=number,
            name=command.name.strip(),
            phone=normalise_phone(command.phone, directory.phone_region),
            address=command.address.strip(),
            area=command.area,
            branch=branch.code,
            customer_type=command.customer_type,
            level=command.level,
        ),
        *(
            DeviceRegistered(at=context.now, actor=context.actor, device_id=device, model=model)
            for device, model in sorted(command.devices.items())
        ),
    )


def change_contact_details(
    state: State, command: ChangeContactDetails, context: DecisionContext
) -> tuple[Event, ...]:
    directory = context.directory
    require_open(state, command.customer_number)
    changes: dict[str, str] = {}
    if command.name is not None and command.name.strip() != state.name:
        changes["name"] = command.name.strip()
    if command.phone is not None:
        phone = normalise_phone(command.phone, directory.phone_region)
        if phone != state.phone:
            changes["phone"] = phone
    if command.address is not None and command.address.strip() != state.address:
        changes["address"] = command.address.strip()
    if command.area is not None and command.area != state.area:
        changes["area"] = command.area
        changes["branch"] = directory.branch_for_area(command.area).code
    if not changes:
        return ()
    return (ContactDetailsChanged(at=context.now, actor=context.actor, **changes),)


def request_account_visit(
    state: State, command: RequestAccountVisit, context: Context
) -> tuple[Event, ...]:
    require_open(state, command.customer_number)
    if command.dispatch_id in state.visits:
        return ()
    return (
        AccountVisitRequested(
            at=context.now,
            actor=context.actor,
            dispatch_id=command.dispatch_id,
            wished=command.wished,
        ),
    )


def register_device(state: State, command: RegisterDevice, context: Context) -> tuple[Event, ...]:
    require_open(state, command.customer_number)
    if state.devices.get(command.device_id) == command.model:
        return ()
    require(
        command.device_id not in state.devices,
        DEVICE_ALREADY_REGISTERED,
        f"device {command.device_id} is registered as {state.devices.get(command.device_id)}",
    )
    return (
        DeviceRegistered(
            at=context.now, actor=context.actor, device_id=command.device_id, model=command.model
        ),
    )


def consumables_used(
    state: State, item: str, instant: datetime, directory: Directory
) -> tuple[int, int]:
    """How many of ``item`` the merchant had this calendar month and year (centre time)."""
    here = directory.local(instant)
    month = year = 0
    for issue in state.consumables:
        if issue.item != item:
            continue
        then = directory.local(issue.at)
        if then.year == here.year:
            year += issue.quantity
            if then.month == here.month:
                month += issue.quantity
    return month, year


@frozen(kw_only=True)
class ConsumablesIssue:
    """What a ticket asks of the merchant's account: ``quantity`` of ``item`` for
    ``ticket_id``, past the quota only with ``exception_granted_by`` (a supervisor). Not a
    command: a ticket's consumables decision takes it, across streams, in one append."""

    item: str
    quantity: int
    ticket_id: str
    exception_granted_by: str | None = None


def issue_consumables(
    state: State, request: ConsumablesIssue, context: DecisionContext
) -> tuple[Event, ...]:
    """Issue consumables to a merchant within its quota, or past it when a supervisor
    granted an exception. Raises :data:`QUOTA_EXCEEDED` otherwise."""
    item, quantity, directory = request.item, request.quantity, context.directory
    ticket_id, exception_granted_by = request.ticket_id, request.exception_granted_by
    require_open(state, state.customer_number)
    require(
        state.customer_type is CustomerType.MERCHANT,
        NOT_A_MERCHANT,
        f"customer {state.customer_number} is not a merchant",
    )
    positive(None, attrs.fields(ConsumablesIssued).quantity, quantity)
    quota = directory.quotas.get(item)
    if quota is None:
        raise DomainError(UNKNOWN_CONSUMABLE, f"no quota is configured for {item!r}")
    month, year = consumables_used(state, item, context.now, directory)
    within = month + quantity <= quota.per_month and year + quantity <= quota.per_year
    if not within and exception_granted_by is None:
        raise DomainError(
            QUOTA_EXCEEDED,
            f"{state.customer_number} has had {month} of {quota.per_month} {item} this month "
            f"and {year} of {quota.per_year} this year; {quantity} more is over the quota",
        )
    return (
        ConsumablesIssued(
            at=context.now,
            actor=context.actor,
            item=item,
            quantity=quantity,
            ticket_id=ticket_id,
            exception_granted_by=None if within else exception_granted_by,
        ),
    )


def close_account(state: State, command: CloseAccount, context: Context) -> tuple[Event, ...]:
    if state.exists and state.closed:
        return ()
    require_open(state, command.customer_number)
    return (AccountClosed(at=context.now, actor=context.actor, reason=command.reason),)


def customer_exists(state: State, customer_number: str) -> State:
    if not state.exists:
        raise NotFound(EXISTS, f"no customer {customer_number!r}")
    return state
