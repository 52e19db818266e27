"""The event-log file (interfaces.md §3): round trips, and malformed files refused with
their line number, the target store unchanged."""

from __future__ import annotations

import io
from pathlib import Path

import orjson
import pytest
from rich.console import Console

from callcore import CallCenter
from callcore.adapters.eventlog import EventLogError, Header, export_log, import_log, read_log
from callcore.adapters.eventstore import open_store
from callcore.tour import DEMO_DAY, run


@pytest.fixture(scope="module")
def demo_log(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("log")
    url = f"sqlite:///{folder}/demo.db"
    run(url, Console(file=io.StringIO()))
    center = CallCenter.open(url)
    path = folder / "demo.jsonl"
    export_log(
        center.store, path, Header(center.directory.centre, DEMO_DAY, False, center.directory)
    )
    return path


def test_export_import_export_is_byte_for_byte(demo_log: Path, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/copy.db"
    header, count = import_log(demo_log, open_store(url))  # into an empty store
    target = CallCenter.open(url)  # the log's policy is already the one in force: no new event
    assert count == len(demo_log.read_bytes().splitlines()) - 1
    again = tmp_path / "again.jsonl"
    export_log(target.store, again, header)
    assert again.read_bytes() == demo_log.read_bytes()
    # and the copy gives the same views
    original = CallCenter.open(f"sqlite:///{demo_log.parent}/demo.db")
    end = DEMO_DAY.replace(hour=23, minute=59)
    assert target.views.sla(at=end) == original.views.sla(at=end)


def test_the_lines_carry_the_contract_keys(demo_log: Path) -> None:
    lines = demo_log.read_bytes().splitlines()
    header = orjson.loads(lines[0])
    assert header["format"] == "callcore-event-log"
    assert set(header) >= {
        "format",
        "format_version",
        "centre",
        "exported_at",
        "redacted",
        "directory",
    }
    event = orjson.loads(lines[1])
    assert set(event) == {
        "stream", "aggregate", "version", "type", "schema", "at", "recorded_at", "actor", "data"
    }


def test_import_keeps_the_logs_recorded_at_and_export_writes_it(tmp_path: Path) -> None:
    # Given a log whose second event was recorded 7 minutes after it happened
    log = tmp_path / "late.jsonl"
    lines = (Path(__file__).parent.parent / "golden" / "scripted-day.jsonl").read_bytes()
    head, *events = lines.splitlines(keepends=True)
    late = orjson.loads(events[1])
    assert "recorded_at" not in late  # a golden log predates recorded_at
    late["recorded_at"] = "2026-11-23T01:37:00.5+00:00"
    log.write_bytes(head + events[0] + orjson.dumps(late) + b"\n" + b"".join(events[2:]))
    # When it is imported into a store and exported again
    store = open_store("memory://")
    header, _ = import_log(log, store)
    stored = [p.recorded for p in store.read_all() if p.recorded.stream == late["stream"]]
    again = tmp_path / "again.jsonl"
    export_log(store, again, header)
    # Then the store kept the log's recorded_at (not the importer's clock), and the lines
    # without one read as recorded when they happened
    first = next(r for r in stored if r.version == late["version"])
    assert first.recorded_at.isoformat() == "2026-11-23T01:37:00.500000+00:00"
    assert all(r.recorded_at == r.event.at for r in stored if r.version != late["version"])
    # and the export writes both times on every line
    written = [orjson.loads(line) for line in again.read_bytes().splitlines()[1:]]
    assert all("recorded_at" in line for line in written)
    mine = next(
        line for line in written
        if line["stream"] == late["stream"] and line["version"] == late["version"]
    )
    assert (mine["at"], mine["recorded_at"]) == (late["at"], "2026-11-23T01:37:00.500000+00:00")


@pytest.mark.parametrize("value", ["yesterday", "2026-11-23T09:00:00", 7])
def test_a_recorded_at_that_is_not_a_time_with_offset_names_its_line(
    tmp_path: Path, value: object
) -> None:
    lines = (Path(__file__).parent.parent / "golden" / "scripted-day.jsonl").read_bytes()
    head, first, *rest = lines.splitlines(keepends=True)
    bad = tmp_path / "bad.jsonl"
    bad.write_bytes(head + set_field(first, recorded_at=value) + b"".join(rest))
    store = open_store("memory://")
    with pytest.raises(EventLogError) as raised:
        import_log(bad, store)
    assert raised.value.line == 2 and "recorded_at" in raised.value.reason
    assert store.last_position() == 0


def corrupt(demo_log: Path, tmp_path: Path, change) -> Path:  # type: ignore[no-untyped-def]
    lines = demo_log.read_bytes().splitlines(keepends=True)
    bad = tmp_path / "bad.jsonl"
    bad.write_bytes(b"".join(change(lines)))
    return bad


def set_field(line: bytes, **changes: object) -> bytes:
    data = orjson.loads(line)
    data.update(changes)
    return orjson.dumps(data) + b"\n"


@pytest.mark.parametrize(
    ("change", "line", "reason"),
    [
        (lambda ls: [*ls[:5], ls[5][:40]], 6, "truncated"),
        (
            lambda ls: [*ls[:3], set_field(ls[3], type="TicketTeleported"), *ls[4:]],
            4,
            "unknown event type",
        ),
        (lambda ls: [*ls[:3], set_field(ls[3], version=7), *ls[4:]], 4, "version 7"),
        (lambda ls: [*ls[:3], set_field(ls[3], data={"nonsense": 1}), *ls[4:]], 4, ""),
        (lambda ls: [set_field(ls[0], format="csv"), *ls[1:]], 1, "not a callcore event log"),
        (lambda ls: [*ls[:2], b"{not json\n", *ls[3:]], 3, "not JSON"),
        (lambda ls: [*ls[:2], set_field(ls[2], aggregate="order"), *ls[3:]], 3, "not of aggregate"),
    ],
    ids=[
        "truncated",
        "unknown-type",
        "version-gap",
        "wrong-data",
        "bad-header",
        "not-json",
        "wrong-aggregate",
    ],
)
def test_a_malformed_log_names_its_line_and_stores_nothing(
    demo_log: Path,
    tmp_path: Path,
    change,
    line: int,
    reason: str,  # type: ignore[no-untyped-def]
) -> None:
    bad = corrupt(demo_log, tmp_path, change)
    target = open_store(f"sqlite:///{tmp_path}/target.db")
    with pytest.raises(EventLogError) as caught:
        import_log(bad, target)
    assert caught.value.line == line
    assert reason in caught.value.reason
    assert target.last_position() == 0  # nothing stored


def test_reading_streams(demo_log: Path) -> None:
    with demo_log.open("rb") as source:
        header, events = read_log(source)
        first = next(events)
    assert header.centre == "Hexi Gas Customer Service Centre"
    assert first.version == 1


def test_every_line_matches_the_shipped_json_schema(demo_log: Path) -> None:
    import json
    from importlib import resources

    import jsonschema

    schema = json.loads(
        resources.files("callcore.data")
        .joinpath("event-log.schema.json")
        .read_text(encoding="utf-8")
    )
    validator = jsonschema.Draft202012Validator(schema)
    lines = demo_log.read_bytes().splitlines()
    for line in lines:
        validator.validate(json.loads(line))
    broken = orjson.loads(lines[1])
    broken["actor"] = "martian:X"
    assert not validator.is_valid(broken)


def test_an_import_validates_the_whole_log_then_stores_it_in_bounded_batches(
    tmp_path: Path,
) -> None:
    """Issue 18: `callcore import` held a whole log (a month: ~5.8 GB). The first pass
    validates every line and keeps only the streams' names; the second appends at most
    a batch per transaction — and the store holds what a one-shot import held."""
    from callcore.adapters.eventlog import check_log, store_log

    golden = Path(__file__).parents[1] / "golden" / "scripted-day.jsonl"
    checked = check_log(golden)
    whole = open_store("memory://")
    store_log(golden, whole, checked, batch=10**9)

    class Counting:
        def __init__(self) -> None:
            self.inner = open_store("memory://")
            self.batches: list[int] = []

        def __getattr__(self, name: str) -> object:
            return getattr(self.inner, name)

        def append(self, records: list[object]) -> None:
            self.batches.append(len(records))
            self.inner.append(records)  # type: ignore[arg-type]

    batched = Counting()
    count = store_log(golden, batched, checked, batch=20)  # type: ignore[arg-type]
    assert count == checked.events
    assert len(batched.batches) > 2 and max(batched.batches) <= 20
    assert [p.recorded for p in batched.inner.read_all()] == [p.recorded for p in whole.read_all()]
    # a bad line at the very end: the first pass refuses it, nothing is stored
    lines = golden.read_bytes().splitlines(keepends=True)
    bad = tmp_path / "bad.jsonl"
    bad.write_bytes(b"".join(lines) + b'{"not": "an event"}\n')
    empty = open_store("memory://")
    with pytest.raises(EventLogError, match=f"line {len(lines) + 1}"):
        import_log(bad, empty)
    assert empty.last_position() == 0
