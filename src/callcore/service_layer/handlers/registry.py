"""Which handler decides which command."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from callcore.domain.common import Command
from callcore.service_layer.unit_of_work import UnitOfWork

C = TypeVar("C", bound=Command)
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
