"""Handlers of the Order commands (domain.md §4.2).

Placing an order opens its delivery work order (a Dispatch of kind ``delivery``) in the
same transaction; assigning, rescheduling and delivering go through that work order, so
the worker's capacity is respected and the order and the dispatch never disagree.
"""

from __future__ import annotations

from callcore.domain import customer, dispatch, order
from callcore.domain.common import EXISTS, Contact, NotFound
from callcore.service_layer.handlers.dispatch import assign_dispatch, reschedule_dispatch
from callcore.service_layer.handlers.registry import handles
from callcore.service_layer.unit_of_work import UnitOfWork


def _order(uow: UnitOfWork, order_id: str) -> order.State:
    state = uow.load(order.FOLD, order.stream_id(order_id))
    if not state.exists:
        raise NotFound(EXISTS, f"no order {order_id!r}")
    return state


@handles(order.PlaceOrder)
def place_order(uow: UnitOfWork, command: order.PlaceOrder) -> None:
    order_id = uow.new_id("O", command.order_id)
    dispatch_id = f"D-{order_id}"
    account = None
    if command.registered and command.customer_number is not None:
        account = uow.load(customer.FOLD, customer.stream_id(command.customer_number))
    stream = order.stream_id(order_id)
    placed = order.place(
        uow.load(order.FOLD, stream),
        command,
        uow.context,
        uow.directory,
        account,
        order_id,
        dispatch_id,
    )
    state = uow.record(order.FOLD, stream, placed)
    lines = ", ".join(f"{line.quantity} × {line.product}" for line in command.lines)
    request = dispatch.RequestDispatch(
        dispatch_id=dispatch_id,
        kind=dispatch.DispatchKind.DELIVERY,
        site_address=placed[0].address,  # type: ignore[attr-defined]
        area=state.area,
        contact=Contact(state.name, state.phone),
        wished=command.delivery_window,
        job=f"Deliver {lines}",
        customer_level=account.level if account else "standard",
        customer_number=state.customer_number,
        order_id=order_id,
        actor=command.actor,
    )
    dispatch_stream = dispatch.stream_id(dispatch_id)
    uow.record(
        dispatch.FOLD,
        dispatch_stream,
        dispatch.request(
            uow.load(dispatch.FOLD, dispatch_stream),
            request,
            uow.context,
            uow.directory,
            dispatch_id,
        ),
    )


@handles(order.AssignOrderWorker)
def assign_order_worker(uow: UnitOfWork, command: order.AssignOrderWorker) -> None:
    state = _order(uow, command.order_id)
    if state.dispatch_id is not None:
        assign_dispatch(uow, state.dispatch_id, command.worker_id)
    else:
        uow.record(
            order.FOLD,
            order.stream_id(command.order_id),
            order.assign_worker(state, command.worker_id, uow.context, uow.directory),
        )


@handles(order.RescheduleDelivery)
def reschedule_delivery(uow: UnitOfWork, command: order.RescheduleDelivery) -> None:
    state = _order(uow, command.order_id)
    if state.dispatch_id is None:
        uow.record(
            order.FOLD,
            order.stream_id(command.order_id),
            order.reschedule_delivery(
                state, command.window, command.reason, command.requested_by, uow.context
            ),
        )
        return
    order.reschedule_delivery(
        state, command.window, command.reason, command.requested_by, uow.context
    )  # the order's own rules first
    by = {"customer": dispatch.RequestedBy.CUSTOMER, "branch": dispatch.RequestedBy.BRANCH}.get(
        command.requested_by.value, dispatch.RequestedBy.CENTRE
    )
    reschedule_dispatch(
        uow,
        dispatch.RescheduleDispatch(
            dispatch_id=state.dispatch_id,
            window=command.window,
            reason=command.reason,
            requested_by=by,
            actor=command.actor,
        ),
    )


@handles(order.RecordDelivery)
def record_delivery(uow: UnitOfWork, command: order.RecordDelivery) -> None:
    state = _order(uow, command.order_id)
    events = order.record_delivery(state, command.empty_collected, uow.context)
    uow.record(order.FOLD, order.stream_id(command.order_id), events)
    if events and state.dispatch_id is not None:
        stream = dispatch.stream_id(state.dispatch_id)
        work = uow.load(dispatch.FOLD, stream)
        if work.exists and not work.finished:
            uow.record(
                dispatch.FOLD,
                stream,
                dispatch.complete(
                    work,
                    dispatch.CompleteDispatch(dispatch_id=state.dispatch_id, outcome="delivered"),
                    uow.context,
                ),
            )


@handles(order.RecordEmptyCollected)
def record_empty_collected(uow: UnitOfWork, command: order.RecordEmptyCollected) -> None:
    state = _order(uow, command.order_id)
    uow.record(
        order.FOLD,
        order.stream_id(command.order_id),
        order.record_empty_collected(state, uow.context),
    )


@handles(order.CloseOrder)
def close_order(uow: UnitOfWork, command: order.CloseOrder) -> None:
    state = _order(uow, command.order_id)
    uow.record(order.FOLD, order.stream_id(command.order_id), order.close(state, uow.context))


@handles(order.CancelOrder)
def cancel_order(uow: UnitOfWork, command: order.CancelOrder) -> None:
    state = _order(uow, command.order_id)
    events = order.cancel(state, command.reason, uow.context)
    uow.record(order.FOLD, order.stream_id(command.order_id), events)
    if events and state.dispatch_id is not None:
        stream = dispatch.stream_id(state.dispatch_id)
        work = uow.load(dispatch.FOLD, stream)
        if work.exists and not work.finished:
            cancelled = dispatch.cancel(
                work,
                dispatch.CancelDispatch(
                    dispatch_id=state.dispatch_id, reason=f"order cancelled: {command.reason}"
                ),
                uow.context,
            )
            if work.worker_id is not None and work.day is not None:
                sched = dispatch.schedule_stream(work.worker_id, work.day)
                uow.record(
                    dispatch.SCHEDULE_FOLD,
                    sched,
                    dispatch.release(
                        uow.load(dispatch.SCHEDULE_FOLD, sched), state.dispatch_id, uow.context
                    ),
                )
            uow.record(dispatch.FOLD, stream, cancelled)
