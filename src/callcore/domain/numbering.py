"""Number sequences: customer numbers, and any other number a centre hands out.

A sequence is a stream (``sequence-<name>``) whose events are the numbers issued. The
next number is appended in the same transaction as the record that uses it, so two
concurrent writers can never issue the same number: the loser's append conflicts on the
sequence stream's version and is retried.
"""

from __future__ import annotations

import attrs
from attrs import frozen

from callcore.domain.common import Context, Fold, events_in, unknown_event
from callcore.domain.common import Event as DomainEvent

KIND = "sequence"
CUSTOMER_NUMBERS = "customer-number"


def stream_id(name: str) -> str:
    return f"{KIND}-{name}"


@frozen(kw_only=True)
class NumberIssued(DomainEvent):
    number: int
    issued_as: str


@frozen
class State:
    last: int = 0


initial = State()


def evolve(state: State, event: Event) -> State:
    match event:
        case NumberIssued():
            return attrs.evolve(state, last=event.number)
        case _:
            raise unknown_event(KIND, event)


Event = NumberIssued
"""The numbering module's events, as stored (their class names are the stored type names)."""
EVENTS = events_in(Event)
FOLD = Fold(kind=KIND, initial=initial, evolve=evolve, events=EVENTS)


def customer_number(number: int) -> str:
    """``C000001``: six digits at least, more when a centre outgrows them."""
    return f"C{number:06d}"


def issue_next(state: State, context: Context) -> NumberIssued:
    number = state.last + 1
    return NumberIssued(
        at=context.now, actor=context.actor, number=number, issued_as=customer_number(number)
    )
