"""``callcore simulate`` (issue: the event log and the command line): a realistic centre,
driven through the real deciders, the same every time for the same settings."""

from __future__ import annotations

import io
from collections import Counter
from datetime import date, timedelta

import pytest

from callcore.adapters.eventlog import Header, read_log, write_log
from callcore.domain import AGGREGATES
from callcore.domain.calendar import zone
from callcore.ports import EventStore
from callcore.projections.sla import ClockStatus
from callcore.simulation import Settings, SimulatedStore, simulate, simulated_directory
from callcore.testing.contracts import EventStoreContract

MONDAY = date(2026, 11, 2)


@pytest.fixture(scope="module")
def week() -> tuple[object, object]:
    # Monday to Sunday: five working days and a weekend, 6 seats
    return simulate(Settings(seed=11, days=7, agents=6, start=MONDAY))


def _log(settings: Settings) -> bytes:
    center, _ = simulate(settings)
    out = io.BytesIO()
    header = Header(center.directory.centre, center.clock.now(), False, center.directory)
    write_log(out, header, (p.recorded for p in center.store.read_all()))
    return out.getvalue()


def test_the_same_settings_give_the_same_bytes() -> None:
    settings = Settings(seed=5, days=1, agents=3)
    assert _log(settings) == _log(settings)
    assert _log(settings) != _log(Settings(seed=6, days=1, agents=3))


def test_every_event_is_one_the_domain_records(week: tuple[object, object]) -> None:
    center, report = week
    # nothing the simulation asked for was refused: it follows the rules it simulates
    assert report.refused == Counter()  # type: ignore[attr-defined]
    # the log reads back, every line valid, every stream gap-free, every state folds
    out = io.BytesIO()
    header = Header("x", center.clock.now(), False, center.directory)  # type: ignore[attr-defined]
    count = write_log(out, header, (p.recorded for p in center.store.read_all()))  # type: ignore[attr-defined]
    out.seek(0)
    _, events = read_log(out)
    streams: dict[str, list[object]] = {}
    for record in events:
        streams.setdefault(record.stream, []).append(record.event)
    assert sum(len(v) for v in streams.values()) == count
    folds = {fold.kind: fold for fold in AGGREGATES}
    folded = Counter()
    for stream, stream_events in streams.items():
        kind = stream.split("-", 1)[0]
        if kind in folds:
            folds[kind].fold(stream_events)  # type: ignore[arg-type]
            folded[kind] += 1
    assert {"customer", "order", "ticket", "complaint", "dispatch", "call"} <= set(folded)


def test_calls_follow_the_hours_and_the_days(week: tuple[object, object]) -> None:
    center, _ = week
    tz = zone(center.directory.calendar.timezone)  # type: ignore[attr-defined]
    offered = [
        p.recorded.event.at.astimezone(tz)
        for p in center.store.read_all()  # type: ignore[attr-defined]
        if type(p.recorded.event).__name__ == "CallOffered"
    ]
    by_hour = Counter(at.hour for at in offered)
    by_day = Counter(at.date() for at in offered)
    # the morning peak is busier than the first hour of the day and the last
    assert by_hour[9] + by_hour[10] > 3 * (by_hour[6] + by_hour[21])
    # the weekend is quieter than the weekdays
    weekday = sum(by_day[MONDAY + timedelta(days=n)] for n in range(5)) / 5
    weekend = (by_day[MONDAY + timedelta(days=5)] + by_day[MONDAY + timedelta(days=6)]) / 2
    assert 0.4 * weekday < weekend < 0.8 * weekday
    # after hours the calls reach voicemail
    night = [at for at in offered if at.hour >= 22 or at.hour < 6]
    assert night


def test_a_week_has_the_manuals_mix_and_clocks_both_met_and_breached(
    week: tuple[object, object],
) -> None:
    center, report = week
    mix = report.contacts  # type: ignore[attr-defined]
    answered = sum(mix.values())
    assert mix["order"] / answered == pytest.approx(0.34, abs=0.05)
    assert mix["inquiry"] / answered == pytest.approx(0.27, abs=0.05)
    assert mix["complaint"] > 0 and mix["emergency"] > 0 and mix["service-visit"] > 0
    states = Counter(
        (row.clock, row.state)
        for row in center.views.sla(center.clock.now()).clocks  # type: ignore[attr-defined]
    )
    for clock in (
        "answer",
        "delivery",
        "repair-arrival",
        "complaint-department-notified",
        "post-purchase-follow-up-1",
        "voicemail-callback",
    ):
        met, breached = states[(clock, ClockStatus.MET)], states[(clock, ClockStatus.BREACHED)]
        assert met > breached > 0, (clock, met, breached)
    satisfaction = center.views.satisfaction(center.clock.now())  # type: ignore[attr-defined]
    assert sum(row.reached for row in satisfaction.agents) > 20
    assert report.abandoned > 0  # type: ignore[attr-defined]


def test_the_centre_grows_its_field_workers_with_its_seats() -> None:
    small, large = simulated_directory(5), simulated_directory(50)
    assert len(large.field_workers) > 4 * len(small.field_workers)
    assert {w.branch for w in large.field_workers.values()} == set(large.branches)


def test_settings_refuse_nonsense() -> None:
    with pytest.raises(ValueError, match="days"):
        Settings(days=0)
    with pytest.raises(ValueError, match="agents"):
        Settings(agents=0)


class TestTheSimulatedStore(EventStoreContract):
    """The simulation keeps its records in memory as they are (issue 21): still a store
    with the contract's versions, conflicts and global order."""

    def make_store(self) -> EventStore:
        return SimulatedStore()


class TestTheStreamingSimulatedStore(EventStoreContract):
    """Streaming its log (issue 21), the simulated store keeps the streams in their stored
    form and forgets nothing a reader of a stream needs: still a store with the
    contract's versions, conflicts and global order (nothing is released here)."""

    def make_store(self) -> EventStore:
        return SimulatedStore(io.BytesIO())


def test_a_streamed_log_is_the_log_written_at_the_end() -> None:
    settings = Settings(seed=5, days=2, agents=3, sla_changes=True)
    streamed = io.BytesIO()
    center, report = simulate(settings, log=streamed)
    header = Header(center.directory.centre, center.clock.now(), False, center.directory)
    head = io.BytesIO()
    write_log(head, header, ())
    assert head.getvalue() + streamed.getvalue() == _log(settings)
    assert report.events == center.store.last_position() > 0


def test_a_streaming_simulation_forgets_what_its_processes_have_read(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # few newest records kept decoded: most streams are read back from their bytes
    monkeypatch.setattr("callcore.simulation.NEWEST_KEPT", 2)
    streamed = io.BytesIO()
    center, report = simulate(Settings(seed=5, days=1, agents=3), log=streamed)
    store = center.store
    assert isinstance(store, SimulatedStore)
    kept = list(store.read_all(report.events - 1))
    assert len(kept) == 1 and kept[0].position == report.events
    with pytest.raises(LookupError, match="streamed positions"):
        next(iter(store.read_all(0)))
    # every stream is still whole, and reads as the log has it
    _, read = read_log(io.BytesIO(_log(Settings(seed=5, days=1, agents=3))))
    events = list(read)
    for stream in {e.stream for e in events}:
        assert list(store.read_stream(stream)) == [e for e in events if e.stream == stream]


def test_a_streamed_simulation_refuses_a_store_url() -> None:
    with pytest.raises(ValueError, match="memory://"):
        simulate(Settings(days=1, agents=1), url="sqlite:///unused.db", log=io.BytesIO())
