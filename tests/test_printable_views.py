"""Issue 20 (4): the views of ``cc.views`` print readably. ``to_json()`` is the JSON
``callcore views --format json`` prints for the same store and instant, ``to_table()``
the tables it prints, and ``repr`` (so ``print(view)``) one short line."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from datetime import date

import pytest
from rich.console import Console

from callcore import CallCenter, ManualClock
from callcore.center import DirectoryNotice
from callcore.projections.sla import SlaView as FoldSlaView
from callcore.tour import DEMO_DAY, run

AT = "2026-11-24T18:00"  # the demo day, centre time (Shanghai)
DAY = DEMO_DAY.date()


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('printable')}/demo.db"
    with pytest.warns(DirectoryNotice):
        run(url, Console(file=io.StringIO()))
    return url


def cli(*args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "callcore", *args],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
        env={**os.environ, "COLUMNS": "100"},
    )
    return done.stdout


def centre(url: str) -> CallCenter:
    return CallCenter.open(url, read_only=True, clock=ManualClock(DEMO_DAY.replace(hour=23)))


@pytest.mark.parametrize("name", ["sla", "queues", "satisfaction", "daily"])
def test_to_json_and_to_table_are_what_the_command_line_prints(demo: str, name: str) -> None:
    views = centre(demo).views
    view = {
        "sla": lambda: views.sla(AT),
        "queues": lambda: views.queues(AT),
        "satisfaction": lambda: views.satisfaction(AT),
        "daily": lambda: views.daily(DAY, AT),
    }[name]()
    assert view.to_json() == cli(
        "views", "--db", demo, "--view", name, "--at", AT, "--format", "json"
    )
    assert view.to_table(width=100) == cli("views", "--db", demo, "--view", name, "--at", AT)


def test_all_four_views_print_as_the_command_line_prints_them(demo: str) -> None:
    every = centre(demo).views.rebuild_all(AT)
    assert every.to_json() == cli("views", "--db", demo, "--at", AT, "--format", "json")
    assert every.to_table(width=100) == cli("views", "--db", demo, "--at", AT)


def test_every_view_has_a_short_repr_json_and_a_table(demo: str) -> None:
    views = centre(demo).views
    every = {
        "SlaView": views.sla(AT),
        "QueueView": views.queues(AT),
        "SatisfactionView": views.satisfaction(AT),
        "DailyView": views.daily(DAY, AT),
        "PeriodView": views.period(DAY, date(2026, 11, 30), AT),
        "HandoverView": views.handover(AT),
        "DigestView": views.suggestions(until=AT),
        "WorkerLoad": views.worker_load("W002", DAY, AT),
        "AllViews": views.rebuild_all(AT),
    }
    for name, view in every.items():
        shown = repr(view)
        assert shown == str(view)
        assert shown.startswith(f"<{name} ") and "\n" not in shown and len(shown) < 200, shown
        data = json.loads(view.to_json())
        assert isinstance(data, dict) and data
        text = view.to_table(width=100)
        assert text.strip() and max(len(line) for line in text.splitlines()) <= 100
        printed = io.StringIO()
        Console(file=printed, width=100, color_system=None).print(view)  # __rich__
        assert printed.getvalue() == text
    # times in the centre's offset, as on the command line
    assert json.loads(every["SlaView"].to_json())["as_of"] == "2026-11-24T18:00:00+08:00"
    assert "W002 on 2026-11-24" in repr(every["WorkerLoad"])


def test_a_view_equals_the_folds_view_it_shows(demo: str) -> None:
    view = centre(demo).views.sla(AT)
    fold_view = FoldSlaView(as_of=view.as_of, clocks=view.clocks)
    assert view == fold_view and fold_view == view and hash(view) == hash(fold_view)
    assert isinstance(view, FoldSlaView)


def test_the_view_types_are_those_callcore_views_exports(demo: str) -> None:
    import callcore.views as exported

    views = centre(demo).views
    assert type(views.sla(AT)) is exported.SlaView
    assert type(views.daily(DAY, AT)) is exported.DailyView
    assert type(views.worker_load("W002", DAY, AT)) is exported.WorkerLoad
