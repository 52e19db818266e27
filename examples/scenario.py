"""A small helper the centre examples share: a centre on its own directory file, a clock
the scenario moves, and one line printed per command (what it recorded, or the rule it
broke). Copy it with the example you start from.
"""

from __future__ import annotations

import sys
import tempfile
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from callcore import CallCenter, DomainError
from callcore.adapters.clock import ManualClock
from callcore.domain.common import Command
from callcore.projections.sla import SlaView
from callcore.service_layer.messagebus import Outcome


def _receipt(event: object) -> bool:
    return type(event).__name__ == "CommandHandled"  # the bus's own idempotency receipt


class Scenario:
    """A centre opened on ``directory.toml`` beside the script (SQLite, a temporary file
    unless a store URL is given on the command line), on a clock set to ``day``."""

    def __init__(self, script: str, day: date) -> None:
        here = Path(script).resolve().parent
        url = sys.argv[1] if len(sys.argv) > 1 else None
        if url is None:
            url = f"sqlite:///{tempfile.mkdtemp(prefix='callcore-')}/centre.db"
        self.clock = ManualClock(datetime.combine(day, time(8), ZoneInfo("UTC")))
        self.center = CallCenter.open(url, directory=here / "directory.toml", clock=self.clock)
        self.zone = ZoneInfo(self.center.directory.calendar.timezone)
        self.day = day
        self.at(8, 0)

    def time(self, hour: int, minute: int = 0, *, day: date | None = None) -> datetime:
        """A local time of the scenario's day (or another), with its offset."""
        return datetime.combine(day or self.day, time(hour, minute), self.zone)

    def at(self, hour: int, minute: int = 0, *, day: date | None = None) -> datetime:
        """Move the clock to a local time (of the scenario's day, or another)."""
        instant = self.time(hour, minute, day=day)
        self.clock.set(instant)
        return instant

    def later(self, **delta: float) -> datetime:
        return self.clock.advance(timedelta(**delta))

    def do(self, what: str, command: Command) -> Outcome | None:
        """Handle a command; print what happened in one line."""
        stamp = self.clock.now().astimezone(self.zone).strftime("%m-%d %H:%M")
        try:
            outcome = self.center.handle(command)
        except DomainError as refused:
            print(f"{stamp}  {what}\n             refused: {refused.rule.name}")
            return None
        kinds = dict.fromkeys(type(e).__name__ for e in outcome.events if not _receipt(e))
        recorded = ", ".join(kinds) or "nothing new"
        print(f"{stamp}  {what}\n             recorded: {recorded}")
        return outcome

    def title(self, text: str) -> None:
        print(f"\n== {text}")

    def clocks(self, view: SlaView, *names: str) -> None:
        """The SLA clocks a supervisor would look at, one line each."""
        for row in view.clocks:
            if not names or row.clock in names:
                print(f"  {row.clock:<32} {row.subject:<30} {row.state.value}")
