"""One definition of "answered within target" (domain.md §6 "one answer figure").

The ``answer`` SLA clock (:mod:`callcore.projections.sla`) and the queue's service level
(:mod:`callcore.projections.queues`) both classify a call with :func:`classify`, so for
the same calls the answer clock's compliance is the queue's service level:
``within ÷ (within + missed)``.

* **within** — answered after waiting no longer than the target;
* **missed** — answered later; or still waiting past the target (breached as of that
  moment, and so for ever after: once breached, always breached); or it left the queue
  unanswered — abandoned after the short-abandon threshold, timed out, or sent to
  voicemail while the centre was open: a queue time-out and a voicemail in opening hours
  are the centre's doing;
* **short abandon** — the caller hung up within the policy's short-abandon threshold (a
  misdial): in neither count;
* **after hours** — offered while the centre was closed (or sent to voicemail after
  hours before the target passed): nobody was there to answer, so in neither count; the
  voicemail starts the ``voicemail-callback`` clock instead, and the queue counts it as
  after-hours;
* **abandoned within target** — only under the ``excluding-abandons`` variant
  (``service_level_counts_abandons = false``): an abandon before the target passed is in
  neither count (one after it was already missed, and stays missed);
* **waiting** — still in the queue and not yet past the target: not decided.

A call left past the target is missed whatever the threshold or variant says: it was
breached while it waited.
"""

from __future__ import annotations

import enum

from attrs import frozen

from callcore.domain.directory import SlaPolicy


class AnswerOutcome(enum.StrEnum):
    WITHIN = "within-target"
    MISSED = "missed"
    SHORT_ABANDON = "short-abandon"
    AFTER_HOURS = "after-hours"
    ABANDONED_WITHIN_TARGET = "abandoned-within-target"
    WAITING = "waiting"

    @property
    def counted(self) -> bool:
        """In the answer figure's denominator."""
        return self in (AnswerOutcome.WITHIN, AnswerOutcome.MISSED)


@frozen
class AnswerRule:
    """What the classification needs of the policy a call was offered under."""

    target_seconds: float
    short_abandon_seconds: float
    counts_abandons: bool

    @classmethod
    def of(cls, policy: SlaPolicy) -> AnswerRule:
        return cls(
            target_seconds=policy.answer_seconds,
            short_abandon_seconds=policy.short_abandon_seconds,
            counts_abandons=policy.service_level_counts_abandons,
        )

    @property
    def variant(self) -> str:
        return "counting-abandons" if self.counts_abandons else "excluding-abandons"


ANSWERED = "answered"
ABANDONED = "abandoned"
TIMED_OUT = "timed-out"
VOICEMAIL = "voicemail"


def classify(
    rule: AnswerRule,
    *,
    offered_after_hours: bool,
    ending: str | None,
    waited_seconds: float,
    ended_after_hours: bool = False,
) -> AnswerOutcome:
    """A call's place in the answer figure.

    ``ending`` is ``answered``, ``abandoned``, ``timed-out``, ``voicemail``, or ``None``
    while it still waits; ``waited_seconds`` is its wait when it ended, or so far."""
    if offered_after_hours:
        return AnswerOutcome.AFTER_HOURS
    late = waited_seconds > rule.target_seconds
    if ending is None:
        return AnswerOutcome.MISSED if late else AnswerOutcome.WAITING
    if ending == ANSWERED:
        return AnswerOutcome.MISSED if late else AnswerOutcome.WITHIN
    if late:
        return AnswerOutcome.MISSED
    if ending == VOICEMAIL and ended_after_hours:
        return AnswerOutcome.AFTER_HOURS
    if ending == ABANDONED:
        if waited_seconds <= rule.short_abandon_seconds:
            return AnswerOutcome.SHORT_ABANDON
        if not rule.counts_abandons:
            return AnswerOutcome.ABANDONED_WITHIN_TARGET
    return AnswerOutcome.MISSED


def answer_figure(outcomes: list[AnswerOutcome]) -> float | None:
    """within ÷ (within + missed); ``None`` when no call is counted."""
    within = outcomes.count(AnswerOutcome.WITHIN)
    counted = within + outcomes.count(AnswerOutcome.MISSED)
    return None if counted == 0 else within / counted
