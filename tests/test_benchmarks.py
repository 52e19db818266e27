"""The benchmark suite's quick mode runs to the end and produces every P-figure beside
its baselines (issue 8). It asserts no timing: speed is read in `make bench`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIGURES = [f"P{n}" for n in range(1, 9)]


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory: pytest.TempPathFactory) -> dict:  # type: ignore[type-arg]
    where = tmp_path_factory.mktemp("bench")
    out = where / "results.json"
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "benchmarks",
            "--quick",
            "--out",
            str(out),
            "--work",
            str(where / "work"),
            "--cache",
            str(where / "cache"),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    assert "callcore benchmarks" in run.stdout  # the table is printed
    return json.loads(out.read_text())  # type: ignore[no-any-return]


def test_the_quick_run_produces_every_figure(quick_run: dict) -> None:  # type: ignore[type-arg]
    figures = {figure["id"]: figure for figure in quick_run["figures"]}
    assert sorted(figures) == FIGURES
    for name, figure in figures.items():
        if figure["met"] is None:  # only P7, and only without PostgreSQL
            assert name == "P7", figure
            assert os.environ.get("CALLCORE_REQUIRE_POSTGRES") != "1", figure["note"]
            continue
        assert figure["value"] > 0, name
        assert figure["baselines"], name
        assert all(value > 0 for value in figure["baselines"].values()), name
        assert isinstance(figure["met"], bool), name


def test_every_ratio_is_the_figure_over_its_baseline(quick_run: dict) -> None:  # type: ignore[type-arg]
    for figure in quick_run["figures"]:
        for name, ratio in figure["ratios"].items():
            baseline = next(
                value for key, value in figure["baselines"].items() if name.startswith(key)
            )
            assert ratio == pytest.approx(figure["value"] / baseline, rel=1e-9), figure["id"]


def test_the_result_names_the_machine_and_says_whether_all_is_met(quick_run: dict) -> None:  # type: ignore[type-arg]
    assert quick_run["machine"]["cpus"] >= 1
    assert quick_run["machine"]["python"]
    assert quick_run["all_met"] == all(f["met"] for f in quick_run["figures"])
