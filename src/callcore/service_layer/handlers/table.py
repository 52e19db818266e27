"""The handler table: which handler decides which command.

The composition root (:mod:`callcore.service_layer.bootstrap`) builds one table, entry by
entry, and gives it to the message bus; nothing registers itself by being imported. The
table is typed so that a command can only be wired to a handler that takes it:
``table.add(call.RingAgent, ring_a_complaint)`` is a mypy error, because ``add`` solves
``C`` from the command type and the handler must accept that ``C``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

from callcore.domain.common import Command, Event, Fold
from callcore.domain.context import DecisionContext
from callcore.service_layer.unit_of_work import UnitOfWork

C = TypeVar("C", bound=Command)
S = TypeVar("S")


class HandlerAlreadyWired(RuntimeError):
    """A command type was given a second handler (each command has exactly one)."""


class HandlerTable:
    """Command type → the one handler that decides it."""

    def __init__(self) -> None:
        self._handlers: dict[type[Command], Callable[[UnitOfWork, Any], None]] = {}

    def add(self, command_type: type[C], handler: Callable[[UnitOfWork, C], None]) -> HandlerTable:
        if command_type in self._handlers:
            raise HandlerAlreadyWired(f"{command_type.__name__} already has a handler")
        self._handlers[command_type] = handler
        return self

    def handler_of(self, command: C) -> Callable[[UnitOfWork, C], None] | None:
        """The handler of this command's exact type (a subclass is not its parent)."""
        return self._handlers.get(type(command))

    def items(self) -> Iterator[tuple[type[Command], Callable[[UnitOfWork, Any], None]]]:
        """Every command type with its handler (the command reference reads them)."""
        return iter(self._handlers.items())

    def __contains__(self, command_type: object) -> bool:
        return command_type in self._handlers

    def __iter__(self) -> Iterator[type[Command]]:
        return iter(self._handlers)

    def __len__(self) -> int:
        return len(self._handlers)


def on_one_stream(
    fold: Fold[S],
    stream_of: Callable[[C], str],
    decision: Callable[[S, C, DecisionContext], Sequence[Event]],
) -> Callable[[UnitOfWork, C], None]:
    """The usual handler: load the command's stream, decide on its state, record."""

    def handle(uow: UnitOfWork, command: C) -> None:
        uow.decide(fold, stream_of(command), lambda state: decision(state, command, uow.context))

    return handle
