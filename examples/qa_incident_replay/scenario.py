"""QA reproduces an incident from a redacted log.

A supervisor reports: "on Tuesday morning the wallboard went red and callers waited".
The production centre exports its log with personal data pseudonymised (`callcore export
--redact`); QA, who may not see customers' names and phones, replays it:

1. the wallboard exactly as it stood at the reported moment;
2. the history of the record that breached first — who did what, when;
3. a what-if: the same history under the policy the centre is about to adopt (answer
   within four rings instead of three), to see what the change would have done.

Here the "production log" is a deterministic simulated day, so the example runs anywhere.

Run: .venv/bin/python examples/qa_incident_replay/scenario.py [a redacted log]
"""

from __future__ import annotations

import sys
import tempfile
from datetime import date, datetime, time
from pathlib import Path

import attrs

from callcore.adapters.eventlog import Header, export_log, redact_log
from callcore.adapters.redaction import Redactor
from callcore.adapters.web.live import LiveBoard
from callcore.domain.calendar import zone
from callcore.projections.sla import ClockStatus
from callcore.replay import Replay
from callcore.simulation import Settings, simulate

TUESDAY = date(2026, 11, 3)
REDACTION_KEY = "production-redaction-key-2026"  # held by the centre, never by QA


def production_log(folder: Path) -> Path:
    """What the production centre would hand over: its log, redacted."""
    centre, _ = simulate(Settings(seed=11, days=2, agents=6))
    raw, redacted = folder / "production.jsonl", folder / "incident.jsonl"
    header = Header(centre.directory.centre, centre.clock.now(), False, centre.directory)
    export_log(centre.store, raw, header)
    redact_log(raw, redacted, Redactor(REDACTION_KEY))
    raw.unlink()  # QA never sees the original
    return redacted


log = Path(sys.argv[1]) if len(sys.argv) > 1 else production_log(Path(tempfile.mkdtemp()))
replay = Replay.from_log(log)
tz = zone(replay.directory.calendar.timezone)
last = f"{replay.as_of:%m-%d %H:%M}"
print(f"replaying {log.name}: redacted={replay.header.redacted}, last event {last}")

print("\n== 1. The wallboard at 10:30 on Tuesday, as the supervisor saw it")
moment = datetime.combine(TUESDAY, time(10, 30), tz)
board = LiveBoard(replay).picture(moment)  # the same code draws the live wallboard
for queue in board["queues"]:
    level = queue["service_level"]
    shown = "—" if level is None else f"{level:.0%}"
    print(
        f"  queue {queue['queue']}: {queue['offered']} offered, service level {shown}, "
        f"{queue['waiting']} waiting"
    )
clocks = board["clocks"]
print(
    f"  open clocks: {clocks['running']} running, {clocks['at_risk']} at risk, "
    f"{clocks['breached']} breached"
)

print("\n== 2. The first caller kept waiting after 08:00, event by event")
breached = sorted(
    (
        row
        for row in replay.views.sla(moment).clocks
        if row.clock == "answer"
        and row.state is ClockStatus.BREACHED
        and row.due_at >= datetime.combine(TUESDAY, time(8), tz)
        # kept waiting past the target (an abandon after 6 s is missed too, not kept)
        and (row.stopped_at is None or row.stopped_at > row.due_at)
    ),
    key=lambda row: row.due_at,
)
first = breached[0]
print(f"  {first.clock} on {first.subject}, due {first.due_at.astimezone(tz):%H:%M:%S}")
for record in replay.store.read_stream(first.subject):
    event = record.event
    print(
        f"  {record.version:>3}  {event.at.astimezone(tz):%H:%M:%S}  {event.actor!s:<20} "
        f"{type(event).__name__}"
    )

print("\n== 3. What if the centre had answered within four rings?")
proposed = attrs.evolve(
    replay.directory,
    sla=attrs.evolve(replay.directory.sla, answer_rings=4, version="proposed-4-rings"),
)
morning = datetime.combine(TUESDAY, time(0), tz)
for label, directory in (("as recorded", None), ("four rings", proposed)):
    view = replay.views.queues(moment, since=morning, directory=directory)
    answers = replay.views.sla(moment, directory=directory).summary()
    answer = next(row for row in answers if row.key == "answer")
    level = view.queues[0].service_level
    print(
        f"  {label:<12} Tuesday's service level {level:.0%}, "
        f"answer clocks breached so far: {answer.breached}"
    )
