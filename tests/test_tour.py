"""The demo day (`make demo`) runs the real rules: checked here by what it records and
what the rules refuse, and run as a user would, as a subprocess."""

from __future__ import annotations

import io
import re
import subprocess
import sys
from pathlib import Path

from rich.console import Console

from callcore.tour import run


def test_the_demo_day_records_the_story_and_refuses_what_the_rules_forbid(store_url: str) -> None:
    """On every store: memory, SQLite and PostgreSQL record the same day."""
    console = Console(file=io.StringIO(), width=120)
    result = run(store_url, console)
    recorded = result["recorded"]
    assert recorded["AccountOpened"] == 2  # the retried opening recorded nothing more
    assert recorded["ConsumablesRefused"] == 1
    assert recorded["QuotaExceptionGranted"] == 1
    assert recorded["VoicemailRecorded"] == 1
    assert result["refused"] == [
        "registered-name-must-match",
        "supervisor-grants-quota-exception",
        "resolution-accepted-before-close",
    ]
    assert recorded["OrderDelivered"] == 1
    assert recorded["WorkerArrived"] == 1
    assert recorded["CallAbandoned"] == 1
    text = console.file.getvalue()  # type: ignore[attr-defined]
    assert "first outcome returned, nothing recorded" in text
    assert "callback due Wed 08:30" in text
    # the SLA view at the end of the day: 2 of 4 calls within three rings
    assert re.search(r"answer\s+│\s+2\s+│\s+2\s+│\s+0\s+│\s+0\s+│\s+50%", text)


def test_callcore_demo_runs_as_a_command(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "callcore", "tour", "--db", f"sqlite:///{tmp_path}/d.db"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "What the day recorded" in done.stdout
