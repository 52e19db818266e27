"""Look-ups agents need about work (domain.md §4, §8): the open work of a branch, and a
field worker's load on a day. A pure fold; both answer as of any instant."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from attrs import frozen

from callcore.domain import complaint, dispatch, order, ticket
from callcore.domain.assignment import WorkItem, work_queue_order
from callcore.domain.directory import Directory
from callcore.ports import Recorded

_OPEN = {
    "ticket": {"open", "resolved"},
    "complaint": {
        "lodged",
        "judged-valid",
        "notified",
        "resolution-proposed",
        "resolution-accepted",
    },
    "order": {"placed", "assigned", "delivered"},
    "dispatch": {
        "requested",
        "confirmed",
        "assigned",
        "en-route",
        "on-site",
        "cannot-complete",
        "escalated",
    },
}


@frozen
class WorkRow:
    kind: str
    id: str
    status: str
    opened_at: datetime
    due_at: datetime | None = None


@frozen
class BookedWork:
    dispatch_id: str
    kind: str
    status: str


@frozen
class WorkerLoad:
    worker: str
    day: date
    booked: int
    capacity: int
    done: int
    to_do: tuple[BookedWork, ...]


class Workload:
    def __init__(self, directory: Directory) -> None:
        self.directory = directory
        self.records: dict[str, tuple[str, str, str | None, datetime]] = {}
        """stream → (kind, id, branch, opened_at)"""
        self.status: dict[str, list[tuple[datetime, str]]] = {}
        self.due: dict[str, datetime] = {}
        self.bookings: dict[str, list[tuple[datetime, str, bool]]] = {}
        """schedule stream → [(at, dispatch id, booked?)]"""
        self.dispatch_kind: dict[str, str] = {}
        self.work_items: dict[str, WorkItem] = {}

    def apply_all(self, records: Iterable[Recorded]) -> Workload:
        for record in records:
            self.apply(record)
        return self

    def _open(
        self, stream: str, kind: str, ident: str, branch: str | None, at: datetime, status: str
    ) -> None:
        self.records[stream] = (kind, ident, branch, at)
        self.status[stream] = [(at, status)]

    def _set(self, stream: str, at: datetime, status: str) -> None:
        if stream in self.status:
            self.status[stream].append((at, status))

    def apply(self, record: Recorded) -> None:
        event, stream = record.event, record.stream
        match event:
            case ticket.TicketOpened():
                area = self.directory.areas.get(event.area or "")
                self._open(
                    stream,
                    "ticket",
                    event.ticket_id,
                    area.branch if area else None,
                    event.at,
                    "open",
                )
            case ticket.CallbackPromised():
                self.due[stream] = event.reply_due
            case ticket.VoicemailRecorded():
                self.due[stream] = event.callback_due
            case ticket.TicketResolved():
                self._set(stream, event.at, "resolved")
            case ticket.TicketClosed():
                self._set(stream, event.at, "closed")
            case ticket.TicketReopened():
                self._set(stream, event.at, "open")
            case complaint.ComplaintLodged():
                about = event.about
                branch = about.id if about.kind is complaint.SubjectKind.BRANCH else None
                if about.kind is complaint.SubjectKind.FIELD_WORKER:
                    worker = self.directory.field_workers.get(about.id or "")
                    branch = worker.branch if worker else None
                self._open(stream, "complaint", event.complaint_id, branch, event.at, "lodged")
            case complaint.ReplyTimeCommitted():
                self.due[stream] = event.reply_by
            case complaint.ComplaintJudgedValid():
                self._set(stream, event.at, "judged-valid")
            case complaint.DepartmentNotified():
                self._set(stream, event.at, "notified")
            case complaint.ComplaintClosed():
                self._set(stream, event.at, "closed")
            case order.OrderPlaced():
                self._open(stream, "order", event.order_id, event.branch, event.at, "placed")
                self.due[stream] = event.delivery_window.end
            case order.OrderAssigned():
                self._set(stream, event.at, "assigned")
            case order.DeliveryRescheduled():
                self.due[stream] = event.window.end
            case order.OrderDelivered():
                self._set(stream, event.at, "delivered")
            case order.OrderClosed():
                self._set(stream, event.at, "closed")
            case order.OrderCancelled():
                self._set(stream, event.at, "cancelled")
            case dispatch.DispatchRequested():
                self._open(
                    stream, "dispatch", event.dispatch_id, event.branch, event.at, "requested"
                )
                self.dispatch_kind[event.dispatch_id] = event.kind.value
                self.work_items[stream] = WorkItem(
                    event.dispatch_id,
                    event.priority,
                    event.customer_level,
                    event.at,
                    event.area,
                    event.required_skill,
                )
            case dispatch.FieldWorkerAssigned():
                self._set(stream, event.at, "assigned")
            case dispatch.FieldWorkerUnassigned():
                self._set(stream, event.at, "requested")
            case dispatch.DispatchEscalated() if self._status_at(stream, event.at) == "requested":
                self._set(stream, event.at, "escalated")
            case dispatch.WorkerSetOff():
                self._set(stream, event.at, "en-route")
            case dispatch.WorkerArrived():
                self._set(stream, event.at, "on-site")
            case dispatch.WorkCouldNotBeCompleted():
                self._set(stream, event.at, "cannot-complete")
            case dispatch.DispatchCompleted():
                self._set(stream, event.at, "completed")
            case dispatch.DispatchCancelled():
                self._set(stream, event.at, "cancelled")
            case dispatch.WorkOrderBooked():
                self.bookings.setdefault(stream, []).append((event.at, event.dispatch_id, True))
            case dispatch.WorkOrderReleased():
                self.bookings.setdefault(stream, []).append((event.at, event.dispatch_id, False))

    def _status_at(self, stream: str, at: datetime) -> str | None:
        seen = [status for when, status in self.status.get(stream, []) if when <= at]
        return seen[-1] if seen else None

    def open_work(self, branch: str, at: datetime) -> tuple[WorkRow, ...]:
        """The open tickets, complaints, orders and dispatches of a branch, oldest first."""
        rows = []
        for stream, (kind, ident, owner, opened_at) in self.records.items():
            if owner != branch or opened_at > at:
                continue
            status = self._status_at(stream, at)
            if status in _OPEN[kind]:
                rows.append(WorkRow(kind, ident, status or "", opened_at, self.due.get(stream)))
        return tuple(sorted(rows, key=lambda r: (r.opened_at, r.kind, r.id)))

    def work_queue(self, branch: str, at: datetime) -> tuple[WorkRow, ...]:
        """A branch's dispatches still waiting for a field worker, in the order they should
        be served: priority, then customer level, then the longest wait (domain.md §4.5)."""
        waiting = [
            item
            for stream, item in self.work_items.items()
            if self.records[stream][2] == branch
            and item.requested_at <= at
            and self._status_at(stream, at) in ("requested", "confirmed", "escalated")
        ]
        return tuple(
            WorkRow(
                "dispatch",
                item.dispatch_id,
                self._status_at(f"dispatch-{item.dispatch_id}", at) or "",
                item.requested_at,
            )
            for item in work_queue_order(waiting)
        )

    def worker_load(self, worker: str, day: date, at: datetime) -> WorkerLoad:
        """The work orders booked on a field worker's day, and what is left to do."""
        stream = dispatch.schedule_stream(worker, day)
        booked: dict[str, bool] = {}
        for when, dispatch_id, is_booked in self.bookings.get(stream, []):
            if when <= at:
                booked[dispatch_id] = is_booked
        ids = sorted(d for d, b in booked.items() if b)
        statuses = {d: self._status_at(f"dispatch-{d}", at) or "assigned" for d in ids}
        to_do = tuple(
            BookedWork(d, self.dispatch_kind.get(d, ""), statuses[d])
            for d in ids
            if statuses[d] not in ("completed", "cancelled")
        )
        return WorkerLoad(
            worker=worker,
            day=day,
            booked=len(ids),
            capacity=self.directory.field_worker(worker).daily_capacity,
            done=sum(1 for d in ids if statuses[d] == "completed"),
            to_do=to_do,
        )
