"""The speed-ups of issue 8 change nothing but speed: a streamed replay, kept folds asked
"as known at" an instant, one-pass rebuilds and snapshots give exactly what the plain
paths give."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import attrs
import pytest
from eventsourcing.cipher import AESCipher
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from callcore.adapters.clock import ManualClock
from callcore.adapters.eventstore import SNAPSHOT_EVERY, EventsourcingStore, open_store
from callcore.center import CallCenter
from callcore.domain import customer
from callcore.domain.calendar import zone
from callcore.formats import dumps, view_data
from callcore.ports import Recorded
from callcore.replay import LoggedHistory, Replay, StreamedHistory
from callcore.views import Views
from tests.golden.regenerate_views import views_json
from tests.support import AGENT, MONDAY_9AM

GOLDEN = Path(__file__).parent / "golden"
FOUR_DAYS = GOLDEN / "simulated-4-days.jsonl"
MEMORY = Replay.from_log(FOUR_DAYS, in_memory=True)
STREAMED = Replay.from_log(FOUR_DAYS, in_memory=False)
TZ = zone(MEMORY.directory.calendar.timezone)
FIRST = next(MEMORY.store.read_all()).recorded.event.at
LAST = MEMORY.as_of


@pytest.mark.parametrize("log", sorted(GOLDEN.glob("*.jsonl")), ids=lambda p: p.name)
def test_a_streamed_golden_log_replays_to_its_recorded_views(log: Path) -> None:
    assert views_json(log, in_memory=False) == log.with_suffix(".views.json").read_bytes()


def test_a_big_log_is_streamed_and_a_small_one_kept() -> None:
    assert isinstance(MEMORY.store, LoggedHistory)
    assert isinstance(STREAMED.store, StreamedHistory)
    assert isinstance(Replay.from_log(FOUR_DAYS).store, LoggedHistory)  # 2,101 events


@settings(max_examples=40, deadline=None)
@given(
    after=st.integers(min_value=0, max_value=2200),
    limit=st.one_of(st.none(), st.integers(min_value=0, max_value=3000)),
)
def test_a_streamed_log_reads_like_the_one_in_memory(after: int, limit: int | None) -> None:
    assert list(STREAMED.store.read_all(after, limit)) == list(MEMORY.store.read_all(after, limit))


@pytest.mark.parametrize("stream", ["customer-C000001", "policy-sla", "nobody-here"])
def test_a_streamed_log_reads_one_stream_like_the_one_in_memory(stream: str) -> None:
    assert STREAMED.store.read_stream(stream) == MEMORY.store.read_stream(stream)
    assert STREAMED.store.read_stream(stream, 1) == MEMORY.store.read_stream(stream, 1)


def _views(views: Views, at: datetime, since: datetime | None = None) -> bytes:
    return dumps(
        {
            "sla": view_data(views.sla(at), TZ),
            "queues": view_data(views.queues(at, since=since), TZ),
            "satisfaction": view_data(views.satisfaction(at, since=since), TZ),
        }
    )


class _Centre:
    def __init__(self, records: list[Recorded]) -> None:
        self.store = LoggedHistory(records)
        self.directory = MEMORY.directory
        self.clock = ManualClock(LAST)


RECORDS = [p.recorded for p in MEMORY.store.read_all()]
PLAIN = Views(_Centre(RECORDS), keep_folds=False)  # folds just the events up to the instant
KEPT = Views(_Centre(RECORDS))  # one fold of everything, asked as known at the instant


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    share=st.floats(min_value=-0.01, max_value=1.01),
    since_share=st.one_of(st.none(), st.floats(min_value=0, max_value=1)),
)
def test_a_view_as_of_any_instant_from_the_kept_fold_is_the_plain_one(
    share: float, since_share: float | None
) -> None:
    at = FIRST + (LAST - FIRST) * share
    since = None if since_share is None else FIRST + (LAST - FIRST) * since_share
    assert _views(KEPT, at, since) == _views(PLAIN, at, since)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    moved=st.lists(st.integers(min_value=0, max_value=len(RECORDS) - 1), max_size=40),
    hours=st.integers(min_value=-30, max_value=30).filter(bool),
    share=st.floats(min_value=0, max_value=1),
)
def test_the_kept_fold_stays_exact_when_events_are_out_of_instant_order(
    moved: list[int], hours: int, share: float
) -> None:
    """Facts reported late (a PBX catching up, a field worker's SMS) are stored after
    later ones: the kept fold has seen facts from after the instant, in any order."""
    records = list(RECORDS)
    for index in set(moved):
        record = records[index]
        event = attrs.evolve(record.event, at=record.event.at + timedelta(hours=hours))
        records[index] = attrs.evolve(record, event=event)
    at = FIRST + (LAST - FIRST) * share
    plain = Views(_Centre(records), keep_folds=False)
    assert _views(Views(_Centre(records)), at) == _views(plain, at)


def test_the_kept_fold_follows_a_store_that_grows() -> None:
    centre = _Centre(RECORDS[:1000])
    views = Views(centre)
    views.sla(LAST)
    centre.store = LoggedHistory(RECORDS)  # more events were appended since
    assert _views(views, LAST) == _views(PLAIN, LAST)
    centre.directory = attrs.evolve(MEMORY.directory)  # another directory: folded afresh
    assert _views(views, LAST) == _views(PLAIN, LAST)


def test_one_pass_over_every_view_is_each_view_on_its_own() -> None:
    every = STREAMED.views.rebuild_all(LAST)
    day = LAST.astimezone(TZ).date()
    assert view_data(every.sla, TZ) == view_data(MEMORY.views.sla(LAST), TZ)
    assert view_data(every.queues, TZ) == view_data(MEMORY.views.queues(LAST), TZ)
    assert view_data(every.satisfaction, TZ) == view_data(MEMORY.views.satisfaction(LAST), TZ)
    assert view_data(every.daily, TZ) == view_data(MEMORY.views.daily(day, LAST), TZ)


# snapshots -----------------------------------------------------------------------------


def _long_customer(center: CallCenter, changes: int) -> str:
    number = (
        center.handle(
            customer.OpenAccount(
                name="Sun Li", phone="13800000000", address="1 Xi Road", area="DONGMEN", actor=AGENT
            )
        )
        .first(customer.AccountOpened)
        .customer_number
    )
    for n in range(changes):
        phone = "13811111111" if n % 2 == 0 else "13800000000"
        center.handle(
            customer.ChangeContactDetails(customer_number=number, phone=phone, actor=AGENT)
        )
    return number


def test_a_long_history_loads_from_its_snapshot_to_the_same_state(store_url: str) -> None:
    center = CallCenter.open(store_url, clock=ManualClock(MONDAY_9AM))
    number = _long_customer(center, SNAPSHOT_EVERY + 20)
    store = center.store
    assert isinstance(store, EventsourcingStore)
    stream = f"customer-{number}"
    folded = customer.FOLD.fold(r.event for r in store.read_stream(stream))
    assert center.customers.get(number) == folded  # the first load saves a snapshot
    snapshot = store.snapshot(stream)
    assert snapshot is not None
    assert snapshot[0] == SNAPSHOT_EVERY + 21
    assert center.customers.get(number) == folded  # now read from it
    _long_customer_changes = customer.ChangeContactDetails(
        customer_number=number, address="2 Xi Road", actor=AGENT
    )
    center.handle(_long_customer_changes)  # decided on the snapshot's state: still right
    assert center.customers.get(number).address == "2 Xi Road"
    center.close()


def test_a_snapshot_of_another_shape_of_state_is_ignored(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/centre.db"
    center = CallCenter.open(url, clock=ManualClock(MONDAY_9AM))
    number = _long_customer(center, 5)
    store = center.store
    assert isinstance(store, EventsourcingStore)
    # a snapshot an older release wrote for a state class that has since changed
    store.save_snapshot(f"customer-{number}", 6, "customer-state:0ld5hape", {"name": 1})
    fresh = CallCenter.open(url, clock=ManualClock(MONDAY_9AM))
    assert fresh.customers.get(number).phone == "+8613811111111"
    center.close()
    fresh.close()


def test_snapshots_are_encrypted_like_events(tmp_path: Path) -> None:
    key = AESCipher.create_key(num_bytes=32)
    url = f"sqlite:///{tmp_path}/secret.db"
    store = EventsourcingStore(url, cipher_key=key)
    center = CallCenter(store, clock=ManualClock(MONDAY_9AM))
    number = _long_customer(center, SNAPSHOT_EVERY + 1)
    center.customers.get(number)
    assert store.snapshot(f"customer-{number}") is not None
    center.close()
    raw = b"".join(p.read_bytes() for p in tmp_path.iterdir())
    assert b"Sun Li" not in raw
    assert b"Xi Road" not in raw
    assert open_store(url).snapshot(f"customer-{number}") is None  # no key: no shortcut


def test_a_streamed_log_written_by_another_tool_reads_its_streams(tmp_path: Path) -> None:
    """Another writer's spacing and key order is still a valid log."""
    import json

    lines = FOUR_DAYS.read_bytes().splitlines()
    spaced = tmp_path / "spaced.jsonl"
    spaced.write_bytes(
        b"\n".join(
            [lines[0], *(json.dumps(json.loads(line), indent=None).encode() for line in lines[1:])]
        )
        + b"\n"
    )
    replay = Replay.from_log(spaced, in_memory=False)
    assert replay.store.read_stream("customer-C000001") == MEMORY.store.read_stream(
        "customer-C000001"
    )


def test_a_change_deep_inside_a_state_class_retires_its_snapshots() -> None:
    import sys
    import types

    from callcore.adapters.eventstore import _state_shape

    def release(name: str, note_type: type) -> str:
        module = types.ModuleType(name)
        note = attrs.make_class("Note", {"text": attrs.field(type=note_type)}, frozen=True)
        state = attrs.make_class(
            "State", {"notes": attrs.field(type=tuple[note, ...], default=())}, frozen=True
        )
        note.__module__ = state.__module__ = name
        module.Note, module.State = note, state  # type: ignore[attr-defined]
        sys.modules[name] = module
        return _state_shape(name, "State")

    assert release("release_1", str) == release("release_1b", str)
    assert release("release_2", int) != release("release_1", str)


def test_an_instant_the_store_holds_out_of_order_is_folded_afresh() -> None:
    """Found by the property test above: a technician's arrival stored before the job's
    completion but stamped five hours after it. Folded in store order, the arrival stops
    the repair clock first; as of an instant between the two, the clock had stopped at
    the completion. The kept fold must not answer such an instant."""
    from callcore.domain.dispatch import DispatchCompleted, WorkerArrived

    records = list(RECORDS)
    index, arrived = next(
        (i, r)
        for i, r in enumerate(records)
        if isinstance(r.event, WorkerArrived)
        and any(
            isinstance(x.event, DispatchCompleted) and x.stream == r.stream
            for x in records[i + 1 :]
        )
    )
    completed = next(
        x
        for x in records[index + 1 :]
        if x.stream == arrived.stream and isinstance(x.event, DispatchCompleted)
    )
    late = attrs.evolve(arrived.event, at=completed.event.at + timedelta(hours=5))
    records[index] = attrs.evolve(arrived, event=late)
    between = completed.event.at + timedelta(hours=1)
    kept, plain = Views(_Centre(records)), Views(_Centre(records), keep_folds=False)
    assert _views(kept, between) == _views(plain, between)
    rows = [r for r in kept.sla(between).clocks if r.subject == arrived.stream]
    assert any(r.stopped_at == completed.event.at for r in rows)
    assert _views(kept, LAST) == _views(plain, LAST)  # past the disorder: the kept fold
