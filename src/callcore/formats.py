"""The views as JSON and as tables: what ``callcore replay`` and ``callcore views`` print.

The JSON form is a contract (interfaces.md §4; documented in ``docs/event-log.md``): one
object per view, its keys sorted, times ISO 8601 with the centre's offset, shares as
numbers from 0 to 1 (``null`` when nothing was counted), money as strings. The same view
always gives the same bytes, so QA can diff two replays. Keys may be added; none is
removed or renamed without a new ``format_version`` in ``callcore.adapters.eventlog``.

* ``sla``: ``as_of``; ``clocks`` (one per clock instance: ``clock``, ``subject``,
  ``instance``, ``started_at``, ``due_at``, ``stopped_at``, ``paused_seconds``, ``state``,
  ``warning``, ``policy_version``, ``priority``, ``attribution``, and since issue 16
  ``customer_level``, ``warning_shares``, ``due_by``); ``summary`` (one per
  clock id: ``clock``, ``met``, ``breached``, ``running``, ``at_risk``, ``withdrawn``,
  ``compliance``); a clock's ``state`` may also be ``withdrawn`` (docs/sla.md).
* ``queues``: ``as_of``, ``since``, ``until``; ``queues`` (one per queue: ``queue``,
  ``offered``, ``answered``, ``abandoned``, ``short_abandoned``, ``timed_out``,
  ``voicemail``, ``waiting``, ``after_hours``, ``answered_within_target``, ``service_level``,
  ``asa_seconds``, ``abandon_rate``, ``formula``, ``target_seconds``,
  ``short_abandon_seconds``, ``ring_cycle_seconds``, ``service_level_variants``).
* ``satisfaction``: ``as_of``, ``since``, ``until``; ``workers``, ``branches``, ``agents``
  (``id``, ``calls``, ``reached``, ``mean_rating``, ``satisfied_share``,
  ``on_time_share``, ``safety_check_share``, ``complaints``, ``re_complaints``);
  ``departments``; ``problems``.
* ``daily``: ``day``, ``as_of``; ``branches`` (one per branch, the figures of domain.md
  §8) and ``totals``.
"""

from __future__ import annotations

import functools
from datetime import UTC, date, datetime, tzinfo
from typing import Any, Final

import cattrs
import orjson
from rich.console import Console, Group, RenderableType
from rich.table import Table

from callcore.adapters.converter import make_converter
from callcore.projections.daily import BranchDay, DailyView, PeriodView
from callcore.projections.handover import DigestView, HandoverView
from callcore.projections.queues import QueueView
from callcore.projections.satisfaction import SatisfactionRow, SatisfactionView
from callcore.projections.sla import SlaView
from callcore.projections.workload import WorkerLoad

VIEW_NAMES: Final = ("sla", "queues", "satisfaction", "daily")

View = SlaView | QueueView | SatisfactionView | DailyView
"""The four views ``callcore views`` and ``callcore replay`` print."""
Shown = View | PeriodView | HandoverView | DigestView | WorkerLoad
"""Every view ``cc.views`` answers with a type of its own: each prints as a table and
as JSON (``to_table()``, ``to_json()``)."""


EARLIEST_DAY: Final = date(1970, 1, 1)
"""The first day a view or a report may be asked about: no centre's record is older than
the Unix epoch its clock counts from."""
LATEST_DAY: Final = date(2199, 12, 31)
"""The last one: far beyond any plan a centre records (the domain's horizon is a year
ahead), and far enough from the calendar's end (year 9999) that no view's day, week or
month arithmetic overflows."""


def _within_view_range(day: date, text: str) -> None:
    if not EARLIEST_DAY <= day <= LATEST_DAY:
        raise ValueError(
            f"{text!r} is outside the days a view can be asked about "
            f"({EARLIEST_DAY.isoformat()} to {LATEST_DAY.isoformat()})"
        )


def parse_instant(text: str, centre_zone: tzinfo) -> datetime:
    """An instant as people type it, for the command line and the HTTP API alike: ISO
    8601; without an offset, the centre's local time; a bare date means the end of that
    day; between :data:`EARLIEST_DAY` and :data:`LATEST_DAY`. Raises ValueError saying
    how to write it."""
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(
            f"{text!r} is not a time; use ISO 8601, e.g. 2026-11-03T10:15 "
            "(the centre's local time) or 2026-11-03T10:15+08:00"
        ) from None
    # judged on the day as written, before any zone arithmetic can overflow
    _within_view_range(parsed.date(), text)
    if parsed.tzinfo is None:
        if len(text) == 10:  # a date: as of the end of that day
            parsed = parsed.replace(hour=23, minute=59, second=59)
        parsed = parsed.replace(tzinfo=centre_zone)
    return parsed


def parse_day(text: str) -> date:
    """A centre-local day, YYYY-MM-DD, between :data:`EARLIEST_DAY` and
    :data:`LATEST_DAY`; raises ValueError saying so."""
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{text!r} is not a date; use YYYY-MM-DD") from None
    _within_view_range(day, text)
    return day


def in_zone(instant: datetime, centre_zone: tzinfo) -> datetime:
    """``instant`` in the centre's offset; an instant so near the calendar's ends that it
    has no local time there (9999-12-31T23:00Z is year 10000 in UTC+8) stays in its own
    offset (UTC), rendered rather than a crash: a store written before the domain's
    horizon (domain.md §6) may hold one."""
    for zone in (centre_zone, UTC):
        try:
            return instant.astimezone(zone)
        except (OverflowError, ValueError):
            continue
    return instant


@functools.lru_cache(maxsize=8)
def _converter_in(centre_zone: tzinfo) -> cattrs.Converter:
    # One per zone, kept: cattrs generates its functions per class on first use, and a
    # wallboard or an API asks for the same classes many times a minute.
    converter = make_converter()
    converter.register_unstructure_hook(
        datetime, lambda instant: in_zone(instant, centre_zone).isoformat()
    )
    return converter


def json_ready(value: Any, centre_zone: tzinfo) -> Any:
    """Any attrs value as JSON-ready data, times in the centre's offset."""
    return _converter_in(centre_zone).unstructure(value)


def view_data(view: Shown, centre_zone: tzinfo) -> dict[str, Any]:
    """The documented JSON object of a view, times in the centre's offset (the four
    views of ``--format json`` and the other views of ``cc.views``, the same way)."""
    data: dict[str, Any] = json_ready(view, centre_zone)
    if isinstance(view, SlaView):
        data["summary"] = [
            {
                "clock": row.key,
                "met": row.met,
                "breached": row.breached,
                "running": row.running,
                "at_risk": row.at_risk,
                "withdrawn": row.withdrawn,
                "compliance": row.compliance,
            }
            for row in view.summary()
        ]
    return data


def dumps(data: Any) -> bytes:
    """Stable bytes: sorted keys, two-space indent, a final newline."""
    return orjson.dumps(data, option=orjson.OPT_SORT_KEYS | orjson.OPT_INDENT_2) + b"\n"


def _share(value: float | None) -> str:
    return "—" if value is None else f"{value:.0%}"


def _number(value: float | None, digits: int = 1) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


def print_view(console: Console, view: Shown, centre_zone: tzinfo) -> None:
    """A view as Rich tables, for a person at a terminal."""
    for part in view_parts(view, centre_zone):
        console.print(part)


def view_table(view: Shown, centre_zone: tzinfo) -> RenderableType:
    """A view as one Rich renderable: the tables :func:`print_view` prints."""
    return Group(*view_parts(view, centre_zone))


def view_parts(view: Shown, centre_zone: tzinfo) -> list[RenderableType]:
    """The tables (and notes) of a view, in the order they are printed."""
    if isinstance(view, SlaView):
        return _sla_table(view, centre_zone)
    if isinstance(view, QueueView):
        return _queue_table(view, centre_zone)
    if isinstance(view, SatisfactionView):
        return _satisfaction_tables(view, centre_zone)
    if isinstance(view, DailyView):
        title = f"Daily report {view.day.isoformat()}"
        return _daily_table(title, view.as_of, (*view.branches, view.totals), centre_zone)
    if isinstance(view, PeriodView):
        title = f"Report {view.start.isoformat()} to {view.end.isoformat()}"
        return _daily_table(title, view.as_of, (*view.branches, view.totals), centre_zone)
    if isinstance(view, HandoverView):
        return _handover_table(view, centre_zone)
    if isinstance(view, DigestView):
        return _digest_table(view, centre_zone)
    return _worker_table(view, centre_zone)


def _as_of(instant: datetime, centre_zone: tzinfo) -> str:
    return in_zone(instant, centre_zone).strftime("%Y-%m-%d %H:%M")


def _sla_table(view: SlaView, centre_zone: tzinfo) -> list[RenderableType]:
    table = Table(title=f"SLA clocks as of {_as_of(view.as_of, centre_zone)} (domain.md §6)")
    table.add_column("clock", no_wrap=True)
    for column in ("met", "breached", "running", "at risk", "compliance"):
        table.add_column(column, justify="right")
    for row in view.summary():
        table.add_row(
            row.key,
            str(row.met),
            str(row.breached),
            str(row.running),
            str(row.at_risk),
            _share(row.compliance),
        )
    return [table]


def _queue_table(view: QueueView, centre_zone: tzinfo) -> list[RenderableType]:
    table = Table(title=f"Phone queues as of {_as_of(view.as_of, centre_zone)}")
    table.add_column("queue", no_wrap=True)
    for column in (
        "offered",
        "answered",
        "abandoned",
        "short",
        "in target",
        "service level",
        "ASA (s)",
        "abandon rate",
    ):
        table.add_column(column, justify="right")
    for row in view.queues:
        table.add_row(
            row.queue,
            str(row.offered),
            str(row.answered),
            str(row.abandoned),
            str(row.short_abandoned),
            str(row.answered_within_target),
            _share(row.service_level),
            _number(row.asa_seconds),
            _share(row.abandon_rate),
        )
    parts: list[RenderableType] = [table]
    for row in view.queues:
        parts.append(
            # the rules count the boundary in (a wait <= the threshold): so does the text
            f"[dim]{row.queue}: service level = {row.formula}; in target: answered within "
            f"{row.target_seconds} s ({row.target_seconds // max(row.ring_cycle_seconds, 1)} "
            f"rings); short abandon: hung up within {row.short_abandon_seconds} s[/]"
        )
    return parts


def _satisfaction_tables(view: SatisfactionView, centre_zone: tzinfo) -> list[RenderableType]:
    parts: list[RenderableType] = []
    groups: tuple[tuple[str, tuple[SatisfactionRow, ...]], ...] = (
        ("field worker", view.workers),
        ("branch", view.branches),
        ("agent", view.agents),
    )
    for label, rows in groups:
        table = Table(
            title=f"Satisfaction by {label} as of {_as_of(view.as_of, centre_zone)} (domain.md §7)"
        )
        table.add_column(label, no_wrap=True)
        for column in (
            "calls",
            "reached",
            "mean rating",
            "satisfied",
            "on time",
            "safety check",
            "complaints",
            "re-complaints",
        ):
            table.add_column(column, justify="right")
        for row in rows:
            table.add_row(
                row.id,
                str(row.calls),
                str(row.reached),
                _number(row.mean_rating, 2),
                _share(row.satisfied_share),
                _share(row.on_time_share),
                _share(row.safety_check_share),
                str(row.complaints),
                str(row.re_complaints),
            )
        parts.append(table)
    return parts


def _daily_table(
    title: str, as_of: datetime, rows: tuple[BranchDay, ...], centre_zone: tzinfo
) -> list[RenderableType]:
    table = Table(title=f"{title} as of {_as_of(as_of, centre_zone)} (domain.md §8)")
    table.add_column("branch", no_wrap=True)
    for column in (
        "orders",
        "amount",
        "delivered",
        "tickets",
        "complaints",
        "SLA met",
        "breached",
        "follow-ups",
        "rating",
        "overdue",
    ):
        table.add_column(column, justify="right")
    for row in rows:
        met = sum(c.met for c in row.sla)
        breached = sum(c.breached for c in row.sla)
        table.add_row(
            row.branch,
            str(row.orders),
            f"{row.amount:.0f}",
            str(row.delivered),
            str(sum(c.count for c in row.tickets_opened)),
            str(row.complaints),
            str(met),
            str(breached),
            f"{row.satisfaction_reached}/{row.satisfaction_calls}",
            _number(row.mean_rating, 2),
            str(len(row.overdue)),
        )
    return [table]


def _when(instant: datetime | None, centre_zone: tzinfo) -> str:
    return "—" if instant is None else _as_of(instant, centre_zone)


def _handover_table(view: HandoverView, centre_zone: tzinfo) -> list[RenderableType]:
    table = Table(
        title=f"Shift handover as of {_as_of(view.as_of, centre_zone)}: {view.shift} to "
        f"{view.next_shift} (from {_as_of(view.next_shift_starts, centre_zone)})"
    )
    for column in ("agent", "open work", "due next shift"):
        table.add_column(column)
    for agent in view.agents:
        table.add_row(
            agent.agent,
            "\n".join(f"{w.subject} ({w.category})" for w in agent.open_work) or "—",
            "\n".join(
                f"{_as_of(d.due_at, centre_zone)} {d.kind} {d.subject}"
                for d in agent.due_next_shift
            )
            or "—",
        )
    return [table]


def _digest_table(view: DigestView, centre_zone: tzinfo) -> list[RenderableType]:
    table = Table(
        title=f"Suggestions and problems {_when(view.since, centre_zone)} to "
        f"{_when(view.until, centre_zone)}"
    )
    for column in ("department", "at", "kind", "about", "text"):
        table.add_column(column)
    for department in view.departments:
        for item in department.items:
            table.add_row(
                department.department,
                _as_of(item.at, centre_zone),
                item.kind,
                item.subject or "—",
                item.text,
            )
    return [table]


def _worker_table(view: WorkerLoad, centre_zone: tzinfo) -> list[RenderableType]:
    table = Table(
        title=f"{view.worker} on {view.day.isoformat()}: {view.booked} booked of "
        f"{view.capacity}, {view.done} done"
    )
    for column in ("work order", "kind", "status", "due"):
        table.add_column(column)
    for work in view.to_do:
        table.add_row(work.dispatch_id, work.kind, work.status, _when(work.due_at, centre_zone))
    return [table]
