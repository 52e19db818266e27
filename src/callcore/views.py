"""``cc.views``: the supervisors' views of a centre, as of now or any past instant.

Every view is a pure fold (``callcore.projections``) over the store's events. Asked "as
of" an instant ``at``, a view folds only the events that had happened by then and
evaluates its clocks at that instant, so it answers exactly what it would have shown then.
Given another ``directory``, the same history is re-evaluated under that directory's SLA
policy and calendar — a what-if that never touches the store.

**Checkpoints** (quality.md P6). A view as of a past instant must not fold the whole
store again. From the second time a ``Views`` is asked for the same view (a one-off
look, like a CLI run, costs nothing extra), it lays checkpoints as it folds: a
compressed copy of each fold's state every so many events (at most ``MAX_CHECKPOINTS``
per view, spread evenly: when there are too many, every other one is dropped and the
spacing doubles), with the
earliest and latest event instant of each stretch between them. As of an instant, a view
starts from the last checkpoint whose events all happened by then, and reads on only the
stretches that hold an event from before that instant. Events need not be in instant
order for this to be exact. The store is append-only, so checkpoints stay true; they live
in memory, for as long as the ``Views`` (a server keeps one; a CLI run builds its own).
"""

from __future__ import annotations

import pickle
import threading
import zlib
from collections.abc import Callable, Iterable, Iterator
from datetime import date, datetime
from typing import Any, Protocol, TypeVar

import attrs

from callcore.domain.directory import Directory
from callcore.ports import Clock, Positioned, Recorded
from callcore.projections.daily import DailyReport, DailyView, PeriodView
from callcore.projections.follow_ups import FollowUps, FollowUpWork, Sampled
from callcore.projections.handover import DigestView, HandoverView, ShiftHandover
from callcore.projections.queues import QueueMetrics, QueueView
from callcore.projections.satisfaction import Satisfaction, SatisfactionView
from callcore.projections.sla import SlaClocks, SlaView
from callcore.projections.workload import WorkerLoad, Workload, WorkRow

MAX_CHECKPOINTS = 16
FIRST_SPACING = 4096  # events between checkpoints at least (it doubles as needed)


class _Fold(Protocol):
    def apply(self, record: Recorded) -> None: ...


F = TypeVar("F", bound=_Fold)


@attrs.define
class _Stretch:
    """The events after ``start`` up to ``end`` (positions), and the fold's state after
    them (``None`` once thinned out: the stretch then only carries its instants)."""

    start: int
    end: int
    count: int
    earliest: datetime
    latest: datetime
    state: bytes | None


class Checkpoints:
    """The checkpoints of one fold over one store (see the module's docstring)."""

    def __init__(
        self, make: Callable[[], Any], spacing: int = FIRST_SPACING, most: int = MAX_CHECKPOINTS
    ) -> None:
        self._make = make
        self._stretches: list[_Stretch] = []
        self._spacing = spacing
        self._most = most
        self._lock = threading.Lock()

    def _extend(self, history: _History) -> None:
        """Fold the events stored since the last full stretch into new stretches."""
        stretches = self._stretches
        after = stretches[-1].end if stretches else 0
        if not stretches:
            # a store that is big already gets its checkpoints spread over it at once,
            # rather than laid densely and thinned (each one costs a copy of the state)
            self._spacing = max(self._spacing, history.last_position() // self._most)
        if history.last_position() - after < self._spacing:
            return  # not a full stretch yet (positions may skip: this may wait longer)
        fold = self._latest_state() if stretches else self._make()
        count, start, earliest, latest = 0, after, None, None
        for positioned in history.read_all(after):
            at = positioned.recorded.event.at
            fold.apply(positioned.recorded)
            count += 1
            earliest = at if earliest is None or at < earliest else earliest
            latest = at if latest is None or at > latest else latest
            if count == self._spacing:
                assert earliest is not None
                assert latest is not None
                state = zlib.compress(pickle.dumps(fold, pickle.HIGHEST_PROTOCOL), 1)
                stretches.append(
                    _Stretch(start, positioned.position, count, earliest, latest, state)
                )
                self._thin()
                count, start, earliest, latest = 0, positioned.position, None, None

    def _latest_state(self) -> Any:
        state = self._stretches[-1].state
        assert state is not None  # the last stretch always keeps its state
        # our own bytes, made in this process a moment ago: never read from outside
        return pickle.loads(zlib.decompress(state))  # noqa: S301

    def _thin(self) -> None:
        """Keep at most MAX_CHECKPOINTS states: drop every other one, double the spacing."""
        kept = [stretch for stretch in self._stretches if stretch.state is not None]
        if len(kept) <= self._most:
            return
        for stretch in kept[-2::-2]:  # the last one stays: folding goes on from it
            stretch.state = None
        self._spacing *= 2

    def fold(self, history: _History, until: datetime) -> Any:
        """The fold of every stored event that happened by ``until``."""
        with self._lock:
            self._extend(history)
            stretches = list(self._stretches)
        # the latest checkpoint all of whose events happened by ``until``
        begin, fold = 0, None
        for index, stretch in enumerate(stretches):
            if stretch.latest > until:
                break  # this and every later checkpoint hold an event after ``until``
            if stretch.state:
                begin = index + 1
        if begin:
            state = stretches[begin - 1].state
            assert state
            fold = pickle.loads(zlib.decompress(state))  # noqa: S301 (see _latest_state)
        else:
            fold = self._make()
        apply = fold.apply
        for stretch in stretches[begin:]:
            if stretch.earliest > until:
                continue  # nothing in it happened by then
            for positioned in history.read_all(stretch.start, stretch.count):
                if positioned.recorded.event.at <= until:
                    apply(positioned.recorded)
        tail = stretches[-1].end if stretches else 0
        for positioned in history.read_all(tail):
            if positioned.recorded.event.at <= until:
                apply(positioned.recorded)
        return fold


@attrs.frozen
class AllViews:
    """Every supervisors' view of one instant, from one pass over the events."""

    sla: SlaView
    queues: QueueView
    satisfaction: SatisfactionView
    daily: DailyView


class _History(Protocol):
    def read_all(
        self, after_position: int = 0, limit: int | None = None
    ) -> Iterator[Positioned]: ...

    def last_position(self) -> int: ...


class Source(Protocol):
    """What the views read: a centre (``CallCenter``) or a replayed log (``Replay``)."""

    @property
    def store(self) -> _History: ...

    @property
    def clock(self) -> Clock: ...

    @property
    def directory(self) -> Directory: ...


class Views:
    def __init__(
        self,
        center: Source,
        *,
        checkpoints: bool = True,
        checkpoint_spacing: int = FIRST_SPACING,
        most_checkpoints: int = MAX_CHECKPOINTS,
    ) -> None:
        self._center = center
        self._use_checkpoints = checkpoints
        self._spacing = (checkpoint_spacing, most_checkpoints)
        self._checkpoints: dict[str, tuple[Directory, Checkpoints]] = {}
        self._looked: set[str] = set()
        self._lock = threading.Lock()

    def _folded(self, name: str, make: Callable[[], F], until: datetime) -> F:
        """The fold ``make()`` of the events up to ``until``; from the second look at a
        view on, from its checkpoints (a one-off look, as the CLI makes, lays none)."""
        directory = self._center.directory
        with self._lock:
            known = self._checkpoints.get(name)
            first_look = name not in self._looked
            self._looked.add(name)
            if known is not None and known[0] is not directory:
                known = None  # laid under another directory: of no use now
            if known is None and self._use_checkpoints and not first_look:
                known = (directory, Checkpoints(make, *self._spacing))
                self._checkpoints[name] = known
        if known is None:
            fold = make()
            for record in self.records(until):
                fold.apply(record)
            return fold
        folded: F = known[1].fold(self._center.store, until)
        return folded

    def _instant(self, at: datetime | None) -> datetime:
        if at is None:
            return self._center.clock.now()
        if at.tzinfo is None:
            raise ValueError("give the instant with its UTC offset (e.g. 2026-11-23T14:05+08:00)")
        return at

    def records(self, until: datetime | None = None) -> Iterator[Recorded]:
        """The store's events in global order, up to an instant (inclusive)."""
        for positioned in self._center.store.read_all():
            record = positioned.recorded
            if until is None or record.event.at <= until:
                yield record

    def sla(self, at: datetime | None = None, *, directory: Directory | None = None) -> SlaView:
        """Every SLA clock instance and its state as of ``at`` (default: now).

        With ``directory``, a what-if: every clock is re-evaluated under that directory's
        policy and calendar instead of the policies recorded in the log."""
        instant = self._instant(at)
        if directory is not None:
            fold = SlaClocks(directory, policy_override=directory.sla)
            return fold.apply_all(self.records(instant)).view(instant)
        centre = self._center.directory
        return self._folded("sla", lambda: SlaClocks(centre), instant).view(instant)

    def queues(
        self,
        at: datetime | None = None,
        *,
        since: datetime | None = None,
        until: datetime | None = None,
        directory: Directory | None = None,
    ) -> QueueView:
        """The phone queues' service level, speed of answer and abandonment for calls
        offered in [since, until), as of ``at`` (default: now)."""
        instant = self._instant(at)
        if directory is not None:
            fold = QueueMetrics(directory).apply_all(self.records(instant))
        else:
            centre = self._center.directory
            fold = self._folded("queues", lambda: QueueMetrics(centre), instant)
        return fold.view(instant, since, until)

    def satisfaction(
        self,
        at: datetime | None = None,
        *,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> SatisfactionView:
        """Satisfaction per field worker, branch and agent over [since, until), as of
        ``at`` (default: now)."""
        instant = self._instant(at)
        centre = self._center.directory
        fold = self._folded("satisfaction", lambda: Satisfaction(centre), instant)
        return fold.view(instant, since, until)

    def _report(self, until: datetime, directory: Directory | None) -> DailyReport:
        report = DailyReport(directory or self._center.directory, what_if=directory is not None)
        return report.apply_all(self.records(until))

    def rebuild_all(self, at: datetime | None = None) -> AllViews:
        """The SLA, queue, satisfaction and daily views as of ``at`` (default: now), all
        from one pass over the events (the day is the as-of instant's)."""
        instant = self._instant(at)
        directory = self._center.directory
        # the daily report folds the SLA clocks and satisfaction itself: read those views
        # off its folds rather than folding the same events twice more
        queues, report = QueueMetrics(directory), DailyReport(directory)
        folds: Iterable[_Fold] = (queues, report)
        applies = [fold.apply for fold in folds]
        for record in self.records(instant):
            for apply in applies:
                apply(record)
        return AllViews(
            sla=report.sla.view(instant),
            queues=queues.view(instant, None, None),
            satisfaction=report.satisfaction.view(instant, None, None),
            daily=report.view(directory.local(instant).date(), instant),
        )

    def daily(
        self, day: date, at: datetime | None = None, *, directory: Directory | None = None
    ) -> DailyView:
        """The daily report of a centre-local day, as of ``at`` (default: the day's end,
        or now if the day is not over); with ``directory``, a what-if."""
        if at is None:
            now = self._center.clock.now()
            report = self._report(now, directory)
            return report.view(day, at=min(report.view(day).as_of, now))
        instant = self._instant(at)
        return self._report(instant, directory).view(day, instant)

    def period(
        self,
        start: date,
        end: date,
        at: datetime | None = None,
        *,
        directory: Directory | None = None,
    ) -> PeriodView:
        """The daily figures summed over ``start``..``end`` (a week, a month)."""
        instant = self._instant(at)
        return self._report(instant, directory).roll_up(start, end, instant)

    def open_work(self, branch: str, at: datetime | None = None) -> tuple[WorkRow, ...]:
        """A branch's open tickets, complaints, orders and dispatches, oldest first."""
        instant = self._instant(at)
        return (
            Workload(self._center.directory)
            .apply_all(self.records(instant))
            .open_work(branch, instant)
        )

    def work_queue(self, branch: str, at: datetime | None = None) -> tuple[WorkRow, ...]:
        """A branch's dispatches waiting for a worker: priority, customer level, wait."""
        instant = self._instant(at)
        return (
            Workload(self._center.directory)
            .apply_all(self.records(instant))
            .work_queue(branch, instant)
        )

    def worker_load(
        self, worker: str, day: date | None = None, at: datetime | None = None
    ) -> WorkerLoad:
        """A field worker's booked work orders on a day (default: today) and what is left."""
        instant = self._instant(at)
        when = day or self._center.directory.local(instant).date()
        return (
            Workload(self._center.directory)
            .apply_all(self.records(instant))
            .worker_load(worker, when, instant)
        )

    def handover(self, at: datetime | None = None) -> HandoverView:
        """The shift handover: per agent, open work and what falls due next shift."""
        instant = self._instant(at)
        return ShiftHandover(self._center.directory).apply_all(self.records(instant)).view(instant)

    def suggestions(
        self, since: datetime | None = None, until: datetime | None = None
    ) -> DigestView:
        """Customers' suggestions and problems, grouped by the department that owns them."""
        instant = self._instant(until)
        fold = ShiftHandover(self._center.directory).apply_all(self.records(instant))
        return fold.digest(since, until)

    def follow_ups(self, at: datetime | None = None) -> tuple[FollowUpWork, ...]:
        """Follow-up calls to make now, most urgent first (domain.md §5)."""
        instant = self._instant(at)
        return FollowUps(self._center.directory).apply_all(self.records(instant)).work(instant)

    def follow_up_sample(self, day: date) -> tuple[Sampled, ...]:
        """The day's seeded sample of completed work, every new account included."""
        return FollowUps(self._center.directory).apply_all(self.records()).sample(day)
