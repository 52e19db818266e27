"""The interval rows of a day add up to the queue view of that day: offered, answered,
abandoned, answered within target, and the service level (one answer definition,
:mod:`callcore.projections.answering`), on generated histories and on the real samples."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from callcore.adapters.directory_file import demo_directory
from callcore.domain.common import SYSTEM
from callcore.domain.policy import SlaPolicyAdopted
from callcore.ports import Recorded
from callcore.projections.answering import AnswerRule
from callcore.projections.intervals import interval_report
from callcore.projections.queues import QueueMetrics
from tests.adapters.telephony.test_real_queue_logs import LATER, SAMPLES, ingest
from tests.projections.test_one_answer_figure import call_events, in_time_order
from tests.support import CST

D = demo_directory()
DAY = datetime(2026, 11, 23, tzinfo=CST)


def assert_rows_add_up(fold: QueueMetrics, at: datetime, start: datetime, end: datetime,
                       minutes: int) -> None:
    report = interval_report(fold.calls.values(), at=at, start=start, end=end,
                             minutes=minutes, thresholds=(fold.policy.answer_seconds, 30),
                             short_abandon_seconds=fold.policy.short_abandon_seconds,
                             rule=AnswerRule.of(fold.policy))
    view = {row.queue: row for row in fold.view(at, since=start, until=end).queues}
    assert {row.queue for row in report.rows} == set(view)
    for queue, expected in view.items():
        mine = [row for row in report.rows if row.queue == queue]
        within = sum(r.answered_within_target for r in mine)
        counted = within + sum(r.missed for r in mine)
        assert sum(r.offered for r in mine) == expected.offered
        assert sum(r.answered for r in mine) == expected.answered
        assert sum(r.abandoned for r in mine) == expected.abandoned
        assert sum(r.short_abandoned for r in mine) == expected.short_abandoned
        assert sum(r.timed_out for r in mine) == expected.timed_out
        assert within == expected.answered_within_target
        assert (within / counted if counted else None) == (
            pytest.approx(expected.service_level) if expected.service_level is not None
            else None)
        # an interval's headline variant is the queue view's, for the calls offered in it
        for row in mine:
            one = fold.view(at, since=row.start, until=row.end).queues
            (alone,) = [q for q in one if q.queue == queue]
            assert row.service_level == alone.service_level
            assert row.answered_within_target == alone.answered_within_target


CALL = st.tuples(
    st.integers(0, 24 * 60 - 1),  # minute of the day it was offered
    st.sampled_from(["answered", "abandoned", "timed-out", "voicemail", None]),
    st.integers(0, 90),  # waited seconds
    st.booleans(),  # offered after hours
)


@settings(max_examples=60, deadline=None)
@given(st.lists(CALL, max_size=30), st.booleans(), st.sampled_from([15, 30, 60]),
       st.integers(0, 26 * 60))
def test_generated_days_add_up(calls, excluding, minutes, asked_after) -> None:
    records: list[Recorded] = []
    if excluding:
        policy = attrs.evolve(D.sla, service_level_counts_abandons=False, version="x")
        records.append(Recorded("policy-sla", 1, SlaPolicyAdopted(
            at=DAY - timedelta(hours=1), actor=SYSTEM, version="x", policy=policy)))
    for n, (minute, ending, waited, after_hours) in enumerate(calls):
        records += call_events(n, DAY + timedelta(minutes=minute), ending, waited, after_hours)
    at = DAY + timedelta(minutes=asked_after)
    fold = QueueMetrics(D).apply_all(
        r for r in in_time_order(records) if r.event.at <= at)
    assert_rows_add_up(fold, at, DAY, DAY + timedelta(days=1), minutes)


@pytest.mark.parametrize("sample", sorted(p.name for p in SAMPLES.glob("*.queue_log")))
def test_the_real_samples_add_up(sample: str) -> None:
    center, _ = ingest(sample)
    with center:
        fold = QueueMetrics(center.directory).apply_all(center.views.records(LATER))
        days = sorted({c.offered_at.astimezone(UTC).date() for c in fold.calls.values()})
        if not days:  # an agents-only sample: no interval has a call
            assert not interval_report(fold.calls.values(), at=LATER, start=LATER - timedelta(
                days=9000), end=LATER).rows
        for day in days:
            start = datetime(day.year, day.month, day.day, tzinfo=UTC)
            for minutes in (15, 60):
                assert_rows_add_up(fold, LATER, start, start + timedelta(days=1), minutes)
