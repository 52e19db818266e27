"""The SLA policy in force, recorded in the log (domain.md §6 "policy changes").

The directory is reference data, not event-sourced; but a clock must keep the policy
version it started under even when the views are rebuilt from scratch years later, and a
log handed to QA must say which policy was in force when. So whenever a centre starts
using a policy that differs from the last one recorded, ``SlaPolicyAdopted`` is appended
to the stream ``policy-sla``. The SLA fold reads it from the log; a what-if replay
ignores it and applies the policy it is given.
"""

from __future__ import annotations

from attrs import frozen

from callcore.domain.common import Command, Context, Fold, events_in, unknown_event
from callcore.domain.common import Event as DomainEvent
from callcore.domain.directory import SlaPolicy

KIND = "policy"
SLA_STREAM = f"{KIND}-sla"


@frozen(kw_only=True)
class SlaPolicyAdopted(DomainEvent):
    version: str
    policy: SlaPolicy


@frozen
class State:
    current: SlaPolicy | None = None


initial = State()


def evolve(state: State, event: Event) -> State:
    match event:
        case SlaPolicyAdopted():
            return State(event.policy)
        case _:
            raise unknown_event(KIND, event)


Event = SlaPolicyAdopted
"""The policy module's events, as stored (their class names are the stored type names)."""
EVENTS = events_in(Event)
FOLD = Fold(kind=KIND, initial=initial, evolve=evolve, events=EVENTS)


@frozen(kw_only=True)
class AdoptSlaPolicy(Command):
    """Record the SLA policy the centre runs under from now on; the clocks started from
    then keep its version. Adopting the policy already in force records nothing."""

    policy: SlaPolicy


def adopt_sla_policy(state: State, command: AdoptSlaPolicy, context: Context) -> tuple[Event, ...]:
    if state.current is not None and state.current.same_rules(command.policy):
        return ()
    return (
        SlaPolicyAdopted(
            at=context.now,
            actor=context.actor,
            version=command.policy.version,
            policy=command.policy,
        ),
    )
