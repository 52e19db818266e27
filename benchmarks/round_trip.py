"""The three-way round trip of issue 18 at scale: a simulated log replayed, imported into
a store and viewed there, and exported from the store and replayed again must give
byte-identical views. The test suite runs it on the golden logs and a simulated week;
this runs it on a month of a 50-seat centre (about a million events), through the CLI as a
user would, and prints the figures::

    .venv/bin/python -m benchmarks.round_trip                    # a month, 50 seats
    .venv/bin/python -m benchmarks.round_trip --days 5 --agents 10 --work /tmp/rt

It exits 1 if the three views differ.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _run(label: str, figures: dict[str, object], *args: str) -> str:
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "callcore", *args],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "CALLCORE_QUIET": "1"},
    )
    figures[f"{label}_seconds"] = round(time.perf_counter() - started, 1)
    if done.returncode != 0:
        raise SystemExit(f"{label} failed: {done.stderr.strip()}")
    print(f"{label}: {figures[f'{label}_seconds']} s", file=sys.stderr, flush=True)
    return done.stdout


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--agents", type=int, default=50)
    parser.add_argument("--seed", type=int, default=18)
    parser.add_argument("--work", default=str(ROOT / ".bench" / "round-trip"))
    parser.add_argument("--db", help="store URL (default: an SQLite file in --work)")
    arguments = parser.parse_args()
    work = Path(arguments.work)
    work.mkdir(parents=True, exist_ok=True)
    log, exported = work / "month.jsonl", work / "exported.jsonl"
    db = arguments.db or f"sqlite:///{work / 'centre.db'}"
    for stale in (exported, *work.glob("centre.db*")):
        stale.unlink(missing_ok=True)
    figures: dict[str, object] = {"days": arguments.days, "agents": arguments.agents}
    if not log.exists():
        _run(
            "simulate",
            figures,
            *("simulate", "--seed", str(arguments.seed), "--days", str(arguments.days)),
            *("--agents", str(arguments.agents), "--out", str(log)),
        )
    figures["events"] = sum(1 for _ in log.open("rb")) - 1
    replayed = _run("replay", figures, "replay", str(log), "--format", "json")
    as_of = json.loads(replayed)["sla"]["as_of"]
    _run("import", figures, "import", str(log), "--db", db)
    viewed = _run("views", figures, "views", "--db", db, "--at", as_of, "--format", "json")
    _run("export", figures, "export", "--db", db, "--out", str(exported))
    again = _run(
        "replay_exported",
        figures,
        *("replay", str(exported), "--until", as_of, "--format", "json"),
    )
    digests = {
        name: hashlib.sha256(text.encode()).hexdigest()[:16]
        for name, text in (("replayed", replayed), ("viewed", viewed), ("again", again))
    }
    figures["as_of"] = as_of
    figures["view_digests"] = digests
    figures["identical"] = replayed == viewed == again
    figures["peak_child_rss_mb"] = round(
        resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1
    )
    print(json.dumps(figures, indent=2))
    (work / "round-trip.json").write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    return 0 if figures["identical"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
