"""The commands as HTTP routes: ``POST /commands/{name}``, one per command class.

Each route's request body is the command's own attrs class without ``command_id`` and
``actor``: the ``Idempotency-Key`` header becomes the command id and the bearer token's
principal the actor, so a client can neither replay another client's key nor speak for
someone else. Litestar writes the OpenAPI schema of each body from those attrs fields
and decodes it with msgspec, which runs the command's validators, so a malformed body is
a 400 naming the field before any handler runs.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from types import ModuleType
from typing import Any, Final

import attrs
from attrs import frozen

from callcore.adapters.converter import event_to_dict
from callcore.domain import call, complaint, complaint_reading, customer, dispatch, order, ticket
from callcore.domain import common as clocks
from callcore.domain.common import Command
from callcore.service_layer.messagebus import Outcome

FAMILIES: Final[tuple[tuple[str, ModuleType], ...]] = (
    ("customers", customer),
    ("orders", order),
    ("tickets", ticket),
    ("complaints", complaint),
    ("dispatches", dispatch),
    ("calls", call),
    ("clocks", clocks),
)
"""Command families, in the order the OpenAPI document lists them (its tags)."""

SET_BY_THE_SERVER: Final = frozenset({"command_id", "actor"})


def route_name(command_type: type[Command]) -> str:
    """``OpenAccount`` → ``open-account``."""
    return re.sub(r"(?<!^)(?=[A-Z])", "-", command_type.__name__).lower()


def commands_of(module: ModuleType) -> tuple[type[Command], ...]:
    found = [
        value
        for value in vars(module).values()
        if isinstance(value, type)
        and issubclass(value, Command)
        and value is not Command
        and value.__module__ == module.__name__
    ]
    return tuple(found)


@frozen
class CommandRoute:
    family: str
    command_type: type[Command]
    body_type: type[Any]

    @property
    def name(self) -> str:
        return route_name(self.command_type)

    @property
    def path(self) -> str:
        return f"/commands/{self.name}"

    def command(self, body: Any, **set_by_server: Any) -> Command:
        values = {field.name: getattr(body, field.name) for field in attrs.fields(self.body_type)}
        return self.command_type(**values, **set_by_server)


def body_type(command_type: type[Command]) -> type[Any]:
    """The request body of a command: its fields but those the server sets."""
    attrs.resolve_types(command_type)
    fields = {
        field.name: attrs.field(
            type=field.type,
            default=field.default,
            validator=field.validator,
            converter=field.converter,
            kw_only=True,
        )
        for field in attrs.fields(command_type)
        if field.name not in SET_BY_THE_SERVER
    }
    body = attrs.make_class(command_type.__name__, fields, frozen=True, kw_only=True)
    body.__doc__ = command_type.__doc__
    return body


def command_routes() -> tuple[CommandRoute, ...]:
    routes = []
    for family, module in FAMILIES:
        for command_type in commands_of(module):
            routes.append(CommandRoute(family, command_type, body_type(command_type)))
    return tuple(routes)


# --------------------------------------------------------------------------- responses


@frozen
class RecordedEvent:
    """One event a command recorded, in the event-log file's shape (interfaces.md §3)."""

    stream: str
    version: int
    type: str
    schema: int
    at: datetime
    """When it happened."""
    recorded_at: datetime
    """When the store took it (the centre's clock, never the caller's)."""
    actor: str
    data: dict[str, Any]


@frozen
class CommandResult:
    """What a command recorded. Sent again, with the same Idempotency-Key and body, the
    same command gives this same result and records nothing new."""

    command_id: str
    events: list[RecordedEvent]


@frozen
class Problem:
    """An error: ``rule`` names the business rule a command broke (409), or the kind of
    mistake (``unauthenticated``, ``forbidden``, ``valid-input``, ``idempotency-key-reused``,
    ``not-found``); ``detail`` says what was wrong."""

    status: int
    rule: str
    detail: str
    source: str | None = None


CONFIDENTIAL: Mapping[type[Any], tuple[str, ...]] = complaint_reading.CONFIDENTIAL_FIELDS


def recorded_event(record: Any, *, confidential: bool = False) -> RecordedEvent:
    event = record.event
    data = event_to_dict(event)
    data.pop("at", None)
    data.pop("actor", None)
    if confidential:
        for name in CONFIDENTIAL.get(type(event), ()):
            data[name] = None
    return RecordedEvent(
        stream=record.stream,
        version=record.version,
        type=event.type_name(),
        schema=event.schema,
        at=event.at,
        recorded_at=record.recorded_at,
        actor=str(event.actor),
        data=data,
    )


def command_result(outcome: Outcome) -> CommandResult:
    return CommandResult(
        command_id=outcome.command_id,
        events=[recorded_event(record) for record in outcome.recorded],
    )
