"""Handlers of the Complaint commands (domain.md §4.4)."""

from __future__ import annotations

from typing import Any

from callcore.domain import complaint, customer
from callcore.service_layer.handlers.registry import handles, on_one_stream
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


def _stream(command: Any) -> str:
    return complaint.stream_id(command.complaint_id)


for _command, _decision, _directory in (
    (complaint.CommitReplyTime, complaint.commit_reply_time, False),
    (complaint.JudgeComplaint, complaint.judge_complaint, False),
    (complaint.NotifyDepartment, complaint.notify_department, True),
    (complaint.UpdateCustomer, complaint.update_customer, False),
    (complaint.FollowUpDepartment, complaint.follow_up_department, False),
    (complaint.RecordResolution, complaint.record_resolution, True),
    (complaint.RecordCustomerResponse, complaint.record_customer_response, False),
    (complaint.CloseComplaint, complaint.close_complaint, False),
    (complaint.RecordSatisfactionCall, complaint.record_satisfaction_call, False),
):
    on_one_stream(_command, complaint.FOLD, _stream, _decision, with_directory=_directory)
