"""``make demo``: a simulated business day on SQLite, with nothing to configure, ending
with the SLA, queue, satisfaction and daily views as tables."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

from rich.console import Console

from callcore.demo import DEMO_DAY, run
from callcore.domain.calendar import zone


def test_the_demo_simulates_a_day_and_prints_its_views(tmp_path: Path) -> None:
    console = Console(file=io.StringIO(), width=160)
    result = run(f"sqlite:///{tmp_path}/demo.db", console)
    text = console.file.getvalue()  # type: ignore[attr-defined]
    for title in (
        "SLA clocks as of 2026-11-24 23:59",
        "Phone queues as of 2026-11-24 23:59",
        "Satisfaction by field worker",
        "Satisfaction by agent",
        "Daily report 2026-11-24",
    ):
        assert title in text
    report = result["report"]
    assert report.calls > 500 and report.answered > 400
    assert not report.refused
    # the SLA view is the demo day's: every clock shown started on that day
    centre = zone("Asia/Shanghai")
    days = {row.started_at.astimezone(centre).date() for row in result["sla"].clocks}
    assert days == {DEMO_DAY}


def test_callcore_demo_runs_as_a_command_with_nothing_to_configure(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "callcore", "demo"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    assert "SLA clocks" in done.stdout and "Daily report" in done.stdout
    assert list(tmp_path.iterdir()) == []  # it wrote nothing where it was run
