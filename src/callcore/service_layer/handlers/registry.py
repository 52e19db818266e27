"""Which handler decides which command."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from callcore.domain.common import Command, Event, Fold
from callcore.service_layer.unit_of_work import UnitOfWork

C = TypeVar("C", bound=Command)
S = TypeVar("S")
Handler = Callable[[UnitOfWork, Any], None]

HANDLERS: dict[type[Command], Handler] = {}


def handles(
    command_type: type[C],
) -> Callable[[Callable[[UnitOfWork, C], None]], Callable[[UnitOfWork, C], None]]:
    """Register the handler of a command type (one handler per type)."""

    def register(handler: Callable[[UnitOfWork, C], None]) -> Callable[[UnitOfWork, C], None]:
        if command_type in HANDLERS:
            raise RuntimeError(f"{command_type.__name__} already has a handler")
        HANDLERS[command_type] = handler
        return handler

    return register


def on_one_stream(
    command_type: type[C],
    fold: Fold[S],
    stream_of: Callable[[C], str],
    decision: Callable[..., Sequence[Event]],
    *,
    with_directory: bool = False,
) -> None:
    """Register the usual handler: load one stream, decide, record.

    ``decision(state, command, context)`` — or ``(state, command, context, directory)``
    with ``with_directory``."""

    def handler(uow: UnitOfWork, command: C) -> None:
        extra = (uow.directory,) if with_directory else ()
        uow.decide(
            fold, stream_of(command), lambda state: decision(state, command, uow.context, *extra)
        )

    handles(command_type)(handler)
