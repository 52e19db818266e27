"""``cc.views``: the supervisors' views of a centre, as of now or any past instant.

Every view is a pure fold (``callcore.projections``) over the store's events. Asked "as
of" an instant ``at``, a view folds only the events that had happened by then and
evaluates its clocks at that instant, so it answers exactly what it would have shown then.
Given another ``directory``, the same history is re-evaluated under that directory's SLA
policy and calendar — a what-if that never touches the store.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from typing import Protocol

from callcore.domain.directory import Directory
from callcore.ports import Clock, Positioned, Recorded
from callcore.projections.daily import DailyReport, DailyView, PeriodView
from callcore.projections.follow_ups import FollowUps, FollowUpWork, Sampled
from callcore.projections.handover import DigestView, HandoverView, ShiftHandover
from callcore.projections.queues import QueueMetrics, QueueView
from callcore.projections.satisfaction import Satisfaction, SatisfactionView
from callcore.projections.sla import SlaClocks, SlaView
from callcore.projections.workload import WorkerLoad, Workload, WorkRow


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
    def __init__(self, center: Source) -> None:
        self._center = center

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
        fold = SlaClocks(
            directory or self._center.directory,
            policy_override=directory.sla if directory is not None else None,
        )
        return fold.apply_all(self.records(instant)).view(instant)

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
        fold = QueueMetrics(directory or self._center.directory)
        return fold.apply_all(self.records(instant)).view(instant, since, until)

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
        fold = Satisfaction(self._center.directory)
        return fold.apply_all(self.records(instant)).view(instant, since, until)

    def _report(self, until: datetime, directory: Directory | None) -> DailyReport:
        report = DailyReport(directory or self._center.directory, what_if=directory is not None)
        return report.apply_all(self.records(until))

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
