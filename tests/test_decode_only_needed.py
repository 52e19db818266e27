"""Issue 21, decode only what is needed: a replay reads every line's envelope and turns
into a typed, validated event only the types the views asked for consume (each
projection declares them: ``consumes()``). What it gives must be exactly what folding
every event gives; a bad event of a type no view asked for does not stop a replay, one
of a type a view needs names its line; ``callcore import`` still refuses the file."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable, Iterable
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson
import pytest

from callcore.adapters import eventlog
from callcore.adapters.eventlog import EventLogError, import_log
from callcore.adapters.eventstore import open_store
from callcore.domain.calendar import zone
from callcore.formats import dumps, view_data
from callcore.ports import Recorded
from callcore.projections.daily import DailyReport
from callcore.projections.queues import QueueMetrics
from callcore.projections.satisfaction import Satisfaction
from callcore.projections.sla import SlaClocks
from callcore.replay import Replay
from callcore.views import consumed

GOLDEN = Path(__file__).parent / "golden"
LOGS = sorted(GOLDEN.glob("*.jsonl"))


def _instants(replay: Replay) -> list[datetime]:
    first = next(replay.store.read_all()).recorded.event.at
    last = replay.as_of
    return [first + (last - first) * share for share in (0.1, 0.35, 0.6, 0.85, 1.0)]


Viewer = Callable[[Any, datetime], Any]
FOLDS: dict[str, tuple[Callable[[Any], Any], Viewer]] = {
    "sla": (SlaClocks, lambda fold, at: fold.view(at)),
    "queues": (QueueMetrics, lambda fold, at: fold.view(at, None, None)),
    "satisfaction": (Satisfaction, lambda fold, at: fold.view(at, None, None)),
    "daily": (DailyReport, lambda fold, at: fold.view(fold.directory.local(at).date(), at)),
}


@pytest.mark.parametrize("log", LOGS, ids=lambda p: p.name)
@pytest.mark.parametrize("name", sorted(FOLDS))
def test_a_fold_fed_only_the_types_it_declares_gives_the_view_of_every_event(
    log: Path, name: str
) -> None:
    """The declaration is complete: leaving out every other type changes no figure."""
    replay = Replay.from_log(log, in_memory=True)
    tz = zone(replay.directory.calendar.timezone)
    make, view = FOLDS[name]
    records = [p.recorded for p in replay.store.read_all()]
    wanted = make(replay.directory).consumes()
    assert wanted, "a fold consumes some event types"

    def folded(chosen: Iterable[Recorded]) -> list[bytes]:
        fold = make(replay.directory)
        for record in chosen:
            fold.apply(record)
        return [dumps(view_data(view(fold, at), tz)) for at in _instants(replay)]

    assert folded(r for r in records if type(r.event) in wanted) == folded(records)


def _counting_decodes(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    decoded: list[str] = []
    original = eventlog.event_from_dict

    def counted(type_name: str, data: dict[str, Any], schema: int | None = None) -> Any:
        decoded.append(type_name)
        return original(type_name, data, schema)

    monkeypatch.setattr(eventlog, "event_from_dict", counted)
    return decoded


@pytest.mark.parametrize("in_memory", [True, False], ids=["in-memory", "streamed"])
def test_the_queue_view_of_a_replay_decodes_only_the_events_it_folds(
    monkeypatch: pytest.MonkeyPatch, in_memory: bool
) -> None:
    log = GOLDEN / "simulated-4-days.jsonl"
    expected = Replay.from_log(log).views.queues()
    decoded = _counting_decodes(monkeypatch)
    replay = Replay.from_log(log, in_memory=in_memory)
    assert replay.views.queues() == expected
    lines = log.read_bytes().splitlines()[1:]
    assert len(decoded) < len(lines) / 2  # calls are a fraction of the log
    assert set(decoded) <= consumed(QueueMetrics) | {"DirectoryAdopted"}


def _with_bad_line(tmp_path: Path, type_name: str) -> tuple[Path, int]:
    """The four-day log with the first event of ``type_name`` given a field that is not
    one of its type's; returns the file and that line's number."""
    lines = (GOLDEN / "simulated-4-days.jsonl").read_bytes().splitlines(keepends=True)
    for index, line in enumerate(lines[1:], start=1):
        data = orjson.loads(line)
        if data["type"] == type_name:
            data["data"]["not_a_field"] = 1
            lines[index] = orjson.dumps(data, option=orjson.OPT_SORT_KEYS) + b"\n"
            break
    path = tmp_path / "bad.jsonl"
    path.write_bytes(b"".join(lines))
    return path, index + 1


@pytest.mark.parametrize("in_memory", [True, False], ids=["in-memory", "streamed"])
def test_a_bad_event_stops_only_the_views_that_need_it_and_names_its_line(
    tmp_path: Path, in_memory: bool
) -> None:
    bad, number = _with_bad_line(tmp_path, "TicketOpened")
    good = Replay.from_log(GOLDEN / "simulated-4-days.jsonl")
    replay = Replay.from_log(bad, in_memory=in_memory)  # envelopes are all fine
    assert replay.views.queues() == good.views.queues()  # calls only: never decoded it
    with pytest.raises(EventLogError) as raised:
        replay.views.sla()  # a ticket's clocks: it must be decoded, and it is bad
    assert raised.value.line == number
    assert "not_a_field" in str(raised.value)


def test_import_still_validates_every_event_before_storing_any(tmp_path: Path) -> None:
    bad, number = _with_bad_line(tmp_path, "TicketOpened")
    store = open_store(f"sqlite:///{tmp_path / 'centre.db'}")
    try:
        with pytest.raises(EventLogError) as raised:
            import_log(bad, store)
        assert raised.value.line == number
        assert store.last_position() == 0
    finally:
        store.close()


def test_a_replay_still_refuses_a_log_whose_envelopes_are_wrong(tmp_path: Path) -> None:
    lines = (GOLDEN / "simulated-4-days.jsonl").read_bytes().splitlines(keepends=True)
    data = orjson.loads(lines[5])
    data["version"] += 1  # a gap in the stream's versions
    lines[5] = orjson.dumps(data) + b"\n"
    gapped = tmp_path / "gapped.jsonl"
    gapped.write_bytes(b"".join(lines))
    with pytest.raises(EventLogError, match="version") as raised:
        Replay.from_log(gapped)
    assert raised.value.line == 6
    data["version"] -= 1
    data["at"] = "2026-11-02T09:00:00"  # no UTC offset
    lines[5] = orjson.dumps(data) + b"\n"
    gapped.write_bytes(b"".join(lines))
    with pytest.raises(EventLogError, match="at must be an ISO 8601 time"):
        Replay.from_log(gapped)


def test_the_cli_replay_of_a_bad_needed_event_is_one_line_and_exit_2(tmp_path: Path) -> None:
    bad, number = _with_bad_line(tmp_path, "TicketOpened")
    done = subprocess.run(
        [sys.executable, "-m", "callcore", "replay", str(bad), "--view", "sla"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 2
    assert f"line {number}" in done.stderr
    assert "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    queues = subprocess.run(
        [sys.executable, "-m", "callcore", "replay", str(bad), "--view", "queues"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert queues.returncode == 0, queues.stderr


@pytest.mark.parametrize(
    "folds",
    [(QueueMetrics,), (QueueMetrics, DailyReport)],
    ids=["queues", "the four views"],
)
def test_a_store_reads_only_the_consumed_types_as_filtering_everything_would(
    tmp_path: Path, folds: tuple[Any, ...]
) -> None:
    """The SQLite store selects a view's types by topic (every schema of each): the same
    events, at the same positions, as reading everything and keeping those types."""
    store = open_store(f"sqlite:///{tmp_path / 'centre.db'}")
    try:
        import_log(GOLDEN / "simulated-4-days.jsonl", store)
        types = consumed(*folds)
        everything = [p for p in store.read_all() if p.recorded.event.type_name() in types]
        assert list(store.read_types(0, types)) == everything
        middle = everything[len(everything) // 2].position
        assert list(store.read_types(middle, types)) == [
            p for p in everything if p.position > middle
        ]
    finally:
        store.close()
