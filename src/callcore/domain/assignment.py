"""Assigning field work (domain.md §4.5): a pure policy over the roster and the workload.

* A worker is **eligible** when they have the skill, serve the zone (the site's area is
  one of their zones) and are below their daily capacity. Seed rule: no assignment to a
  fully loaded worker — ever.
* Among the eligible, prefer the **least loaded**, then the **nearest** (the distance
  from the worker's home zone to the site's area), then the lower id, so that the choice
  is the same on every replay.
* Urgent work is **ordered** by priority, customer level, then wait (oldest first).
* New installs for a day are planned **the day before, by zone**: zone by zone, each
  install goes to the best eligible worker, and a worker's load grows as they are booked.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime

from attrs import frozen

from callcore.domain.common import Priority
from callcore.domain.directory import Directory, FieldWorker, Skill

CUSTOMER_LEVEL_RANK: Mapping[str, int] = {"vip": 0, "key-account": 0, "priority": 1, "standard": 2}
"""Lower first. Levels not listed rank after ``standard``."""


def eligible(
    directory: Directory, skill: Skill, area: str, loads: Mapping[str, int]
) -> list[FieldWorker]:
    return [
        worker
        for worker in directory.field_workers.values()
        if skill in worker.skills
        and area in worker.zones
        and loads.get(worker.id, 0) < worker.daily_capacity
    ]


def preference(
    directory: Directory, worker: FieldWorker, area: str, loads: Mapping[str, int]
) -> tuple[int, float, str]:
    return (loads.get(worker.id, 0), directory.distance_km(worker.home_zone, area), worker.id)


def choose_worker(
    directory: Directory, skill: Skill, area: str, loads: Mapping[str, int]
) -> FieldWorker | None:
    """The least loaded eligible worker, then the nearest, then the lowest id."""
    candidates = eligible(directory, skill, area, loads)
    if not candidates:
        return None
    return min(candidates, key=lambda worker: preference(directory, worker, area, loads))


@frozen
class WorkItem:
    """What ordering and planning need to know of a piece of field work."""

    dispatch_id: str
    priority: Priority
    customer_level: str
    requested_at: datetime
    area: str = ""
    skill: Skill = Skill.INSTALL


def work_queue_key(item: WorkItem) -> tuple[int, int, datetime, str]:
    return (
        item.priority.rank,
        CUSTOMER_LEVEL_RANK.get(item.customer_level, len(CUSTOMER_LEVEL_RANK)),
        item.requested_at,
        item.dispatch_id,
    )


def work_queue_order(items: Iterable[WorkItem]) -> list[WorkItem]:
    """Urgent work first: priority, then customer level, then the longest wait."""
    return sorted(items, key=work_queue_key)


def plan_installs(
    day: date,
    requests: Sequence[WorkItem],
    directory: Directory,
    loads: Mapping[str, int],
) -> list[tuple[str, str | None]]:
    """Assign a day's installs zone by zone; ``None`` where no one is eligible. ``loads``
    is each worker's booked work orders on ``day``; it grows as installs are planned."""
    _ = day  # the loads are the day's; the day is part of the call for readability
    booked = dict(loads)
    plan: list[tuple[str, str | None]] = []
    by_zone: dict[str, list[WorkItem]] = {}
    for item in requests:
        by_zone.setdefault(item.area, []).append(item)
    for zone in sorted(by_zone):
        for item in work_queue_order(by_zone[zone]):
            worker = choose_worker(directory, item.skill, item.area, booked)
            plan.append((item.dispatch_id, worker.id if worker else None))
            if worker is not None:
                booked[worker.id] = booked.get(worker.id, 0) + 1
    return plan
