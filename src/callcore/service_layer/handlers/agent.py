"""Handlers of the agent-presence commands (issue 17): each is decided on the agent's
stream alone (wired with ``on_one_stream`` and :func:`agent_stream`)."""

from __future__ import annotations

from typing import Protocol

from callcore.domain import agent


class ByAnAgent(Protocol):
    @property
    def agent(self) -> str: ...


def agent_stream(command: ByAnAgent) -> str:
    return agent.stream_id(command.agent)
