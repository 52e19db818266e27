"""Handlers of the Call commands (domain.md §4.6).

Every call command is decided on its call's stream alone, so the composition root wires
each one with :func:`~callcore.service_layer.handlers.table.on_one_stream` and
:func:`call_stream`.
"""

from __future__ import annotations

from typing import Protocol

from callcore.domain import call


class OnACall(Protocol):
    @property
    def call_id(self) -> str: ...


def call_stream(command: OnACall) -> str:
    return call.stream_id(command.call_id)
