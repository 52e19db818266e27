"""Asterisk AMI: an asyncio client that logs in, subscribes to the agent and call event
classes, and turns the queue's events into Call commands.

The wire format: TCP (5038), a one-line banner, then messages of ``Key: Value`` lines
ending in ``\\r\\n``, each message ended by a blank line. Mapped events:

=====================  =====================================================
QueueCallerJoin        OfferCall (queue, caller id)
AgentCalled            RingAgent
AgentRingNoAnswer      RecordRingNoAnswer (RingTime in **ms**)
AgentConnect           AnswerCall (HoldTime, RingTime are durations in seconds)
AgentComplete          CompleteCall (Reason: caller, agent, transfer)
QueueCallerAbandon     AbandonCall — or TimeOutCall: Asterisk sends it for timeouts
                       and empty-queue exits too. A real abandon is followed by the
                       caller's Hangup; so the abandon waits for the Hangup, and
                       without one within ``abandon_settle_seconds`` it is a timeout.
QueueCallerLeave       nothing (the caller left the queue: connected, abandoned or
                       timed out, each reported by its own event)
Hangup                 settles a pending QueueCallerAbandon
QueueMemberAdded       LogInAgent to the queue
QueueMemberRemoved     LogOutAgent from the queue
QueueMemberPause       PauseAgent (PausedReason) or UnpauseAgent (Paused: 0)
QueueMemberStatus,     the member's pause state (and, for QueueMember, that it is
QueueMember            logged in to the queue): PauseAgent or UnpauseAgent; repeats
                       record nothing
=====================  =====================================================

AgentConnect's HoldTime is the wait the answer is measured by, as queue_log's CONNECT
data1 is.

After every (re)connection the client asks ``QueueStatus``: callers already waiting
(``QueueEntry``) are offered if they are new, so a call that joined while the connection
was down is not lost; command ids (``ami:<uniqueid>:<fact>``) and the domain's tolerance
of repeats keep a call from being doubled. AMI cannot replay events missed while it was
down: for an exact history, ingest the queue_log as well (the same command ids are not
shared, but the domain records each fact once per call).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any, Final

from callcore.adapters.telephony.feed import Feed, Rejection
from callcore.adapters.telephony.queue_log import agent_id
from callcore.domain import agent as presence
from callcore.domain import call
from callcore.domain.common import Actor, Command, Role

log = logging.getLogger("callcore.telephony.ami")

ASTERISK_AMI: Final = Actor(Role.INTEGRATION, "asterisk-ami")

MAPPED: Final = frozenset(
    {
        "QueueCallerJoin",
        "AgentCalled",
        "AgentConnect",
        "AgentComplete",
        "AgentRingNoAnswer",
        "QueueCallerAbandon",
        "QueueCallerLeave",
        "Hangup",
        "QueueEntry",
    }
)
PRESENCE: Final = frozenset(
    {
        "QueueMemberAdded",
        "QueueMemberRemoved",
        "QueueMemberPause",
        "QueueMemberPaused",  # the name before Asterisk 12
        "QueueMemberStatus",
        "QueueMember",
    }
)
"""Members' presence, recorded as the agent's day (``callcore.domain.agent``)."""
IGNORED: Final = frozenset({"FullyBooted", "QueueParams", "QueueStatusComplete", "SuccessfulAuth"})


class AmiError(ValueError):
    """A message that is not AMI, or a field it needs that is missing or wrong."""


class AmiLoginRefused(Exception):
    """The PBX refused the user name or secret: retrying would not help."""


AMI_KEY_LIMIT = 64
AMI_VALUE_LIMIT = 1_024
"""The longest key and value of an AMI message read (docs/telephony.md, field limits):
a longer one rejects its message, by name."""


def parse_message(block: str) -> dict[str, str]:
    """One message (its lines, without the blank line) → its fields. A repeated key keeps
    its first value; a line without ``: `` is an error naming it."""
    fields: dict[str, str] = {}
    for line in block.split("\r\n"):
        if not line:
            continue
        key, separator, value = line.partition(":")
        if not separator or not key.strip() or " " in key.strip():
            raise AmiError(f"{line[:60]!r} is not a 'Key: Value' line")
        name = key.strip()
        if len(name) > AMI_KEY_LIMIT:
            raise AmiError(f"a key of {len(name):,} characters; at most {AMI_KEY_LIMIT}")
        value = value.strip()
        if len(value) > AMI_VALUE_LIMIT:
            raise AmiError(f"{name} is {len(value):,} characters; at most {AMI_VALUE_LIMIT:,}")
        fields.setdefault(name, value)
    if not fields:
        raise AmiError("an empty message")
    return fields


def _seconds(message: dict[str, str], key: str, *, scale: float = 1.0) -> float | None:
    raw = message.get(key)
    if raw is None or raw == "":
        return None
    try:
        value = float(raw) / scale
    except ValueError:
        raise AmiError(f"{message.get('Event')} {key} {raw!r} is not a number") from None
    if not 0 <= value < 10**9:
        raise AmiError(f"{message.get('Event')} {key} {raw!r} is out of range")
    return value


class AmiTranslator:
    def __init__(
        self,
        *,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
        actor: Actor = ASTERISK_AMI,
        abandon_settle_seconds: float = 3.0,
        known: Callable[[str], bool] = lambda call_id: False,
    ) -> None:
        self.now = now
        self.actor = actor
        self.abandon_settle = timedelta(seconds=abandon_settle_seconds)
        self.known = known
        self.seen: set[str] = set()
        self.pending_abandons: dict[str, tuple[datetime, int | None, float | None]] = {}
        self.counters: Counter[str] = Counter()
        self.latest: datetime | None = None

    def _at(self, message: dict[str, str]) -> datetime:
        stamp = message.get("Timestamp")
        if stamp:
            try:
                when = datetime.fromtimestamp(float(stamp), UTC)
            except (ValueError, OverflowError, OSError):
                raise AmiError(f"Timestamp {stamp!r} is not an epoch") from None
        else:
            when = self.now()
        if self.latest is None or when > self.latest:
            self.latest = when
        return when

    def _nth(self, key: str) -> int:
        self.counters[key] += 1
        return self.counters[key]

    def translate(self, message: dict[str, str]) -> list[Command]:
        event = message.get("Event", "")
        uid = message.get("Uniqueid", "").strip()
        if event in MAPPED and not uid:
            raise AmiError(f"{event} without a Uniqueid")
        at = self._at(message)
        common: dict[str, Any] = {"actor": self.actor, "occurred_at": at}
        commands = self.settle(at)
        agent = agent_id(message.get("MemberName") or message.get("Interface") or "")
        if event == "QueueCallerJoin":
            self.seen.add(uid)
            commands.append(
                call.OfferCall(
                    command_id=f"ami:{uid}:join",
                    call_id=uid,
                    queue=self._queue(message),
                    caller_phone=message.get("CallerIDNum") or None,
                    **common,
                )
            )
        elif event == "QueueEntry":  # from QueueStatus: a caller already waiting
            if uid not in self.seen and not self.known(uid):
                self.seen.add(uid)
                waited = _seconds(message, "Wait") or 0.0
                commands.append(
                    call.OfferCall(
                        command_id=f"ami:{uid}:waiting",
                        call_id=uid,
                        queue=self._queue(message),
                        caller_phone=message.get("CallerIDNum") or None,
                        actor=self.actor,
                        occurred_at=at - timedelta(seconds=waited),
                    )
                )
        elif event == "AgentCalled":
            self._agent(agent, event)
            n = self._nth(f"{uid}:called:{agent}")
            commands.append(
                call.RingAgent(
                    command_id=f"ami:{uid}:called:{agent}:{n}", call_id=uid, agent=agent, **common
                )
            )
        elif event == "AgentRingNoAnswer":
            self._agent(agent, event)
            ring = _seconds(message, "RingTime", scale=1000) or 0.0
            n = self._nth(f"{uid}:no-answer:{agent}")
            commands.append(
                call.RecordRingNoAnswer(
                    command_id=f"ami:{uid}:no-answer:{agent}:{n}",
                    call_id=uid,
                    agent=agent,
                    ring_seconds=ring,
                    **common,
                )
            )
        elif event == "AgentConnect":
            self._agent(agent, event)
            held = _seconds(message, "HoldTime")
            commands.append(
                call.AnswerCall(
                    command_id=f"ami:{uid}:connect",
                    call_id=uid,
                    agent=agent,
                    waited_seconds=held,
                    **common,
                )
            )
        elif event == "AgentComplete":
            reason = message.get("Reason", "caller").lower()
            ended = call.EndedBy.AGENT if reason in {"agent", "transfer"} else call.EndedBy.CALLER
            commands.append(
                call.CompleteCall(
                    command_id=f"ami:{uid}:complete", call_id=uid, ended_by=ended, **common
                )
            )
        elif event == "QueueCallerAbandon":
            position = _seconds(message, "Position")
            held = _seconds(message, "HoldTime")
            self.pending_abandons[uid] = (at, int(position) if position is not None else None, held)
        elif event == "Hangup":
            pending = self.pending_abandons.pop(uid, None)
            if pending is not None:
                when, position, held = pending
                commands.append(
                    call.AbandonCall(
                        command_id=f"ami:{uid}:abandon",
                        call_id=uid,
                        position=position,
                        waited_seconds=held,
                        actor=self.actor,
                        occurred_at=when,
                    )
                )
        return commands

    def translate_presence(self, message: dict[str, str]) -> list[Command]:
        """A member's presence event: logged in to or out of a queue, paused (with its
        reason) or not."""
        event = message.get("Event", "")
        at = self._at(message)
        agent = agent_id(message.get("MemberName") or message.get("Interface") or "")
        self._agent(agent, event)
        queue = message.get("Queue", "").strip() or None
        ident = f"ami:agent:{agent}:{{}}:{at.timestamp():.6f}"
        common: dict[str, Any] = {"agent": agent, "actor": self.actor, "occurred_at": at}
        commands: list[Command] = self.settle(at)
        if event == "QueueMemberRemoved":
            commands.append(
                presence.LogOutAgent(command_id=ident.format(f"out:{queue}"), queue=queue, **common)
            )
            return commands
        if event in {"QueueMemberAdded", "QueueMember"}:
            commands.append(
                presence.LogInAgent(command_id=ident.format(f"in:{queue}"), queue=queue, **common)
            )
        paused = message.get("Paused", "").strip()
        if paused not in {"0", "1"}:
            if event in {"QueueMemberPause", "QueueMemberPaused"}:
                raise AmiError(f"{event} Paused {paused!r} is neither 1 nor 0")
            return commands
        if paused == "1":
            reason = (message.get("PausedReason") or message.get("Reason") or "").strip()
            commands.append(
                presence.PauseAgent(
                    command_id=ident.format(f"pause:{reason}"),
                    reason=reason or "unspecified",
                    **common,
                )
            )
        else:
            commands.append(presence.UnpauseAgent(command_id=ident.format("unpause"), **common))
        return commands

    def settle(self, now: datetime | None = None) -> list[Command]:
        """Pending abandons with no Hangup after ``abandon_settle_seconds``: timeouts."""
        now = now or self.latest or self.now()
        settled: list[Command] = []
        for uid, (when, _, held) in list(self.pending_abandons.items()):
            if now - when >= self.abandon_settle:
                del self.pending_abandons[uid]
                settled.append(
                    call.TimeOutCall(
                        command_id=f"ami:{uid}:timeout",
                        call_id=uid,
                        reason=call.ExitReason.TIMEOUT,
                        waited_seconds=held,
                        actor=self.actor,
                        occurred_at=when,
                    )
                )
        return settled

    @staticmethod
    def _queue(message: dict[str, str]) -> str:
        queue = message.get("Queue", "").strip()
        if not queue:
            raise AmiError(f"{message.get('Event')} without a Queue")
        return queue

    @staticmethod
    def _agent(agent: str, event: str) -> None:
        if not agent:
            raise AmiError(f"{event} without a MemberName or Interface")


class AmiSource:
    """The connection: login, subscribe, QueueStatus, read, reconnect with back-off."""

    def __init__(
        self,
        feed: Feed,
        *,
        host: str,
        port: int = 5038,
        username: str,
        secret: str,
        translator: AmiTranslator | None = None,
        first_retry_seconds: float = 0.5,
        longest_retry_seconds: float = 30.0,
    ) -> None:
        self.feed = feed
        self.host, self.port = host, port
        self.username, self.secret = username, secret
        self.translator = translator or AmiTranslator()
        self.first_retry = first_retry_seconds
        self.longest_retry = longest_retry_seconds
        self.connections = 0
        self.messages = 0

    async def run(self, stop: asyncio.Event) -> None:
        """Until ``stop`` is set; a refused login ends it with :class:`AmiLoginRefused`."""
        delay = self.first_retry
        while not stop.is_set():
            try:
                await self._session(stop)
                delay = self.first_retry
            except AmiLoginRefused:
                raise
            except (
                OSError,
                asyncio.IncompleteReadError,
                asyncio.LimitOverrunError,
                ConnectionError,
            ) as error:
                log.warning(
                    "AMI %s:%s: %s; reconnecting in %.1f s",
                    self.host,
                    self.port,
                    error or type(error).__name__,
                    delay,
                )
            if stop.is_set():
                break
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=delay)
            delay = min(delay * 2, self.longest_retry)

    async def _session(self, stop: asyncio.Event) -> None:
        reader, writer = await asyncio.open_connection(self.host, self.port)
        try:
            banner = await reader.readline()
            if not banner.startswith(b"Asterisk Call Manager"):
                raise ConnectionError(f"not an AMI server: {banner[:40]!r}")
            writer.write(
                (
                    "Action: Login\r\nActionID: callcore-login\r\n"
                    f"Username: {self.username}\r\nSecret: {self.secret}\r\n"
                    "Events: agent,call\r\n\r\n"
                ).encode()
            )
            await writer.drain()
            response = await self._read(reader)
            while response.get("ActionID") != "callcore-login" and "Response" not in response:
                response = await self._read(reader)
            if response.get("Response") != "Success":
                raise AmiLoginRefused(
                    f"AMI {self.host}:{self.port} refused the login: "
                    f"{response.get('Message', 'no reason given')}"
                )
            self.connections += 1
            writer.write(b"Action: QueueStatus\r\nActionID: callcore-status\r\n\r\n")
            await writer.drain()
            while not stop.is_set():
                read = asyncio.ensure_future(self._read(reader))
                stopped = asyncio.ensure_future(stop.wait())
                done, _ = await asyncio.wait(
                    {read, stopped}, timeout=1.0, return_when=asyncio.FIRST_COMPLETED
                )
                if read not in done:
                    read.cancel()
                    stopped.cancel()
                    self.feed.record(self.translator.settle())
                    if stop.is_set():
                        return
                    continue
                stopped.cancel()
                self._handle(read.result())
        finally:
            writer.close()
            with contextlib.suppress(OSError, ConnectionError):
                await writer.wait_closed()

    async def _read(self, reader: asyncio.StreamReader) -> dict[str, str]:
        raw = await reader.readuntil(b"\r\n\r\n")
        text = raw[:-4].decode("utf-8", errors="replace")
        try:
            return parse_message(text)
        except AmiError as error:
            self.feed.reject(Rejection(f"AMI message {self.messages + 1}", str(error), text))
            return {}

    def _handle(self, message: dict[str, str]) -> None:
        if not message:
            return
        self.messages += 1
        report = self.feed.report
        report.inputs += 1
        event = message.get("Event")
        if event is None:
            return  # a response to an action
        if event in PRESENCE:
            try:
                commands = self.translator.translate_presence(message)
            except (AmiError, ValueError) as error:
                self.feed.reject(
                    Rejection(f"AMI message {self.messages}", str(error), repr(message)[:200])
                )
                return
            self.feed.record(commands)
            return
        if event not in MAPPED:
            if event not in IGNORED:
                report.unknown[event] += 1
            return
        try:
            commands = self.translator.translate(message)
        except (AmiError, ValueError) as error:
            self.feed.reject(
                Rejection(f"AMI message {self.messages}", str(error), repr(message)[:200])
            )
            return
        self.feed.record(commands)
