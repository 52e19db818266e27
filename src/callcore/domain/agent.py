"""Agent presence (issue 17): an agent's day as the phone system reports it — logged in
and out, a member of queues, paused with a reason and unpaused.

Stream: ``agent-<agent id>``, the member's name as the telephony adapters give it
(``SIP/1001`` → ``1001``). Like calls, presence is reported after it happens: commands
carry ``occurred_at``. Decisions tolerate repeats (a second login while logged in
records nothing) and never refuse: a PBX that logs an UNPAUSE without a PAUSE, or a
logoff without a login (the log began mid-shift), is telling the truth about *now*;
the agent's state is simply set.
"""

from __future__ import annotations

from datetime import datetime

import attrs
from attrs import field, frozen

from callcore.domain.common import Command, Context, Fold, events_in, non_blank, unknown_event
from callcore.domain.common import Event as DomainEvent

KIND = "agent"


def stream_id(agent: str) -> str:
    return f"{KIND}-{agent}"


@frozen(kw_only=True)
class AgentLoggedIn(DomainEvent):
    agent: str
    queue: str | None = None
    """The queue joined (ADDMEMBER), or None for a login to every queue (AGENTLOGIN)."""


@frozen(kw_only=True)
class AgentLoggedOut(DomainEvent):
    agent: str
    queue: str | None = None


@frozen(kw_only=True)
class AgentPaused(DomainEvent):
    agent: str
    reason: str
    """The reason the agent gave (``lunch``, ``training``); ``unspecified`` when none."""


@frozen(kw_only=True)
class AgentUnpaused(DomainEvent):
    agent: str


@frozen
class State:
    agent: str = ""
    logged_in_since: datetime | None = None
    queues: tuple[str, ...] = ()
    paused_since: datetime | None = None
    pause_reason: str | None = None

    @property
    def logged_in(self) -> bool:
        return self.logged_in_since is not None


initial = State()


def evolve(state: State, event: Event) -> State:
    match event:
        case AgentLoggedIn():
            queues = state.queues
            if event.queue is not None and event.queue not in queues:
                queues = (*queues, event.queue)
            return attrs.evolve(
                state,
                agent=event.agent,
                logged_in_since=state.logged_in_since or event.at,
                queues=queues,
            )
        case AgentLoggedOut():
            queues = tuple(q for q in state.queues if q != event.queue) if event.queue else ()
            if queues:
                return attrs.evolve(state, agent=event.agent, queues=queues)
            return attrs.evolve(
                state,
                agent=event.agent,
                logged_in_since=None,
                queues=(),
                paused_since=None,
                pause_reason=None,
            )
        case AgentPaused():
            return attrs.evolve(
                state, agent=event.agent, paused_since=event.at, pause_reason=event.reason
            )
        case AgentUnpaused():
            return attrs.evolve(state, agent=event.agent, paused_since=None, pause_reason=None)
        case _:
            raise unknown_event(KIND, event)


Event = AgentLoggedIn | AgentLoggedOut | AgentPaused | AgentUnpaused
"""The agent module's events, as stored (their class names are the stored type names)."""
EVENTS = events_in(Event)
FOLD = Fold(kind=KIND, initial=initial, evolve=evolve, events=EVENTS)


@frozen(kw_only=True)
class LogInAgent(Command):
    """An agent logs in to take calls, in one queue (``queue``) or in all of them."""

    agent: str = field(validator=non_blank)
    queue: str | None = None


@frozen(kw_only=True)
class LogOutAgent(Command):
    """An agent logs out of one queue (``queue``), or of all of them."""

    agent: str = field(validator=non_blank)
    queue: str | None = None


@frozen(kw_only=True)
class PauseAgent(Command):
    """An agent stops taking calls for a while (a break, a briefing, after-call work);
    ``reason`` says why."""

    agent: str = field(validator=non_blank)
    reason: str = "unspecified"


@frozen(kw_only=True)
class UnpauseAgent(Command):
    """A paused agent takes calls again."""

    agent: str = field(validator=non_blank)


def log_in_agent(state: State, command: LogInAgent, context: Context) -> tuple[Event, ...]:
    if state.logged_in and (command.queue is None or command.queue in state.queues):
        return ()
    return (
        AgentLoggedIn(
            at=context.now, actor=context.actor, agent=command.agent, queue=command.queue
        ),
    )


def log_out_agent(state: State, command: LogOutAgent, context: Context) -> tuple[Event, ...]:
    if not state.logged_in and state.agent:
        return ()
    if command.queue is not None and state.queues and command.queue not in state.queues:
        return ()
    return (
        AgentLoggedOut(
            at=context.now, actor=context.actor, agent=command.agent, queue=command.queue
        ),
    )


def pause_agent(state: State, command: PauseAgent, context: Context) -> tuple[Event, ...]:
    reason = command.reason.strip() or "unspecified"
    if state.paused_since is not None and state.pause_reason == reason:
        return ()
    return (AgentPaused(at=context.now, actor=context.actor, agent=command.agent, reason=reason),)


def unpause_agent(state: State, command: UnpauseAgent, context: Context) -> tuple[Event, ...]:
    if state.paused_since is None and state.agent:
        return ()
    return (AgentUnpaused(at=context.now, actor=context.actor, agent=command.agent),)
