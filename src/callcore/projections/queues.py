"""Phone-queue metrics (interfaces.md §4 ``queues``, §6): a pure fold over Call events.

Formulas (the variant in force is named in every row, and all variants are given so QA
can compare):

* **offered** — inbound calls offered to the queue in the period (outbound calls are not
  queue traffic);
* **answered**, **answered_within_target** — answered, and answered after waiting no
  longer than the target (ring cycle × answer rings: 15 s in China, 18 s in the US);
* **abandoned** — the caller hung up while waiting; **short_abandoned** — of those, the
  ones who hung up within the short-abandon threshold (default 5 s: a misdial, not a
  failure of the centre); **timed_out** and **voicemail** are reported on their own;
* **service_level** — the one answer figure of :mod:`callcore.projections.answering`,
  shared with the ``answer`` SLA clock: within target ÷ (within target + missed), under
  the policy in force when each call was offered (as the clock keeps it); its variant
  ``counting-abandons`` or ``excluding-abandons`` is the directory's
  ``service_level_counts_abandons``, and both are in ``service_level_variants``, with
  ``answered-or-abandoned``: answered_within_target ÷ (answered + abandoned − short_abandoned);
* **after_hours** — calls offered while the centre was closed: in no service level (they
  start the voicemail-callback clock);
* **asa_seconds** — average speed of answer: the mean wait of answered calls;
* **abandon_rate** — (abandoned − short_abandoned) ÷ (offered − short_abandoned).

A ratio whose denominator is 0 is ``None``. Calls still waiting at the instant asked count
as offered and ``waiting``, in no outcome yet.

A caller moved to another queue on the same call (``CallEnteredQueue``) is a new leg: each
leg is counted in the queue it was offered to, with its own wait (Asterisk's hold time
when the PBX gave it). A call that ended without being answered and without an abandon,
a timeout or a voicemail (the PBX only said it was over) is counted as abandoned when it
ended: the caller hung up while waiting; it is never left ``waiting``.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta

import attrs
from attrs import frozen

from callcore.domain import call
from callcore.domain.calendar import BusinessCalendar
from callcore.domain.common import Event
from callcore.domain.directory import Directory, SlaPolicy
from callcore.domain.policy import SlaPolicyAdopted
from callcore.ports import Recorded
from callcore.projections.answering import AnswerOutcome, AnswerRule, answer_figure, classify


@frozen
class CallFacts:
    """What the queue metrics need of one inbound call, with when each fact happened."""

    call_id: str
    queue: str
    offered_at: datetime
    answered_at: datetime | None = None
    waited_seconds: float | None = None
    ended_at: datetime | None = None
    outcome: str | None = None
    """``abandoned``, ``timed-out`` or ``voicemail`` for a call that was never answered."""
    after_hours: bool = False
    ended_after_hours: bool = False
    rule: AnswerRule | None = None
    """The answer rule of the policy in force when the call was offered."""

    def answer_outcome(self, at: datetime, rule: AnswerRule) -> AnswerOutcome:
        """Its place in the one answer figure as of ``at`` (:mod:`answering`)."""
        ending: str | None
        if self.answered_at is not None and self.answered_at <= at:
            ending, waited = "answered", self.waited_seconds or 0.0
        elif self.answered_at is None and self.ended_at is not None and self.ended_at <= at:
            ending, waited = self.outcome, self.waited_seconds or 0.0
        else:
            ending, waited = None, max(0.0, (at - self.offered_at).total_seconds())
        return classify(
            rule,
            offered_after_hours=self.after_hours,
            ending=ending,
            waited_seconds=waited,
            ended_after_hours=self.ended_after_hours,
        )


@frozen
class Variant:
    """One variant of the service level (counting abandons or not) and its value."""

    name: str
    value: float | None


@frozen
class QueueRow:
    """One phone queue's figures: calls offered, answered, abandoned, timed out, sent to
    voicemail, waiting, the service level and waits."""

    queue: str
    offered: int
    answered: int
    abandoned: int
    short_abandoned: int
    timed_out: int
    voicemail: int
    waiting: int
    after_hours: int
    answered_within_target: int
    service_level: float | None
    asa_seconds: float | None
    abandon_rate: float | None
    formula: str
    target_seconds: int
    short_abandon_seconds: int
    ring_cycle_seconds: int
    service_level_variants: tuple[Variant, ...]


@frozen
class QueueView:
    """The phone queues' figures as of an instant, over an optional time range."""

    as_of: datetime
    since: datetime | None
    until: datetime | None
    queues: tuple[QueueRow, ...]


@frozen
class Interval:
    start: datetime
    end: datetime
    queues: tuple[QueueRow, ...]


def _ratio(numerator: int, denominator: int) -> float | None:
    return None if denominator <= 0 else numerator / denominator


class QueueMetrics:
    def __init__(self, directory: Directory, *, policy_override: SlaPolicy | None = None) -> None:
        self.directory = directory
        self.policy = policy_override or directory.sla
        self.policy_overridden = policy_override is not None
        self.calendar = BusinessCalendar(directory.calendar)
        self.adopted: list[tuple[datetime, SlaPolicy]] = []
        """The policies recorded, by their instant: a view of an instant is labelled
        (target, short abandons, formula) with the one in force then, however far the
        fold has read."""
        self.calls: dict[str, CallFacts] = {}
        self.dirty: set[str] = set()
        """Calls changed since the last :meth:`take_dirty` (for materialisers)."""

    def take_dirty(self) -> set[str]:
        dirty, self.dirty = self.dirty, set()
        return dirty

    def apply_all(self, records: Iterable[Recorded]) -> QueueMetrics:
        for record in records:
            self.apply(record)
        return self

    def _leg_key(self, stream: str) -> str:
        """The key of the stream's current leg: the stream for the first (so a store read
        before legs existed reads the same), ``<stream>~leg<n>`` for the n-th."""
        n = 1
        while f"{stream}~leg{n + 1}" in self.calls:
            n += 1
        return stream if n == 1 else f"{stream}~leg{n}"

    @classmethod
    def consumes(cls) -> frozenset[type[Event]]:
        """The event types :meth:`apply` folds; a reader may leave every other type
        undecoded (the fold ignores them)."""
        return _QUEUE_EVENTS

    def apply(self, record: Recorded) -> None:
        event = record.event
        key = self._leg_key(record.stream)
        if key in self.calls or isinstance(event, call.CallOffered | call.CallEnteredQueue):
            self.dirty.add(key)
        match event:
            case SlaPolicyAdopted():
                if not self.policy_overridden:
                    self.policy = event.policy  # for calls offered from now on
                    self.adopted.append((event.at, event.policy))
            case call.CallOffered():
                if record.stream not in self.calls:
                    self.calls[record.stream] = CallFacts(
                        event.call_id,
                        event.queue,
                        event.at,
                        after_hours=event.after_hours,
                        rule=AnswerRule.of(self.policy),
                    )
            case call.CallEnteredQueue():
                first = self.calls.get(record.stream)
                if first is not None:
                    leg = f"{record.stream}~leg{event.leg}"
                    self.calls[leg] = CallFacts(
                        first.call_id,
                        event.queue,
                        event.at,
                        after_hours=first.after_hours,
                        rule=AnswerRule.of(self.policy),
                    )
                    self.dirty.add(leg)
            case call.CallAnswered():
                facts = self.calls.get(key)
                if facts is not None:
                    self.calls[key] = attrs.evolve(
                        facts, answered_at=event.at, waited_seconds=event.waited_seconds
                    )
            case call.CallCompleted():
                facts = self.calls.get(key)
                if facts is not None and facts.answered_at is None and facts.ended_at is None:
                    self.calls[key] = attrs.evolve(
                        facts,
                        ended_at=event.at,
                        waited_seconds=max(0.0, (event.at - facts.offered_at).total_seconds()),
                        outcome="abandoned",
                    )
            case call.CallAbandoned() | call.CallTimedOut() | call.CallSentToVoicemail():
                facts = self.calls.get(key)
                if facts is not None:
                    outcome = {
                        call.CallAbandoned: "abandoned",
                        call.CallTimedOut: "timed-out",
                        call.CallSentToVoicemail: "voicemail",
                    }[type(event)]
                    self.calls[key] = attrs.evolve(
                        facts,
                        ended_at=event.at,
                        waited_seconds=event.waited_seconds,
                        outcome=outcome,
                        ended_after_hours=getattr(event, "after_hours", False),
                    )

    # -- reading -------------------------------------------------------------------

    def policy_at(self, at: datetime) -> SlaPolicy:
        """The policy in force at ``at``: the last recorded by then (the fold's first
        before any is), or the what-if's."""
        if self.policy_overridden or not self.adopted:
            return self.policy
        chosen = self.adopted[0][1]
        for instant, policy in self.adopted:
            if instant > at:
                break
            chosen = policy
        return chosen

    def _row(self, queue: str, calls: list[CallFacts], at: datetime) -> QueueRow:
        sla = self.policy_at(at)
        rule = AnswerRule.of(sla)
        target = sla.answer_seconds
        offered = len(calls)
        counting, excluding = (
            [
                c.answer_outcome(at, attrs.evolve(c.rule or rule, counts_abandons=counts))
                for c in calls
            ]
            for counts in (True, False)
        )
        # The row's figure: each call under the variant of the policy it was offered
        # under, as its answer clock is; the two variants beside it, for every call.
        chosen_outcomes = [
            counted if (c.rule or rule).counts_abandons else excluded
            for c, counted, excluded in zip(calls, counting, excluding, strict=True)
        ]
        answered = [c for c in calls if c.answered_at is not None and c.answered_at <= at]
        ended = [
            c
            for c in calls
            if c.answered_at is None and c.ended_at is not None and c.ended_at <= at
        ]
        abandoned = [c for c in ended if c.outcome == "abandoned"]
        short = [
            c
            for c in abandoned
            if (c.waited_seconds or 0) <= (c.rule or rule).short_abandon_seconds
        ]
        within = chosen_outcomes.count(AnswerOutcome.WITHIN)
        either = _ratio(within, len(answered) + len(abandoned) - len(short))
        chosen = "counting-abandons" if sla.service_level_counts_abandons else "excluding-abandons"
        waits = [c.waited_seconds or 0.0 for c in answered]
        return QueueRow(
            queue=queue,
            offered=offered,
            answered=len(answered),
            abandoned=len(abandoned),
            short_abandoned=len(short),
            timed_out=sum(1 for c in ended if c.outcome == "timed-out"),
            voicemail=sum(1 for c in ended if c.outcome == "voicemail"),
            waiting=offered - len(answered) - len(ended),
            after_hours=sum(1 for c in calls if c.after_hours),
            answered_within_target=within,
            service_level=answer_figure(chosen_outcomes),
            asa_seconds=sum(waits) / len(waits) if waits else None,
            abandon_rate=_ratio(len(abandoned) - len(short), offered - len(short)),
            formula=chosen,
            target_seconds=target,
            short_abandon_seconds=sla.short_abandon_seconds,
            ring_cycle_seconds=sla.ring_cycle_seconds,
            service_level_variants=(
                Variant("counting-abandons", answer_figure(counting)),
                Variant("excluding-abandons", answer_figure(excluding)),
                Variant("answered-or-abandoned", either),
            ),
        )

    def _rows(
        self, at: datetime, since: datetime | None, until: datetime | None
    ) -> tuple[QueueRow, ...]:
        by_queue: dict[str, list[CallFacts]] = {}
        for facts in self.calls.values():
            if facts.offered_at > at:
                continue
            if since is not None and facts.offered_at < since:
                continue
            if until is not None and facts.offered_at >= until:
                continue
            by_queue.setdefault(facts.queue, []).append(facts)
        return tuple(self._row(queue, calls, at) for queue, calls in sorted(by_queue.items()))

    def view(
        self, at: datetime, since: datetime | None = None, until: datetime | None = None
    ) -> QueueView:
        """Calls offered in [since, until), with what had happened to them by ``at``."""
        return QueueView(as_of=at, since=since, until=until, queues=self._rows(at, since, until))

    def intervals(self, at: datetime, day: date, minutes: int = 30) -> tuple[Interval, ...]:
        """The same figures per interval of a centre-local day: the intraday curve."""
        start = self.calendar.at(day, datetime.min.time())
        end = start + timedelta(days=1)
        result = []
        cursor = start
        while cursor < end and cursor <= at:
            upper = cursor + timedelta(minutes=minutes)
            rows = self._rows(at, cursor, upper)
            if rows:
                result.append(Interval(cursor, upper, rows))
            cursor = upper
        return tuple(result)


_QUEUE_EVENTS: frozenset[type[Event]] = frozenset(
    {
        SlaPolicyAdopted,
        call.CallOffered,
        call.CallEnteredQueue,
        call.CallAnswered,
        call.CallCompleted,
        call.CallAbandoned,
        call.CallTimedOut,
        call.CallSentToVoicemail,
    }
)
