"""Look-ups agents need about work (domain.md §4, §8): the open work of a branch, its
queue of dispatches waiting for a worker, and a field worker's load on a day. A pure
fold (:class:`OpenWork`); every answer is as of any instant.

Each ticket, complaint, order and dispatch is folded with its aggregate's own ``evolve``
(so a status here is always the status the domain has), and the fold keeps the history
of what a row showed — status, open or not, due hint — so an earlier instant is answered
exactly.

Open work of a branch (:meth:`OpenWork.open_work`), oldest first:

* **tickets** not closed (``open``, ``resolved``), of the branch the ticket was opened
  for (its own ``branch``, else its area's); due: the promised callback (until the
  customer was replied to) or the voicemail callback (until the caller was reached);
* **complaints** not closed, about one of the branch's field workers (per the directory)
  or about the branch itself — complaints about an agent or "other" are the centre's,
  no branch's; due: the committed reply time while the customer waits for an answer
  (until a resolution is proposed);
* **orders** placed or assigned, due at the end of the delivery window; and — decision —
  a delivered order whose empty cylinder is still to be collected, due at the end of its
  pickup window (collecting it is the branch's work, and the order cannot close before);
* **dispatches** not completed or cancelled, due at the end of the confirmed (else
  wished) window.

A field worker's day (:meth:`OpenWork.worker_load`): the work orders booked on
``schedule-<worker>-<day>`` (booked less released), how many of them are done
(completed), what is left to do (neither completed nor cancelled), and the worker's
daily capacity from the directory.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Iterable
from datetime import date, datetime
from typing import Any

from attrs import frozen

from callcore.domain import complaint, dispatch, order, ticket
from callcore.domain.assignment import WorkItem, work_queue_order
from callcore.domain.common import Event, Fold
from callcore.domain.directory import Directory
from callcore.ports import Recorded


@frozen
class WorkRow:
    """A record still open in a branch's work: a ticket, complaint, order or
    dispatch."""

    kind: str
    """``ticket``, ``complaint``, ``order`` or ``dispatch``."""
    id: str
    status: str
    """The aggregate's own status (``open``, ``notified``, ``assigned``, ``en-route``…)."""
    opened_at: datetime
    due_at: datetime | None = None
    """A due hint where one is known (see the module docs)."""


@frozen
class BookedWork:
    """A work order booked on a field worker's day."""

    dispatch_id: str
    kind: str
    status: str
    due_at: datetime | None = None
    """The end of the confirmed (else wished) window."""


@frozen
class WorkerLoad:
    """A field worker's day: booked work orders against capacity, done, and what is left
    to do."""

    worker: str
    day: date
    booked: int
    capacity: int
    done: int
    to_do: tuple[BookedWork, ...]


@frozen
class _Shown:
    """What a record's row shows from an instant on."""

    status: str
    open: bool
    due: datetime | None


@frozen
class _Record:
    kind: str
    id: str
    branch: str | None
    opened_at: datetime


_CLOSED_DISPATCH = frozenset({dispatch.Status.COMPLETED, dispatch.Status.CANCELLED})
_WAITING = frozenset({"requested", "confirmed", "escalated"})


def _shown_ticket(state: ticket.State, due: datetime | None) -> _Shown:
    return _Shown(state.status.value, state.status is not ticket.Status.CLOSED, due)


def _shown_complaint(state: complaint.State, due: datetime | None) -> _Shown:
    waiting = state.status in (
        complaint.Status.LODGED,
        complaint.Status.JUDGED_VALID,
        complaint.Status.NOTIFIED,
    )
    return _Shown(state.status.value, state.closed_at is None, state.reply_by if waiting else None)


def _shown_order(state: order.State, due: datetime | None) -> _Shown:
    status = state.status
    if status in (order.Status.PLACED, order.Status.ASSIGNED):
        window = state.delivery_window
        return _Shown(status.value, True, window.end if window else None)
    if status is order.Status.DELIVERED and not state.empty_collected:
        window = state.pickup_window
        return _Shown(status.value, True, window.end if window else None)
    return _Shown(status.value, False, None)


def _shown_dispatch(state: dispatch.State, due: datetime | None) -> _Shown:
    window = state.confirmed or state.wished
    return _Shown(
        state.status.value, state.status not in _CLOSED_DISPATCH, window.end if window else None
    )


_Show = Callable[[Any, datetime | None], _Shown]
_FOLDS: dict[str, tuple[Fold[Any], frozenset[type[Event]], _Show]] = {
    fold.kind: (fold, frozenset(fold.events), show)
    for fold, show in (
        (ticket.FOLD, _shown_ticket),
        (complaint.FOLD, _shown_complaint),
        (order.FOLD, _shown_order),
        (dispatch.FOLD, _shown_dispatch),
    )
}


class OpenWork:
    def __init__(self, directory: Directory) -> None:
        self.directory = directory
        self.records: dict[str, _Record] = {}
        self.states: dict[str, Any] = {}
        """stream → its aggregate's state, folded with the aggregate's own evolve."""
        self.callback_due: dict[str, datetime | None] = {}
        """ticket stream → the callback the customer is waiting for, if any."""
        self.times: dict[str, list[datetime]] = {}
        self.shown: dict[str, list[_Shown]] = {}
        """stream → what its row showed from each of ``times`` on."""
        self.by_branch: dict[str, list[str]] = {}
        self.bookings: dict[str, list[tuple[datetime, str, bool]]] = {}
        """schedule stream → [(at, dispatch id, booked?)]"""
        self.dispatch_kind: dict[str, str] = {}
        self.work_items: dict[str, WorkItem] = {}

    def apply_all(self, records: Iterable[Recorded]) -> OpenWork:
        for record in records:
            self.apply(record)
        return self

    def _branch(self, event: Event) -> str | None:
        match event:
            case ticket.TicketOpened():
                if event.branch is not None:
                    return event.branch
                area = self.directory.areas.get(event.area or "")
                return area.branch if area else None
            case complaint.ComplaintLodged():
                about = event.about
                if about.kind is complaint.SubjectKind.BRANCH:
                    return about.id
                if about.kind is complaint.SubjectKind.FIELD_WORKER:
                    worker = self.directory.field_workers.get(about.id or "")
                    return worker.branch if worker else None
                return None
            case order.OrderPlaced() | dispatch.DispatchRequested():
                return event.branch
        return None

    def _opened(self, stream: str, kind: str, event: Event) -> None:
        ident = getattr(event, f"{kind}_id", None)
        if not isinstance(ident, str):
            return
        branch = self._branch(event)
        self.records[stream] = _Record(kind, ident, branch, event.at)
        if branch is not None:
            self.by_branch.setdefault(branch, []).append(stream)
        match event:
            case dispatch.DispatchRequested():
                self.dispatch_kind[event.dispatch_id] = event.kind.value
                self.work_items[stream] = WorkItem(
                    event.dispatch_id,
                    event.priority,
                    event.customer_level,
                    event.at,
                    event.area,
                    event.required_skill,
                )

    def _callback(self, stream: str, event: Event) -> None:
        match event:
            case ticket.CallbackPromised():
                self.callback_due[stream] = event.reply_due
            case ticket.CustomerReplied():
                self.callback_due[stream] = None
            case ticket.VoicemailRecorded():
                self.callback_due[stream] = event.callback_due
            case ticket.VoicemailCallbackMade() if event.reached:
                self.callback_due[stream] = None

    def apply(self, record: Recorded) -> None:
        event, stream = record.event, record.stream
        match event:
            case dispatch.WorkOrderBooked():
                self.bookings.setdefault(stream, []).append((event.at, event.dispatch_id, True))
                return
            case dispatch.WorkOrderReleased():
                self.bookings.setdefault(stream, []).append((event.at, event.dispatch_id, False))
                return
        kind = stream.partition("-")[0]
        found = _FOLDS.get(kind)
        if found is None or type(event) not in found[1]:
            return
        fold, _, show = found
        if stream not in self.states:
            self._opened(stream, kind, event)
        state = fold.evolve(self.states.get(stream, fold.initial), event)
        self.states[stream] = state
        self._callback(stream, event)
        shown = show(state, self.callback_due.get(stream))
        history = self.shown.setdefault(stream, [])
        if not history or history[-1] != shown:
            self.times.setdefault(stream, []).append(event.at)
            history.append(shown)

    # -- reading -------------------------------------------------------------------

    def _shown_at(self, stream: str, at: datetime) -> _Shown | None:
        times = self.times.get(stream)
        if not times:
            return None
        index = bisect_right(times, at)
        return self.shown[stream][index - 1] if index else None

    def open_work(self, branch: str, at: datetime) -> tuple[WorkRow, ...]:
        """The open tickets, complaints, orders and dispatches of a branch as of ``at``,
        oldest first."""
        rows = []
        for stream in self.by_branch.get(branch, ()):
            shown = self._shown_at(stream, at)
            if shown is None or not shown.open:
                continue
            found = self.records[stream]
            rows.append(WorkRow(found.kind, found.id, shown.status, found.opened_at, shown.due))
        return tuple(sorted(rows, key=lambda r: (r.opened_at, r.kind, r.id)))

    def work_queue(self, branch: str, at: datetime) -> tuple[WorkRow, ...]:
        """A branch's dispatches still waiting for a field worker, in the order they should
        be served: priority, then customer level, then the longest wait (domain.md §4.5)."""
        waiting: list[WorkItem] = []
        shown: dict[str, _Shown] = {}
        for stream in self.by_branch.get(branch, ()):
            item = self.work_items.get(stream)
            now = self._shown_at(stream, at) if item is not None else None
            if item is not None and now is not None and now.status in _WAITING:
                waiting.append(item)
                shown[item.dispatch_id] = now
        return tuple(
            WorkRow(
                "dispatch",
                item.dispatch_id,
                shown[item.dispatch_id].status,
                item.requested_at,
                shown[item.dispatch_id].due,
            )
            for item in work_queue_order(waiting)
        )

    def worker_load(self, worker_id: str, day: date, at: datetime) -> WorkerLoad:
        """The work orders booked on a field worker's (centre-local) day as of ``at``, how
        many are done and what is left to do."""
        booked: dict[str, bool] = {}
        for when, dispatch_id, is_booked in self.bookings.get(
            dispatch.schedule_stream(worker_id, day), ()
        ):
            if when <= at:
                booked[dispatch_id] = is_booked
        done = 0
        to_do = []
        ids = sorted(d for d, b in booked.items() if b)
        for dispatch_id in ids:
            shown = self._shown_at(dispatch.stream_id(dispatch_id), at)
            status = shown.status if shown else dispatch.Status.ASSIGNED.value
            if status == dispatch.Status.COMPLETED:
                done += 1
            elif status != dispatch.Status.CANCELLED:
                work = BookedWork(
                    dispatch_id,
                    self.dispatch_kind.get(dispatch_id, ""),
                    status,
                    shown.due if shown else None,
                )
                to_do.append(work)
        return WorkerLoad(
            worker=worker_id,
            day=day,
            booked=len(ids),
            capacity=self.directory.field_worker(worker_id).daily_capacity,
            done=done,
            to_do=tuple(to_do),
        )


Workload = OpenWork
"""The name the rest of the package has used for this fold."""
