"""Handlers of the Ticket commands (domain.md §4.3)."""

from __future__ import annotations

from typing import Protocol

from callcore.domain import customer, dispatch, ticket
from callcore.service_layer.handlers.dispatch import requesting
from callcore.service_layer.unit_of_work import UnitOfWork


def _load(uow: UnitOfWork, ticket_id: str) -> tuple[str, ticket.State]:
    stream = ticket.stream_id(ticket_id)
    return stream, uow.load(ticket.FOLD, stream)


def _customer(uow: UnitOfWork, customer_number: str | None) -> customer.State | None:
    if customer_number is None:
        return None
    return uow.load(customer.FOLD, customer.stream_id(customer_number))


def _opening(
    uow: UnitOfWork, ticket_id: str, registered: customer.State | None
) -> ticket.OpeningContext:
    return ticket.OpeningContext(
        now=uow.now,
        actor=uow.context.actor,
        directory=uow.directory,
        calendar=uow.calendar,
        ticket_id=ticket_id,
        registered=registered,
    )


def open_ticket(uow: UnitOfWork, command: ticket.OpenTicket) -> None:
    ticket_id = uow.new_id("T", command.ticket_id)
    stream, state = _load(uow, ticket_id)
    registered = _customer(uow, command.customer_number)
    events = ticket.open_ticket(state, command, _opening(uow, ticket_id, registered))
    uow.record(ticket.FOLD, stream, events)


def report_emergency(uow: UnitOfWork, command: ticket.ReportEmergency) -> None:
    ticket_id = uow.new_id("T", command.ticket_id)
    stream, state = _load(uow, ticket_id)
    events = ticket.report_emergency(state, command, _opening(uow, ticket_id, None))
    uow.record(ticket.FOLD, stream, events)


def record_voicemail(uow: UnitOfWork, command: ticket.RecordVoicemail) -> None:
    ticket_id = uow.new_id("T", command.ticket_id)
    stream, state = _load(uow, ticket_id)
    events = ticket.record_voicemail(state, command, _opening(uow, ticket_id, None))
    uow.record(ticket.FOLD, stream, events)


def record_repair_centre_notified(
    uow: UnitOfWork, command: ticket.RecordRepairCentreNotified
) -> None:
    stream, state = _load(uow, command.ticket_id)
    events = ticket.record_repair_centre_notified(state, command, uow.context)
    uow.record(ticket.FOLD, stream, events)


def request_service_visit(uow: UnitOfWork, command: ticket.RequestServiceVisit) -> None:
    stream, state = _load(uow, command.ticket_id)
    # The work order's id; the Dispatch itself will be opened here, in the same append.
    dispatch_id = uow.new_id("D")
    registered = _customer(uow, state.customer_number)
    visit_context = ticket.VisitContext(
        now=uow.now,
        actor=uow.context.actor,
        directory=uow.directory,
        calendar=uow.calendar,
        dispatch_id=dispatch_id,
        registered=registered,
    )
    events = ticket.request_service_visit(state, command, visit_context)
    uow.record(ticket.FOLD, stream, events)
    visit = next((e for e in events if isinstance(e, ticket.ServiceVisitRequested)), None)
    if visit is None or state.caller is None:
        return
    # 上门服务 opens the work order in the same transaction: simple jobs for the branch,
    # complex ones for the regional technical staff.
    kind = (
        dispatch.DispatchKind.TRAINING
        if state.category is ticket.Category.TRAINING
        else dispatch.DispatchKind.REPAIR
    )
    request = dispatch.RequestDispatch(
        dispatch_id=dispatch_id,
        kind=kind,
        site_address=visit.address,
        area=visit.area,
        contact=state.caller,
        wished=visit.wished,
        job=state.description,
        priority=state.priority,
        complex=visit.complex,
        customer_level=registered.level if registered is not None else "standard",
        customer_number=state.customer_number,
        device_id=state.device_id,
        ticket_id=state.ticket_id,
        actor=command.actor,
    )
    work_stream = dispatch.stream_id(dispatch_id)
    uow.record(
        dispatch.FOLD,
        work_stream,
        dispatch.request_dispatch(
            uow.load(dispatch.FOLD, work_stream), request, requesting(uow, dispatch_id)
        ),
    )


def _merchant_context(uow: UnitOfWork, merchant: customer.State | None) -> ticket.MerchantContext:
    return ticket.MerchantContext(
        now=uow.now,
        actor=uow.context.actor,
        directory=uow.directory,
        calendar=uow.calendar,
        merchant=merchant or customer.initial,
    )


def _record_consumables(
    uow: UnitOfWork, stream: str, merchant_stream: str, decision: ticket.ConsumablesDecision
) -> None:
    if decision.customer:
        uow.record(customer.FOLD, merchant_stream, decision.customer)
    uow.record(ticket.FOLD, stream, decision.ticket)


def request_consumables(uow: UnitOfWork, command: ticket.RequestConsumables) -> None:
    stream, state = _load(uow, command.ticket_id)
    merchant_stream = customer.stream_id(state.customer_number or "")
    merchant = uow.load(customer.FOLD, merchant_stream) if state.customer_number else None
    decision = ticket.request_consumables(state, command, _merchant_context(uow, merchant))
    _record_consumables(uow, stream, merchant_stream, decision)


def grant_quota_exception(uow: UnitOfWork, command: ticket.GrantQuotaException) -> None:
    stream, state = _load(uow, command.ticket_id)
    merchant_stream = customer.stream_id(state.customer_number or "")
    merchant = uow.load(customer.FOLD, merchant_stream) if state.customer_number else None
    decision = ticket.grant_quota_exception(state, command, _merchant_context(uow, merchant))
    _record_consumables(uow, stream, merchant_stream, decision)


class AboutATicket(Protocol):
    @property
    def ticket_id(self) -> str: ...


def ticket_stream(command: AboutATicket) -> str:
    return ticket.stream_id(command.ticket_id)
