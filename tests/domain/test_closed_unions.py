"""Every aggregate's events are a closed union, and its evolve refuses anything else.

An evolve that ended in ``return state`` folded a stream holding another kind's event (or
an event class nobody added to the fold) into a state that silently lacked the fact.
"""

from __future__ import annotations

from datetime import UTC, datetime
from types import ModuleType
from typing import Any, get_args

import pytest
from attrs import frozen

from callcore.domain import (
    AGGREGATES,
    agent,
    backdating,
    call,
    complaint,
    customer,
    dispatch,
    notification,
    numbering,
    order,
    policy,
    reference,
    ticket,
)
from callcore.domain.common import SYSTEM, ClockPaused, Event, Fold, UnknownEvent
from callcore.service_layer import receipts

AT = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)


@frozen(kw_only=True)
class StrayEvent(Event):
    """An event no aggregate declares (as a stream of the wrong kind would hold)."""

    note: str = "stray"


MODULES: tuple[tuple[ModuleType, Fold[Any], Any], ...] = (
    (agent, agent.FOLD, agent.Event),
    (call, call.FOLD, call.Event),
    (complaint, complaint.FOLD, complaint.Event),
    (customer, customer.FOLD, customer.Event),
    (dispatch, dispatch.FOLD, dispatch.Event),
    (dispatch, dispatch.SCHEDULE_FOLD, dispatch.ScheduleEvent),
    (numbering, numbering.FOLD, numbering.Event),
    (order, order.FOLD, order.Event),
    (policy, policy.FOLD, policy.Event),
    (reference, reference.FOLD, reference.Event),
    (ticket, ticket.FOLD, ticket.Event),
    (notification, notification.FOLD, notification.Event),
    (receipts, receipts.FOLD, receipts.Event),
)
IDS = [fold.kind for _, fold, _ in MODULES]


def test_every_recorded_kind_of_stream_is_covered_here() -> None:
    assert {fold.kind for fold in AGGREGATES} | {receipts.KIND} == set(IDS)


@pytest.mark.parametrize(("module", "fold", "union"), MODULES, ids=IDS)
def test_the_event_tuple_is_the_union(module: ModuleType, fold: Fold[Any], union: Any) -> None:
    members = get_args(union) or (union,)
    assert fold.events == members
    # every event class the module defines is in its union (none forgotten)
    defined = {
        value
        for value in vars(module).values()
        if isinstance(value, type)
        and issubclass(value, Event)
        and value.__module__ == module.__name__
    }
    if module is dispatch:
        assert defined == set(dispatch.EVENTS) | set(dispatch.SCHEDULE_EVENTS)
    else:
        assert defined == set(members)


@pytest.mark.parametrize(("module", "fold", "union"), MODULES, ids=IDS)
def test_evolve_refuses_an_event_outside_its_union(
    module: ModuleType, fold: Fold[Any], union: Any
) -> None:
    stray = StrayEvent(at=AT, actor=SYSTEM)
    with pytest.raises(UnknownEvent, match=f"the {fold.kind} fold does not know the event Stray"):
        fold.evolve(fold.initial, stray)


@pytest.mark.parametrize(("module", "fold", "union"), MODULES, ids=IDS)
def test_a_fold_of_another_kind_of_stream_fails_loudly(
    module: ModuleType, fold: Fold[Any], union: Any
) -> None:
    """The first event of some other aggregate is refused, never skipped."""
    foreign = next(other for other in AGGREGATES if other.kind != fold.kind).events[0]
    if foreign in fold.events:  # pragma: no cover - kinds never share an event class
        pytest.fail(f"{foreign.__name__} is in two unions")
    event = object.__new__(foreign)
    with pytest.raises(UnknownEvent):
        fold.evolve(fold.initial, event)


NOTED = (ticket.FOLD, complaint.FOLD, dispatch.FOLD, order.FOLD, call.FOLD)


@pytest.mark.parametrize("fold", NOTED, ids=[f.kind for f in NOTED])
def test_notes_on_a_record_leave_its_state(fold: Fold[Any]) -> None:
    """Clock pauses and supervisors' corrections are recorded on the record's stream and
    are part of what its evolve accepts (backdating.RecordNote), not outside it."""
    for note in (
        ClockPaused(at=AT, actor=SYSTEM, reason="customer asked to be called later"),
        backdating.TimeCorrected(
            at=AT,
            actor=SYSTEM,
            command_type="CloseTicket",
            reason="late report",
            corrected_at=AT,
            late_by_seconds=0,
            bound_seconds=None,
        ),
    ):
        assert fold.evolve(fold.initial, note) is fold.initial
