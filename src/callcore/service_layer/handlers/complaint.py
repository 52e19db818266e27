"""Handlers of the Complaint commands (domain.md §4.4)."""

from __future__ import annotations

from callcore.domain import complaint, customer
from callcore.service_layer.handlers.registry import handles
from callcore.service_layer.unit_of_work import UnitOfWork


@handles(complaint.LodgeComplaint)
def lodge_complaint(uow: UnitOfWork, command: complaint.LodgeComplaint) -> None:
    complaint_id = uow.new_id(complaint.ID_PREFIX, command.complaint_id)
    stream = complaint.stream_id(complaint_id)
    state = uow.load(complaint.FOLD, stream)
    customer_record = (
        uow.load(customer.FOLD, customer.stream_id(command.customer_number))
        if command.customer_number is not None
        else None
    )
    original_stream = (
        complaint.stream_id(command.re_complaint_of) if command.re_complaint_of else None
    )
    original = uow.load(complaint.FOLD, original_stream) if original_stream else None
    events = complaint.lodge_complaint(
        state,
        command,
        uow.context,
        uow.directory,
        complaint_id,
        customer_record=customer_record,
        original=original,
    )
    uow.record(complaint.FOLD, stream, events)
    if original is not None and original_stream is not None:
        # The original's history shows the customer came back, in the same append.
        lodged = next(e for e in events if isinstance(e, complaint.ComplaintLodged))
        uow.record(
            complaint.FOLD,
            original_stream,
            complaint.record_re_complaint(original, lodged, uow.context),
        )


@handles(complaint.CommitReplyTime)
def commit_reply_time(uow: UnitOfWork, command: complaint.CommitReplyTime) -> None:
    uow.decide(
        complaint.FOLD,
        complaint.stream_id(command.complaint_id),
        lambda state: complaint.commit_reply_time(state, command, uow.context),
    )


@handles(complaint.JudgeComplaint)
def judge_complaint(uow: UnitOfWork, command: complaint.JudgeComplaint) -> None:
    uow.decide(
        complaint.FOLD,
        complaint.stream_id(command.complaint_id),
        lambda state: complaint.judge_complaint(state, command, uow.context),
    )


@handles(complaint.NotifyDepartment)
def notify_department(uow: UnitOfWork, command: complaint.NotifyDepartment) -> None:
    uow.decide(
        complaint.FOLD,
        complaint.stream_id(command.complaint_id),
        lambda state: complaint.notify_department(state, command, uow.context, uow.directory),
    )


@handles(complaint.UpdateCustomer)
def update_customer(uow: UnitOfWork, command: complaint.UpdateCustomer) -> None:
    uow.decide(
        complaint.FOLD,
        complaint.stream_id(command.complaint_id),
        lambda state: complaint.update_customer(state, command, uow.context),
    )


@handles(complaint.FollowUpDepartment)
def follow_up_department(uow: UnitOfWork, command: complaint.FollowUpDepartment) -> None:
    uow.decide(
        complaint.FOLD,
        complaint.stream_id(command.complaint_id),
        lambda state: complaint.follow_up_department(state, command, uow.context),
    )


@handles(complaint.RecordResolution)
def record_resolution(uow: UnitOfWork, command: complaint.RecordResolution) -> None:
    uow.decide(
        complaint.FOLD,
        complaint.stream_id(command.complaint_id),
        lambda state: complaint.record_resolution(state, command, uow.context, uow.directory),
    )


@handles(complaint.RecordCustomerResponse)
def record_customer_response(uow: UnitOfWork, command: complaint.RecordCustomerResponse) -> None:
    uow.decide(
        complaint.FOLD,
        complaint.stream_id(command.complaint_id),
        lambda state: complaint.record_customer_response(state, command, uow.context),
    )


@handles(complaint.CloseComplaint)
def close_complaint(uow: UnitOfWork, command: complaint.CloseComplaint) -> None:
    uow.decide(
        complaint.FOLD,
        complaint.stream_id(command.complaint_id),
        lambda state: complaint.close_complaint(state, command, uow.context),
    )


@handles(complaint.RecordSatisfactionCall)
def record_satisfaction_call(uow: UnitOfWork, command: complaint.RecordSatisfactionCall) -> None:
    uow.decide(
        complaint.FOLD,
        complaint.stream_id(command.complaint_id),
        lambda state: complaint.record_satisfaction_call(state, command, uow.context),
    )
