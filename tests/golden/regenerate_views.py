"""Record what the golden logs replay to: ``python -m tests.golden.regenerate_views``.

Run it only when a view *gains* a key (a documented, additive change to the JSON
contract), and review the diff: the figures themselves must not move. The logs are
never regenerated — they are the history that old callcore versions wrote."""

from __future__ import annotations

from pathlib import Path

from callcore.domain.calendar import zone
from callcore.formats import VIEW_NAMES, dumps, view_data
from callcore.replay import Replay

HERE = Path(__file__).parent


def views_json(log: Path, *, in_memory: bool | None = None) -> bytes:
    replay = Replay.from_log(log, in_memory=in_memory)
    tz = zone(replay.directory.calendar.timezone)
    views = replay.views
    as_of = replay.as_of
    built = {
        "sla": views.sla(as_of),
        "queues": views.queues(as_of),
        "satisfaction": views.satisfaction(as_of),
        "daily": views.daily(as_of.astimezone(tz).date(), as_of),
    }
    return dumps({name: view_data(built[name], tz) for name in VIEW_NAMES})


def main() -> None:
    for log in sorted(HERE.glob("*.jsonl")):
        target = log.with_suffix(".views.json")
        target.write_bytes(views_json(log))
        print(f"recorded {target.name}")


if __name__ == "__main__":
    main()
