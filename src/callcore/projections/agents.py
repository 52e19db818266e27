"""The agents' day (issue 17): a pure fold over agent-presence and Call events.

Per agent, over a period (a centre-local day by default) and as of an instant:

* **logged in** — time logged in (AGENTLOGIN … AGENTLOGOFF, or a member of at least one
  queue: ADDMEMBER … REMOVEMEMBER), clipped to the period; a session not closed yet
  runs to the instant asked;
* **paused**, by reason — time paused while logged in (PAUSE / PAUSEALL … UNPAUSE /
  UNPAUSEALL, AMI's QueueMemberPause); a pause applies to the agent in every queue;
* **talk** — the talk time of the calls the agent answered (answer to completion) that
  ended in the period; **calls answered**; **ring-no-answers**;
* **average handle time** — talk ÷ calls answered. queue_log and AMI report no wrap-up
  (Asterisk's ``wrapuptime`` writes no line), so handle time here is talk time only;
* **occupancy** — talk ÷ (logged in − paused): the share of the time the agent was
  available that was spent talking (the "available time" variant; a pause is not
  available time);
* **state now** — logged out, available, talking or paused (with the reason and since
  when); **paused too long** when paused for longer than the directory's
  ``[telephony] paused_too_long_minutes``.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta, tzinfo

import attrs
from attrs import frozen

from callcore.domain import agent as presence
from callcore.domain import call
from callcore.domain.directory import Directory
from callcore.ports import Recorded


@attrs.define
class _Agent:
    sessions: list[tuple[datetime, datetime | None]] = attrs.field(factory=list)
    pauses: list[tuple[datetime, datetime | None, str]] = attrs.field(factory=list)
    calls: list[tuple[datetime, datetime | None]] = attrs.field(factory=list)
    """(answered at, completed at) of each call the agent answered."""
    ring_no_answers: list[datetime] = attrs.field(factory=list)


@frozen
class PausedTime:
    reason: str
    seconds: float


@frozen
class AgentRow:
    agent: str
    state: str
    """``logged-out``, ``available``, ``talking`` or ``paused``."""
    state_since: datetime | None
    pause_reason: str | None
    paused_too_long: bool
    logged_in_seconds: float
    paused_seconds: float
    paused_by_reason: tuple[PausedTime, ...]
    talk_seconds: float
    calls_answered: int
    ring_no_answers: int
    average_handle_seconds: float | None
    occupancy: float | None


@frozen
class AgentsView:
    as_of: datetime
    since: datetime
    until: datetime
    paused_too_long_minutes: int
    agents: tuple[AgentRow, ...]


def overlap_seconds(
    start: datetime, end: datetime | None, since: datetime, until: datetime
) -> float:
    """Seconds of [start, end) inside [since, until); an open span (end None) runs to until."""
    stop = until if end is None else min(end, until)
    begin = max(start, since)
    return max(0.0, (stop - begin).total_seconds())


class AgentDay:
    def __init__(self, directory: Directory) -> None:
        self.directory = directory
        self.agents: dict[str, _Agent] = {}
        self._answered_by: dict[str, tuple[str, int]] = {}
        """Call stream → (agent, index of the call in the agent's list)."""

    def apply_all(self, records: Iterable[Recorded]) -> AgentDay:
        for record in records:
            self.apply(record)
        return self

    def _agent(self, name: str) -> _Agent:
        return self.agents.setdefault(name, _Agent())

    def apply(self, record: Recorded) -> None:
        event = record.event
        match event:
            case presence.AgentLoggedIn():
                sessions = self._agent(event.agent).sessions
                if not sessions or sessions[-1][1] is not None:
                    sessions.append((event.at, None))
            case presence.AgentLoggedOut():
                found = self._agent(event.agent)
                if found.sessions and found.sessions[-1][1] is None:
                    found.sessions[-1] = (found.sessions[-1][0], event.at)
                elif not found.sessions:
                    pass  # the log began mid-shift: nothing known before the logoff
                self._end_pause(found, event.at)
            case presence.AgentPaused():
                found = self._agent(event.agent)
                self._end_pause(found, event.at)
                found.pauses.append((event.at, None, event.reason))
            case presence.AgentUnpaused():
                self._end_pause(self._agent(event.agent), event.at)
            case call.CallAnswered():
                found = self._agent(event.agent)
                found.calls.append((event.at, None))
                self._answered_by[record.stream] = (event.agent, len(found.calls) - 1)
            case call.CallCompleted() | call.CallEnteredQueue():
                answered = self._answered_by.pop(record.stream, None)
                if answered is not None:
                    name, index = answered
                    calls = self.agents[name].calls
                    calls[index] = (calls[index][0], event.at)
            case call.RingNotAnswered():
                self._agent(event.agent).ring_no_answers.append(event.at)

    @staticmethod
    def _end_pause(found: _Agent, at: datetime) -> None:
        if found.pauses and found.pauses[-1][1] is None:
            start, _, reason = found.pauses[-1]
            found.pauses[-1] = (start, at, reason)

    def view(
        self, at: datetime, since: datetime | None = None, until: datetime | None = None
    ) -> AgentsView:
        since = since or datetime.min.replace(tzinfo=at.tzinfo)
        limit = min(until, at) if until is not None else at
        threshold = self.directory.telephony.paused_too_long_minutes
        rows = []
        for name in sorted(self.agents):
            found = self.agents[name]
            sessions = [(s, e) for s, e in found.sessions if s <= at]
            logged = sum(
                overlap_seconds(s, e if e is None or e <= at else None, since, limit)
                for s, e in sessions
            )
            by_reason: dict[str, float] = {}
            for start, end, reason in found.pauses:
                if start > at:
                    continue
                shown_end = end if end is not None and end <= at else None
                seconds = overlap_seconds(start, shown_end, since, limit)
                if seconds:
                    by_reason[reason] = by_reason.get(reason, 0.0) + seconds
            paused = sum(by_reason.values())
            ended_calls = [
                (a, c) for a, c in found.calls if c is not None and c <= at and since <= c < limit
            ]
            talk = sum((c - a).total_seconds() for a, c in ended_calls)
            answered = sum(1 for a, _ in found.calls if since <= a < limit and a <= at)
            available = logged - paused
            state, state_since, reason_now = self._state_now(found, at)
            rows.append(
                AgentRow(
                    agent=name,
                    state=state,
                    state_since=state_since,
                    pause_reason=reason_now,
                    paused_too_long=state == "paused"
                    and state_since is not None
                    and at - state_since > timedelta(minutes=threshold),
                    logged_in_seconds=logged,
                    paused_seconds=paused,
                    paused_by_reason=tuple(PausedTime(r, s) for r, s in sorted(by_reason.items())),
                    talk_seconds=talk,
                    calls_answered=answered,
                    ring_no_answers=sum(1 for r in found.ring_no_answers if since <= r < limit),
                    average_handle_seconds=talk / len(ended_calls) if ended_calls else None,
                    occupancy=talk / available if available > 0 else None,
                )
            )
        return AgentsView(at, since, limit, threshold, tuple(rows))

    @staticmethod
    def _state_now(found: _Agent, at: datetime) -> tuple[str, datetime | None, str | None]:
        session = next(
            (s for s, e in reversed(found.sessions) if s <= at and (e is None or e > at)), None
        )
        talking = next(
            (a for a, c in reversed(found.calls) if a <= at and (c is None or c > at)), None
        )
        if talking is not None:
            return "talking", talking, None
        if session is None:
            return "logged-out", None, None
        pause = next(
            ((s, r) for s, e, r in reversed(found.pauses) if s <= at and (e is None or e > at)),
            None,
        )
        if pause is not None:
            return "paused", pause[0], pause[1]
        return "available", session, None


def agents_data(view: AgentsView) -> dict[str, object]:
    """The stable JSON of ``callcore views --view agents``."""

    def seconds(value: float | None) -> float | None:
        return None if value is None else round(value, 3)

    return {
        "as_of": view.as_of.isoformat(),
        "since": view.since.isoformat(),
        "until": view.until.isoformat(),
        "paused_too_long_minutes": view.paused_too_long_minutes,
        "occupancy_formula": "talk / (logged in - paused)",
        "agents": [
            {
                "agent": row.agent,
                "state": row.state,
                "state_since": row.state_since.isoformat() if row.state_since else None,
                "pause_reason": row.pause_reason,
                "paused_too_long": row.paused_too_long,
                "logged_in_seconds": seconds(row.logged_in_seconds),
                "paused_seconds": seconds(row.paused_seconds),
                "paused_by_reason": {p.reason: seconds(p.seconds) for p in row.paused_by_reason},
                "talk_seconds": seconds(row.talk_seconds),
                "calls_answered": row.calls_answered,
                "ring_no_answers": row.ring_no_answers,
                "average_handle_seconds": seconds(row.average_handle_seconds),
                "occupancy": None if row.occupancy is None else round(row.occupancy, 6),
            }
            for row in view.agents
        ],
    }


def render_agents(view: AgentsView, zone: tzinfo | None = None) -> str:
    def hms(value: float | None) -> str:
        if value is None:
            return "—"
        whole = int(value)
        return f"{whole // 3600:d}:{whole % 3600 // 60:02d}:{whole % 60:02d}"

    head = "agent  state  since  logged-in  paused  talk  answered  rna  AHT  occupancy  pauses"
    lines = [head]
    for row in view.agents:
        since = "—"
        if row.state_since is not None:
            shown = row.state_since.astimezone(zone) if zone is not None else row.state_since
            since = shown.strftime("%H:%M")
        state = row.state + (f" ({row.pause_reason})" if row.pause_reason else "")
        if row.paused_too_long:
            state += " PAUSED TOO LONG"
        pauses = ", ".join(f"{p.reason} {hms(p.seconds)}" for p in row.paused_by_reason) or "—"
        occupancy = "—" if row.occupancy is None else f"{row.occupancy * 100:.1f}%"
        lines.append(
            "  ".join(
                [
                    row.agent,
                    state,
                    since,
                    hms(row.logged_in_seconds),
                    hms(row.paused_seconds),
                    hms(row.talk_seconds),
                    str(row.calls_answered),
                    str(row.ring_no_answers),
                    hms(row.average_handle_seconds),
                    occupancy,
                    pauses,
                ]
            )
        )
    lines.append("")
    lines.append("occupancy = talk ÷ (logged in − paused); handle time is talk time")
    return "\n".join(lines) + "\n"
