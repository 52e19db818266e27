"""Views as of T mean the facts *recorded* by T (issue 19, deliverable 1; domain.md §6
"Exact as of any instant"): for any order in which the same facts are recorded, the view
as of T equals a fresh fold of only the events recorded by T, evaluated at T.

The history is the golden simulated four days (every fact recorded when it happened);
the property delays the recording of whole records (a PBX catching up, an SMS from the
field, an agent typing up calls at the end of a shift) so that the store's order differs
from the order in which things happened, and compares the centre's views — kept folds
and all — with folds written here from the projections alone."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from callcore.adapters.clock import ManualClock
from callcore.domain.calendar import zone
from callcore.formats import dumps, view_data
from callcore.ports import Recorded
from callcore.projections.queues import QueueMetrics
from callcore.projections.sla import SlaClocks
from callcore.replay import LoggedHistory, Replay
from callcore.views import Views

GOLDEN = Path(__file__).parent / "golden"
LOG = Replay.from_log(GOLDEN / "simulated-4-days.jsonl", in_memory=True)
DIRECTORY = LOG.directory
TZ = zone(DIRECTORY.calendar.timezone)
RECORDS = [p.recorded for p in LOG.store.read_all()]
STREAMS = sorted({r.stream for r in RECORDS})
FIRST, LAST = RECORDS[0].event.at, LOG.as_of


class _Centre:
    def __init__(self, records: list[Recorded]) -> None:
        self.store = LoggedHistory(records)
        self.directory = DIRECTORY
        self.clock = ManualClock(LAST)


def recorded_late(delays: dict[str, int]) -> list[Recorded]:
    """The same facts, each record's recorded ``delays[stream]`` minutes after it
    happened (its events keep their order), stored in the order the store took them."""
    late = [
        Recorded(r.stream, r.version, r.event, r.event.at + timedelta(minutes=delays[r.stream]))
        if r.stream in delays
        else r
        for r in RECORDS
    ]
    return sorted(late, key=lambda r: r.recorded_at)  # stable: ties keep the log's order


def by_hand(records: list[Recorded], instant: datetime) -> bytes:
    """The SLA and queue views of a fresh fold of only the events recorded by ``instant``."""
    known = [r for r in records if r.recorded_at <= instant]
    sla = SlaClocks(DIRECTORY).apply_all(known).view(instant)
    queues = QueueMetrics(DIRECTORY).apply_all(known).view(instant, None, None)
    return dumps({"sla": view_data(sla, TZ), "queues": view_data(queues, TZ)})


def centre_views(views: Views, instant: datetime) -> bytes:
    return dumps(
        {"sla": view_data(views.sla(instant), TZ), "queues": view_data(views.queues(instant), TZ)}
    )


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    delays=st.dictionaries(
        st.sampled_from(STREAMS), st.integers(min_value=1, max_value=36 * 60), max_size=60
    ),
    shares=st.lists(st.floats(min_value=0, max_value=1.02), min_size=1, max_size=4),
)
def test_the_view_as_of_t_is_a_fold_of_what_was_recorded_by_t(
    delays: dict[str, int], shares: list[float]
) -> None:
    records = recorded_late(delays)
    views = Views(_Centre(records))  # kept folds, asked at several instants in turn
    for share in shares:
        instant = FIRST + (LAST - FIRST) * share
        assert centre_views(views, instant) == by_hand(records, instant)


def test_a_late_fact_is_absent_before_its_recording_and_counts_from_when_it_happened() -> None:
    # Given a call whose whole record reached the store three hours late
    offered = next(r for r in RECORDS if r.event.type_name() == "CallOffered")
    records = recorded_late({offered.stream: 180})
    views = Views(_Centre(records))
    happened = offered.event.at
    # Then as of an hour after it happened the call is not in the queues (nobody knew)
    before = views.queues(happened + timedelta(hours=1))
    after = views.queues(happened + timedelta(hours=3, minutes=1))
    plain = Views(_Centre(RECORDS)).queues(happened + timedelta(hours=3, minutes=1))
    offered_then = sum(row.offered for row in before.queues)
    assert offered_then == sum(
        row.offered for row in Views(_Centre(RECORDS)).queues(happened + timedelta(hours=1)).queues
    ) - 1
    # and once recorded, it counts from when it happened, as if it had never been late
    assert view_data(after, TZ) == view_data(plain, TZ)
    # And knowing now, the view as of that hour has it (the other question)
    now_view = views.knowing_now().queues(happened + timedelta(hours=1))
    assert sum(row.offered for row in now_view.queues) == offered_then + 1
