"""Handlers of the agent-presence commands (issue 17)."""

from __future__ import annotations

from typing import Any

from callcore.domain import agent
from callcore.service_layer.handlers.registry import on_one_stream


def _agent_stream(command: Any) -> str:
    return agent.stream_id(command.agent)


for _command, _decision in (
    (agent.LogInAgent, agent.log_in),
    (agent.LogOutAgent, agent.log_out),
    (agent.PauseAgent, agent.pause),
    (agent.UnpauseAgent, agent.unpause),
):
    on_one_stream(_command, agent.FOLD, _agent_stream, _decision)
