"""Golden logs (interfaces.md §3, schema evolution): logs written by earlier versions of
callcore, committed as they were written, keep replaying to the views recorded for them.

When an event changes shape it gets a new schema version and an upcaster
(``callcore.adapters.upcasters``); these tests break if an upcaster is missing or wrong,
or if a view's figures move for an old history."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from callcore.adapters.converter import stored_event_types
from callcore.adapters.eventlog import Header, export_log, import_log, read_log
from callcore.adapters.eventstore import open_store
from tests import reliability
from tests.golden.regenerate_views import views_json

GOLDEN = Path(__file__).parent / "golden"
LOGS = sorted(GOLDEN.glob("*.jsonl"))


def test_there_are_golden_logs() -> None:
    assert len(LOGS) >= 2


@pytest.mark.reliability
@pytest.mark.parametrize("log", LOGS, ids=lambda p: p.name)
def test_a_golden_log_replays_to_its_recorded_views(log: Path) -> None:
    recorded = log.with_suffix(".views.json").read_bytes()
    replayed = views_json(log)
    reliability.record(
        "R9", f"golden log {log.name} not replaying to its views", int(replayed != recorded)
    )
    assert replayed == recorded


@pytest.mark.parametrize("log", LOGS, ids=lambda p: p.name)
def test_an_imported_golden_log_is_exported_at_the_current_schemas(
    log: Path, tmp_path: Path
) -> None:
    store = open_store("memory://")
    header, count = import_log(log, store)
    count += 1  # the store records the log's directory (issue 18): one event more
    again = tmp_path / "again.jsonl"
    assert (
        export_log(store, again, Header(header.centre, header.exported_at, False, header.directory))
        == count
    )
    with open(again, "rb") as file:
        _, events = read_log(file)
        upgraded = list(events)
    assert len(upgraded) == count
    current = stored_event_types()
    for line in again.read_bytes().splitlines()[1:]:
        event = orjson.loads(line)
        assert event["schema"] == current[event["type"]].schema, event
    # and the upgraded log tells the same story
    copy = tmp_path / log.name
    copy.write_bytes(again.read_bytes())
    assert views_json(copy) == log.with_suffix(".views.json").read_bytes()
