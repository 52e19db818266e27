"""``callcore demo``: a simulated business day of the Hexi gas retailer's phone centre.

The day is ``callcore simulate``'s: calls arriving by the hour for ten agents, orders,
inquiries, service visits, complaints and an emergency or two, field work that takes
time, voicemails after hours — every step a command through ``CallCenter.handle`` on a
SQLite file. Then the supervisors' views of the day are printed: the SLA clocks, the
phone queue, satisfaction and the daily report. Nothing to configure.

The day before is simulated too (it is not shown), so that the day's follow-up calls
have purchases and repairs to follow up, and its satisfaction view has answers.
``callcore tour`` tells one scripted day step by step instead.
"""

from __future__ import annotations

import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from rich.console import Console

from callcore.domain.calendar import zone
from callcore.formats import print_view
from callcore.simulation import Settings, simulate

DEMO_DAY = date(2026, 11, 24)  # a Tuesday
AGENTS = 10


def run(
    url: str | None = None,
    console: Console | None = None,
    *,
    seed: int = 1,
    agents: int = AGENTS,
) -> dict[str, Any]:
    """Simulate the demo day into ``url`` (default: a new SQLite file) and print its
    views; returns what was simulated (for tests)."""
    console = console or Console()
    if url is None:
        url = f"sqlite:///{Path(tempfile.mkdtemp(prefix='callcore-demo-')) / 'centre.db'}"
    settings = Settings(seed=seed, days=2, agents=agents, start=DEMO_DAY - timedelta(days=1))
    started = time.perf_counter()
    with console.status(f"simulating {DEMO_DAY:%A %d %B %Y} for {agents} agents…"):
        center, report = simulate(settings, url)
    seconds = time.perf_counter() - started
    with center:
        tz = zone(center.directory.calendar.timezone)
        end_of_day = datetime.combine(DEMO_DAY, datetime.max.time(), tz).replace(microsecond=0)
        console.print(
            f"[bold]{center.directory.centre}[/] — {DEMO_DAY:%A %d %B %Y}, simulated in "
            f"{seconds:.1f} s into {url}\n"
            f"{report.calls} calls ({report.answered} answered, {report.abandoned} abandoned, "
            f"{report.voicemails} to voicemail) over two days; {report.commands} commands, "
            f"{report.events} events, {sum(report.refused.values())} refused by the rules\n"
        )
        start_of_day = datetime.combine(DEMO_DAY, datetime.min.time(), tz)
        views = center.views
        sla = views.sla(end_of_day)
        day_only = type(sla)(
            sla.as_of, tuple(row for row in sla.clocks if row.started_at >= start_of_day)
        )
        print_view(console, day_only, tz)
        print_view(console, views.queues(end_of_day, since=start_of_day), tz)
        print_view(console, views.satisfaction(end_of_day, since=start_of_day), tz)
        print_view(console, views.daily(DEMO_DAY, end_of_day), tz)
        console.print(
            "\nNext: [bold]callcore tour[/] tells a scripted day step by step; "
            "[bold]callcore simulate --days 30 --agents 50 --out month.jsonl[/] writes a "
            "month; [bold]callcore replay month.jsonl --until 2026-11-10T10:00[/] shows it "
            "as of any instant."
        )
        return {"url": url, "report": report, "sla": day_only}
