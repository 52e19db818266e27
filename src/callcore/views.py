"""``cc.views``: the supervisors' views of a centre, as of now or any past instant.

Every view is a pure fold (``callcore.projections``) over the store's events. Every event
has two times: ``at``, when it happened, and ``recorded_at``, when the store took it
(docs/views.md). Asked "as of" an instant T, a view answers what it would have shown at
T: it folds the facts *recorded* by T (``recorded_at <= T``) that had happened by T
(``at <= T``: a fact recorded early, dated after T by a clock running ahead, counts from
its ``at``), in store order, and evaluates its clocks at T. A fact reported late counts
from when it happened, but only in views as of its recording. ``Views.knowing_now()``
asks the other question: knowing everything recorded now, what had happened by T
(``at <= T``, whenever it was recorded). Given another ``directory``, the same history is
re-evaluated under that directory's SLA policy and calendar — a what-if that never
touches the store.

**Kept folds** (quality.md P6). A view as of a past instant must not fold the whole
store again. The SLA clocks, the phone queues and satisfaction are *bitemporal*: each
fact carries the instant it happened, and their views are evaluated "as known at" the
instant asked (a clock stopped later shows as running, a call answered later as waiting,
a rating given later is not there yet). So the view as of any instant is exactly the view
of a fold that has seen *more* — the property tests check this, byte for byte, at random
instants. ``Views`` therefore keeps one fold of each of these caught up with the store
(only new events are folded on each look) and asks it for the view at the instant: a
past instant costs no more than now. Two things break this, and make the instants they
touch *unsafe* (folded afresh from just the events that count then): a store out of
instant order (a fact stored after one that happened later), and a fact recorded after
it happened (between its ``at`` and its ``recorded_at``, the kept fold knows it and the
record did not yet). The property tests move and delay events to find them.
"""

from __future__ import annotations

import bisect
import io
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any, ClassVar, Literal, Protocol, TypeVar, cast

import attrs
from rich.console import Console, Group, RenderableType

from callcore.domain.calendar import BusinessCalendar, zone
from callcore.domain.common import Event
from callcore.domain.directory import Directory
from callcore.formats import Shown, dumps, in_zone, parse_day, parse_instant, view_data, view_table
from callcore.ports import Clock, Positioned, Recorded
from callcore.projections import daily as _daily
from callcore.projections import handover as _handover
from callcore.projections import queues as _queues
from callcore.projections import satisfaction as _satisfaction
from callcore.projections import sla as _sla
from callcore.projections import staffing as _staffing
from callcore.projections import workload as _workload
from callcore.projections.agents import AgentDay
from callcore.projections.daily import (
    BranchDay,
    CategoryCount,
    ClockCompliance,
    DailyReport,
    DepartmentCount,
    DispatchCount,
    Overdue,
)
from callcore.projections.follow_ups import FollowUps, FollowUpWork, Sampled
from callcore.projections.handover import (
    AgentHandover,
    Deadline,
    DepartmentDigest,
    HandedOverWork,
    ShiftHandover,
    Suggestion,
)
from callcore.projections.queues import QueueMetrics, QueueRow, Variant
from callcore.projections.satisfaction import (
    DepartmentRow,
    Problem,
    Satisfaction,
    SatisfactionRow,
)
from callcore.projections.sla import Attribution, ClockRow, ClockStatus, SlaClocks
from callcore.projections.staffing import StaffingRow
from callcore.projections.workload import BookedWork, Workload, WorkRow

__all__ = [
    "AgentHandover",
    "AllViews",
    "Attribution",
    "BookedWork",
    "BranchDay",
    "CategoryCount",
    "ClockCompliance",
    "ClockRow",
    "ClockStatus",
    "DailyView",
    "Deadline",
    "DepartmentCount",
    "DepartmentDigest",
    "DepartmentRow",
    "DigestView",
    "DispatchCount",
    "FollowUpWork",
    "HandedOverWork",
    "HandoverView",
    "Overdue",
    "PeriodView",
    "Problem",
    "QueueRow",
    "QueueView",
    "Sampled",
    "SatisfactionRow",
    "SatisfactionView",
    "SlaView",
    "StaffingReport",
    "StaffingRow",
    "Suggestion",
    "Variant",
    "Views",
    "WorkRow",
    "WorkerLoad",
]


class _Fold(Protocol):
    def apply(self, record: Recorded) -> None: ...

    @classmethod
    def consumes(cls) -> frozenset[type[Event]]: ...


def consumed(*folds: type[_Fold]) -> frozenset[str]:
    """The stable names of the event types these folds consume: what a reader must
    decode for them (every other line can stay undecoded)."""
    return frozenset(t.type_name() for fold in folds for t in fold.consumes())


def read_types(
    history: _History, after_position: int, types: frozenset[str] | None
) -> Iterator[Positioned]:
    """The history's events after a position, only of ``types`` (stable names; None:
    every type). A history that can skip lines without decoding them (a replayed log's)
    does; any other is read whole and filtered."""
    if types is None:
        return history.read_all(after_position)
    by_type = getattr(history, "read_types", None)
    if by_type is not None:
        found: Iterator[Positioned] = by_type(after_position, types)
        return found
    return (p for p in history.read_all(after_position) if p.recorded.event.type_name() in types)


F = TypeVar("F", bound=_Fold)
Knowing = Literal["recorded", "now"]
"""Which facts a view as of T counts: those recorded by T (the default: what the views
showed at T), or everything recorded now that had happened by T."""
KNOWING: tuple[Knowing, ...] = ("recorded", "now")
V = TypeVar("V")

Instant = datetime | str
"""An instant on the Python API: a datetime or an ISO 8601 string (``"2026-12-02T12:00"``,
``"2026-12-02T12:00+08:00"``). Without an offset it is the centre's local time; a bare
date (a string, or a :class:`datetime.date` where the parameter allows one) is the end
of that day for ``at``, its start for ``since`` and the end of it for ``until``."""
Day = date | datetime | str
"""A centre-local day: a date, an ISO 8601 string (``"2026-12-02"``; a time given with it
is ignored), or a datetime (its day in the centre's time zone)."""


def instant_of(
    value: datetime | date | str, parameter: str, centre_zone: tzinfo, *, edge: str = "end"
) -> datetime:
    """``value`` as an aware instant; naive values are the centre's local time. A bare
    date is the end of that day (``edge="end"``: 23:59:59, as the command line reads
    it), or its start (``edge="start"``), or the next day's start (``edge="after"``: an
    exclusive bound that includes the day). Raises one ValueError naming ``parameter``."""
    if isinstance(value, datetime):
        return value if value.tzinfo is not None else value.replace(tzinfo=centre_zone)
    if isinstance(value, date):
        day = value
    elif isinstance(value, str):
        text = value.strip()
        try:
            if len(text) != 10:
                return parse_instant(text, centre_zone)
            day = parse_day(text)
        except ValueError as error:
            raise ValueError(f"{parameter}: {error}") from None
    else:
        raise ValueError(
            f"{parameter}: give a datetime or an ISO 8601 string, not {type(value).__name__}"
        )
    if edge == "start":
        return datetime.combine(day, time(), centre_zone)
    if edge == "after":
        return datetime.combine(day + timedelta(days=1), time(), centre_zone)
    return datetime.combine(day, time(23, 59, 59), centre_zone)


def day_of(value: Day, parameter: str, centre_zone: tzinfo) -> date:
    """``value`` as a centre-local day; raises one ValueError naming ``parameter``."""
    if isinstance(value, datetime):
        return value.astimezone(centre_zone).date() if value.tzinfo else value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        text = value.strip()
        try:
            if len(text) == 10:
                return parse_day(text)
            return parse_instant(text, centre_zone).astimezone(centre_zone).date()
        except ValueError as error:
            raise ValueError(f"{parameter}: {error}") from None
    raise ValueError(f"{parameter}: give a date or an ISO 8601 string, not {type(value).__name__}")


class _KeptFold:
    """One fold kept caught up with a store: only new events are folded on each look.

    It also remembers the instants at which its view can differ from a fresh fold of
    what counts then (see the module docstring): ``unordered``, where the store is out of
    instant order — an event stored after one that happened later makes every instant
    between the two unsafe (folded in store order, the later fact came first, and "as
    known at" such an instant can differ from folding only what had happened by then);
    and ``unrecorded``, from each late fact's ``at`` to its ``recorded_at``. The check
    costs one comparison of two times per event; spans are added only where it fails."""

    def __init__(self, directory: Directory, fold: Any) -> None:
        self.directory = directory
        self.fold = fold
        self.types = consumed(type(fold))
        self.position = 0
        self.latest: datetime | None = None
        self.unordered: list[tuple[datetime, datetime]] = []
        """Disjoint [from, to) spans of instants, sorted."""
        self.unrecorded: list[tuple[datetime, datetime]] = []
        self.lock = threading.Lock()

    def catch_up(self, history: _History) -> None:
        # only the events the fold consumes: the spans below are of those (the others
        # cannot change its view, wherever they are stored)
        for positioned in read_types(history, self.position, self.types):
            record = positioned.recorded
            at = record.event.at
            if self.latest is None or at > self.latest:
                self.latest = at
            elif at < self.latest:
                _add_span(self.unordered, at, self.latest)
            if record.recorded_at > at:
                _add_span(self.unrecorded, at, record.recorded_at)
            self.fold.apply(record)
            self.position = positioned.position

    def exact_at(self, instant: datetime, knowing: Knowing) -> bool:
        if not _outside(self.unordered, instant):
            return False
        return knowing == "now" or _outside(self.unrecorded, instant)


def _add_span(spans: list[tuple[datetime, datetime]], start: datetime, end: datetime) -> None:
    """Add [start, end) to sorted disjoint spans, merging what it touches. New spans are
    mostly recent, so the search runs from the end."""
    after: list[tuple[datetime, datetime]] = []
    while spans and spans[-1][0] > end:
        after.append(spans.pop())
    while spans and spans[-1][1] >= start:
        first, last = spans.pop()
        start, end = min(start, first), max(end, last)
    spans.append((start, end))
    spans.extend(reversed(after))


def _outside(spans: list[tuple[datetime, datetime]], instant: datetime) -> bool:
    ends = [end for _, end in spans]
    index = bisect.bisect_right(ends, instant)
    return index == len(spans) or instant < spans[index][0]


# ------------------------------------------------------------------ printable views


class _Printable:
    """What every view of ``cc.views`` adds to its fold's answer: ``to_json()`` (the
    JSON ``--format json`` prints), ``to_table()`` and ``__rich__`` (the tables the
    command line prints) and a one-line ``repr``, all with times in the centre's zone.

    A view of ``cc.views`` equals the fold's view it was made from (the projections'
    type): the zone it prints in is not part of what it says."""

    _shown_as: ClassVar[type[Any]]
    _centre_zone: tzinfo = UTC

    def _view(self) -> Shown:
        return cast(Shown, self)

    def to_json(self) -> str:
        """The view's stable JSON (docs/event-log.md): what ``callcore views --format
        json`` prints for it — sorted keys, times in the centre's offset."""
        return dumps(view_data(self._view(), self._centre_zone)).decode()

    def __rich__(self) -> RenderableType:
        """The tables ``callcore views`` prints, for ``rich.print(view)``."""
        return view_table(self._view(), self._centre_zone)

    def to_table(self, width: int = 100) -> str:
        """The view's tables as plain text (``width`` characters wide)."""
        return _plain_text(self, width)

    def _summary(self) -> str:
        return ""

    def _when(self, instant: datetime | None) -> str:
        if instant is None:
            return "—"
        return in_zone(instant, self._centre_zone).isoformat(timespec="minutes")

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self._summary()}; .to_table(), .to_json()>"

    def __eq__(self, other: object) -> bool:
        if isinstance(other, self._shown_as):
            return all(
                getattr(self, field.name) == getattr(other, field.name)
                for field in attrs.fields(self._shown_as)
            )
        return NotImplemented

    def __hash__(self) -> int:
        # the fold's own hash: a view and the fold's view it was made from are equal
        base_hash = cast(Callable[[object], int], vars(self._shown_as)["__hash__"])
        return base_hash(self)


def _plain_text(renderable: Any, width: int) -> str:
    out = io.StringIO()
    Console(file=out, width=width, color_system=None, force_terminal=False).print(renderable)
    return out.getvalue()


P = TypeVar("P", bound=_Printable)


def _printable(view: Any, kind: type[P], centre_zone: tzinfo) -> P:
    """The fold's view as its printable type: the same values (not copied), and the zone
    its times print in."""
    shown = object.__new__(kind)
    for field in attrs.fields(type(view)):
        object.__setattr__(shown, field.name, getattr(view, field.name))
    object.__setattr__(shown, "_centre_zone", centre_zone)
    return shown


def _plural(count: int, noun: str, plural: str | None = None) -> str:
    return f"{count} {noun if count == 1 else plural or noun + 's'}"


class SlaView(_Printable, _sla.SlaView):
    __doc__ = _sla.SlaView.__doc__
    _shown_as = _sla.SlaView

    def _summary(self) -> str:
        states = [row.state for row in self.clocks]
        counted = ", ".join(
            f"{states.count(status)} {status.value}" for status in ClockStatus if status in states
        )
        return f"as of {self._when(self.as_of)}: {_plural(len(states), 'clock')}" + (
            f" ({counted})" if counted else ""
        )


class StaffingReport(_Printable, _staffing.StaffingReport):
    __doc__ = _staffing.StaffingReport.__doc__
    _shown_as = _staffing.StaffingReport

    def to_json(self) -> str:
        return dumps(_staffing.staffing_data(self, self._centre_zone)).decode()

    def __rich__(self) -> RenderableType:
        return _staffing.render_staffing(self, self._centre_zone)

    def to_table(self, width: int = 100) -> str:
        return _staffing.render_staffing(self, self._centre_zone)

    def _summary(self) -> str:
        short = [row for row in self.rows if row.short_by > 0]
        return f"as of {self._when(self.as_of)}: {_plural(len(short), 'interval')} short of agents"


class QueueView(_Printable, _queues.QueueView):
    __doc__ = _queues.QueueView.__doc__
    _shown_as = _queues.QueueView

    def _summary(self) -> str:
        queues = "; ".join(
            f"{row.queue}: {row.offered} offered, {row.answered} answered, service level "
            + ("—" if row.service_level is None else f"{row.service_level:.0%}")
            for row in self.queues
        )
        return f"as of {self._when(self.as_of)}: " + (queues or "no queues")


class SatisfactionView(_Printable, _satisfaction.SatisfactionView):
    __doc__ = _satisfaction.SatisfactionView.__doc__
    _shown_as = _satisfaction.SatisfactionView

    def _summary(self) -> str:
        return (
            f"as of {self._when(self.as_of)}: {_plural(len(self.workers), 'field worker')}, "
            f"{_plural(len(self.branches), 'branch')}, {_plural(len(self.agents), 'agent')}, "
            f"{_plural(len(self.problems), 'problem')}"
        ).replace("branchs", "branches")


class DailyView(_Printable, _daily.DailyView):
    __doc__ = _daily.DailyView.__doc__
    _shown_as = _daily.DailyView

    def _summary(self) -> str:
        return (
            f"{self.day.isoformat()} as of {self._when(self.as_of)}: "
            f"{_totals(self.totals)} in {_plural(len(self.branches), 'branch')}"
        ).replace("branchs", "branches")


class PeriodView(_Printable, _daily.PeriodView):
    __doc__ = _daily.PeriodView.__doc__
    _shown_as = _daily.PeriodView

    def _summary(self) -> str:
        return (
            f"{self.start.isoformat()} to {self.end.isoformat()} as of "
            f"{self._when(self.as_of)}: {_totals(self.totals)} in "
            f"{_plural(len(self.branches), 'branch', 'branches')}"
        )


def _totals(row: BranchDay) -> str:
    tickets = sum(count.count for count in row.tickets_opened)
    return (
        f"{_plural(row.orders, 'order')}, {_plural(tickets, 'ticket')}, "
        f"{_plural(row.complaints, 'complaint')}"
    )


class HandoverView(_Printable, _handover.HandoverView):
    __doc__ = _handover.HandoverView.__doc__
    _shown_as = _handover.HandoverView

    def _summary(self) -> str:
        open_work = sum(len(agent.open_work) for agent in self.agents)
        due = sum(len(agent.due_next_shift) for agent in self.agents)
        return (
            f"{self.shift} to {self.next_shift} as of {self._when(self.as_of)}: "
            f"{_plural(len(self.agents), 'agent')}, {open_work} open, {due} due next shift"
        )


class DigestView(_Printable, _handover.DigestView):
    __doc__ = _handover.DigestView.__doc__
    _shown_as = _handover.DigestView

    def _summary(self) -> str:
        items = sum(len(department.items) for department in self.departments)
        return (
            f"{self._when(self.since)} to {self._when(self.until)}: "
            f"{_plural(items, 'item')} for {_plural(len(self.departments), 'department')}"
        )


class WorkerLoad(_Printable, _workload.WorkerLoad):
    __doc__ = _workload.WorkerLoad.__doc__
    _shown_as = _workload.WorkerLoad

    def _summary(self) -> str:
        return (
            f"{self.worker} on {self.day.isoformat()}: {self.booked} booked of "
            f"{self.capacity}, {self.done} done, {len(self.to_do)} to do"
        )


@attrs.frozen(repr=False)
class AllViews:
    """Every supervisors' view of one instant, from one pass over the events. Prints
    as the four views do (``to_json()`` is the object ``callcore views --format json``
    prints without ``--view``)."""

    sla: SlaView
    queues: QueueView
    satisfaction: SatisfactionView
    daily: DailyView

    def _parts(self) -> dict[str, SlaView | QueueView | SatisfactionView | DailyView]:
        return {
            "sla": self.sla,
            "queues": self.queues,
            "satisfaction": self.satisfaction,
            "daily": self.daily,
        }

    def to_json(self) -> str:
        """The four views' JSON in one object, keyed by view name."""
        zone = self.sla._centre_zone
        return dumps({name: view_data(view, zone) for name, view in self._parts().items()}).decode()

    def __rich__(self) -> RenderableType:
        return Group(*(view.__rich__() for view in self._parts().values()))

    def to_table(self, width: int = 100) -> str:
        """The four views' tables as plain text."""
        return _plain_text(self, width)

    def __repr__(self) -> str:
        return (
            f"<AllViews as of {self.sla._when(self.sla.as_of)}: sla, queues, satisfaction, daily>"
        )


class _History(Protocol):
    def read_all(
        self, after_position: int = 0, limit: int | None = None
    ) -> Iterator[Positioned]: ...


class Source(Protocol):
    """What the views read: a centre (``CallCenter``) or a replayed log (``Replay``)."""

    @property
    def store(self) -> _History: ...

    @property
    def clock(self) -> Clock: ...

    @property
    def directory(self) -> Directory: ...


class Views:
    """``cc.views``: the SLA clocks, the phone queues, satisfaction, the daily report,
    open work and hand-over of a centre, as of now or any past instant."""

    def __init__(
        self, center: Source, *, keep_folds: bool = True, knowing: Knowing = "recorded"
    ) -> None:
        if knowing not in KNOWING:
            raise ValueError(f"knowing is 'recorded' or 'now', not {knowing!r}")
        self._center = center
        self._keep_folds = keep_folds
        self.knowing: Knowing = knowing
        self._kept: dict[str, _KeptFold] = {}
        self._lock = threading.Lock()

    def knowing_now(self) -> Views:
        """The same views asking the other question: knowing everything recorded now,
        what had happened by the instant (a late fact counts from when it happened, in
        every view). Shares this one's kept folds."""
        other = Views(self._center, keep_folds=self._keep_folds, knowing="now")
        other._kept, other._lock = self._kept, self._lock
        return other

    def _as_known_at(
        self, name: str, make: Callable[[], F], instant: datetime, view: Callable[[F], V]
    ) -> V:
        """``view(fold)`` of the kept fold ``name``, caught up with the store. Exact for
        the bitemporal folds only (SLA, queues, satisfaction: see the module docstring);
        without kept folds, the fold of just the events up to ``instant``."""
        if not self._keep_folds:
            return self._plain(make, instant, view)
        directory = self._directory(instant)
        key = f"{name}:{id(directory)}"  # one kept fold per directory in force
        with self._lock:
            kept = self._kept.get(key)
            if kept is None or kept.directory is not directory:
                kept = self._kept[key] = _KeptFold(directory, make())
        with kept.lock:
            kept.catch_up(self._center.store)
            if kept.exact_at(instant, self.knowing):
                return view(kept.fold)
        return self._plain(make, instant, view)  # out of order there: fold just its past

    def _plain(self, make: Callable[[], F], instant: datetime, view: Callable[[F], V]) -> V:
        fold = make()
        for record in self.records(instant, types=consumed(type(fold))):
            fold.apply(record)
        return view(fold)

    def _directory(self, instant: datetime | None) -> Directory:
        """The directory in force at the instant (the store's record of them, when the
        source keeps one; else the source's directory)."""
        directory_at = getattr(self._center, "directory_at", None)
        if directory_at is None:
            return self._center.directory
        found: Directory = directory_at(instant)
        return found

    def _shown(self, view: Any, kind: type[P]) -> P:
        return _printable(view, kind, self._zone())

    def _zone(self) -> tzinfo:
        return zone(self._center.directory.calendar.timezone)

    def _instant(self, at: Instant | None, parameter: str = "at") -> datetime:
        if at is None:
            return self._center.clock.now()
        return instant_of(at, parameter, self._zone())

    def _bound(self, value: Instant | None, parameter: str, edge: str) -> datetime | None:
        return None if value is None else instant_of(value, parameter, self._zone(), edge=edge)

    def _day(self, value: Day, parameter: str = "day") -> date:
        return day_of(value, parameter, self._zone())

    def records(
        self, until: Instant | None = None, *, types: frozenset[str] | None = None
    ) -> Iterator[Recorded]:
        """The store's events in global order that count as of an instant (inclusive):
        recorded by then and happened by then (knowing "now": happened by then); only
        those of ``types`` (stable names, see :func:`consumed`) if given."""
        instant = None if until is None else self._instant(until, "until")
        return self._records(instant, types)

    def _records(self, until: datetime | None, types: frozenset[str] | None) -> Iterator[Recorded]:
        read = read_types(self._center.store, 0, types)
        if until is None:
            for positioned in read:
                yield positioned.recorded
        elif self.knowing == "now":
            for positioned in read:
                if positioned.recorded.event.at <= until:
                    yield positioned.recorded
        else:
            for positioned in read:
                record = positioned.recorded
                if record.event.at <= until and record.recorded_at <= until:
                    yield record

    def sla(self, at: Instant | None = None, *, directory: Directory | None = None) -> SlaView:
        """Every SLA clock instance and its state as of ``at`` (default: now).

        Every instant of ``cc.views`` is a datetime or an ISO 8601 string; one without
        an offset is the centre's local time (see :data:`Instant`).

        With ``directory``, a what-if: every clock is re-evaluated under that directory's
        policy and calendar instead of the policies recorded in the log."""
        instant = self._instant(at)
        if directory is not None:
            fold = SlaClocks(directory, policy_override=directory.sla)
            folded = fold.apply_all(self.records(instant, types=consumed(SlaClocks)))
            return self._shown(folded.view(instant), SlaView)
        centre = self._directory(instant)

        def sla_view(fold: SlaClocks) -> _sla.SlaView:
            return fold.view(instant)

        view = self._as_known_at("sla", lambda: SlaClocks(centre), instant, sla_view)
        return self._shown(view, SlaView)

    def queues(
        self,
        at: Instant | None = None,
        *,
        since: Instant | None = None,
        until: Instant | None = None,
        directory: Directory | None = None,
    ) -> QueueView:
        """The phone queues' service level, speed of answer and abandonment for calls
        offered in [since, until), as of ``at`` (default: now). Instants are datetimes
        or ISO 8601 strings, naive ones in the centre's time zone (:data:`Instant`)."""
        instant = self._instant(at)
        since, until = self._bound(since, "since", "start"), self._bound(until, "until", "after")
        if directory is not None:
            what_if = (
                QueueMetrics(directory, policy_override=directory.sla)
                .apply_all(self.records(instant, types=consumed(QueueMetrics)))
                .view(instant, since, until)
            )
            return self._shown(what_if, QueueView)
        centre = self._directory(instant)

        def queue_view(fold: QueueMetrics) -> _queues.QueueView:
            return fold.view(instant, since, until)

        view = self._as_known_at("queues", lambda: QueueMetrics(centre), instant, queue_view)
        return self._shown(view, QueueView)

    def staffing(
        self,
        day: Day | None = None,
        at: Instant | None = None,
        *,
        minutes: int = 30,
        goal: float = 0.8,
        wrap_up_seconds: float = 0.0,
    ) -> StaffingReport:
        """Staffing by volume (各电话中心根据业务量配备接线人员): for each interval of a
        centre-local day (default: the day of ``at``), the calls offered, their mean
        handle time, the agents Erlang C needed to answer ``goal`` of them within the
        policy's answer time, and the mean agents logged in, as of ``at`` (default:
        now). See :mod:`callcore.projections.staffing` for what each figure counts."""
        instant = self._instant(at)
        chosen = self._day(day) if day is not None else instant.astimezone(self._zone()).date()
        centre = self._directory(instant)
        start, end = BusinessCalendar(centre.calendar).day_span(chosen)
        calls, agents = QueueMetrics(centre), AgentDay(centre)
        for record in self.records(instant):
            calls.apply(record)
            agents.apply(record)
        report = _staffing.staffing_report(
            calls.calls.values(),
            {name: found.sessions for name, found in agents.agents.items()},
            [talk for found in agents.agents.values() for talk in found.calls],
            at=instant,
            start=start,
            end=end,
            target_seconds=centre.sla.answer_seconds,
            minutes=minutes,
            goal=goal,
            wrap_up_seconds=wrap_up_seconds,
        )
        return self._shown(report, StaffingReport)

    def satisfaction(
        self,
        at: Instant | None = None,
        *,
        since: Instant | None = None,
        until: Instant | None = None,
    ) -> SatisfactionView:
        """Satisfaction per field worker, branch and agent over [since, until), as of
        ``at`` (default: now). Instants are datetimes or ISO 8601 strings, naive ones in
        the centre's time zone (:data:`Instant`)."""
        instant = self._instant(at)
        since, until = self._bound(since, "since", "start"), self._bound(until, "until", "after")
        centre = self._directory(instant)

        def satisfaction_view(fold: Satisfaction) -> _satisfaction.SatisfactionView:
            return fold.view(instant, since, until)

        view = self._as_known_at(
            "satisfaction", lambda: Satisfaction(centre), instant, satisfaction_view
        )
        return self._shown(view, SatisfactionView)

    def _report(self, until: datetime, directory: Directory | None) -> DailyReport:
        report = DailyReport(directory or self._directory(until), what_if=directory is not None)
        return report.apply_all(self.records(until, types=consumed(DailyReport)))

    def rebuild_all(self, at: Instant | None = None) -> AllViews:
        """The SLA, queue, satisfaction and daily views as of ``at`` (default: now), all
        from one pass over the events (the day is the as-of instant's)."""
        instant = self._instant(at)
        directory = self._directory(instant)
        # the daily report folds the SLA clocks and satisfaction itself: read those views
        # off its folds rather than folding the same events twice more
        queues, report = QueueMetrics(directory), DailyReport(directory)
        # each event to the folds that consume it; the types none does stay undecoded
        wanted: dict[str, list[Callable[[Recorded], None]]] = {
            name: [] for name in consumed(QueueMetrics, DailyReport)
        }
        for fold in (queues, report):
            for name in consumed(type(fold)):
                wanted[name].append(fold.apply)
        for record in self.records(instant, types=frozenset(wanted)):
            for apply in wanted[record.event.type_name()]:
                apply(record)
        return AllViews(
            sla=self._shown(report.sla.view(instant), SlaView),
            queues=self._shown(queues.view(instant, None, None), QueueView),
            satisfaction=self._shown(
                report.satisfaction.view(instant, None, None), SatisfactionView
            ),
            daily=self._shown(report.view(directory.local(instant).date(), instant), DailyView),
        )

    def daily(
        self, day: Day, at: Instant | None = None, *, directory: Directory | None = None
    ) -> DailyView:
        """The daily report of a centre-local day (a date or ``"2026-12-02"``), as of
        ``at`` (default: the day's end, or now if the day is not over; a datetime or an
        ISO 8601 string, naive in the centre's time zone); with ``directory``, a what-if."""
        day = self._day(day)
        if at is None:
            now = self._center.clock.now()
            report = self._report(now, directory)
            return self._shown(report.view(day, at=min(report.view(day).as_of, now)), DailyView)
        instant = self._instant(at)
        return self._shown(self._report(instant, directory).view(day, instant), DailyView)

    def period(
        self,
        start: Day,
        end: Day,
        at: Instant | None = None,
        *,
        directory: Directory | None = None,
    ) -> PeriodView:
        """The daily figures summed over ``start``..``end`` (a week, a month): days as
        dates or ``"2026-12-02"``."""
        start, end = self._day(start, "start"), self._day(end, "end")
        instant = self._instant(at)
        return self._shown(
            self._report(instant, directory).roll_up(start, end, instant), PeriodView
        )

    def open_work(self, branch: str, at: Instant | None = None) -> tuple[WorkRow, ...]:
        """A branch's open tickets, complaints, orders and dispatches, oldest first."""
        instant = self._instant(at)
        return (
            Workload(self._directory(instant))
            .apply_all(self.records(instant))
            .open_work(branch, instant)
        )

    def work_queue(self, branch: str, at: Instant | None = None) -> tuple[WorkRow, ...]:
        """A branch's dispatches waiting for a worker: priority, customer level, wait."""
        instant = self._instant(at)
        return (
            Workload(self._directory(instant))
            .apply_all(self.records(instant))
            .work_queue(branch, instant)
        )

    def worker_load(
        self, worker: str, day: Day | None = None, at: Instant | None = None
    ) -> WorkerLoad:
        """A field worker's booked work orders on a day (default: today) and what is left."""
        instant = self._instant(at)
        when = self._day(day) if day is not None else self._directory(instant).local(instant).date()
        load = (
            Workload(self._directory(instant))
            .apply_all(self.records(instant))
            .worker_load(worker, when, instant)
        )
        return self._shown(load, WorkerLoad)

    def handover(self, at: Instant | None = None) -> HandoverView:
        """The shift handover: per agent, open work and what falls due next shift."""
        instant = self._instant(at)
        fold = ShiftHandover(self._directory(instant)).apply_all(self.records(instant))
        return self._shown(fold.view(instant), HandoverView)

    def suggestions(self, since: Instant | None = None, until: Instant | None = None) -> DigestView:
        """Customers' suggestions and problems, grouped by the department that owns them
        (instants as datetimes or ISO 8601 strings, naive in the centre's time zone)."""
        since, until = self._bound(since, "since", "start"), self._bound(until, "until", "after")
        instant = self._instant(until, "until")
        fold = ShiftHandover(self._directory(instant)).apply_all(self.records(instant))
        return self._shown(fold.digest(since, until), DigestView)

    def follow_ups(self, at: Instant | None = None) -> tuple[FollowUpWork, ...]:
        """Follow-up calls to make now, most urgent first (domain.md §5)."""
        instant = self._instant(at)
        return FollowUps(self._directory(instant)).apply_all(self.records(instant)).work(instant)

    def follow_up_sample(self, day: Day) -> tuple[Sampled, ...]:
        """The day's seeded sample of completed work, every new account included."""
        wanted = self._day(day)
        return FollowUps(self._directory(None)).apply_all(self.records()).sample(wanted)
