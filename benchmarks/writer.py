"""One writer process of P7: ``python -m benchmarks.writer URL PREFIX CASES START_AT``.

Runs the command mix through ``CallCenter.handle`` on the store at URL (its own tickets,
named by PREFIX; customer numbers come from the shared sequence, so writers do contend)
and prints how many commands it handled and in how many seconds."""

from __future__ import annotations

import sys
import time

from benchmarks.workload import START, run_mix
from callcore.adapters.clock import ManualClock
from callcore.center import CallCenter


def main() -> None:
    url, prefix, cases = sys.argv[1], sys.argv[2], int(sys.argv[3])
    start_at = float(sys.argv[4]) if len(sys.argv) > 4 else time.time()
    clock = ManualClock(START)
    with CallCenter.open(url, clock=clock) as center:
        # every writer starts at the same wall-clock instant, its imports and connections
        # made: the run measures writing, not starting Python
        time.sleep(max(0.0, start_at - time.time()))
        commands = run_mix(center, cases, prefix, clock)
        print(commands, time.time())


if __name__ == "__main__":
    main()
