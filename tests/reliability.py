"""The R-figures of quality.md, as the tests measure them.

A test that measures a figure calls :func:`record` with what it counted *before* it
asserts the target, so the figure is the measurement, not the assertion. At the end of a
run the figures are written to ``test-artifacts/reliability.json`` (``make reliability``
prints them as a table; docs/reliability.md quotes the latest)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

FIGURES: list[dict[str, Any]] = []
OUT = Path(__file__).resolve().parent.parent / "test-artifacts" / "reliability.json"


def record(figure: str, what: str, value: float, target: float = 0, **details: Any) -> None:
    FIGURES.append({"figure": figure, "what": what, "value": value, "target": target, **details})


def write() -> None:
    if not FIGURES:
        return
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(sorted(FIGURES, key=lambda f: f["figure"]), indent=1) + "\n")


def main() -> None:
    from rich.console import Console
    from rich.table import Table

    figures = json.loads(OUT.read_text())
    table = Table(title="callcore reliability (quality.md R1–R9)")
    for column in ("figure", "what was tried", "measured", "target", "met"):
        table.add_column(column)
    for f in figures:
        met = f["value"] <= f["target"]
        table.add_row(
            f["figure"],
            f["what"],
            f"{f['value']:g}",
            f"{f['target']:g}",
            "[green]yes[/]" if met else "[red]NO[/]",
        )
    Console(width=140).print(table)


if __name__ == "__main__":
    main()
