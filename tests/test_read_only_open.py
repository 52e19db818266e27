"""A read-only bootstrap (issue 21): ``CallCenter.open(url, read_only=True)`` opens a store
and answers every view without writing anything, in process as on the CLI."""

from __future__ import annotations

from pathlib import Path

from callcore.center import CallCenter
from tests.test_safe_outputs import GOLDEN, callcore, digests


def test_opening_a_store_read_only_and_reading_its_views_writes_nothing(
    tmp_path: Path,
) -> None:
    db = tmp_path / "store" / "centre.db"
    db.parent.mkdir()
    assert callcore("import", str(GOLDEN), "--db", f"sqlite:///{db}").returncode == 0
    before = digests(db.parent)
    with CallCenter.open(f"sqlite:///{db}", read_only=True) as cc:
        last = cc.store.last_position()
        assert last > 0
        views = cc.views
        views.sla(), views.queues(), views.satisfaction(), views.handover()
        views.follow_ups(), views.suggestions()
        assert cc.store.last_position() == last
    assert digests(db.parent) == before


def test_staffing_by_volume_reads_the_golden_log(tmp_path: Path) -> None:
    """Issue 22, deliverable 6, through the public views: the agents Erlang C needs per
    half hour of the log's busiest day, beside those logged in; every offered call of the
    day is in exactly one interval."""
    db = tmp_path / "centre.db"
    assert callcore("import", str(GOLDEN), "--db", f"sqlite:///{db}").returncode == 0
    with CallCenter.open(f"sqlite:///{db}", read_only=True) as cc:
        from callcore.domain.calendar import zone

        local = zone(cc.directory.calendar.timezone)
        legs = _legs(cc)
        offered_days = sorted({leg.offered_at.astimezone(local).date() for leg in legs})
        assert offered_days, "the golden log has calls"
        total = 0
        for day in offered_days:
            report = cc.views.staffing(day.isoformat(), at=cc.clock.now())
            assert len(report.rows) in (46, 48, 50)  # a day of half hours (DST aside)
            for row in report.rows:
                assert row.answered <= row.offered
                if row.handle_seconds is None:
                    assert row.agents_needed == (None if row.offered else 0)
                else:
                    assert row.agents_needed is not None and row.agents_needed > 0
            total += sum(row.offered for row in report.rows)
        assert total == len(legs)


def _legs(cc: CallCenter) -> list:  # type: ignore[type-arg]
    from callcore.projections.queues import QueueMetrics

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
