"""Asterisk's ``queue_log``: ``epoch|callid|queue|agent|event|data1|…|data5``.

Units, as Asterisk writes them (and as the official documentation does not always say):

* the epoch is whole seconds (the realtime table may carry fractions, or a datetime);
* ENTERQUEUE: url, caller id, position;
* CONNECT: hold time in seconds *including* the ring time, the bridged channel's
  uniqueid, ring time in seconds;
* RINGNOANSWER and RINGCANCELED: ring time in **milliseconds**;
* ABANDON, EXITWITHTIMEOUT, EXITEMPTY: position, original position, wait in seconds;
  EXITWITHKEY: key, position, original position, wait;
* COMPLETECALLER / COMPLETEAGENT: hold time, talk time, original position;
* BLINDTRANSFER: extension, context, hold, talk, original position; ATTENDEDTRANSFER:
  method, then what it bridged, hold, talk, original position; TRANSFER (before
  Asterisk 12) as BLINDTRANSFER;
* FreePBX writes a ``DID`` line (callid, ``NONE``, ``NONE``, ``DID``, the number dialled)
  before the call's ENTERQUEUE.

Agents' presence (AGENTLOGIN, ADDMEMBER, PAUSE with its reason, …) becomes the agent's
day (``callcore.domain.agent``); the queue's own lines (QUEUESTART, CONFIGRELOAD) are
understood and counted. Unknown verbs are kept and counted. A call the log never closes (the PBX
restarted mid-call) is closed by the timeout rule of :class:`QueueLogTranslator`.

**Assembly does not depend on the order lines arrive in.** Real logs are not in order:
a realtime table read without ``ORDER BY``, rotated files concatenated in the wrong
order, a clock stepped back by NTP, FreePBX writing the same line several times.
:class:`QueueLogFeed` therefore collects lines (a whole file, a table, or what a followed
file had until it went quiet), groups them by call, drops exact repeats, orders each
call's lines by time (ties by the call's life: DID, ENTERQUEUE, rings, CONNECT, the
end), and only then decides. One call's timestamps never close another's; a jump back
in time is reported, not acted on.

Command ids are made from the line itself (``ql:<callid>:<verb>:<epoch>:<digest>``):
reading the same file twice, or a rotated file that repeats lines, records nothing twice.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import re
import time
from collections.abc import Callable, Generator, Iterable, Iterator
from datetime import UTC, datetime, timedelta, tzinfo
from pathlib import Path
from typing import Any, Final

import attrs
from attrs import frozen

from callcore.adapters.telephony.feed import Feed, FeedReport, Rejection, quoted
from callcore.domain import agent as presence
from callcore.domain import call
from callcore.domain.common import Actor, Command, Role

ASTERISK: Final = Actor(Role.INTEGRATION, "asterisk")

CALL_VERBS: Final = frozenset(
    {
        "DID",
        "ENTERQUEUE",
        "RINGNOANSWER",
        "RINGCANCELED",
        "CONNECT",
        "ABANDON",
        "EXITWITHTIMEOUT",
        "EXITEMPTY",
        "EXITWITHKEY",
        "COMPLETECALLER",
        "COMPLETEAGENT",
        "BLINDTRANSFER",
        "ATTENDEDTRANSFER",
        "TRANSFER",
    }
)
PRESENCE_VERBS: Final = frozenset(
    {
        "AGENTLOGIN",
        "AGENTLOGOFF",
        "AGENTCALLBACKLOGIN",
        "AGENTCALLBACKLOGOFF",
        "ADDMEMBER",
        "REMOVEMEMBER",
        "PAUSE",
        "UNPAUSE",
        "PAUSEALL",
        "UNPAUSEALL",
    }
)
"""Agent lines recorded as the agent's day (login, queue membership, pauses)."""

AGENT_VERBS: Final = PRESENCE_VERBS | {
    "PENALTY",
    "RINGINUSE",
    "AGENTDUMP",
    "SYSCOMPAT",
    "QUEUESTART",
    "CONFIGRELOAD",
}
"""Presence and housekeeping: understood and counted; presence is recorded too."""

_VERB = re.compile(r"^[A-Z][A-Z_]*$")
_EPOCH = re.compile(r"^\d{1,12}(\.\d{1,9})?$")


class QueueLogError(ValueError):
    """A line that is not a queue_log line; the message says which field and why."""


FIELD_LIMITS: Final = {
    "time": 64,
    "callid": 128,
    "queue": 256,
    "agent": 256,
    "event": 32,
    "data": 1_024,
    "line": 8_192,
}
"""The longest field a queue_log line (or realtime row) may carry, in characters; a
longer one rejects its line. Asterisk's own realtime schema is narrower (callid 80,
queuename 256, agent 80, event 32, data 100 in its alembic migration): the limits leave
room for other PBXs and stop only what no PBX writes (the probe's 2 MB caller id)."""


def _bounded(name: str, value: str, limit_name: str | None = None) -> None:
    limit = FIELD_LIMITS[limit_name or name]
    if len(value) > limit:
        raise QueueLogError(f"{name} is {len(value):,} characters; at most {limit:,}")


@frozen
class QueueLogLine:
    at: datetime
    call_id: str
    queue: str
    agent: str
    verb: str
    data: tuple[str, ...]
    text: str
    stamped_at: datetime | None = None
    """The line's own stamp when ``at`` was dated by the call's life instead (a stamp
    that contradicts it); the command id keeps the stamp, so a re-read is recognised."""

    def field(self, index: int, name: str) -> str:
        """data<index> (from 1), or an empty string if the line has fewer."""
        return self.data[index - 1] if len(self.data) >= index else ""

    def number(self, index: int, name: str, *, required: bool = True) -> float | None:
        raw = self.field(index, name).strip()
        if not raw:
            if required:
                raise QueueLogError(f"{self.verb} data{index} ({name}) is missing")
            return None
        try:
            value = float(raw)
        except ValueError:
            raise QueueLogError(
                f"{self.verb} data{index} ({name}) {raw!r} is not a number"
            ) from None
        if not 0 <= value < 10**9:
            raise QueueLogError(f"{self.verb} data{index} ({name}) {raw!r} is out of range")
        return value


def parse_time(raw: str, local_zone: tzinfo = UTC) -> datetime:
    """An epoch (whole or fractional seconds), or the realtime table's datetime text
    (``2026-11-03 10:15:02.123456``, in the PBX's local zone when it has no offset)."""
    text = raw.strip()
    if _EPOCH.match(text):
        return datetime.fromtimestamp(float(text), UTC)
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise QueueLogError(f"time {raw!r} is neither an epoch nor a date and time") from None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=local_zone)


def parse_line(text: str, local_zone: tzinfo = UTC) -> QueueLogLine:
    line = text.rstrip("\r\n")
    if "\x00" in line:
        raise QueueLogError("the line holds a NUL byte")
    fields = line.split("|")
    if len(fields) < 5:
        raise QueueLogError(f"{len(fields)} fields; a queue_log line has at least 5")
    raw_time, call_id, queue, agent, verb, *data = fields
    _bounded("time", raw_time)
    _bounded("callid", call_id)
    _bounded("queue", queue)
    _bounded("agent", agent)
    _bounded("event", verb)
    for index, value in enumerate(data, start=1):
        _bounded(f"data{index}", value, "data")
    _bounded("the line", line, "line")
    if not raw_time.strip():
        raise QueueLogError("time is empty (NULL)")
    at = parse_time(raw_time, local_zone)
    if not _VERB.match(verb):
        raise QueueLogError(f"event {verb!r} is not an event name")
    if not call_id.strip():
        raise QueueLogError("callid is empty")
    while data and data[-1] == "":  # Asterisk always ends a line with '|'
        data.pop()
    return QueueLogLine(at, call_id.strip(), queue.strip(), agent.strip(), verb, tuple(data), line)


def agent_id(member: str) -> str:
    """``SIP/1001``, ``PJSIP/1001``, ``Local/1001@from-queue/n`` → ``1001``; a member name
    (``Li Na``) stays as it is."""
    name = member.strip()
    if "/" in name:
        name = name.split("/", 1)[1]
        name = name.split("@", 1)[0].split("/", 1)[0]
    return name or member


@attrs.define
class _Call:
    queue: str
    offered_at: datetime
    last_at: datetime
    answered: bool = False


# Within one second a call's lines are put in the order of its life.
_LIFE_ORDER: Final = {
    "DID": 0,
    "ENTERQUEUE": 1,
    "RINGNOANSWER": 2,
    "RINGCANCELED": 2,
    "CONNECT": 3,
    "ABANDON": 4,
    "EXITWITHTIMEOUT": 4,
    "EXITEMPTY": 4,
    "EXITWITHKEY": 4,
    "COMPLETECALLER": 5,
    "COMPLETEAGENT": 5,
    "BLINDTRANSFER": 5,
    "TRANSFER": 5,
    "ATTENDEDTRANSFER": 5,
}


def call_order(lines: list[QueueLogLine]) -> list[QueueLogLine]:
    """One call's lines in the order they happened, whatever order they were read in:
    by time; within the same instant the queue a caller left before the queue they
    entered, and each queue's lines in the order of a call's life; exact repeats once."""
    unique = {line.text: line for line in lines}
    ordered: list[QueueLogLine] = []
    by_instant: dict[datetime, list[QueueLogLine]] = {}
    for line in unique.values():
        by_instant.setdefault(line.at, []).append(line)
    for instant in sorted(by_instant):
        same = by_instant[instant]
        entering = {line.queue for line in same if line.verb == "ENTERQUEUE"}

        def key(
            line: QueueLogLine, entering: set[str] = entering
        ) -> tuple[int, int, str, int, str]:
            housekeeping = 0 if line.verb == "DID" else 1
            return (
                housekeeping,
                1 if line.queue in entering else 0,  # a queue left before one entered
                line.queue,
                _LIFE_ORDER.get(line.verb, 9),
                line.text,
            )

        ordered.extend(sorted(same, key=key))
    return ordered


_AFTER_THE_ANSWER: Final = frozenset(
    {"COMPLETECALLER", "COMPLETEAGENT", "BLINDTRANSFER", "TRANSFER", "ATTENDEDTRANSFER"}
)
_LEAVES_THE_QUEUE: Final = frozenset(
    {"EXITWITHTIMEOUT", "EXITEMPTY", "EXITWITHKEY", "BLINDTRANSFER", "TRANSFER", "ATTENDEDTRANSFER"}
)
"""Ends of a queue visit after which the caller may enter another queue."""
_ENDS_A_VISIT: Final = _LEAVES_THE_QUEUE | {"ABANDON", "COMPLETECALLER", "COMPLETEAGENT"}
_MEASURED_FROM: Final = {
    # verb: (what the measure starts at, data index of the seconds)
    "CONNECT": ("entry", 1),
    "ABANDON": ("entry", 3),
    "EXITWITHTIMEOUT": ("entry", 3),
    "EXITEMPTY": ("entry", 3),
    "EXITWITHKEY": ("entry", 4),
    "COMPLETECALLER": ("answer", 2),
    "COMPLETEAGENT": ("answer", 2),
    "BLINDTRANSFER": ("answer", 4),
    "TRANSFER": ("answer", 4),
    "ATTENDEDTRANSFER": ("answer", 4),
}


def _seconds(line: QueueLogLine, index: int) -> float | None:
    try:
        value = float(line.field(index, "").strip())
    except ValueError:
        return None
    return value if 0 <= value < 10**6 else None


@frozen
class Assembled:
    """A call's lines in the order of its life, each dated; ``redated`` are the lines
    whose stamp contradicted that order (stamped before the call's previous fact)."""

    lines: tuple[QueueLogLine, ...]
    redated: tuple[QueueLogLine, ...]


def life_order(lines: list[QueueLogLine]) -> Assembled:
    """One call's lines (already in :func:`call_order`) in the order of the call's life,
    which a stamp cannot contradict: a queue visit is its ENTERQUEUE, then its rings,
    its CONNECT, then its end (an abandon, an exit, a COMPLETE, a
    transfer); a queue entered at the instant another was left comes after that visit;
    otherwise visits, and lines of no visit (DID), keep the stamps' order.

    A line stamped before the call's previous fact (a clock stepped back by NTP in the
    middle of a call, a merged export) is dated by the call's life: no earlier than that
    fact, and, where the line measures itself, at what it measures: CONNECT at the entry
    plus its hold time (data1), an abandon or exit at the entry plus its wait, a COMPLETE
    or transfer at the answer plus its talk time. So the call's events keep the record
    order (domain.md §6) and a call with a CONNECT is answered."""
    ordered = list(lines)
    entries = [i for i, line in enumerate(ordered) if line.verb == "ENTERQUEUE"]
    visit_of: dict[int, int] = {}
    ended: set[int] = set()
    for i, line in enumerate(ordered):
        if line.verb not in CALL_VERBS or line.verb in {"DID", "ENTERQUEUE"}:
            continue
        same = [e for e in entries if ordered[e].queue == line.queue]
        open_before = [e for e in same if e < i and e not in ended]
        after = [e for e in same if e > i]
        if open_before:
            visit = open_before[-1]
        elif after:
            visit = after[0]  # stamped before its own entry
        elif same:
            visit = same[-1]
        else:
            continue  # no entry at all: the domain refuses it by name
        visit_of[i] = visit
        if line.verb in _ENDS_A_VISIT:
            ended.add(visit)
    answer_of: dict[int, int] = {}
    for i, visit in visit_of.items():
        if ordered[i].verb == "CONNECT":
            answer_of.setdefault(visit, i)
    # A visit is its entry, its rings, its answer, then its end (each by its stamps).
    blocks: dict[int, list[int]] = {entry: [entry] for entry in entries}
    for stage in (
        lambda verb: verb not in _ENDS_A_VISIT and verb != "CONNECT",
        lambda verb: verb == "CONNECT",
        lambda verb: verb in _ENDS_A_VISIT,
    ):
        for i, visit in visit_of.items():
            if stage(ordered[i].verb):
                blocks[visit].append(i)
    # A queue entered at the instant another was left follows the visit it left.
    follows: dict[int, int] = {}
    for entry in entries:
        for i, visit in visit_of.items():
            if (
                visit != entry
                and ordered[i].verb in _LEAVES_THE_QUEUE
                and ordered[i].at == ordered[entry].at
                and ordered[i].queue != ordered[entry].queue
            ):
                follows[entry] = visit
    emitted: set[int] = set()
    out: list[int] = []
    waiting: dict[int, list[int]] = {}

    def emit(i: int) -> None:
        if i in emitted:
            return
        emitted.add(i)
        out.extend(blocks.get(i, [i]))
        for follower in waiting.pop(i, []):
            emit(follower)

    for i in range(len(ordered)):
        if i in visit_of:
            continue  # emitted with its visit
        before = follows.get(i)
        if before is not None and before not in emitted:
            waiting.setdefault(before, []).append(i)
        else:
            emit(i)
    for entry in entries:  # a cycle only nonsense can make: the stamps' order
        emit(entry)
    dated: dict[int, datetime] = {}
    result: list[QueueLogLine] = []
    redated: list[QueueLogLine] = []
    previous: datetime | None = None
    for i in out:
        line = ordered[i]
        at = line.at
        if previous is not None and at < previous:
            at = previous
            measure = _MEASURED_FROM.get(line.verb)
            its_visit = visit_of.get(i)
            if measure is not None and its_visit is not None:
                origin = its_visit if measure[0] == "entry" else answer_of.get(its_visit)
                start = dated.get(origin) if origin is not None else None
                seconds = _seconds(line, measure[1])
                if start is not None and seconds is not None:
                    at = max(previous, start + timedelta(seconds=seconds))
            line = attrs.evolve(line, at=at, stamped_at=line.at)
            redated.append(line)
        dated[i] = at
        previous = at
        result.append(line)
    return Assembled(tuple(result), tuple(redated))


class QueueLogTranslator:
    """queue_log lines → Call commands.

    ``never_closed_after``: a call with no line closing it for this long (measured on the
    log's own clock, the newest line read) is closed: timed out if it was still waiting,
    completed by the system if it was answered. The PBX restarting mid-call is the usual
    cause; without the rule such a call would wait forever in the queue metrics."""

    def __init__(
        self,
        *,
        source: str = "ql",
        actor: Actor = ASTERISK,
        never_closed_after: timedelta = timedelta(hours=4),
    ) -> None:
        self.source = source
        self.actor = actor
        self.never_closed_after = never_closed_after
        self.open_calls: dict[str, _Call] = {}
        self.dids: dict[str, str] = {}
        self.newest: datetime | None = None

    def _id(self, line: QueueLogLine, suffix: str = "") -> str:
        digest = hashlib.sha1(line.text.encode("utf-8"), usedforsecurity=False).hexdigest()[:10]
        epoch = int((line.stamped_at or line.at).timestamp())
        return f"{self.source}:{line.call_id}:{line.verb.lower()}:{epoch}:{digest}{suffix}"

    def translate(self, line: QueueLogLine) -> list[Command]:
        """The commands a line stands for (none for presence lines); raises
        :class:`QueueLogError` for a call line whose data are wrong."""
        if self.newest is None or line.at > self.newest:
            self.newest = line.at
        verb = line.verb
        common: dict[str, Any] = {"actor": self.actor, "occurred_at": line.at}
        call_id = line.call_id
        open_call = self.open_calls.get(call_id)
        # A ring's start is derived (the line's time less its ring time), and Asterisk's
        # ring time may reach back past the caller's entry, or, ringing several agents at
        # once, past another agent's line: a ring never starts before the call's latest
        # fact already read, so the call's events keep their order (domain.md §6).
        latest = open_call.last_at if open_call is not None else line.at
        if open_call is not None and line.at > open_call.last_at:
            open_call.last_at = line.at
        if verb == "DID":
            self.dids[call_id] = line.field(1, "did").strip()
            return []
        if verb == "ENTERQUEUE":
            caller = line.field(2, "caller id").strip() or None
            if open_call is None:
                self.open_calls[call_id] = _Call(line.queue, line.at, line.at)
            else:  # another queue on the same call: a new leg
                open_call.queue, open_call.answered = line.queue, False
            return [
                call.OfferCall(
                    command_id=self._id(line),
                    call_id=call_id,
                    queue=line.queue,
                    caller_phone=caller if caller not in {"anonymous", "unknown"} else None,
                    did=self.dids.get(call_id) or None,
                    **common,
                )
            ]
        agent = agent_id(line.agent)
        if verb in {"RINGNOANSWER", "RINGCANCELED"}:
            milliseconds = line.number(1, "ring time, ms")
            assert milliseconds is not None
            return [
                call.RingAgent(
                    command_id=self._id(line, ":ring"),
                    call_id=call_id,
                    agent=agent,
                    occurred_at=max(line.at - timedelta(milliseconds=milliseconds), latest),
                    actor=self.actor,
                ),
                call.RecordRingNoAnswer(
                    command_id=self._id(line),
                    call_id=call_id,
                    agent=agent,
                    ring_seconds=milliseconds / 1000,
                    **common,
                ),
            ]
        if verb == "CONNECT":
            # The hold time is Asterisk's own measure of the wait, from the caller's
            # entry into the queue: the queue-statistics tools' ASA, and the answer
            # clock's, rather than the difference of two whole-second timestamps.
            hold = line.number(1, "hold time, s", required=False)
            ring = line.number(3, "ring time, s", required=False) or 0.0
            if open_call is not None:
                open_call.answered = True
            return [
                call.RingAgent(
                    command_id=self._id(line, ":ring"),
                    call_id=call_id,
                    agent=agent,
                    occurred_at=max(line.at - timedelta(seconds=ring), latest),
                    actor=self.actor,
                ),
                call.AnswerCall(
                    command_id=self._id(line),
                    call_id=call_id,
                    agent=agent,
                    waited_seconds=hold,
                    **common,
                ),
            ]
        if verb == "ABANDON":
            position = line.number(1, "position")
            waited = line.number(3, "wait, s", required=False)
            self.open_calls.pop(call_id, None)
            return [
                call.AbandonCall(
                    command_id=self._id(line),
                    call_id=call_id,
                    position=int(position) if position is not None else None,
                    waited_seconds=waited,
                    **common,
                )
            ]
        if verb in {"EXITWITHTIMEOUT", "EXITEMPTY", "EXITWITHKEY"}:
            first_wait = 4 if verb == "EXITWITHKEY" else 3
            waited = line.number(first_wait, "wait, s", required=False)
            reason = {
                "EXITWITHTIMEOUT": call.ExitReason.TIMEOUT,
                "EXITEMPTY": call.ExitReason.EMPTY_QUEUE,
                "EXITWITHKEY": call.ExitReason.CALLER_PRESSED_KEY,
            }[verb]
            self.open_calls.pop(call_id, None)
            return [
                call.TimeOutCall(
                    command_id=self._id(line),
                    call_id=call_id,
                    reason=reason,
                    waited_seconds=waited,
                    **common,
                )
            ]
        if verb in {"COMPLETECALLER", "COMPLETEAGENT"}:
            line.number(1, "hold time, s")
            line.number(2, "talk time, s")
            self.open_calls.pop(call_id, None)
            ended = call.EndedBy.CALLER if verb == "COMPLETECALLER" else call.EndedBy.AGENT
            return [
                call.CompleteCall(
                    command_id=self._id(line), call_id=call_id, ended_by=ended, **common
                )
            ]
        if verb in {"BLINDTRANSFER", "TRANSFER", "ATTENDEDTRANSFER"}:
            if verb == "ATTENDEDTRANSFER":
                method = line.field(1, "method").strip() or "BRIDGE"
                to = line.field(2, "target").strip() or method
                kind = call.TransferKind.ATTENDED
            else:
                extension = line.field(1, "extension").strip()
                context = line.field(2, "context").strip()
                if not extension:
                    raise QueueLogError(f"{verb} data1 (extension) is missing")
                to = f"{extension}@{context}" if context else extension
                kind = call.TransferKind.BLIND
            self.open_calls.pop(call_id, None)
            # The queue's part of the call ends with the transfer.
            return [
                call.TransferCall(
                    command_id=self._id(line), call_id=call_id, to=to, kind=kind, **common
                ),
                call.CompleteCall(
                    command_id=self._id(line, ":end"),
                    call_id=call_id,
                    ended_by=call.EndedBy.AGENT,
                    **common,
                ),
            ]
        raise AssertionError(f"not a call verb: {verb}")  # pragma: no cover

    def translate_presence(self, line: QueueLogLine) -> list[Command]:
        """An agent line's command: login, logoff, joining or leaving a queue, a pause
        (data1 is the reason) or its end. A pause is the agent's in every queue."""
        name = agent_id(line.agent)
        if not name or name.upper() == "NONE":
            raise QueueLogError(f"{line.verb} names no agent")
        digest = hashlib.sha1(line.text.encode("utf-8"), usedforsecurity=False).hexdigest()[:10]
        common: dict[str, Any] = {
            "command_id": f"{self.source}:agent:{name}:{line.verb.lower()}:"
            f"{int(line.at.timestamp())}:{digest}",
            "agent": name,
            "actor": self.actor,
            "occurred_at": line.at,
        }
        queue = line.queue if line.queue and line.queue.upper() != "NONE" else None
        verb = line.verb
        if verb in {"AGENTLOGIN", "AGENTCALLBACKLOGIN"}:
            return [presence.LogInAgent(**common)]
        if verb in {"AGENTLOGOFF", "AGENTCALLBACKLOGOFF"}:
            return [presence.LogOutAgent(**common)]
        if verb == "ADDMEMBER":
            return [presence.LogInAgent(queue=queue, **common)]
        if verb == "REMOVEMEMBER":
            return [presence.LogOutAgent(queue=queue, **common)]
        if verb in {"PAUSE", "PAUSEALL"}:
            reason = line.field(1, "reason").strip() or "unspecified"
            return [presence.PauseAgent(reason=reason, **common)]
        return [presence.UnpauseAgent(**common)]  # UNPAUSE, UNPAUSEALL

    def close_never_closed(self) -> list[Command]:
        """Close the calls the log has not closed for ``never_closed_after``."""
        if self.newest is None:
            return []
        commands: list[Command] = []
        for call_id, open_call in list(self.open_calls.items()):
            if self.newest - open_call.last_at < self.never_closed_after:
                continue
            del self.open_calls[call_id]
            at = open_call.last_at + self.never_closed_after
            ident = f"{self.source}:{call_id}:never-closed"
            if open_call.answered:
                commands.append(
                    call.CompleteCall(
                        command_id=ident,
                        call_id=call_id,
                        ended_by=call.EndedBy.SYSTEM,
                        occurred_at=at,
                        actor=self.actor,
                    )
                )
            else:
                commands.append(
                    call.TimeOutCall(
                        command_id=ident,
                        call_id=call_id,
                        reason=call.ExitReason.TIMEOUT,
                        occurred_at=at,
                        actor=self.actor,
                    )
                )
        return commands


class QueueLogFeed:
    """Lines in, commands recorded: parse, assemble by call, translate, count; never
    stops on bad input.

    :meth:`line` collects; :meth:`flush` decides on what was collected (a whole file or
    table, or what a followed file had until it went quiet), so the order lines arrive
    in changes nothing. :meth:`read` does both for a finite source."""

    BACKWARD_JUMP: Final = timedelta(minutes=15)
    """A line more than this older than the line before it is a jump back in time (a
    clock corrected, rotated files out of order), reported in the summary.
    Smaller steps back are ordinary: Asterisk's threads write a call's lines a little
    out of order, and a file may list a call's lines together."""

    def __init__(
        self,
        feed: Feed,
        translator: QueueLogTranslator | None = None,
        local_zone: tzinfo = UTC,
    ) -> None:
        self.feed = feed
        self.translator = translator or QueueLogTranslator()
        self.local_zone = local_zone
        self.pending: list[tuple[QueueLogLine, str]] = []
        self._previous_at: datetime | None = None

    def read(self, lines: Iterable[tuple[str, str]]) -> FeedReport:
        """(text, where) pairs of a finite source, then :meth:`flush`."""
        for text, where in lines:
            self.line(text, where)
        self.flush()
        return self.feed.report

    def line(self, text: str, where: str) -> None:
        report = self.feed.report
        report.inputs += 1
        if not text.strip():
            return
        try:
            line = parse_line(text, self.local_zone)
        except QueueLogError as error:
            self.feed.reject(Rejection(where, str(error), text))
            return
        translator = self.translator
        if translator.newest is None or line.at > translator.newest:
            translator.newest = line.at  # the source's clock: its newest line of any kind
        previous, self._previous_at = self._previous_at, line.at
        if previous is not None and previous - line.at > self.BACKWARD_JUMP:
            report.backward_jumps += 1
            if report.first_backward_jump is None:
                seconds = int((previous - line.at).total_seconds())
                report.first_backward_jump = f"{where}, {seconds} s back"
        if line.verb in AGENT_VERBS:
            report.agent_events[line.verb] += 1
            if line.verb in PRESENCE_VERBS:
                self.pending.append((line, where))
        elif line.verb not in CALL_VERBS:
            report.unknown[line.verb] += 1
        else:
            self.pending.append((line, where))

    def flush(self) -> None:
        """Decide on the collected lines: each call's lines in the order they happened
        (calls interleaved by time, so the store reads as the day went), then the calls
        the source shows were never closed."""
        pending, self.pending = self.pending, []
        translator = self.translator
        by_call: dict[str, list[QueueLogLine]] = {}
        where_of: dict[str, str] = {}
        read_as: dict[str, int] = {}
        for number, (line, where) in enumerate(pending):
            read_as.setdefault(line.text, number)
            # An agent's lines are assembled like a call's, under the agent's name.
            key = (
                f"\x00agent:{agent_id(line.agent)}" if line.verb in PRESENCE_VERBS else line.call_id
            )
            by_call.setdefault(key, []).append(line)
            where_of.setdefault(line.text, where)  # a repeated line: its first place
        steps: list[tuple[datetime, str, int, QueueLogLine]] = []
        redated: list[QueueLogLine] = []
        for call_id, lines in by_call.items():
            ordered = call_order(lines)
            self.feed.report.duplicates += len(lines) - len(ordered)
            if not call_id.startswith("\x00agent:"):
                assembled = life_order(ordered)
                ordered = list(assembled.lines)
                redated.extend(assembled.redated)
            steps.extend((line.at, call_id, n, line) for n, line in enumerate(ordered))
        steps.sort(key=lambda step: step[:3])
        report = self.feed.report
        report.dated_by_life += len(redated)
        if redated:
            first = min(redated, key=lambda line: read_as[line.text])
            if report.first_dated_by_life is None:
                assert first.stamped_at is not None
                back = int((first.at - first.stamped_at).total_seconds())
                report.first_dated_by_life = f"{where_of[first.text]}, {back} s later"
        for _, _, _, line in steps:
            try:
                if line.verb in PRESENCE_VERBS:
                    commands = translator.translate_presence(line)
                else:
                    commands = translator.translate(line)
            except (QueueLogError, ValueError, TypeError) as error:
                self.feed.reject(Rejection(where_of[line.text], str(error), line.text))
                continue
            self.feed.record(commands, where_of[line.text])
        closing = translator.close_never_closed()
        self.feed.report.closed_by_timeout += len(closing)
        self.feed.record(closing)


# --------------------------------------------------------------------------- reading


class QueueLogFileError(ValueError):
    """A file that cannot be read as a queue_log at all (a damaged gzip file)."""


GZIP_MAGIC: Final = b"\x1f\x8b"


def is_gzip(path: str | Path) -> bool:
    with open(path, "rb") as file:
        return file.read(2) == GZIP_MAGIC


def read_lines(path: str | Path) -> Iterator[tuple[int, str]]:
    """A queue_log file read once: (line number, text). A gzip-compressed rotated file
    (``queue_log.2.gz``) is read through gzip; a damaged one raises
    :class:`QueueLogFileError` saying so."""
    if is_gzip(path):
        try:
            with gzip.open(path, "rt", encoding="utf-8", errors="replace", newline="") as file:
                yield from enumerate(file, start=1)
        except (OSError, EOFError) as error:  # BadGzipFile is an OSError
            raise QueueLogFileError(f"{path} is a damaged gzip file: {error}") from None
        return
    with open(path, encoding="utf-8", errors="replace", newline="") as file:
        yield from enumerate(file, start=1)


def follow_lines(
    path: str | Path,
    *,
    poll_seconds: float = 0.5,
    should_stop: Callable[[], bool] = lambda: False,
    sleep: Callable[[float], None] = time.sleep,
    on_idle: Callable[[], None] = lambda: None,
) -> Iterator[tuple[str, str]]:
    """``tail -F``: the file from its start, then what is appended, surviving rotation
    (the file renamed and a new one created: the old one is read to its end first) and
    truncation (copytruncate). A line is given only once it is whole. Yields
    (where, text) with ``where`` like ``queue_log:12``; ``on_idle`` is called each time
    the file has been read to its end (the feed decides on what it has then)."""
    path = Path(path)
    name = path.name
    file = None
    inode: int | None = None
    number = 0
    pending = ""
    while not should_stop():
        if file is None:
            try:
                file = open(path, encoding="utf-8", errors="replace", newline="")  # noqa: SIM115
            except FileNotFoundError:
                sleep(poll_seconds)
                continue
            inode = os.fstat(file.fileno()).st_ino
            number, pending = 0, ""
        chunk = file.readline()
        if chunk:
            pending += chunk
            if pending.endswith("\n"):
                number += 1
                yield f"{name}:{number}", pending
                pending = ""
            continue
        # At the end: has the file been rotated or truncated under us?
        try:
            current = os.stat(path)
        except FileNotFoundError:
            sleep(poll_seconds)
            continue
        if current.st_ino != inode:
            file.close()
            file = None  # the old file was read to its end; start the new one
            continue
        if current.st_size < file.tell():
            file.seek(0)
            number, pending = 0, ""
            continue
        on_idle()
        sleep(poll_seconds)
    if file is not None:
        file.close()


class QueueLogTableError(ValueError):
    """A realtime table that cannot be read as a queue_log: the message names the table
    and what is wrong (a required column missing, no such table, no database)."""


TABLE_COLUMNS: Final = {
    "time": ("time", "created", "time_id", "timestamp", "eventdate"),
    "callid": ("callid", "call_id", "uniqueid"),
    "queuename": ("queuename", "queue", "queue_name"),
    "agent": ("agent", "membername", "member"),
    "event": ("event", "verb"),
}
"""What each column of a queue_log row is called in the realtime schemas in use:
Asterisk's (``time``, ``callid``, ``queuename``, ``agent``, ``event``, ``data1``..``data5``
or the older single ``data``), Wazo's and FreePBX's (the same, ``time`` a timestamp),
schemas that name the time ``created``, and QueueMetrics' (``time_id`` an epoch,
``call_id``, ``queue``, ``verb``). The first name present is read; other columns
(``id``, ``serverid``, ``partition``) are ignored."""


def _table_error(table: str, error: Exception) -> QueueLogTableError:
    first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    return QueueLogTableError(f"cannot read the queue_log table {table!r}: {quoted(first)}")


def _time_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    return str(value)


def table_lines(
    url: str,
    *,
    table: str = "queue_log",
    after: int = 0,
) -> Generator[tuple[str, str, int], None, None]:
    """The realtime ``queue_log`` table (the columns of :data:`TABLE_COLUMNS`, and
    ``data1``..``data5`` or the single ``data``), read through SQLAlchemy in insertion
    order. Yields (where, line text, row key) where the key is the ``id`` column when the
    table has one (else the row's number), to resume after. A table without a required
    column, a missing table or an unreachable database raise
    :class:`QueueLogTableError` naming it before any row is given."""
    import sqlalchemy as sa

    try:
        engine = sa.create_engine(url)
    except (sa.exc.ArgumentError, sa.exc.NoSuchModuleError, ImportError, ValueError) as error:
        raise QueueLogTableError(
            f"cannot read the queue_log table: {quoted(str(error).splitlines()[0])}"
        ) from None
    try:
        metadata = sa.MetaData()
        try:
            queue_log = sa.Table(table, metadata, autoload_with=engine)
        except sa.exc.NoSuchTableError:
            raise QueueLogTableError(f"the database has no table {table!r}") from None
        except sa.exc.SQLAlchemyError as error:
            raise _table_error(table, error) from None
        columns = queue_log.c
        present = {column.name.lower(): column for column in columns}
        chosen: dict[str, Any] = {}
        missing: list[str] = []
        for role, names in TABLE_COLUMNS.items():
            found = next((present[name] for name in names if name in present), None)
            if found is None:
                missing.append(role)
            else:
                chosen[role] = found
        if missing:
            raise QueueLogTableError(
                f"the table {table} has no {', '.join(missing)} column"
                f"{'s' if len(missing) > 1 else ''} (a queue_log table has time, callid, "
                "queuename, agent, event, data1..data5)"
            )
        data_columns = [present[f"data{i}"] for i in range(1, 6) if f"data{i}" in present]
        if not data_columns and "data" in present:
            data_columns = [present["data"]]
        key = present.get("id")
        query = sa.select(*chosen.values(), *data_columns, *([key] if key is not None else []))
        if key is not None:
            query = query.where(key > after).order_by(key)
        try:
            with engine.connect() as connection:
                for number, row in enumerate(connection.execute(query), start=1):
                    values = list(row)
                    row_key = int(values.pop()) if key is not None else number
                    if key is None and number <= after:
                        continue
                    when, call_id, queue, agent, event, *data = values
                    data_text = [("" if value is None else str(value)) for value in data]
                    if len(data_columns) == 1:  # the old single column: data1|data2|…
                        data_text = data_text[0].split("|")
                    text = "|".join(
                        [
                            _time_text(when),
                            "" if call_id is None else str(call_id),
                            "" if queue is None else str(queue),
                            "" if agent is None else str(agent),
                            "" if event is None else str(event),
                            *data_text,
                        ]
                    )
                    yield f"{table} row {row_key}", text, row_key
        except sa.exc.SQLAlchemyError as error:
            raise _table_error(table, error) from None
    finally:
        engine.dispose()


def check_table(url: str, *, table: str = "queue_log") -> None:
    """Raise :class:`QueueLogTableError` now if the table cannot be read (before a store
    is created for nothing)."""
    rows = table_lines(url, table=table)
    try:
        next(rows, None)
    finally:
        rows.close()
