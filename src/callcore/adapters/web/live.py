"""The wallboard's picture of the centre, kept up to date incrementally.

The wallboard asks for *now* every few seconds, so it keeps its folds in memory and
applies only the events recorded since its last look: a poll costs the new events, not
the whole day. What it has read is marked by the store's *position*, never by an event's
time, so no event — a fact reported late, a supervisor's correction, a far-future fact an
old store holds — can hide the events stored after it.

An event counts on the board once it was recorded and has happened by the board's now
(``max(at, recorded_at) <= now``, the rule of ``cc.views`` as of an instant). One that
does not yet — a store replayed live (``serve --clock-from``) holds the rest of its day,
an old store may hold a stray fact dated in 2100 — is *held*: kept aside, in store order,
and folded when its time comes, while the board reads on past it. At most
``HELD_AHEAD`` events are held; beyond that the board waits for them to fall due before
reading further (a replayed month is not read into memory ahead of its clock). The same
function draws the static report (``callcore report``), so the wallboard and the report
never disagree.
"""

from __future__ import annotations

import threading
from datetime import date, datetime, timedelta
from typing import Any

from callcore.domain.directory import Directory
from callcore.formats import view_data
from callcore.ports import Positioned
from callcore.projections.agents import AgentDay
from callcore.projections.queues import QueueMetrics
from callcore.projections.satisfaction import Satisfaction, SatisfactionRow
from callcore.projections.sla import ClockRow, ClockStatus, SlaClocks
from callcore.projections.workload import Workload
from callcore.views import Source

HELD_AHEAD = 50_000
"""At most this many events of the board's future are held in memory (see above)."""

TODAY_OPEN_CLOCKS_LIMIT = 200
"""At most this many at-risk and breached clocks are listed (the most urgent first);
the counts always cover them all."""


class Folds:
    """The projections the board reads, applied to events in global order."""

    def __init__(self, directory: Directory) -> None:
        self.directory = directory
        self.sla = SlaClocks(directory)
        self.queues = QueueMetrics(directory)
        self.satisfaction = Satisfaction(directory)
        self.workload = Workload(directory)
        self.agents = AgentDay(directory)

    def apply(self, record: Any) -> None:
        self.sla.apply(record)
        self.queues.apply(record)
        self.satisfaction.apply(record)
        self.workload.apply(record)
        self.agents.apply(record)


class LiveBoard:
    """Folds caught up with a store on every look; thread-safe."""

    def __init__(self, center: Source) -> None:
        self._center = center
        self._lock = threading.Lock()
        self._folds = Folds(center.directory)
        self._position = 0
        self._held: list[Positioned] = []
        """Events read but not yet counted (of the board's future), in store order."""

    def picture(self, now: datetime | None = None, day: date | None = None) -> dict[str, Any]:
        """The board as of ``now`` (default: the centre's clock) for ``day`` (default:
        the day of ``now``). Only events recorded since the last look are folded."""
        instant = now or self._center.clock.now()
        # the directory in force at the instant (a past day's report is labelled and
        # counted under the directory of its day), where the source keeps them
        directory_at = getattr(self._center, "directory_at", None)
        directory = directory_at(instant) if directory_at else self._center.directory
        with self._lock:
            if self._folds.directory is not directory and self._folds.directory != directory:
                self._folds, self._position = Folds(directory), 0
                self._held = []
            if self._held:
                due = [p for p in self._held if _counts(p, instant)]
                if due:
                    self._held = [p for p in self._held if not _counts(p, instant)]
                    for positioned in due:
                        self._folds.apply(positioned.recorded)
            if len(self._held) < HELD_AHEAD:
                for positioned in self._center.store.read_all(self._position):
                    self._position = positioned.position
                    if _counts(positioned, instant):
                        self._folds.apply(positioned.recorded)
                    else:
                        self._held.append(positioned)
                        if len(self._held) >= HELD_AHEAD:
                            break
            return picture(self._folds, instant, day)


def _counts(positioned: Positioned, instant: datetime) -> bool:
    """Whether an event is on the board at ``instant``: recorded, and happened."""
    record = positioned.recorded
    return record.event.at <= instant and record.recorded_at <= instant


def _clock_row(row: ClockRow, now: datetime, directory: Directory) -> dict[str, Any]:
    local = directory.local
    return {
        "clock": row.clock,
        "subject": row.subject,
        "state": row.state.value,
        "started_at": local(row.started_at).isoformat(),
        "due_at": local(row.due_at).isoformat(),
        "minutes_left": round((row.due_at - now).total_seconds() / 60, 1),
        "priority": row.priority,
        "branch": row.attribution.branch,
        "field_worker": row.attribution.field_worker,
    }


def _overall(rows: tuple[SatisfactionRow, ...]) -> dict[str, Any]:
    """The centre's figures from the branches' rows, each share weighted by the
    customers reached."""

    def weighted(values: list[tuple[float | None, int]], digits: int) -> float | None:
        known = [(value, n) for value, n in values if value is not None and n]
        weight = sum(n for _, n in known)
        return round(sum(v * n for v, n in known) / weight, digits) if weight else None

    return {
        "calls": sum(row.calls for row in rows),
        "reached": sum(row.reached for row in rows),
        "mean_rating": weighted([(row.mean_rating, row.reached) for row in rows], 2),
        "satisfied_share": weighted([(row.satisfied_share, row.reached) for row in rows], 3),
        "complaints": sum(row.complaints for row in rows),
        "re_complaints": sum(row.re_complaints for row in rows),
    }


def picture(folds: Folds, now: datetime, day: date | None = None) -> dict[str, Any]:
    """The wallboard's JSON: today's (or ``day``'s) clocks, queues, satisfaction and
    field workers' load, as of ``now``."""
    directory = folds.directory
    zone = directory.local(now).tzinfo
    assert zone is not None
    today = day or directory.local(now).date()
    start = datetime.combine(today, datetime.min.time(), tzinfo=zone)
    end = start + timedelta(days=1)
    sla = folds.sla.view(now)

    def today_started(row: ClockRow) -> bool:
        return start <= row.started_at < end

    open_rows = [row for row in sla.clocks if row.stopped_at is None]
    urgent = sorted(
        (row for row in open_rows if row.state in {ClockStatus.AT_RISK, ClockStatus.BREACHED}),
        key=lambda row: row.due_at,
    )
    summary: dict[str, dict[str, Any]] = {}
    for row in sla.clocks:
        if not today_started(row):
            continue
        tally = summary.setdefault(
            row.clock, {"clock": row.clock, "met": 0, "breached": 0, "running": 0, "at_risk": 0}
        )
        if row.state is ClockStatus.AT_RISK:
            tally["at_risk"] += 1
            tally["running"] += 1
        elif row.state is ClockStatus.RUNNING:
            tally["running"] += 1
        elif row.state is ClockStatus.MET:
            tally["met"] += 1
        else:
            tally["breached"] += 1
    for tally in summary.values():
        decided = tally["met"] + tally["breached"]
        tally["compliance"] = round(tally["met"] / decided, 3) if decided else None

    queues = view_data(folds.queues.view(now, start, end), zone)["queues"]
    satisfaction = folds.satisfaction.view(now, start, end)
    workers = []
    for worker in sorted(directory.field_workers.values(), key=lambda w: (w.branch, w.id)):
        load = folds.workload.worker_load(worker.id, today, now)
        workers.append(
            {
                "id": worker.id,
                "name": worker.name,
                "branch": worker.branch,
                "booked": load.booked,
                "done": load.done,
                "capacity": load.capacity,
                "load_share": round(load.booked / load.capacity, 3) if load.capacity else None,
            }
        )
    return {
        "centre": directory.centre,
        "as_of": directory.local(now).isoformat(),
        "day": today.isoformat(),
        "clocks": {
            "at_risk": sum(row.state is ClockStatus.AT_RISK for row in open_rows),
            "breached": sum(row.state is ClockStatus.BREACHED for row in open_rows),
            "running": len(open_rows),
            "urgent": [_clock_row(row, now, directory) for row in urgent][:TODAY_OPEN_CLOCKS_LIMIT],
            "today": [summary[key] for key in sorted(summary)],
        },
        "queues": queues,
        "intervals": [
            {
                "start": directory.local(interval.start).isoformat(),
                "offered": sum(row.offered for row in interval.queues),
                "answered": sum(row.answered for row in interval.queues),
                "abandoned": sum(row.abandoned for row in interval.queues),
                "answered_within_target": sum(
                    row.answered_within_target for row in interval.queues
                ),
            }
            for interval in folds.queues.intervals(now, today)
        ],
        "satisfaction": {
            "overall": _overall(satisfaction.branches),
            "branches": [
                {
                    "id": row.id,
                    "calls": row.calls,
                    "reached": row.reached,
                    "mean_rating": row.mean_rating,
                    "satisfied_share": row.satisfied_share,
                    "complaints": row.complaints,
                }
                for row in satisfaction.branches
            ],
        },
        "workers": workers,
        "agents": _agents(folds, now, start, end),
    }


def _agents(folds: Folds, now: datetime, start: datetime, end: datetime) -> dict[str, Any]:
    """Today's agents, those paused too long first, then by name."""
    view = folds.agents.view(now, start, end)
    local = folds.directory.local
    listed = sorted(
        (row for row in view.agents if row.state != "logged-out" or row.logged_in_seconds),
        key=lambda row: (not row.paused_too_long, row.agent),
    )
    return {
        "paused_too_long_minutes": view.paused_too_long_minutes,
        "paused_too_long": sum(row.paused_too_long for row in view.agents),
        "logged_in": sum(row.state != "logged-out" for row in view.agents),
        "rows": [
            {
                "agent": row.agent,
                "state": row.state,
                "since": local(row.state_since).isoformat() if row.state_since else None,
                "pause_reason": row.pause_reason,
                "paused_too_long": row.paused_too_long,
                "logged_in_seconds": round(row.logged_in_seconds),
                "paused_seconds": round(row.paused_seconds),
                "talk_seconds": round(row.talk_seconds),
                "calls_answered": row.calls_answered,
                "occupancy": None if row.occupancy is None else round(row.occupancy, 3),
            }
            for row in listed
        ],
    }
