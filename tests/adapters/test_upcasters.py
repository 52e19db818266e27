"""Schema evolution (interfaces.md §3): old shapes of events read as the current ones, in
logs and in stores; a shape this callcore does not know is refused with a clear error."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest
from eventsourcing.persistence import StoredEvent

from callcore.adapters import upcasters
from callcore.adapters.eventlog import EventLogError, import_log, read_log
from callcore.adapters.eventstore import open_store
from callcore.domain.call import FollowUpNotReached, FollowUpRecorded

GOLDEN = Path(__file__).parents[1] / "golden" / "simulated-4-days.jsonl"


@pytest.mark.parametrize(
    ("schema_1", "why"),
    [
        ({"reached": True, "call_again_at": None}, None),
        ({"reached": False, "call_again_at": None}, "no-answer"),
        ({"reached": False, "call_again_at": "2026-11-05T18:00:00+08:00"}, "child-at-home"),
    ],
)
def test_follow_up_recorded_1_to_2(schema_1: dict[str, object], why: str | None) -> None:
    # given a follow-up as schema 1 recorded it, when it is upcast, then it says why
    assert upcasters.upcast("FollowUpRecorded", 1, 2, schema_1)["not_reached"] == why


def test_the_golden_log_s_follow_ups_read_as_schema_2() -> None:
    with open(GOLDEN, "rb") as file:
        lines = [orjson.loads(line) for line in file.read().splitlines()[1:]]
    old = [line for line in lines if line["type"] == "FollowUpRecorded"]
    assert old and all(line["schema"] == 1 for line in old)
    with open(GOLDEN, "rb") as file:
        _, events = read_log(file)
        follow_ups = [r.event for r in events if isinstance(r.event, FollowUpRecorded)]
    assert len(follow_ups) == len(old)
    reasons = {event.not_reached for event in follow_ups}
    # the log holds all three kinds, and each was told apart
    assert reasons == {None, FollowUpNotReached.NO_ANSWER, FollowUpNotReached.CHILD_AT_HOME}
    for line, event in zip(old, follow_ups, strict=True):
        if event.not_reached is FollowUpNotReached.CHILD_AT_HOME:
            assert line["data"]["call_again_at"] is not None


def test_a_missing_upcaster_fails_the_import_with_the_line(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(upcasters, "UPCASTERS", {})
    store = open_store(f"sqlite:///{tmp_path}/t.db")
    with pytest.raises(EventLogError, match=r"line \d+: FollowUpRecorded: no upcaster"):
        import_log(GOLDEN, store)
    assert store.last_position() == 0


def test_an_event_from_a_newer_callcore_is_refused(tmp_path: Path) -> None:
    lines = GOLDEN.read_bytes().splitlines()
    number, line = next(
        (n, orjson.loads(line))
        for n, line in enumerate(lines, start=1)
        if b'"FollowUpRecorded"' in line
    )
    line["schema"] = 9
    lines[number - 1] = orjson.dumps(line)
    newer = tmp_path / "newer.jsonl"
    newer.write_bytes(b"\n".join(lines) + b"\n")
    with pytest.raises(EventLogError, match=rf"line {number}: .*newer callcore"):
        import_log(newer, open_store("memory://"))


def test_a_store_reads_events_stored_before_the_change(tmp_path: Path) -> None:
    # given a FollowUpRecorded stored as schema 1 (topic without "@2") in a SQLite store
    store = open_store(f"sqlite:///{tmp_path}/old.db")
    data = {
        "at": "2026-11-05T15:00:00+08:00",
        "actor": "agent:A01",
        "subject": "order-O-1",
        "reached": False,
        "call_again_at": "2026-11-05T18:00:00+08:00",
    }
    originator = store.mapper.originator_id("call-F-1")
    state = orjson.dumps({**data, "_stream": "call-F-1"} if store.mapper.uuid_streams else data)
    store.recorder.insert_events(
        [StoredEvent(originator, 1, "FollowUpRecorded", state)]  # the old topic
    )
    # when it is read, then it is the current shape
    (record,) = store.read_stream("call-F-1")
    assert isinstance(record.event, FollowUpRecorded)
    assert record.event.not_reached is FollowUpNotReached.CHILD_AT_HOME
    # and a new one is stored under the schema-2 topic, read back the same
    store.append([type(record)("call-F-2", 1, record.event)])
    assert store.read_stream("call-F-2")[0].event == record.event
