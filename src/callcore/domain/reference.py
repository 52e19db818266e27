"""The directory in force, recorded in the store (issue 18).

A centre's reference data — prices, areas, branches, the field workers' roster, the SLA
policy — changes over its life, and a store's figures depend on it: a complaint about a
field worker counts for the worker's branch. So the store keeps the directory it is run
under, the way it keeps the SLA policy (``domain.policy``): whenever a centre starts
using a directory that differs from the last one recorded, ``DirectoryAdopted`` is
appended to the stream ``reference-directory``, saying who adopted it and why. It is in
force from its instant until the next one; the first one recorded also stands for the
history before it (a store imported from a log records the log's directory before its
first event; a store made before directories were recorded gets one when it is next
adopted).

:class:`DirectoryHistory` answers "which directory was in force at this instant".
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from attrs import field, frozen

from callcore.domain.common import Command, Context, Fold, events_in, non_blank, unknown_event
from callcore.domain.common import Event as DomainEvent
from callcore.domain.directory import Directory

KIND = "reference"
DIRECTORY_STREAM = f"{KIND}-directory"


@frozen(kw_only=True)
class DirectoryAdopted(DomainEvent):
    """The centre runs under ``directory`` from ``at`` on; ``reason`` says why (a new
    price list, a worker leaving, the log it was imported from)."""

    directory: Directory
    reason: str = ""


@frozen
class State:
    current: Directory | None = None
    adopted: int = 0


initial = State()


def evolve(state: State, event: Event) -> State:
    match event:
        case DirectoryAdopted():
            return State(event.directory, state.adopted + 1)
        case _:
            raise unknown_event(KIND, event)


Event = DirectoryAdopted
"""The reference module's events, as stored (their class names are the stored type names)."""
EVENTS = events_in(Event)
FOLD = Fold(kind=KIND, initial=initial, evolve=evolve, events=EVENTS)


@frozen(kw_only=True)
class AdoptDirectory(Command):
    """Record the directory (areas, branches, workers, prices, policy) the centre runs
    under from now on, with why; ``cc.handle`` then decides new commands under it.
    Adopting the directory already in force records nothing."""

    directory: Directory
    reason: str = field(validator=non_blank)


def adopt_directory(state: State, command: AdoptDirectory, context: Context) -> tuple[Event, ...]:
    """Record the directory unless it is the one already in force (adopting the same
    directory twice records nothing: opening a store again is not a change)."""
    if state.current == command.directory:
        return ()
    return (
        DirectoryAdopted(
            at=context.now,
            actor=context.actor,
            directory=command.directory,
            reason=command.reason.strip(),
        ),
    )


@frozen
class DirectoryHistory:
    """The directories a store has recorded, oldest first."""

    adoptions: tuple[DirectoryAdopted, ...] = ()

    @classmethod
    def of(cls, events: Iterable[Event]) -> DirectoryHistory:
        return cls(tuple(e for e in events if isinstance(e, DirectoryAdopted)))

    def __bool__(self) -> bool:
        return bool(self.adoptions)

    @property
    def latest(self) -> Directory | None:
        return self.adoptions[-1].directory if self.adoptions else None

    def at(self, instant: datetime | None) -> Directory | None:
        """The directory in force at ``instant`` (None: the latest); before the first
        recorded, the first. None when the store records no directory."""
        if not self.adoptions:
            return None
        if instant is None:
            return self.adoptions[-1].directory
        chosen = self.adoptions[0]
        for adoption in self.adoptions[1:]:
            if adoption.at <= instant:
                chosen = adoption
            else:
                break
        return chosen.directory
