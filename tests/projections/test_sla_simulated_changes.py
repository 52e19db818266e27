"""Issue 16: the simulator with ``sla_changes`` — policy changes twice a day, closed and
reopened inquiries, deliveries cancelled after their window — and the SLA properties
over what it records. (The naive minute-by-minute count of
``test_sla_history_properties`` needs whole minutes, which simulated times are not.)"""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime
from functools import cache

from hypothesis import given, settings
from hypothesis import strategies as st

from callcore.domain import order, ticket
from callcore.domain.policy import SlaPolicyAdopted
from callcore.ports import Recorded
from callcore.projections.queues import QueueMetrics
from callcore.projections.sla import ClockStatus, SlaClocks
from callcore.simulation import Settings, simulate

MONDAY = date(2026, 11, 2)


@cache
def simulated() -> tuple[tuple[Recorded, ...], object]:
    center, _ = simulate(Settings(seed=16, days=2, agents=4, start=MONDAY, sla_changes=True))
    return tuple(p.recorded for p in center.store.read_all()), center.directory


def records() -> tuple[Recorded, ...]:
    return simulated()[0]


def directory():  # type: ignore[no-untyped-def]
    return simulated()[1]


def test_the_simulator_records_policy_changes_reopens_and_late_cancellations() -> None:
    kinds = Counter(type(r.event) for r in records())
    assert kinds[SlaPolicyAdopted] >= 4  # the first, then noon and evening of each day
    assert kinds[ticket.TicketReopened] >= 1
    assert kinds[order.OrderCancelled] >= 1
    view = SlaClocks(directory()).apply_all(records()).view(max(r.event.at for r in records()))
    assert len({row.policy_version for row in view.clocks}) >= 3
    assert any(row.instance > 1 for row in view.clocks)  # a reopened inquiry's second clocks
    late = [
        row
        for row in view.clocks
        if row.clock == "delivery"
        and row.state is ClockStatus.BREACHED
        and row.stopped_at is not None
    ]
    assert late  # cancelled after the window: breached, not gone


def start_and_end() -> tuple[datetime, datetime]:
    times = [r.event.at for r in records()]
    return min(times), max(times)


instants = st.floats(0, 1).map(
    lambda share: start_and_end()[0] + (start_and_end()[1] - start_and_end()[0]) * share
)


@settings(max_examples=25, deadline=None)
@given(at=instants)
def test_as_of_t_equals_the_simulated_history_cut_at_t(at: datetime) -> None:
    fold = SlaClocks(directory()).apply_all(records())
    cut = SlaClocks(directory()).apply_all(r for r in records() if r.event.at <= at)
    assert fold.view(at) == cut.view(at)


@settings(max_examples=25, deadline=None)
@given(at=instants)
def test_the_queue_service_level_is_the_answer_compliance_of_the_simulated_calls(
    at: datetime,
) -> None:
    clocks = SlaClocks(directory()).apply_all(records()).view(at)
    queues = QueueMetrics(directory()).apply_all(records()).view(at).queues
    answers = [c for c in clocks.summary() if c.key == "answer"]
    if not queues:  # before the first call
        assert not answers
        return
    (queue,) = queues
    compliance = answers[0].compliance if answers else None
    assert queue.service_level == compliance
    assert queue.answered_within_target == (answers[0].met if answers else 0)
