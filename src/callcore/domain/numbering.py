"""Number sequences: customer numbers, and any other number a centre hands out.

A sequence is a stream (``sequence-<name>``) whose events are the numbers issued. The
next number is appended in the same transaction as the record that uses it, so two
concurrent writers can never issue the same number: the loser's append conflicts on the
sequence stream's version and is retried.
"""

from __future__ import annotations

import attrs
from attrs import frozen

from callcore.domain.common import Context, Event, Fold, events_of

KIND = "sequence"
CUSTOMER_NUMBERS = "customer-number"


def stream_id(name: str) -> str:
    return f"{KIND}-{name}"


@frozen(kw_only=True)
class NumberIssued(Event):
    number: int
    issued_as: str


@frozen
class State:
    last: int = 0


initial = State()


def evolve(state: State, event: Event) -> State:
    if isinstance(event, NumberIssued):
        return attrs.evolve(state, last=event.number)
    return state


EVENTS = events_of(globals())
FOLD = Fold(kind=KIND, initial=initial, evolve=evolve, events=EVENTS)


def customer_number(number: int) -> str:
    """``C000001``: six digits at least, more when a centre outgrows them."""
    return f"C{number:06d}"


def issue_next(state: State, context: Context) -> NumberIssued:
    number = state.last + 1
    return NumberIssued(
        at=context.now, actor=context.actor, number=number, issued_as=customer_number(number)
    )
