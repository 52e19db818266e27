"""Command receipts: how a repeated command id is recognised.

When a command carries a ``command_id``, its events are appended together with a
``CommandHandled`` receipt as version 1 of the stream ``command-<command id>``. A second
delivery of the same id conflicts on that stream (version 1 is taken) and the bus answers
with the first outcome, read back from the receipt. The receipt also keeps a fingerprint
of the command, so the same id reused for a *different* command is refused.
"""

from __future__ import annotations

from attrs import frozen

from callcore.domain.common import Event as DomainEvent
from callcore.domain.common import Fold, events_in, unknown_event

KIND = "command"


def stream_id(command_id: str) -> str:
    return f"{KIND}-{command_id}"


@frozen
class StreamVersions:
    stream: str
    first: int
    last: int


@frozen(kw_only=True)
class CommandHandled(DomainEvent):
    command_id: str
    command_type: str
    fingerprint: str
    recorded: tuple[StreamVersions, ...]


Event = CommandHandled
"""A receipt stream's one event, as stored."""
EVENTS = events_in(Event)


def evolve(state: CommandHandled | None, event: Event) -> CommandHandled | None:
    match event:
        case CommandHandled():
            return event
        case _:
            raise unknown_event(KIND, event)


FOLD: Fold[CommandHandled | None] = Fold(kind=KIND, initial=None, evolve=evolve, events=EVENTS)
