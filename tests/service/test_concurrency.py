"""Several threads and several processes writing to the same aggregates (quality.md R1,
R4): no event lost, none duplicated, no version gap, no customer number issued twice, and
a command id delivered by every writer at once recorded exactly once."""

from __future__ import annotations

import multiprocessing
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from callcore import CallCenter
from callcore.domain.customer import AccountOpened, OpenAccount
from callcore.service_layer.receipts import CommandHandled
from tests import reliability
from tests.service.concurrent_writer import write

WRITERS = 4
ROUNDS = 12
SHARED = 3


def seed(url: str) -> None:
    with CallCenter.open(url) as center:
        for n in range(SHARED):
            center.handle(
                OpenAccount(
                    name=f"Shared {n}", phone="13800001111", address="1 Shared Road", area="DONGMEN"
                )
            )


def check(url: str, per_writer: list[list[tuple[str, int]]], how: str) -> None:
    with CallCenter.open(url) as center:
        stored = [(p.recorded.stream, p.recorded.version) for p in center.store.read_all()]
        events = [p.recorded.event for p in center.store.read_all()]
    claimed = [pair for writer in per_writer for pair in writer]
    duplicates = [pair for pair, n in Counter(stored).items() if n > 1]
    lost = set(claimed) - set(stored)
    streams: dict[str, list[int]] = {}
    for stream, version in stored:
        streams.setdefault(stream, []).append(version)
    gapped = [s for s, seen in streams.items() if sorted(seen) != list(range(1, len(seen) + 1))]
    where = f"{url.split(':')[0]}, {WRITERS} {how} × {ROUNDS} rounds"
    reliability.record("R1", f"concurrent writers ({where}): events lost", len(lost))
    reliability.record("R1", f"concurrent writers ({where}): duplicated", len(duplicates))
    reliability.record("R1", f"concurrent writers ({where}): streams with gaps", len(gapped))
    assert duplicates == [], f"duplicated events: {duplicates[:5]}"
    # every event a writer was told it recorded is stored (nothing lost) ...
    assert set(claimed) <= set(stored), f"lost: {sorted(set(claimed) - set(stored))[:5]}"
    assert len(claimed) == len(set(claimed)), "two writers were told they recorded the same event"
    # ... and versions are dense in every stream
    versions: dict[str, list[int]] = {}
    for stream, version in stored:
        versions.setdefault(stream, []).append(version)
    for stream, seen in versions.items():
        assert seen == list(range(1, len(seen) + 1)), f"{stream} has gaps or disorder: {seen}"
    numbers = [e.customer_number for e in events if isinstance(e, AccountOpened)]
    assert len(numbers) == len(set(numbers)) == SHARED + WRITERS * ROUNDS
    receipts = Counter(e.command_id for e in events if isinstance(e, CommandHandled))
    extra = sum(receipts[f"shared-{r}"] - 1 for r in range(ROUNDS))
    reliability.record("R4", f"one command id from all {how} at once ({where}): extra", extra)
    assert all(receipts[f"shared-{r}"] == 1 for r in range(ROUNDS)), receipts


def run_threads(url: str) -> None:
    seed(url)
    with ThreadPoolExecutor(WRITERS) as pool:
        results = list(pool.map(lambda w: write(url, w, ROUNDS, SHARED), range(WRITERS)))
    check(url, results, "threads")


def run_processes(url: str) -> None:
    seed(url)
    context = multiprocessing.get_context("spawn")
    with context.Pool(WRITERS) as pool:
        results = pool.starmap(write, [(url, w, ROUNDS, SHARED) for w in range(WRITERS)])
    check(url, results, "processes")


@pytest.mark.reliability
def test_threads_on_sqlite(tmp_path: Path) -> None:
    run_threads(f"sqlite:///{tmp_path}/centre.db")


@pytest.mark.reliability
def test_processes_on_sqlite(tmp_path: Path) -> None:
    run_processes(f"sqlite:///{tmp_path}/centre.db")


@pytest.mark.reliability
@pytest.mark.postgres
def test_threads_on_postgres(postgres_url: str) -> None:
    run_threads(postgres_url)


@pytest.mark.reliability
@pytest.mark.postgres
def test_processes_on_postgres(postgres_url: str) -> None:
    run_processes(postgres_url)


def test_threads_in_memory() -> None:
    # One store object shared by every thread: the in-process case.
    center = CallCenter.open("memory://")
    for n in range(SHARED):
        center.handle(
            OpenAccount(
                name=f"Shared {n}", phone="13800001111", address="1 Shared Road", area="DONGMEN"
            )
        )

    def go(writer: int) -> int:
        count = 0
        for r in range(ROUNDS):
            center.handle(
                OpenAccount(name=f"W{writer} {r}", phone="13912345678", address="x", area="XIHU")
            )
            count += 1
        return count

    with ThreadPoolExecutor(WRITERS) as pool:
        assert sum(pool.map(go, range(WRITERS))) == WRITERS * ROUNDS
    numbers = [
        p.recorded.event.customer_number
        for p in center.store.read_all()  # type: ignore[attr-defined]
        if isinstance(p.recorded.event, AccountOpened)
    ]
    assert sorted(numbers) == [f"C{n:06d}" for n in range(1, SHARED + WRITERS * ROUNDS + 1)]
