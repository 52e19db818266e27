"""Round trips are exact (issue 18): replaying a log, importing it and viewing the store,
and exporting the store and replaying that give byte-identical views — for the golden
logs and a simulated multi-day log. (The month of a 50-seat centre is too long for the
suite: ``benchmarks/round_trip.py`` runs it.)"""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from tests.test_safe_outputs import callcore

GOLDEN = Path(__file__).parent / "golden"


def three_ways(log: Path, tmp_path: Path, db: str) -> tuple[bytes, bytes, bytes]:
    """The four views as JSON: of the log, of the store it was imported into, and of
    the log exported from that store — all as of the log's last event."""
    replayed = callcore("replay", str(log), "--format", "json")
    assert replayed.returncode == 0, replayed.stderr
    as_of = orjson.loads(replayed.stdout)["sla"]["as_of"]
    imported = callcore("import", str(log), "--db", db)
    assert imported.returncode == 0, imported.stderr
    viewed = callcore("views", "--db", db, "--at", as_of, "--format", "json")
    assert viewed.returncode == 0, viewed.stderr
    assert viewed.stderr == ""  # the store has its directory: nothing to say about it
    exported = tmp_path / "exported.jsonl"
    done = callcore("export", "--db", db, "--out", str(exported))
    assert done.returncode == 0, done.stderr
    again = callcore("replay", str(exported), "--until", as_of, "--format", "json")
    assert again.returncode == 0, again.stderr
    return replayed.stdout.encode(), viewed.stdout.encode(), again.stdout.encode()


@pytest.mark.parametrize("log", sorted(GOLDEN.glob("*.jsonl")), ids=lambda p: p.name)
def test_golden_logs_round_trip_exactly(log: Path, tmp_path: Path) -> None:
    replayed, viewed, again = three_ways(log, tmp_path, f"sqlite:///{tmp_path}/centre.db")
    assert viewed == replayed
    assert again == replayed


def test_a_simulated_week_round_trips_exactly_on_sqlite(tmp_path: Path) -> None:
    log = tmp_path / "week.jsonl"
    done = callcore("simulate", "--seed", "18", "--days", "5", "--agents", "6", "--out", str(log))
    assert done.returncode == 0, done.stderr
    replayed, viewed, again = three_ways(log, tmp_path, f"sqlite:///{tmp_path}/centre.db")
    assert viewed == replayed
    assert again == replayed
    assert len(replayed) > 1000


def test_a_golden_log_round_trips_exactly_on_postgresql(postgres_url: str, tmp_path: Path) -> None:
    log = GOLDEN / "simulated-4-days.jsonl"
    replayed, viewed, again = three_ways(log, tmp_path, postgres_url)
    assert viewed == replayed
    assert again == replayed
