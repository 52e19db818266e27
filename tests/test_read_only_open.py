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
