"""Placeholder until the order aggregate lands."""

from __future__ import annotations

from callcore.domain.common import Event, Fold

class State:
    """Placeholder."""


KIND = "order"


def evolve(state: None, event: Event) -> None:
    return state


FOLD: Fold[None] = Fold(kind=KIND, initial=None, evolve=evolve, events=())
