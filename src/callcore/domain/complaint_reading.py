"""Who may read what of a complaint (domain.md §4.4 "confidentiality", interfaces.md §5).

A resolution's text, and the notes around it, are shown only to the resolution readers:
supervisors, and the customer whose complaint it is. Everyone else sees the complaint
with that text removed (:func:`public_view`), so counts and times, and every figure built
on them, read the same from either view. The write side (:mod:`callcore.domain.complaint`)
records everything; this module is the read policy over it.
"""

from __future__ import annotations

from collections.abc import Mapping

import attrs

from callcore.domain.common import Actor, Event, Role
from callcore.domain.complaint import (
    CustomerUpdated,
    DepartmentFollowedUp,
    ResolutionAccepted,
    ResolutionProposed,
    ResolutionRejected,
    SatisfactionCallRecorded,
    State,
)

RESOLUTION_READERS: frozenset[Role] = frozenset({Role.SUPERVISOR, Role.CUSTOMER})
"""Roles that may read a resolution's text and the notes around it (see the module
docstring). A customer reads only their own complaint (:func:`view_for`)."""


def public_view(state: State) -> State:
    """The complaint without its confidential text: resolutions keep who proposed them,
    when, and the customer's response, but not their text; the notes of customer
    updates, follow-ups, responses and satisfaction calls are dropped. Counts and times
    are unchanged, so SLA and satisfaction figures read the same from either view."""
    return attrs.evolve(
        state,
        customer_updates=tuple(attrs.evolve(n, text=None) for n in state.customer_updates),
        follow_ups=tuple(attrs.evolve(n, text=None) for n in state.follow_ups),
        resolutions=tuple(attrs.evolve(r, text=None, note=None) for r in state.resolutions),
        satisfaction_calls=tuple(attrs.evolve(c, note=None) for c in state.satisfaction_calls),
    )


CONFIDENTIAL_FIELDS: Mapping[type[Event], tuple[str, ...]] = {
    CustomerUpdated: ("note",),
    DepartmentFollowedUp: ("note",),
    ResolutionProposed: ("resolution",),
    ResolutionAccepted: ("note",),
    ResolutionRejected: ("note",),
    SatisfactionCallRecorded: ("note",),
}
"""The event fields :func:`public_view` hides, for timelines shown event by event (an
audit trail over HTTP): a reader outside :data:`RESOLUTION_READERS` sees them as null."""


def may_read_resolution(state: State, actor: Actor) -> bool:
    """Supervisors read every complaint's resolutions; a customer only their own (the
    actor's id is the customer number, or the complainant's phone for a walk-in)."""
    if actor.role not in RESOLUTION_READERS:
        return False
    if actor.role is Role.CUSTOMER:
        phone = state.complainant.phone if state.complainant is not None else None
        return actor.id in {who for who in (state.customer_number, phone) if who}
    return True


def view_for(state: State, actor: Actor) -> State:
    """What ``actor`` may see of a complaint."""
    return state if may_read_resolution(state, actor) else public_view(state)
