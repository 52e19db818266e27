"""`callcore telephony ingest` and `callcore telephony ami`, run as a user runs them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from callcore import CallCenter

from .test_queue_log import FIXTURE


def callcore(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "callcore", *args], capture_output=True,
                          text=True, timeout=300, check=False, cwd=cwd)


@pytest.mark.reliability
def test_ingesting_a_queue_log_twice_records_it_once(tmp_path: Path):
    log = tmp_path / "queue_log"
    log.write_text("\n".join(FIXTURE) + "\n")
    store = f"sqlite:///{tmp_path}/centre.db"
    first = callcore("telephony", "ingest", "--queue-log", str(log), "--db", store)
    assert first.returncode == 0, first.stderr
    assert "12 commands" not in first.stdout  # several commands per line: counted, not lines
    assert "1 rejected (first: queue_log:39" in first.stdout
    assert "unknown SOMETHINGNEW 1" in first.stdout
    again = callcore("telephony", "ingest", "--queue-log", str(log), "--db", store)
    assert again.returncode == 0
    assert " 0 recorded" in again.stdout
    with CallCenter.open(store) as center:
        (hotline,) = center.views.queues(center.clock.now()).queues
        assert (hotline.offered, hotline.answered) == (12, 6)


def test_telephony_mistakes_are_one_line(tmp_path: Path):
    for args, message in [
        (["telephony", "ingest", "--db", "sqlite:///c.db"], "give one of --queue-log"),
        (["telephony", "ingest", "--db", "sqlite:///c.db", "--queue-log", "nope"], "nope"),
    ]:
        done = callcore(*args, cwd=tmp_path)
        assert done.returncode == 2, done.stderr
        assert len(done.stderr.strip().splitlines()) == 1 and message in done.stderr
        assert not (tmp_path / "c.db").exists()
