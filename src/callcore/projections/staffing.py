"""Staffing by volume (issue 22, deliverable 6): how many agents each interval of a day
needed to answer its calls within the centre's answer time, beside how many were logged in.

The manuals' first rule about people is 各电话中心根据业务量配备接线人员 — each centre
staffs its phones by the volume of work. This module turns the log's offered calls and
handle times per interval into the agents an Erlang C queue needs to reach a service-level
goal, and sets it beside the agents actually logged in over the same interval.

Decisions, where the issue is silent (docs/staffing.md):

* **Handle time** is the talk time of an answered call, from answer to hang-up: the log
  records no wrap-up, so a centre with after-call work should pass ``wrap_up_seconds``.
* **The goal** is a share of calls answered within the centre's answer time
  (``answer_seconds`` of the policy in force). The manuals set the time (three rings, two
  rings), not the share; the share is the supervisor's choice, 80 % unless given.
* **Offered** counts every leg offered in the interval, abandoned ones included: an
  abandoned caller still asked for an agent (Erlang C's known pessimism — it assumes
  nobody abandons — is named on the report; Erlang A is not built yet).
* **Logged in** is the mean number of agents logged in across the interval (agent-seconds
  logged in ÷ the interval's seconds), so half an hour with one agent for 15 minutes
  shows 0.5.

Erlang C is computed through the Erlang B recursion ``B(n) = A·B(n−1) / (n + A·B(n−1))``,
which stays finite for hundreds of agents where the factorial form overflows; the
test suite checks it against the factorial form and against the published worked example
(100 calls in 30 minutes, 180 s handle time, 80 % in 20 s → 14 agents).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime, timedelta, tzinfo

from attrs import frozen

from callcore.projections.agents import overlap_seconds
from callcore.projections.intervals import INTERVAL_MINUTES
from callcore.projections.queues import CallFacts

MAX_AGENTS = 10_000
"""No centre of the manuals staffs anywhere near this; a bound keeps a corrupt figure
(a handle time of days) from looping for ever."""


def erlang_b(traffic: float, agents: int) -> float:
    """The blocking probability of ``agents`` servers offered ``traffic`` erlangs."""
    if traffic < 0 or agents < 0:
        raise ValueError("traffic and agents are not negative")
    blocking = 1.0
    for n in range(1, agents + 1):
        blocking = traffic * blocking / (n + traffic * blocking)
    return blocking


def erlang_c(traffic: float, agents: int) -> float:
    """The probability that a call waits (Erlang C) with ``agents`` agents offered
    ``traffic`` erlangs; 1.0 when the agents cannot keep up (agents ≤ traffic)."""
    if agents <= traffic:
        return 1.0
    blocking = erlang_b(traffic, agents)
    return agents * blocking / (agents - traffic * (1.0 - blocking))


def service_level(
    traffic: float, agents: int, handle_seconds: float, target_seconds: float
) -> float:
    """The share of calls answered within ``target_seconds`` (Erlang C)."""
    if traffic == 0:
        return 1.0
    if agents <= traffic:
        return 0.0
    waits = erlang_c(traffic, agents)
    return 1.0 - waits * math.exp(-(agents - traffic) * target_seconds / handle_seconds)


def _check_goal(goal: float) -> None:
    if not 0 < goal < 1:  # NaN fails this too
        raise ValueError("the service-level goal is a share above 0 and below 1")


def agents_needed(traffic: float, handle_seconds: float, target_seconds: float, goal: float) -> int:
    """The fewest agents that answer a share ``goal`` of the calls within
    ``target_seconds``; 0 for an interval with no traffic."""
    _check_goal(goal)
    if traffic <= 0:
        return 0
    agents = max(1, math.floor(traffic) + 1)
    while service_level(traffic, agents, handle_seconds, target_seconds) < goal:
        agents += 1
        if agents > MAX_AGENTS:
            raise ValueError(f"more than {MAX_AGENTS} agents needed: check the handle times")
    return agents


@frozen
class StaffingRow:
    """One interval: its calls, their handle time, the agents needed and logged in."""

    start: datetime
    end: datetime
    offered: int
    answered: int
    """Calls answered in the interval and completed by the instant asked."""
    handle_seconds: float | None
    """The mean handle time of those calls (talk + wrap-up)."""
    traffic_erlangs: float
    agents_needed: int | None
    """None when calls were offered but none was answered and completed: with no handle
    time there is no figure (0 would read as "nobody needed")."""
    service_level_if_staffed: float | None
    """Erlang C's share within target with ``agents_needed`` agents."""
    agents_logged_in: float
    """Mean agents logged in over the interval."""
    short_by: float
    """``agents_needed`` − ``agents_logged_in`` when positive, else 0."""


@frozen
class StaffingReport:
    """Staffing by volume for every interval of a day (:func:`staffing_report`)."""

    as_of: datetime
    start: datetime
    end: datetime
    minutes: int
    target_seconds: int
    goal: float
    wrap_up_seconds: float
    rows: tuple[StaffingRow, ...]
    model: str = "erlang-c"
    caveat: str = (
        "Erlang C assumes no caller abandons: with many abandons it asks for more agents "
        "than needed"
    )


def staffing_report(
    legs: Iterable[CallFacts],
    sessions: Mapping[str, Sequence[tuple[datetime, datetime | None]]],
    talks: Iterable[tuple[datetime, datetime | None]] = (),
    *,
    at: datetime,
    start: datetime,
    end: datetime,
    target_seconds: int,
    minutes: int = 30,
    goal: float = 0.8,
    wrap_up_seconds: float = 0.0,
) -> StaffingReport:
    """Every interval of [start, end): the calls offered in it (as known at ``at``), the
    agents Erlang C needed for ``goal`` within ``target_seconds``, and the mean agents
    logged in (``sessions``: agent → (logged in, logged out or None) as of ``at``).
    ``talks`` are the answered calls' (answered at, completed at or None): the queue's
    legs say when a call was offered, the agents' calls how long each was talked."""
    if minutes not in INTERVAL_MINUTES:
        raise ValueError(f"intervals are of {', '.join(map(str, INTERVAL_MINUTES))} minutes")
    if target_seconds <= 0:
        raise ValueError("the answer time is whole seconds above 0")
    if not (math.isfinite(wrap_up_seconds) and wrap_up_seconds >= 0):
        raise ValueError("the wrap-up time is a number of seconds, not negative")
    _check_goal(goal)
    step = timedelta(minutes=minutes)
    # in UTC: stepping a zoned time is wall-clock arithmetic, wrong on a day the clocks
    # change (a 23-hour day has 46 half hours, not 48)
    first, last = start.astimezone(UTC), end.astimezone(UTC)
    counts: dict[int, list[float]] = {}
    offered: dict[int, int] = {}
    for leg in legs:
        if start <= leg.offered_at < end and leg.offered_at <= at:
            index = int((leg.offered_at - first) / step)
            offered[index] = offered.get(index, 0) + 1
    for answered, completed in talks:
        # A call's handle time counts in the interval it was answered in.
        if completed is not None and completed <= at and start <= answered < end:
            index = int((answered - first) / step)
            talk = max(0.0, (completed - answered).total_seconds())
            counts.setdefault(index, []).append(talk + wrap_up_seconds)
    rows: list[StaffingRow] = []
    index = 0
    while first + index * step < last:
        since = first + index * step
        until = min(last, since + step)
        seconds = (until - since).total_seconds()
        # a session counts up to when it ended, or up to the instant asked if it had not
        logged = sum(
            overlap_seconds(begin, at if finish is None else min(finish, at), since, until)
            for spans in sessions.values()
            for begin, finish in spans
            if begin <= at
        )
        handles = counts.get(index, [])
        mean = sum(handles) / len(handles) if handles else None
        calls = offered.get(index, 0)
        traffic = calls * mean / seconds if mean else 0.0
        needed = (
            agents_needed(traffic, mean, target_seconds, goal) if mean else (None if calls else 0)
        )
        level = service_level(traffic, needed, mean, target_seconds) if mean and needed else None
        present = logged / seconds if seconds else 0.0
        rows.append(
            StaffingRow(
                start=since,
                end=until,
                offered=calls,
                answered=len(handles),
                handle_seconds=mean,
                traffic_erlangs=traffic,
                agents_needed=needed,
                service_level_if_staffed=level,
                agents_logged_in=present,
                short_by=max(0.0, (needed or 0) - present),
            )
        )
        index += 1
    return StaffingReport(
        as_of=at,
        start=start,
        end=end,
        minutes=minutes,
        target_seconds=target_seconds,
        goal=goal,
        wrap_up_seconds=wrap_up_seconds,
        rows=tuple(rows),
    )


def staffing_data(report: StaffingReport, zone: tzinfo | None = None) -> dict[str, object]:
    """The report as plain JSON-ready data, instants as ISO 8601 in ``zone``'s offset."""

    def instant(value: datetime) -> str:
        return (value.astimezone(zone) if zone else value).isoformat()

    return {
        "as_of": instant(report.as_of),
        "start": instant(report.start),
        "end": instant(report.end),
        "minutes": report.minutes,
        "target_seconds": report.target_seconds,
        "goal": report.goal,
        "wrap_up_seconds": report.wrap_up_seconds,
        "model": report.model,
        "caveat": report.caveat,
        "rows": [
            {
                "start": instant(row.start),
                "end": instant(row.end),
                "offered": row.offered,
                "answered": row.answered,
                "handle_seconds": None
                if row.handle_seconds is None
                else round(row.handle_seconds, 1),
                "traffic_erlangs": round(row.traffic_erlangs, 3),
                "agents_needed": row.agents_needed,
                "service_level_if_staffed": (
                    None
                    if row.service_level_if_staffed is None
                    else round(row.service_level_if_staffed, 4)
                ),
                "agents_logged_in": round(row.agents_logged_in, 2),
                "short_by": round(row.short_by, 2),
            }
            for row in report.rows
        ],
    }


def render_staffing(report: StaffingReport, zone: tzinfo | None = None) -> str:
    """The report as the plain table ``callcore views --view staffing`` prints: the
    intervals with calls or agents, in the centre's time."""

    def clock(value: datetime) -> str:
        return (value.astimezone(zone) if zone else value).strftime("%H:%M")

    lines = [
        f"Staffing by volume, {report.minutes}-minute intervals: agents Erlang C needs to "
        f"answer {report.goal:.0%} within {report.target_seconds} s",
        f"{'interval':<13} {'offered':>7} {'handle s':>8} {'erlangs':>7} "
        f"{'needed':>6} {'logged in':>9} {'short':>5}",
    ]
    for row in report.rows:
        if not row.offered and not row.agents_logged_in:
            continue
        handle = "-" if row.handle_seconds is None else f"{row.handle_seconds:.0f}"
        needed = "-" if row.agents_needed is None else str(row.agents_needed)
        lines.append(
            f"{clock(row.start)}–{clock(row.end):<7} {row.offered:>7} {handle:>8} "
            f"{row.traffic_erlangs:>7.2f} {needed:>6} "
            f"{row.agents_logged_in:>9.1f} {row.short_by:>5.1f}"
        )
    lines.append(report.caveat + ".")
    return "\n".join(lines) + "\n"
