"""Handlers of the Order commands (domain.md §4.2).

Each handler applies the order's own decision first, so a broken order rule is the one
named. Placing an order also opens its delivery work order (a Dispatch of kind
``delivery``, id ``D-<order id>``) in the same transaction. While that work order is open,
assigning and rescheduling go through it: the dispatch handler checks the worker's zone
and capacity on the day, books the day, and makes the order follow (worker, new window,
un-assignment when the delivery moves to another day). The order's decision is then taken
once more on the order's new state, which changes nothing when the work order already did
it. Recording the delivery completes the work order; cancelling the order cancels it and
frees the worker's slot. All streams are appended atomically.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from callcore.domain import customer, dispatch, order
from callcore.domain.common import EXISTS, Actor, Contact, Event, NotFound
from callcore.service_layer.handlers.dispatch import (
    assign_dispatch,
    requesting,
    reschedule_dispatch,
)
from callcore.service_layer.unit_of_work import UnitOfWork


def delivery_dispatch_id(order_id: str) -> str:
    """The id of the work order that delivers an order."""
    return f"D-{order_id}"


def _order(uow: UnitOfWork, order_id: str) -> order.State:
    state = uow.load(order.FOLD, order.stream_id(order_id))
    if not state.exists:
        raise NotFound(EXISTS, f"no order {order_id!r}")
    return state


def _decide(
    uow: UnitOfWork, order_id: str, decision: Callable[[order.State], Sequence[Event]]
) -> None:
    uow.decide(order.FOLD, order.stream_id(order_id), decision)


def _open_work_order(uow: UnitOfWork, state: order.State) -> dispatch.State | None:
    """The order's delivery work order, while it is open."""
    if state.dispatch_id is None:
        return None
    work = uow.load(dispatch.FOLD, dispatch.stream_id(state.dispatch_id))
    return work if work.exists and not work.finished else None


def _job(state: order.State) -> str:
    lines = ", ".join(f"{line.quantity} × {line.product}" for line in state.lines)
    job = f"Deliver {lines} (order {state.order_id}, {state.total} yuan)"
    if state.pickup_window is not None:
        pickup = state.pickup_window
        job += (
            f"; collect the customer's own cylinder (收瓶) "
            f"{pickup.start:%Y-%m-%d %H:%M}–{pickup.end:%H:%M}"
        )
    return job


def _open_delivery(
    uow: UnitOfWork, state: order.State, account: customer.State | None, actor: Actor
) -> None:
    assert state.dispatch_id is not None
    assert state.delivery_window is not None
    request = dispatch.RequestDispatch(
        dispatch_id=state.dispatch_id,
        kind=dispatch.DispatchKind.DELIVERY,
        site_address=state.address,
        area=state.area,
        contact=Contact(state.name, state.phone),
        wished=state.delivery_window,
        job=_job(state),
        customer_level=account.level if account is not None else "standard",
        customer_number=state.customer_number,
        order_id=state.order_id,
        actor=actor,
    )
    dispatch_id = state.dispatch_id
    uow.decide(
        dispatch.FOLD,
        dispatch.stream_id(dispatch_id),
        lambda work: dispatch.request_dispatch(work, request, requesting(uow, dispatch_id)),
    )


def place_order(uow: UnitOfWork, command: order.PlaceOrder) -> None:
    order_id = uow.new_id("O", command.order_id)
    account = None
    if command.registered and command.customer_number is not None:
        account = uow.load(customer.FOLD, customer.stream_id(command.customer_number))
    dispatch_id = delivery_dispatch_id(order_id)
    state = uow.decide(
        order.FOLD,
        order.stream_id(order_id),
        lambda state: order.place_order(
            state,
            command,
            order.PlacingContext(
                now=uow.now,
                actor=uow.context.actor,
                directory=uow.directory,
                calendar=uow.calendar,
                order_id=order_id,
                dispatch_id=dispatch_id,
                account=account,
            ),
        ),
    )
    _open_delivery(uow, state, account, command.actor)


def assign_order_worker(uow: UnitOfWork, command: order.AssignOrderWorker) -> None:
    def decision(state: order.State) -> tuple[Event, ...]:
        return order.assign_order_worker(state, command, uow.context)

    state = _order(uow, command.order_id)
    if not decision(state):
        return
    if state.dispatch_id is not None and _open_work_order(uow, state) is not None:
        assign_dispatch(uow, state.dispatch_id, command.worker_id)
    _decide(uow, command.order_id, decision)


def reschedule_delivery(uow: UnitOfWork, command: order.RescheduleDelivery) -> None:
    def decision(state: order.State) -> tuple[Event, ...]:
        return order.reschedule_delivery(state, command, uow.context)

    state = _order(uow, command.order_id)
    if not decision(state):
        return
    if state.dispatch_id is not None and _open_work_order(uow, state) is not None:
        reschedule_dispatch(
            uow,
            dispatch.RescheduleDispatch(
                dispatch_id=state.dispatch_id,
                window=command.window,
                reason=command.reason,
                requested_by=dispatch.RequestedBy(command.requested_by.value),
                actor=command.actor,
            ),
        )
    _decide(uow, command.order_id, decision)


def record_delivery(uow: UnitOfWork, command: order.RecordDelivery) -> None:
    state = _order(uow, command.order_id)
    events = order.record_delivery(state, command, uow.context)
    uow.record(order.FOLD, order.stream_id(command.order_id), events)
    work = _open_work_order(uow, state) if events else None
    if work is not None:
        completed = dispatch.CompleteDispatch(
            dispatch_id=work.dispatch_id, outcome="delivered", actor=command.actor
        )
        uow.record(
            dispatch.FOLD,
            dispatch.stream_id(work.dispatch_id),
            dispatch.complete_dispatch(work, completed, uow.context),
        )


def record_empty_collected(uow: UnitOfWork, command: order.RecordEmptyCollected) -> None:
    _order(uow, command.order_id)
    _decide(
        uow,
        command.order_id,
        lambda state: order.record_empty_collected(state, command, uow.context),
    )


def close_order(uow: UnitOfWork, command: order.CloseOrder) -> None:
    _order(uow, command.order_id)
    _decide(uow, command.order_id, lambda state: order.close_order(state, command, uow.context))


def cancel_order(uow: UnitOfWork, command: order.CancelOrder) -> None:
    state = _order(uow, command.order_id)
    events = order.cancel_order(state, command, uow.context)
    uow.record(order.FOLD, order.stream_id(command.order_id), events)
    work = _open_work_order(uow, state) if events else None
    if work is None:
        return
    if work.worker_id is not None and work.day is not None:
        # the cancelled delivery frees its slot on the worker's day
        day = dispatch.schedule_stream(work.worker_id, work.day)
        uow.decide(
            dispatch.SCHEDULE_FOLD,
            day,
            lambda schedule: dispatch.release(schedule, work.dispatch_id, uow.context),
        )
    cancelled = dispatch.CancelDispatch(
        dispatch_id=work.dispatch_id,
        reason=f"order cancelled: {command.reason}",
        actor=command.actor,
    )
    uow.record(
        dispatch.FOLD,
        dispatch.stream_id(work.dispatch_id),
        dispatch.cancel_dispatch(work, cancelled, uow.context),
    )
