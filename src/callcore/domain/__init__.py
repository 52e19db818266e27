"""The pure domain core: aggregates as deciders, the directory, the calendar.

Nothing in this package does I/O or reads the system clock (an import-linter contract
in ``pyproject.toml`` keeps it so).
"""

from typing import Any

from callcore.domain import (
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
from callcore.domain.common import CLOCK_EVENTS, Event, Fold

AGGREGATES: tuple[Fold[Any], ...] = (
    customer.FOLD,
    order.FOLD,
    ticket.FOLD,
    complaint.FOLD,
    dispatch.FOLD,
    call.FOLD,
    agent.FOLD,
    *dispatch.SUPPORTING_FOLDS,
    numbering.FOLD,
    policy.FOLD,
    reference.FOLD,
    notification.FOLD,
)
"""Every kind of stream the domain records, with its fold."""


def event_types() -> dict[str, type[Event]]:
    """Stable type name → event class, for every event the domain records."""
    found: dict[str, type[Event]] = {e.type_name(): e for e in (*CLOCK_EVENTS, *backdating.EVENTS)}
    for fold in AGGREGATES:
        for event_type in fold.events:
            name = event_type.type_name()
            if name in found and found[name] is not event_type:
                raise RuntimeError(f"two event classes are named {name}")
            found[name] = event_type
    return found
