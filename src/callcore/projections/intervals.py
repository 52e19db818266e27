"""Interval reports (issue 17): the queue figures of a centre-local day by 15-, 30- or
60-minute interval, a 5-second histogram of waits, and the service level for several
thresholds at once with every variant side by side, so a centre can set its own
manual's figure beside another vendor's for the same day.

A pure function of the queue fold's per-leg facts (:class:`~callcore.projections.queues.
CallFacts`): a leg belongs to the interval it was offered in, with what had happened to
it by the instant asked.

Each leg is classified by the one answer definition
(:func:`callcore.projections.answering.classify`, through
:meth:`~callcore.projections.queues.CallFacts.answer_outcome`), as the queue view and the
answer clock classify it: an interval's ``answered_within_target``, ``missed`` and
``service_level`` are the queue view's, leg by leg, so the rows of a day add up to the
queue view of that day (each leg under the policy it was offered under).

Service-level variants for each threshold, ``within ÷ a denominator``, where *within*
is the legs :func:`classify` puts within that threshold (an after-hours call never is):

* ``counting-all-abandons`` — ÷ offered: every abandon, even a short one, is a failure;
* ``counting-abandons`` — the one answer figure with abandons counted: ÷ (within +
  missed), i.e. offered less short abandons, after-hours calls and calls still waiting
  within the threshold;
* ``excluding-abandons`` — the one answer figure with abandons within the threshold
  left out (one after it stays missed);
* ``answered-or-abandoned`` — ÷ (answered + abandoned − short abandons): timeouts and
  voicemails left out, as the queue view's third variant.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta, tzinfo

import attrs
from attrs import frozen

from callcore.projections.answering import AnswerOutcome, AnswerRule, answer_figure
from callcore.projections.queues import CallFacts

INTERVAL_MINUTES = (15, 30, 60)
HISTOGRAM_SECONDS = 5
VARIANTS = (
    "counting-all-abandons",
    "counting-abandons",
    "excluding-abandons",
    "answered-or-abandoned",
)


@frozen
class ServiceLevel:
    threshold_seconds: int
    variant: str
    value: float | None


@frozen
class IntervalRow:
    queue: str
    start: datetime
    end: datetime
    offered: int
    answered: int
    abandoned: int
    short_abandoned: int
    timed_out: int
    waiting: int
    asa_seconds: float | None
    longest_wait_seconds: float | None
    service_levels: tuple[ServiceLevel, ...]
    answered_within_target: int = 0
    """Legs within their own policy's target (the queue view's count)."""
    missed: int = 0
    """Legs in the answer figure's denominator that were not within target."""
    service_level: float | None = None
    """The one answer figure of the interval (the queue view's ``service_level``)."""


@frozen
class WaitBucket:
    """Waits in [from, to): answered and abandoned calls."""

    queue: str
    from_seconds: int
    to_seconds: int
    answered: int
    abandoned: int


@frozen
class IntervalReport:
    as_of: datetime
    start: datetime
    end: datetime
    minutes: int
    thresholds: tuple[int, ...]
    short_abandon_seconds: int
    rows: tuple[IntervalRow, ...]
    histogram: tuple[WaitBucket, ...]


def _ratio(numerator: int, denominator: int) -> float | None:
    return None if denominator <= 0 else numerator / denominator


def _row(
    queue: str,
    start: datetime,
    end: datetime,
    legs: Sequence[CallFacts],
    at: datetime,
    thresholds: Sequence[int],
    rule: AnswerRule,
) -> IntervalRow:
    answered = [c for c in legs if c.answered_at is not None and c.answered_at <= at]
    ended = [
        c for c in legs if c.answered_at is None and c.ended_at is not None and c.ended_at <= at
    ]
    abandoned = [c for c in ended if c.outcome == "abandoned"]
    short = [
        c for c in abandoned if (c.waited_seconds or 0) <= (c.rule or rule).short_abandon_seconds
    ]
    waits = [c.waited_seconds or 0.0 for c in answered]
    known_waits = [c.waited_seconds for c in (*answered, *ended) if c.waited_seconds is not None]
    # Each leg under the policy it was offered under: the queue view's figure.
    own = [c.answer_outcome(at, c.rule or rule) for c in legs]
    levels: list[ServiceLevel] = []
    for threshold in thresholds:
        counting, excluding = (
            [
                c.answer_outcome(
                    at,
                    attrs.evolve(c.rule or rule, target_seconds=threshold, counts_abandons=counts),
                )
                for c in legs
            ]
            for counts in (True, False)
        )
        within = counting.count(AnswerOutcome.WITHIN)
        values = {
            "counting-all-abandons": _ratio(within, len(legs)),
            "counting-abandons": answer_figure(counting),
            "excluding-abandons": answer_figure(excluding),
            "answered-or-abandoned": _ratio(within, len(answered) + len(abandoned) - len(short)),
        }
        levels.extend(ServiceLevel(threshold, variant, values[variant]) for variant in VARIANTS)
    within_target = own.count(AnswerOutcome.WITHIN)
    return IntervalRow(
        queue=queue,
        start=start,
        end=end,
        offered=len(legs),
        answered=len(answered),
        abandoned=len(abandoned),
        short_abandoned=len(short),
        timed_out=sum(1 for c in ended if c.outcome == "timed-out"),
        waiting=len(legs) - len(answered) - len(ended),
        asa_seconds=sum(waits) / len(waits) if waits else None,
        longest_wait_seconds=max(known_waits) if known_waits else None,
        service_levels=tuple(levels),
        answered_within_target=within_target,
        missed=own.count(AnswerOutcome.MISSED),
        service_level=answer_figure(own),
    )


def interval_report(
    legs: Iterable[CallFacts],
    *,
    at: datetime,
    start: datetime,
    end: datetime,
    minutes: int = 30,
    thresholds: Sequence[int] = (15, 30),
    short_abandon_seconds: int = 5,
    rule: AnswerRule | None = None,
) -> IntervalReport:
    """Every interval of [start, end) with calls offered in it, queue by queue, and the
    histogram of the waits of the legs offered in [start, end). ``rule`` classifies a
    leg that carries no policy of its own (the queue fold gives each leg its own);
    without it, the first threshold is the target and abandons count."""
    if minutes not in INTERVAL_MINUTES:
        raise ValueError(f"intervals are of {', '.join(map(str, INTERVAL_MINUTES))} minutes")
    if not thresholds or any(t <= 0 for t in thresholds):
        raise ValueError("service-level thresholds are whole seconds above 0")
    chosen = sorted(
        (c for c in legs if start <= c.offered_at < end and c.offered_at <= at),
        key=lambda c: (c.queue, c.offered_at, c.call_id),
    )
    fallback = rule or AnswerRule(
        target_seconds=thresholds[0],
        short_abandon_seconds=short_abandon_seconds,
        counts_abandons=True,
    )
    step = timedelta(minutes=minutes)
    buckets: dict[tuple[str, int], list[CallFacts]] = {}
    for leg in chosen:
        index = int((leg.offered_at - start) / step)
        buckets.setdefault((leg.queue, index), []).append(leg)
    rows = tuple(
        _row(
            queue,
            start + index * step,
            min(end, start + (index + 1) * step),
            found,
            at,
            thresholds,
            fallback,
        )
        for (queue, index), found in sorted(buckets.items())
    )
    return IntervalReport(
        as_of=at,
        start=start,
        end=end,
        minutes=minutes,
        thresholds=tuple(thresholds),
        short_abandon_seconds=short_abandon_seconds,
        rows=rows,
        histogram=_histogram(chosen, at),
    )


def _histogram(legs: Sequence[CallFacts], at: datetime) -> tuple[WaitBucket, ...]:
    counts: dict[str, dict[int, list[int]]] = {}
    for leg in legs:
        if leg.waited_seconds is None:
            continue
        answered = leg.answered_at is not None and leg.answered_at <= at
        abandoned = (
            not answered
            and leg.outcome == "abandoned"
            and leg.ended_at is not None
            and leg.ended_at <= at
        )
        if not (answered or abandoned):
            continue
        bucket = int(leg.waited_seconds // HISTOGRAM_SECONDS)
        per_queue = counts.setdefault(leg.queue, {})
        pair = per_queue.setdefault(bucket, [0, 0])
        pair[0 if answered else 1] += 1
    result = []
    for queue in sorted(counts):
        per_queue = counts[queue]
        for bucket in range(max(per_queue) + 1):  # every bucket up to the longest wait
            answered_n, abandoned_n = per_queue.get(bucket, [0, 0])
            result.append(
                WaitBucket(
                    queue,
                    bucket * HISTOGRAM_SECONDS,
                    (bucket + 1) * HISTOGRAM_SECONDS,
                    answered_n,
                    abandoned_n,
                )
            )
    return tuple(result)


def _seconds(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


def _share(value: float | None) -> float | None:
    return None if value is None or math.isnan(value) else round(value, 6)


def report_data(report: IntervalReport) -> dict[str, object]:
    """The report as plain data with a fixed shape and order (the stable JSON): instants
    in ISO 8601 with their offset, seconds to the millisecond, shares to 6 places."""

    def instant(value: datetime) -> str:
        return value.isoformat()

    return {
        "as_of": instant(report.as_of),
        "start": instant(report.start),
        "end": instant(report.end),
        "interval_minutes": report.minutes,
        "thresholds_seconds": list(report.thresholds),
        "short_abandon_seconds": report.short_abandon_seconds,
        "variants": list(VARIANTS),
        "intervals": [
            {
                "queue": row.queue,
                "start": instant(row.start),
                "end": instant(row.end),
                "offered": row.offered,
                "answered": row.answered,
                "abandoned": row.abandoned,
                "short_abandoned": row.short_abandoned,
                "timed_out": row.timed_out,
                "waiting": row.waiting,
                "asa_seconds": _seconds(row.asa_seconds),
                "longest_wait_seconds": _seconds(row.longest_wait_seconds),
                "answered_within_target": row.answered_within_target,
                "missed": row.missed,
                "answer_figure": _share(row.service_level),
                "service_level": {
                    str(threshold): {
                        level.variant: _share(level.value)
                        for level in row.service_levels
                        if level.threshold_seconds == threshold
                    }
                    for threshold in report.thresholds
                },
            }
            for row in report.rows
        ],
        "wait_histogram": [
            {
                "queue": bucket.queue,
                "from_seconds": bucket.from_seconds,
                "to_seconds": bucket.to_seconds,
                "answered": bucket.answered,
                "abandoned": bucket.abandoned,
            }
            for bucket in report.histogram
        ],
    }


def render_table(report: IntervalReport, zone: tzinfo | None = None) -> str:
    """A plain-text table for people: one line per queue and interval, then the
    histogram. ``zone`` (a tzinfo) shows the intervals in the centre's time."""

    def clock(value: datetime) -> str:
        shown = value.astimezone(zone) if zone is not None else value
        return shown.strftime("%H:%M")

    def pct(value: float | None) -> str:
        return "—" if value is None else f"{value * 100:.1f}%"

    def secs(value: float | None) -> str:
        return "—" if value is None else f"{value:.1f}"

    level_heads = [
        f"SL{t} {short}" for t in report.thresholds for short in ("all", "cnt", "exc", "a+a")
    ]
    head = ["queue", "interval", "off", "ans", "aband", "short", "t/o", "wait", "ASA", "max"]
    lines = ["  ".join([*head, *level_heads])]
    for row in report.rows:
        cells = [
            row.queue,
            f"{clock(row.start)}-{clock(row.end)}",
            str(row.offered),
            str(row.answered),
            str(row.abandoned),
            str(row.short_abandoned),
            str(row.timed_out),
            str(row.waiting),
            secs(row.asa_seconds),
            secs(row.longest_wait_seconds),
            *(pct(level.value) for level in row.service_levels),
        ]
        lines.append("  ".join(cells))
    lines.append("")
    lines.append(
        "service level: all = ÷ offered; cnt = ÷ (offered − short abandons); "
        "exc = ÷ answered; a+a = ÷ (answered + abandoned − short abandons)"
    )
    lines.append("")
    lines.append("waits (s)  queue  answered  abandoned")
    for bucket in report.histogram:
        lines.append(
            f"{bucket.from_seconds:>3}-{bucket.to_seconds:<4}  {bucket.queue}  "
            f"{bucket.answered}  {bucket.abandoned}"
        )
    return "\n".join(lines) + "\n"
