"""Placeholder until the ticket aggregate lands."""

from __future__ import annotations

from callcore.domain.common import Event, Fold

class State:
    """Placeholder."""


KIND = "ticket"


def evolve(state: None, event: Event) -> None:
    return state


FOLD: Fold[None] = Fold(kind=KIND, initial=None, evolve=evolve, events=())
