"""Interval reports: every figure against a naive count written from the definitions
(Hypothesis), one day worked by hand, and the JSON's stable shape."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from callcore.projections.intervals import VARIANTS, interval_report, render_table, report_data
from callcore.projections.queues import CallFacts

START = datetime(2026, 11, 2, 16, 0, tzinfo=UTC)  # midnight in the centre (UTC+8)
END = START + timedelta(days=1)
AT = END + timedelta(hours=1)


@st.composite
def legs(draw: st.DrawFn) -> list[CallFacts]:
    found = []
    for n in range(draw(st.integers(0, 25))):
        offered = START + timedelta(seconds=draw(st.integers(0, 86399)))
        wait = draw(st.integers(0, 120))
        outcome = draw(st.sampled_from(["answered", "abandoned", "timed-out", "waiting"]))
        queue = draw(st.sampled_from(["hotline", "sales"]))
        ended = offered + timedelta(seconds=wait)
        found.append(
            CallFacts(
                call_id=f"c{n}",
                queue=queue,
                offered_at=offered,
                answered_at=ended if outcome == "answered" else None,
                waited_seconds=None if outcome == "waiting" else float(wait),
                ended_at=ended if outcome in {"abandoned", "timed-out"} else None,
                outcome=outcome if outcome in {"abandoned", "timed-out"} else None,
            )
        )
    return found


@settings(max_examples=80, deadline=None)
@given(legs(), st.sampled_from([15, 30, 60]), st.sampled_from([(15, 30), (20,), (10, 20, 60)]))
def test_every_figure_matches_a_naive_count(found, minutes, thresholds) -> None:
    report = interval_report(found, at=AT, start=START, end=END, minutes=minutes,
                             thresholds=thresholds, short_abandon_seconds=5)
    for row in report.rows:
        mine = [c for c in found if c.queue == row.queue
                and row.start <= c.offered_at < row.end]
        answered = [c.waited_seconds for c in mine if c.answered_at is not None]
        abandoned = [c.waited_seconds for c in mine if c.outcome == "abandoned"]
        short = [w for w in abandoned if w is not None and w <= 5]
        assert row.offered == len(mine)
        assert row.answered == len(answered) and row.abandoned == len(abandoned)
        assert row.short_abandoned == len(short)
        assert row.timed_out == sum(1 for c in mine if c.outcome == "timed-out")
        assert row.waiting == sum(1 for c in mine if c.waited_seconds is None)
        assert row.asa_seconds == (pytest.approx(sum(answered) / len(answered))
                                   if answered else None)
        known = [c.waited_seconds for c in mine if c.waited_seconds is not None]
        assert row.longest_wait_seconds == (max(known) if known else None)
        for level in row.service_levels:
            threshold = level.threshold_seconds
            within = sum(1 for w in answered if w is not None and w <= threshold)
            # abandoned after the short threshold but within this one: left out when
            # abandons are excluded (one after it stays missed)
            excused = sum(1 for w in abandoned if w is not None and 5 < w <= threshold)
            denominator = {
                "counting-all-abandons": len(mine),
                "counting-abandons": len(mine) - len(short),
                "excluding-abandons": len(mine) - len(short) - excused,
                "answered-or-abandoned": len(answered) + len(abandoned) - len(short),
            }[level.variant]
            assert level.value == (pytest.approx(within / denominator) if denominator else None)
        assert (row.end - row.start) == timedelta(minutes=minutes)
        assert int((row.start - START).total_seconds()) % (minutes * 60) == 0
    assert sum(r.offered for r in report.rows) == len(found)
    counted = sum(b.answered + b.abandoned for b in report.histogram)
    assert counted == sum(1 for c in found if c.answered_at or c.outcome == "abandoned")
    for bucket in report.histogram:
        inside = [c for c in found if c.queue == bucket.queue and c.waited_seconds is not None
                  and bucket.from_seconds <= c.waited_seconds < bucket.to_seconds]
        assert bucket.answered == sum(1 for c in inside if c.answered_at is not None)
        assert bucket.abandoned == sum(1 for c in inside if c.outcome == "abandoned")


def test_a_day_by_hand_and_its_stable_json() -> None:
    def leg(n: int, minute: int, wait: int, outcome: str) -> CallFacts:
        offered = START + timedelta(hours=9, minutes=minute)
        done = offered + timedelta(seconds=wait)
        return CallFacts(f"c{n}", "hotline", offered,
                         answered_at=done if outcome == "answered" else None,
                         waited_seconds=wait, ended_at=None if outcome == "answered" else done,
                         outcome=None if outcome == "answered" else outcome)

    found = [
        leg(1, 1, 10, "answered"),   # 09:00-09:15: answered in 10 s and in 20 s,
        leg(2, 5, 20, "answered"),   # a 3 s (short) abandon and a 40 s abandon
        leg(3, 7, 3, "abandoned"),
        leg(4, 9, 40, "abandoned"),
        leg(5, 20, 29, "answered"),  # 09:15-09:30: answered in 29 s
    ]
    report = interval_report(found, at=AT, start=START, end=END, minutes=15,
                             thresholds=(15, 30))
    first, second = report.rows
    assert (first.offered, first.answered, first.abandoned, first.short_abandoned) == (4, 2, 2, 1)
    levels = {(lv.threshold_seconds, lv.variant): lv.value for lv in first.service_levels}
    # 15 s: 1 within (10 s); 30 s: 2 within (10 s, 20 s)
    assert levels[(15, "counting-all-abandons")] == 1 / 4
    assert levels[(15, "counting-abandons")] == 1 / 3
    # excluding abandons: only an abandon within the threshold is left out; the 40 s one
    # waited past both thresholds, and stays missed (the one answer definition)
    assert levels[(15, "excluding-abandons")] == 1 / 3
    assert levels[(15, "answered-or-abandoned")] == 1 / 3
    assert levels[(30, "excluding-abandons")] == 2 / 3
    assert first.asa_seconds == 15 and first.longest_wait_seconds == 40
    assert (second.offered, second.answered, second.longest_wait_seconds) == (1, 1, 29)
    histogram = {(b.from_seconds, b.answered, b.abandoned) for b in report.histogram}
    assert (0, 0, 1) in histogram and (10, 1, 0) in histogram and (40, 0, 1) in histogram
    assert len(report.histogram) == 9  # 0-5 … 40-45: every bucket up to the longest wait
    data = report_data(report)
    assert list(data) == ["as_of", "start", "end", "interval_minutes", "thresholds_seconds",
                          "short_abandon_seconds", "variants", "intervals", "wait_histogram"]
    assert data["variants"] == list(VARIANTS)
    assert data["intervals"][0]["service_level"]["15"]["counting-abandons"] == 0.333333
    assert data["intervals"][0]["start"] == "2026-11-03T01:00:00+00:00"
    text = json.dumps(data)
    assert json.dumps(report_data(interval_report(list(reversed(found)), at=AT, start=START,
                                                  end=END, minutes=15,
                                                  thresholds=(15, 30)))) == text
    table = render_table(report)
    assert "hotline" in table and "25.0%" in table


def test_bad_intervals_and_thresholds_are_refused() -> None:
    with pytest.raises(ValueError, match="15, 30, 60"):
        interval_report([], at=AT, start=START, end=END, minutes=20)
    with pytest.raises(ValueError, match="above 0"):
        interval_report([], at=AT, start=START, end=END, thresholds=(0,))
