"""The telephony source port: what every source produces, and the feed that records it.

A source turns a PBX's facts into Call commands whose ``command_id`` is made from the
source's own call and event ids, so a re-read file or a re-delivered webhook records
nothing twice (the message bus returns the first outcome). A fact the domain refuses (a
ring after the call ended) is counted under its rule's name; a line or message that is
not a fact at all is a :class:`Rejection` with its place and reason. Neither stops the
feed, and neither stores anything.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable
from typing import Protocol

import attrs
from attrs import frozen

from callcore.domain.common import Command, DomainError
from callcore.service_layer.messagebus import CommandIdReused

log = logging.getLogger("callcore.telephony")


QUOTE_LIMIT = 120
"""The most of an input a rejection quotes: a 2 MB line is named, not echoed."""


def quoted(text: str, limit: int = QUOTE_LIMIT) -> str:
    """``text`` cut to about ``limit`` characters, saying how long it was."""
    if len(text) <= limit:
        return text
    tail = f"… ({len(text):,} characters)"
    return text[: max(limit - len(tail), 0)] + tail


def _reason(text: str) -> str:
    return quoted(text, 2 * QUOTE_LIMIT) if len(text) > 2 * QUOTE_LIMIT else text


@frozen
class Rejection:
    """Input that is not a fact: where it was (``line 12``), why, and the text (at most
    :data:`QUOTE_LIMIT` characters of it)."""

    where: str = attrs.field(converter=_reason)
    reason: str = attrs.field(converter=_reason)
    text: str = attrs.field(converter=quoted)


@attrs.define
class FeedReport:
    """What a feed did, for the closing line of ``callcore telephony`` and for tests."""

    inputs: int = 0
    commands: int = 0
    recorded: int = 0
    """Commands that recorded events."""
    repeated: int = 0
    """Commands already handled (the same fact read twice): nothing recorded."""
    unchanged: int = 0
    """Commands the domain found nothing to do for (a repeat worded differently)."""
    refused: Counter[str] = attrs.field(factory=Counter)
    """Facts the domain refused, by rule name."""
    refusals: list[Rejection] = attrs.field(factory=list)
    """Each refused fact: where its input was, the rule and why, the command id."""
    unknown: Counter[str] = attrs.field(factory=Counter)
    """Input the source does not know (a queue_log verb, an AMI event), kept and counted."""
    agent_events: Counter[str] = attrs.field(factory=Counter)
    """Agents' presence (login, pause, member changes): understood, not recorded."""
    rejected: list[Rejection] = attrs.field(factory=list)
    closed_by_timeout: int = 0
    """Calls the PBX never closed, closed by the feed's timeout rule."""
    duplicates: int = 0
    """Lines read more than once in the same pass (FreePBX repeats, overlapping files)."""
    backward_jumps: int = 0
    """Lines stamped well before the newest line read before them: reported only."""
    first_backward_jump: str | None = None
    dated_by_life: int = 0
    """Call lines stamped before their call's previous fact (CONNECT before its
    ENTERQUEUE): recorded in the order of the call's life, dated by it."""
    first_dated_by_life: str | None = None

    def summary(self) -> str:
        parts = [
            f"{self.inputs} read",
            f"{self.commands} commands",
            f"{self.recorded} recorded",
            f"{self.repeated} already recorded",
        ]
        if self.duplicates:
            parts.append(f"{self.duplicates} repeated lines read once")
        if self.backward_jumps:
            parts.append(
                f"time jumped back {self.backward_jumps} times (first: "
                f"{self.first_backward_jump}); calls assembled by their own times"
            )
        if self.dated_by_life:
            parts.append(
                f"{self.dated_by_life} lines stamped against their call's life, dated by "
                f"it (first: {self.first_dated_by_life})"
            )
        if self.closed_by_timeout:
            parts.append(f"{self.closed_by_timeout} never-closed calls closed")
        if self.refused:
            first = (
                f" (first: {self.refusals[0].where}: {self.refusals[0].reason})"
                if self.refusals
                else ""
            )
            parts.append(
                "refused " + ", ".join(f"{k} {v}" for k, v in sorted(self.refused.items())) + first
            )
        if self.unknown:
            parts.append(
                "unknown " + ", ".join(f"{k} {v}" for k, v in sorted(self.unknown.items()))
            )
        if self.rejected:
            parts.append(
                f"{len(self.rejected)} rejected (first: {self.rejected[0].where}: "
                f"{self.rejected[0].reason})"
            )
        return "; ".join(parts)


class CommandHandler(Protocol):
    def handle(self, command: Command) -> object: ...


class Feed:
    """Records a source's commands in a centre, one by one, counting every outcome."""

    def __init__(
        self,
        center: CommandHandler,
        report: FeedReport | None = None,
        *,
        conflicts_raise: bool = False,
    ) -> None:
        self.center = center
        self.report = report or FeedReport()
        self.conflicts_raise = conflicts_raise
        """A command id already used for a different command: counted as refused (a file
        feed goes on), or raised (a webhook answers the conflict)."""

    def reject(self, rejection: Rejection) -> None:
        self.report.rejected.append(rejection)
        log.warning("rejected %s: %s: %r", rejection.where, rejection.reason, rejection.text)

    def record(self, commands: Iterable[Command], where: str | None = None) -> None:
        """Handle each command; ``where`` names the input they came from (``queue_log:12``)
        for the report of what was refused."""
        for command in commands:
            self.report.commands += 1
            try:
                outcome = self.center.handle(command)
            except DomainError as error:
                self._refuse(command, error.rule.name, str(error), where)
                continue
            except CommandIdReused as error:
                # The same line id already recorded a different fact (a store written by
                # an older reading of the line): nothing is recorded, the feed goes on.
                if self.conflicts_raise:
                    raise
                self._refuse(command, "command-id-reused", str(error), where)
                continue
            if getattr(outcome, "repeated", False):
                self.report.repeated += 1
            elif getattr(outcome, "recorded", ()):
                self.report.recorded += 1
            else:
                self.report.unchanged += 1

    def _refuse(self, command: Command, rule: str, why: str, where: str | None) -> None:
        self.report.refused[rule] += 1
        self.report.refusals.append(
            Rejection(
                where or command.command_id or type(command).__name__,
                why if why.startswith(rule) else f"{rule}: {why}",
                command.command_id or "",
            )
        )
        log.info("refused %s %s: %s", type(command).__name__, command.command_id, why)
