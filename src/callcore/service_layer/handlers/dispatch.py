"""Handlers of the Dispatch commands (domain.md §4.5), and of the commands that open one.

Field work touches several streams at once, all appended atomically: the dispatch, the
worker's day (``schedule-<worker>-<day>``, whose version guards capacity), and for a
delivery the order it serves (assignment, new window, delivery follow the work order).
"""

from __future__ import annotations

from datetime import date

from callcore.domain import customer, dispatch, order
from callcore.domain.assignment import WorkItem, plan_installs
from callcore.domain.common import EXISTS, Contact, DomainError, NotFound
from callcore.domain.dispatch import DispatchKind, ScheduleState
from callcore.service_layer.unit_of_work import UnitOfWork


def requesting(uow: UnitOfWork, dispatch_id: str) -> dispatch.RequestingContext:
    """The context of a dispatch request: the unit of work's, and the work order's id."""
    return dispatch.RequestingContext(
        now=uow.now,
        actor=uow.context.actor,
        directory=uow.directory,
        calendar=uow.calendar,
        dispatch_id=dispatch_id,
    )


def _dispatch(uow: UnitOfWork, dispatch_id: str) -> dispatch.State:
    state = uow.load(dispatch.FOLD, dispatch.stream_id(dispatch_id))
    if not state.exists:
        raise NotFound(EXISTS, f"no dispatch {dispatch_id!r}")
    return state


def _schedule(uow: UnitOfWork, worker_id: str, day: date) -> ScheduleState:
    return uow.load(dispatch.SCHEDULE_FOLD, dispatch.schedule_stream(worker_id, day))


def _release(uow: UnitOfWork, state: dispatch.State) -> None:
    if state.worker_id is not None and state.day is not None:
        stream = dispatch.schedule_stream(state.worker_id, state.day)
        schedule = uow.load(dispatch.SCHEDULE_FOLD, stream)
        uow.record(
            dispatch.SCHEDULE_FOLD,
            stream,
            dispatch.release(schedule, state.dispatch_id, uow.context),
        )


def _order_of(uow: UnitOfWork, state: dispatch.State) -> tuple[str, order.State] | None:
    if state.kind is not DispatchKind.DELIVERY or state.order_id is None:
        return None
    stream = order.stream_id(state.order_id)
    return stream, uow.load(order.FOLD, stream)


def assign_dispatch(uow: UnitOfWork, dispatch_id: str, worker_id: str | None) -> None:
    state = _dispatch(uow, dispatch_id)
    day = dispatch.day_of(state, uow.directory)
    loads: dict[str, int] = {}
    for worker in uow.directory.field_workers.values():
        if (state.required_skill in worker.skills and state.area in worker.zones) or (
            worker.id == worker_id
        ):
            booked = _schedule(uow, worker.id, day).booked
            loads[worker.id] = len(booked - {dispatch_id})
    assigning = dispatch.AssignmentContext(
        now=uow.now,
        actor=uow.context.actor,
        directory=uow.directory,
        calendar=uow.calendar,
        loads=loads,
    )
    command = dispatch.AssignDispatch(
        dispatch_id=dispatch_id, worker_id=worker_id, actor=uow.context.actor
    )
    events, chosen = dispatch.assign_dispatch(state, command, assigning)
    if not events:
        return
    if chosen is not None or state.worker_id is not None:
        _release(uow, state)
    uow.record(dispatch.FOLD, dispatch.stream_id(dispatch_id), events)
    if chosen is not None:
        worker = uow.directory.field_worker(chosen)
        stream = dispatch.schedule_stream(chosen, day)
        uow.record(
            dispatch.SCHEDULE_FOLD,
            stream,
            dispatch.book(_schedule(uow, chosen, day), dispatch_id, worker, uow.context),
        )
        linked = _order_of(uow, state)
        if linked is not None:
            stream, order_state = linked
            uow.record(
                order.FOLD,
                stream,
                order.assign_order_worker(
                    order_state,
                    order.AssignOrderWorker(
                        order_id=order_state.order_id, worker_id=chosen, actor=uow.context.actor
                    ),
                    uow.context,
                ),
            )


def reschedule_dispatch(uow: UnitOfWork, command: dispatch.RescheduleDispatch) -> None:
    state = _dispatch(uow, command.dispatch_id)
    events, moved = dispatch.reschedule_dispatch(state, command, uow.context)
    if moved:
        _release(uow, state)
    uow.record(dispatch.FOLD, dispatch.stream_id(command.dispatch_id), events)
    linked = _order_of(uow, state)
    if linked is not None and events:
        stream, order_state = linked
        by = {"customer": order.RequestedBy.CUSTOMER, "branch": order.RequestedBy.BRANCH}.get(
            command.requested_by.value, order.RequestedBy.CENTRE
        )
        uow.record(
            order.FOLD,
            stream,
            order.reschedule_delivery(
                order_state,
                order.RescheduleDelivery(
                    order_id=order_state.order_id,
                    window=command.window,
                    reason=command.reason,
                    requested_by=by,
                    actor=command.actor,
                ),
                uow.context,
            ),
        )
        if moved:
            uow.record(
                order.FOLD,
                stream,
                order.unassign_worker(
                    uow.load(order.FOLD, stream), "the delivery moved to another day", uow.context
                ),
            )


def _delivered(uow: UnitOfWork, state: dispatch.State) -> None:
    linked = _order_of(uow, state)
    if linked is not None:
        stream, order_state = linked
        delivered = order.RecordDelivery(order_id=order_state.order_id, actor=uow.context.actor)
        uow.record(order.FOLD, stream, order.record_delivery(order_state, delivered, uow.context))


def request_dispatch(uow: UnitOfWork, command: dispatch.RequestDispatch) -> None:
    dispatch_id = uow.new_id("D", command.dispatch_id)
    stream = dispatch.stream_id(dispatch_id)
    uow.record(
        dispatch.FOLD,
        stream,
        dispatch.request_dispatch(
            uow.load(dispatch.FOLD, stream), command, requesting(uow, dispatch_id)
        ),
    )


def confirm_appointment(uow: UnitOfWork, command: dispatch.ConfirmAppointment) -> None:
    state = _dispatch(uow, command.dispatch_id)
    uow.record(
        dispatch.FOLD,
        dispatch.stream_id(command.dispatch_id),
        dispatch.confirm_appointment(state, command, uow.context),
    )


def assign(uow: UnitOfWork, command: dispatch.AssignDispatch) -> None:
    assign_dispatch(uow, command.dispatch_id, command.worker_id)


def plan(uow: UnitOfWork, command: dispatch.PlanInstalls) -> None:
    dispatch.check_installs_day(command.day, uow.context, uow.directory)
    items = []
    for dispatch_id in dict.fromkeys(command.dispatch_ids):
        state = _dispatch(uow, dispatch_id)
        if state.kind is not DispatchKind.INSTALL or state.worker_id is not None or state.finished:
            continue
        assert state.requested_at is not None
        items.append(
            WorkItem(
                dispatch_id,
                state.priority,
                state.customer_level,
                state.requested_at,
                state.area,
                state.required_skill,
            )
        )
    loads = {
        worker.id: _schedule(uow, worker.id, command.day).load
        for worker in uow.directory.field_workers.values()
    }
    for dispatch_id, worker_id in plan_installs(command.day, items, uow.directory, loads):
        assign_dispatch(uow, dispatch_id, worker_id)


def field_feedback(uow: UnitOfWork, command: dispatch.RecordFieldFeedback) -> None:
    state = _dispatch(uow, command.dispatch_id)
    events = dispatch.record_field_feedback(state, command, uow.context)
    uow.record(dispatch.FOLD, dispatch.stream_id(command.dispatch_id), events)
    if any(isinstance(e, dispatch.DispatchCompleted) for e in events):
        _delivered(uow, state)


def resume(uow: UnitOfWork, command: dispatch.ResumeDispatch) -> None:
    state = _dispatch(uow, command.dispatch_id)
    uow.record(
        dispatch.FOLD,
        dispatch.stream_id(command.dispatch_id),
        dispatch.resume_dispatch(state, command, uow.context),
    )


def reschedule(uow: UnitOfWork, command: dispatch.RescheduleDispatch) -> None:
    reschedule_dispatch(uow, command)


def cancel(uow: UnitOfWork, command: dispatch.CancelDispatch) -> None:
    state = _dispatch(uow, command.dispatch_id)
    events = dispatch.cancel_dispatch(state, command, uow.context)
    if events:
        _release(uow, state)
    uow.record(dispatch.FOLD, dispatch.stream_id(command.dispatch_id), events)


def complete(uow: UnitOfWork, command: dispatch.CompleteDispatch) -> None:
    state = _dispatch(uow, command.dispatch_id)
    events = dispatch.complete_dispatch(state, command, uow.context)
    uow.record(dispatch.FOLD, dispatch.stream_id(command.dispatch_id), events)
    if events:
        _delivered(uow, state)


def request_account_visit(uow: UnitOfWork, command: customer.RequestAccountVisit) -> None:
    """The customer wants a home visit to open the account: the branch gets an
    account-visit work order in the same transaction."""
    customer_stream = customer.stream_id(command.customer_number)
    account = uow.load(customer.FOLD, customer_stream)
    events = customer.request_account_visit(account, command, uow.context)
    if not events:
        return
    uow.record(customer.FOLD, customer_stream, events)
    stream = dispatch.stream_id(command.dispatch_id)
    request = dispatch.RequestDispatch(
        dispatch_id=command.dispatch_id,
        kind=DispatchKind.ACCOUNT_VISIT,
        site_address=account.address,
        area=account.area,
        contact=Contact(command.contact_name or account.name, account.phone),
        wished=command.wished,
        job="Open the account at home (开户上门)",
        customer_level=account.level,
        customer_number=account.customer_number,
        actor=command.actor,
    )
    uow.record(
        dispatch.FOLD,
        stream,
        dispatch.request_dispatch(
            uow.load(dispatch.FOLD, stream), request, requesting(uow, command.dispatch_id)
        ),
    )


__all__ = ["DomainError", "assign_dispatch", "requesting", "reschedule_dispatch"]
