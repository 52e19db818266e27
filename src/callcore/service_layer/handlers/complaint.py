"""Handlers of the Complaint commands (domain.md §4.4)."""

from __future__ import annotations

from typing import Protocol

from callcore.domain import complaint, customer
from callcore.service_layer.unit_of_work import UnitOfWork


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
    lodging = complaint.LodgingContext(
        now=uow.now,
        actor=uow.context.actor,
        directory=uow.directory,
        calendar=uow.calendar,
        complaint_id=complaint_id,
        customer_record=customer_record,
        original=original,
    )
    events = complaint.lodge_complaint(state, command, lodging)
    uow.record(complaint.FOLD, stream, events)
    if original is not None and original_stream is not None:
        # The original's history shows the customer came back, in the same append.
        lodged = next(e for e in events if isinstance(e, complaint.ComplaintLodged))
        uow.record(
            complaint.FOLD,
            original_stream,
            complaint.record_re_complaint(original, lodged, uow.context),
        )


class AboutAComplaint(Protocol):
    @property
    def complaint_id(self) -> str: ...


def complaint_stream(command: AboutAComplaint) -> str:
    return complaint.stream_id(command.complaint_id)
