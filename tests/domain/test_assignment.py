"""The assignment policy (domain.md §4.5) as properties over generated rosters and loads."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from callcore.adapters.directory_file import demo_directory
from callcore.domain import assignment
from callcore.domain.assignment import WorkItem
from callcore.domain.common import Priority
from callcore.domain.directory import Skill
from tests.support import CST

DIRECTORY = demo_directory()
WORKERS = sorted(DIRECTORY.field_workers)
AREAS = sorted(DIRECTORY.areas)

loads = st.fixed_dictionaries({w: st.integers(0, 14) for w in WORKERS})


@given(loads=loads, skill=st.sampled_from(list(Skill)), area=st.sampled_from(AREAS))
def test_the_chosen_worker_is_eligible_and_the_best(
    loads: dict[str, int], skill: Skill, area: str
) -> None:
    chosen = assignment.choose_worker(DIRECTORY, skill, area, loads)
    eligible = assignment.eligible(DIRECTORY, skill, area, loads)
    if chosen is None:
        assert eligible == []
        return
    assert skill in chosen.skills
    assert area in chosen.zones
    assert loads[chosen.id] < chosen.daily_capacity  # never a fully loaded worker
    best = min(assignment.preference(DIRECTORY, w, area, loads) for w in eligible)
    assert assignment.preference(DIRECTORY, chosen, area, loads) == best


def test_least_loaded_first_then_nearest() -> None:
    # W001 (home DONGMEN) and W002 (home HUAYUAN) both deliver in DONGMEN
    assert (
        assignment.choose_worker(DIRECTORY, Skill.DELIVERY, "DONGMEN", {"W001": 3, "W002": 1}).id
        == "W002"
    )  # type: ignore[union-attr]
    assert (
        assignment.choose_worker(DIRECTORY, Skill.DELIVERY, "DONGMEN", {"W001": 2, "W002": 2}).id
        == "W001"
    )  # type: ignore[union-attr]
    assert (
        assignment.choose_worker(DIRECTORY, Skill.DELIVERY, "HUAYUAN", {"W001": 2, "W002": 2}).id
        == "W002"
    )  # type: ignore[union-attr]
    assert (
        assignment.choose_worker(DIRECTORY, Skill.DELIVERY, "DONGMEN", {"W001": 12, "W002": 12})
        is None
    )


requests = st.lists(
    st.builds(
        WorkItem,
        dispatch_id=st.uuids().map(str),
        priority=st.sampled_from(list(Priority)),
        customer_level=st.sampled_from(["standard", "vip", "priority", "other"]),
        requested_at=st.integers(0, 10_000).map(
            lambda m: datetime(2026, 11, 23, tzinfo=CST) + timedelta(minutes=m)
        ),
        area=st.sampled_from(AREAS),
        skill=st.just(Skill.INSTALL),
    ),
    max_size=40,
)


@given(items=requests, loads=loads)
def test_planned_installs_never_exceed_capacity(
    items: list[WorkItem], loads: dict[str, int]
) -> None:
    plan = assignment.plan_installs(date(2026, 11, 24), items, DIRECTORY, loads)
    assert sorted(d for d, _ in plan) == sorted(i.dispatch_id for i in items)
    booked = dict(loads)
    areas = {i.dispatch_id: i.area for i in items}
    for dispatch_id, worker_id in plan:
        if worker_id is None:
            continue
        worker = DIRECTORY.field_workers[worker_id]
        assert Skill.INSTALL in worker.skills
        assert areas[dispatch_id] in worker.zones
        booked[worker_id] += 1
        assert booked[worker_id] <= max(worker.daily_capacity, loads[worker_id])


@given(items=requests)
def test_the_work_queue_puts_urgent_work_first(items: list[WorkItem]) -> None:
    ordered = assignment.work_queue_order(items)
    keys = [assignment.work_queue_key(i) for i in ordered]
    assert keys == sorted(keys)
    ranks = [i.priority.rank for i in ordered]
    assert ranks == sorted(ranks)
