"""Staffing by volume through the public surfaces (issue 22, deliverable 6): `cc.views`
on a store of the golden log, printed like every view, and `callcore views --view
staffing`, with the calendar's day span it is cut into."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from callcore.center import CallCenter
from callcore.domain.calendar import BusinessCalendar, zone
from callcore.domain.directory import CalendarSettings
from callcore.projections.queues import CallFacts, QueueMetrics
from callcore.projections.staffing import staffing_report
from tests.test_safe_outputs import GOLDEN, callcore


def test_staffing_by_volume_reads_the_golden_log(tmp_path: Path) -> None:
    """Issue 22, deliverable 6, through the public views: the agents Erlang C needs per
    half hour of the log's busiest day, beside those logged in; every offered call of the
    day is in exactly one interval."""
    db = tmp_path / "centre.db"
    assert callcore("import", str(GOLDEN), "--db", f"sqlite:///{db}").returncode == 0
    with CallCenter.open(f"sqlite:///{db}", read_only=True) as cc:
        local = zone(cc.directory.calendar.timezone)
        legs = _legs(cc)
        offered_days = sorted({leg.offered_at.astimezone(local).date() for leg in legs})
        assert offered_days, "the golden log has calls"
        total = 0
        for day in offered_days:
            report = cc.views.staffing(day.isoformat(), at=cc.clock.now())
            assert len(report.rows) == 48  # Shanghai keeps no summer time
            for row in report.rows:
                assert row.answered <= row.offered
                if row.handle_seconds is None:
                    assert row.agents_needed == (None if row.offered else 0)
                else:
                    assert row.agents_needed is not None and row.agents_needed > 0
            total += sum(row.offered for row in report.rows)
        assert total == len(legs)


def _legs(cc: CallCenter) -> list[CallFacts]:

    fold = QueueMetrics(cc.directory).apply_all(cc.views.records())
    return list(fold.calls.values())


def test_the_cli_prints_staffing_and_refuses_a_bad_interval_in_one_line(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'centre.db'}"
    assert callcore("import", str(GOLDEN), "--db", db).returncode == 0
    shown = callcore("views", "--db", db, "--view", "staffing", "--day", "2026-11-24")
    assert shown.returncode == 0, shown.stderr
    assert "Staffing by volume" in shown.stdout and "08:30" in shown.stdout
    bad = callcore(
        "views",
        "--db",
        db,
        "--view",
        "staffing",
        "--day",
        "2026-11-24",
        "--interval-minutes",
        "20",
    )
    assert bad.returncode == 2
    assert bad.stderr.strip().count("\n") == 0 and "intervals are of" in bad.stderr


def test_the_staffing_view_prints_like_every_view(tmp_path: Path) -> None:
    db = tmp_path / "centre.db"
    assert callcore("import", str(GOLDEN), "--db", f"sqlite:///{db}").returncode == 0
    with CallCenter.open(f"sqlite:///{db}", read_only=True) as cc:
        report = cc.views.staffing("2026-11-24", at="2026-11-25T00:00")
        data = json.loads(report.to_json())
        assert data["start"] == "2026-11-24T00:00:00+08:00"  # the centre's offset
        assert [row["offered"] for row in data["rows"]] == [row.offered for row in report.rows]
        assert "08:30" in report.to_table() and "short of agents" in repr(report)
        with pytest.raises(ValueError, match="wrap-up"):
            cc.views.staffing("2026-11-24", wrap_up_seconds=float("inf"))
        with pytest.raises(ValueError, match="goal"):
            cc.views.staffing("2026-11-24", goal=float("nan"))


def test_a_day_is_midnight_to_midnight_and_shorter_when_the_clocks_go_forward() -> None:
    london = BusinessCalendar(CalendarSettings(timezone="Europe/London", holiday_country="GB"))
    start, end = london.day_span(date(2026, 3, 29))
    assert start.utcoffset() == timedelta(0) and end.utcoffset() == timedelta(hours=1)
    assert (end.astimezone(UTC) - start.astimezone(UTC)).total_seconds() == 23 * 3600
    report = staffing_report([], {}, at=end, start=start, end=end, target_seconds=20)
    assert len(report.rows) == 46  # half hours of the real day, not of the wall clock
    assert report.rows[-1].end == end and report.rows[2].start == start.astimezone(UTC) + timedelta(
        hours=1
    )
    shanghai = BusinessCalendar(CalendarSettings())
    start, end = shanghai.day_span(date(2026, 11, 24))
    assert start == datetime(2026, 11, 24, tzinfo=zone("Asia/Shanghai"))
    assert (end - start).total_seconds() == 24 * 3600
