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


def test_rotated_files_in_any_order_gzip_too_give_the_same_figures(tmp_path: Path):
    import gzip

    half = len(FIXTURE) // 2
    (tmp_path / "queue_log").write_text("\n".join(FIXTURE[half:]) + "\n")
    with gzip.open(tmp_path / "queue_log.1.gz", "wt") as old:
        old.write("\n".join(FIXTURE[:half]) + "\n")
    store = f"sqlite:///{tmp_path}/centre.db"
    done = callcore(
        "telephony", "ingest", "--queue-log", str(tmp_path / "queue_log"),
        "--queue-log", str(tmp_path / "queue_log.1.gz"), "--db", store,
    )
    assert done.returncode == 0, done.stderr
    assert "refused" not in done.stdout, done.stdout
    with CallCenter.open(store) as center:
        (hotline,) = center.views.queues(center.clock.now()).queues
        assert (hotline.offered, hotline.answered, hotline.abandoned) == (12, 6, 3)


def test_a_damaged_gzip_file_is_one_line_and_records_nothing(tmp_path: Path):
    import gzip

    data = gzip.compress(("\n".join(FIXTURE) + "\n").encode())
    (tmp_path / "queue_log.2.gz").write_bytes(data[: len(data) // 2])
    store = f"sqlite:///{tmp_path}/centre.db"
    done = callcore(
        "telephony", "ingest", "--queue-log", str(tmp_path / "queue_log.2.gz"), "--db", store
    )
    assert done.returncode == 2, done.stdout
    assert len(done.stderr.strip().splitlines()) == 1 and "gzip" in done.stderr
    assert "Traceback" not in done.stderr
    with CallCenter.open(store) as center:
        assert not center.calls.exists("C1")


def test_the_source_time_zone_says_what_naive_times_mean(tmp_path: Path):
    log = tmp_path / "queue_log"
    log.write_text(
        "2026-11-03 02:00:00|Z1|hotline|NONE|ENTERQUEUE||13912345678|1|\n"
        "2026-11-03 02:00:09|Z1|hotline|SIP/1001|CONNECT|9|Z1.2|3|\n"
        "2026-11-03 02:01:00|Z1|hotline|SIP/1001|COMPLETECALLER|9|51|1|\n"
    )
    for zone, hour in [("UTC", 2), (None, 18)]:  # the demo centre is in Asia/Shanghai
        store = f"sqlite:///{tmp_path}/{zone}.db"
        args = ["telephony", "ingest", "--queue-log", str(log), "--db", store]
        done = callcore(*args, *(["--source-timezone", zone] if zone else []))
        assert done.returncode == 0, done.stderr
        with CallCenter.open(store) as center:
            offered_at = center.calls.get("Z1").offered_at
            assert offered_at is not None and offered_at.utctimetuple().tm_hour == hour
    bad = callcore("telephony", "ingest", "--queue-log", str(log), "--db",
                   f"sqlite:///{tmp_path}/bad.db", "--source-timezone", "Mars/Olympus")
    assert bad.returncode == 2 and "Mars/Olympus" in bad.stderr
    assert len(bad.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "bad.db").exists()
