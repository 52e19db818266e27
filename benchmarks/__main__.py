"""``python -m benchmarks [--quick] [--only P1,P3] [--out FILE]`` (``make bench``).

Measures every P-figure of quality.md beside its baselines, prints the table and writes
the same as JSON. ``--quick`` runs every figure on small workloads (the smoke run the
test suite makes); the full run needs a simulated month of a 50-seat centre (about a
million events), which it makes once into ``.bench/`` (about 20 minutes) and reuses.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import attrs

from benchmarks import suite

ROOT = Path(__file__).resolve().parent.parent


def machine() -> dict[str, Any]:
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip()
    except OSError:
        commit = ""
    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "cpus": os.cpu_count(),
        "commit": commit,
    }


def run(scale: suite.Scale, only: set[str], work: Path, cache: Path) -> list[suite.Figure]:
    suite.clear(work)
    cache.mkdir(parents=True, exist_ok=True)
    wanted = lambda figure: not only or figure in only  # noqa: E731
    figures: list[suite.Figure] = []

    def done(figure: suite.Figure) -> None:
        figures.append(figure)
        print(f"  {figure.id}: {figure.value:,.2f} {figure.unit}", file=sys.stderr, flush=True)

    if wanted("P1"):
        done(suite.p1_commands(scale, work))
    if only & {"P2", "P3", "P5", "P6"} or not only:
        log = suite.simulated_log(scale, cache)
        events = suite.count_events(log)
        store = None
        if wanted("P2") or wanted("P6"):
            p2, store = suite.p2_import(log, events, work)
            if wanted("P2"):
                done(p2)
        if wanted("P3"):
            done(suite.p3_rebuild(log, events))
        if wanted("P5"):
            done(suite.p5_replay_memory(log, events))
        if wanted("P6") and store is not None:
            done(suite.p6_as_of(store, log))
    if wanted("P4"):
        done(suite.p4_long_history(scale, work))
    if wanted("P7"):
        done(suite.p7_postgres(scale))
    if wanted("P8"):
        done(suite.p8_simulate(scale, work))
    return sorted(figures, key=lambda figure: figure.id)


def table(figures: list[suite.Figure]) -> None:
    from rich.console import Console
    from rich.table import Table

    grid = Table(title="callcore benchmarks (quality.md P1–P7, P8 the simulator)")
    for column in ("id", "callcore", "baselines", "ratio", "target", "met"):
        grid.add_column(column)
    for figure in figures:
        grid.add_row(
            figure.id,
            f"{figure.value:,.3g} {figure.unit}",
            "\n".join(f"{name}: {value:,.4g}" for name, value in figure.baselines.items()),
            "\n".join(f"{value:.3g}× {name}" for name, value in figure.ratios.items()),
            figure.target,
            {True: "[green]yes[/]", False: "[red]NO[/]", None: "[yellow]not measured[/]"}[
                figure.met
            ]
            + (f"\n{figure.note}" if figure.note else ""),
        )
    Console(width=160).print(grid)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small workloads (smoke run)")
    parser.add_argument("--only", default="", help="comma-separated figures, e.g. P1,P4")
    parser.add_argument("--out", help="the JSON result file (default .bench/results-<scale>.json)")
    parser.add_argument("--work", default=str(ROOT / ".bench" / "work"), help="scratch folder")
    parser.add_argument("--cache", default=str(ROOT / ".bench"), help="where logs are kept")
    parser.add_argument(
        "--merge",
        action="store_true",
        help="replace only the figures measured now in an existing result file",
    )
    arguments = parser.parse_args()
    scale = suite.QUICK if arguments.quick else suite.FULL
    only = {item.strip().upper() for item in arguments.only.split(",") if item.strip()}
    unknown = only - {f"P{n}" for n in range(1, 9)}
    if unknown:
        parser.error(f"no such figure: {', '.join(sorted(unknown))} (P1 to P8)")
    started = time.perf_counter()
    figures = run(scale, only, Path(arguments.work), Path(arguments.cache))
    out = Path(arguments.out or ROOT / ".bench" / f"results-{scale.name}.json")
    out.parent.mkdir(parents=True, exist_ok=True)
    measured = [attrs.asdict(figure) for figure in figures]
    if arguments.merge and out.exists():
        earlier = json.loads(out.read_text())["figures"]
        now = {figure["id"] for figure in measured}
        measured = sorted(
            [f for f in earlier if f["id"] not in now] + measured, key=lambda f: f["id"]
        )
    result = {
        "scale": attrs.asdict(scale),
        "ran_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "seconds": round(time.perf_counter() - started, 1),
        "machine": machine(),
        "figures": measured,
        "all_met": all(figure["met"] for figure in measured),
    }
    out.write_text(json.dumps(result, indent=2, default=str) + "\n")
    table([suite.Figure(**figure) for figure in measured])
    print(f"results written to {out}")


if __name__ == "__main__":
    main()
