"""The SQL read models and their worker (issue: views materialised exactly once).

The worker is killed with SIGKILL at seeded random points between (and inside) its
batches, restarted, and its tables compared with a rebuild from scratch."""

from __future__ import annotations

import io
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from rich.console import Console

from callcore import CallCenter
from callcore.adapters.readmodels import PositionMoved, ProjectionWorker, SqlReadModels
from callcore.tour import DEMO_DAY, run
from tests import reliability

END_OF_DAY = DEMO_DAY.replace(hour=23, minute=59)
KILLS = int(os.environ.get("CALLCORE_KILL_POINTS", "10"))  # per store; make reliability-long: 40


def seeded_store(url: str) -> None:
    run(url, Console(file=io.StringIO()))


def from_scratch(url: str):  # type: ignore[no-untyped-def]
    with CallCenter.open(url) as center:
        return center.views.sla(at=END_OF_DAY)


@pytest.fixture(params=["sqlite", "postgres"])
def shared_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A store several processes and objects can open (not memory://)."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/centre.db"
    url: str = request.getfixturevalue("postgres_url")
    return url


def test_the_tables_equal_a_rebuild_and_resume_where_they_stopped(shared_url: str) -> None:
    store_url = shared_url
    seeded_store(store_url)
    center = CallCenter.open(store_url)
    read_models = SqlReadModels(store_url)
    first = ProjectionWorker(center.store, read_models, center.directory, batch_size=10)
    assert first.run_once() == 10
    assert read_models.position() == first.position
    # a second worker picks up from the committed position, not from zero
    second = ProjectionWorker(center.store, read_models, center.directory, batch_size=10)
    assert second.position == first.position
    second.catch_up()
    assert read_models.sla(center.directory, END_OF_DAY) == center.views.sla(at=END_OF_DAY)
    (hotline,) = read_models.queues(center.directory, END_OF_DAY).queues
    assert hotline == center.views.queues(at=END_OF_DAY).queues[0]
    assert hotline.offered == 4
    assert_daily_and_satisfaction_match(store_url, center)
    assert second.rebuild() == len(list(center.store.read_all()))  # ids may have gaps
    assert read_models.sla(center.directory, END_OF_DAY) == center.views.sla(at=END_OF_DAY)


def test_two_workers_cannot_commit_the_same_batch() -> None:
    url = "memory://"
    center = CallCenter.open(url)
    seeded = CallCenter(center.store)  # same store
    run_into(seeded)
    read_models = SqlReadModels(url)
    a = ProjectionWorker(center.store, read_models, center.directory, batch_size=5)
    b = ProjectionWorker(center.store, read_models, center.directory, batch_size=5)
    a.run_once()
    with pytest.raises(PositionMoved):
        b.run_once()


def run_into(center: CallCenter) -> None:
    from callcore.domain.customer import OpenAccount

    for n in range(12):
        center.handle(OpenAccount(name=f"N{n}", phone="13912345678", address="x", area="XIHU"))


def kill_and_restart(url: str, seed: int, kills: int) -> None:
    """Kill the worker once it has committed past a random position, a random fraction
    of a batch later (so kills land between batches and inside their transactions)."""
    seeded_store(url)
    total = len(list(CallCenter.open(url).store.read_all()))
    rng = random.Random(seed)
    env = {**os.environ, "CALLCORE_WORKER_PAUSE": "0.02"}
    command = [sys.executable, "-m", "callcore", "worker", "--db", url, "--batch", "3"]
    read_models = SqlReadModels(url)
    killed_at: list[int] = []
    for _ in range(kills):
        if read_models.position() + 4 >= total:
            break
        # spread the kills over the whole store, however many are asked for
        step = max(2, min(12, (total - 10) // kills))
        target = min(total - 3, read_models.position() + rng.randint(1, step))
        worker = subprocess.Popen(
            command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
        deadline = time.monotonic() + 60
        while read_models.position() < target and worker.poll() is None:
            assert time.monotonic() < deadline, "the worker made no progress"
            time.sleep(0.005)
        time.sleep(rng.uniform(0, 0.03))
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=30)
        killed_at.append(read_models.position())
    assert len(killed_at) >= 4, killed_at
    assert all(0 < p < total for p in killed_at), killed_at  # mid-run, every time
    done = subprocess.run(
        command, env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    center = CallCenter.open(url)
    differs = SqlReadModels(url).sla(center.directory, END_OF_DAY) != from_scratch(url)
    reliability.record(
        "R2",
        f"projection worker SIGKILLed at {len(killed_at)} points ({url.split(':')[0]}), "
        "restarted: views differing from a rebuild",
        int(differs),
        kills=len(killed_at),
    )
    assert SqlReadModels(url).sla(center.directory, END_OF_DAY) == from_scratch(url)
    assert SqlReadModels(url).queues(center.directory, END_OF_DAY) == center.views.queues(
        at=END_OF_DAY
    )
    assert_daily_and_satisfaction_match(url, center)


def assert_daily_and_satisfaction_match(url: str, center: CallCenter) -> None:
    from callcore.adapters.clock import ManualClock

    read_models = SqlReadModels(url)
    day = DEMO_DAY.date()
    stored = read_models.daily(day)
    assert stored is not None
    last = max(p.recorded.event.at for p in center.store.read_all())
    expected = CallCenter(center.store, clock=ManualClock(last)).views.daily(day, at=last)
    assert stored == expected
    in_memory = {r.id: r for r in center.views.satisfaction(at=END_OF_DAY).workers}
    in_sql = read_models.satisfaction("worker", day, day)
    assert set(in_sql) == set(in_memory)
    for worker, row in in_sql.items():
        assert row["calls"] == in_memory[worker].calls
        assert row["mean_rating"] == in_memory[worker].mean_rating
        assert row["complaints"] == in_memory[worker].complaints


@pytest.mark.reliability
def test_a_killed_worker_resumes_exactly_once_on_sqlite(tmp_path: Path) -> None:
    kill_and_restart(f"sqlite:///{tmp_path}/centre.db", seed=20261122, kills=KILLS)


@pytest.mark.reliability
@pytest.mark.postgres
def test_a_killed_worker_resumes_exactly_once_on_postgres(postgres_url: str) -> None:
    kill_and_restart(postgres_url, seed=20261123, kills=KILLS)


def test_the_worker_command_reports_a_bad_url_in_one_line() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "callcore", "worker", "--db", "centre.db"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert done.stderr.strip().count("\n") == 0
    assert "not a store URL" in done.stderr


@pytest.mark.postgres
def test_a_following_worker_wakes_on_postgres_notifications(postgres_url: str) -> None:
    import threading

    from callcore.domain import ticket
    from callcore.domain.common import Contact

    center = CallCenter.open(postgres_url)
    read_models = SqlReadModels(postgres_url)
    worker = ProjectionWorker(center.store, read_models, center.directory)
    stop = threading.Event()
    # a long poll: only the notification can wake it in time
    thread = threading.Thread(target=lambda: worker.run(follow=True, poll_seconds=30, stop=stop))
    thread.start()
    try:
        time.sleep(0.5)
        outcome = center.handle(
            ticket.ReportEmergency(
                reporter=Contact("Z", "13800001111"), location="x", description="gas"
            )
        )
        deadline = time.monotonic() + 10
        while read_models.position() < center.store.last_position():
            assert time.monotonic() < deadline, "the worker did not wake on NOTIFY"
            time.sleep(0.02)
        subject = f"ticket-{outcome.first(ticket.TicketOpened).ticket_id}"
        clocks = read_models.sla(center.directory, center.clock.now()).clocks
        assert [r.clock for r in clocks if r.subject == subject] == ["emergency-notification"]
    finally:
        stop.set()
        center.handle(
            ticket.ReportEmergency(
                reporter=Contact("Z", "13800001111"), location="x", description="wake up to stop"
            )
        )
        thread.join(timeout=35)
        center.close()


def test_the_queue_tables_keep_each_calls_answer_rule_and_after_hours(tmp_path: Path) -> None:
    """Issue 16: the one answer figure needs, per call, the policy it was offered under
    and whether the centre was closed; the SQL queue view must give what the fold gives."""
    from datetime import timedelta

    import attrs

    from callcore.adapters.clock import ManualClock
    from callcore.domain import call
    from tests.support import at

    url = f"sqlite:///{tmp_path}/centre.db"
    clock = ManualClock(at(23, 21, 50))
    center = CallCenter.open(url, clock=clock)
    for n, (wait, how) in enumerate([(8, "abandon"), (12, "answer"), (30, "answer")]):
        clock.set(at(23, 21, 50) + timedelta(minutes=n))
        center.handle(call.OfferCall(call_id=f"a{n}", queue="hotline"))
        clock.set(clock.now() + timedelta(seconds=wait))
        if how == "answer":
            center.handle(call.AnswerCall(call_id=f"a{n}", agent="A01"))
        else:
            center.handle(call.AbandonCall(call_id=f"a{n}"))
    # a policy with a 10 s short-abandon threshold and two rings, then a call after hours
    looser = attrs.evolve(center.directory.sla, version="v2", short_abandon_seconds=10)
    center.use_directory(attrs.evolve(center.directory, sla=attrs.evolve(looser, answer_rings=2)))
    clock.set(at(23, 21, 54))
    center.handle(call.OfferCall(call_id="b", queue="hotline"))
    clock.set(clock.now() + timedelta(seconds=8))
    center.handle(call.AbandonCall(call_id="b"))
    clock.set(at(23, 22, 30))  # closed
    center.handle(call.OfferCall(call_id="late", queue="hotline"))
    center.handle(call.SendToVoicemail(call_id="late"))
    read_models = SqlReadModels(url)
    worker = ProjectionWorker(center.store, read_models, center.directory, batch_size=3)
    worker.catch_up()
    when = at(23, 23)
    (sql,) = SqlReadModels(url).queues(center.directory, when).queues
    (fold,) = center.views.queues(at=when).queues
    assert sql == fold
    assert (fold.after_hours, fold.short_abandoned) == (1, 1)
    # under v1 (15 s, 5 s): a0 abandoned at 8 s is missed, a1 at 12 s within (though v2
    # would give it 10 s), a2 late; b abandoned at 8 s is short under v2 (10 s)
    assert (fold.answered_within_target, fold.service_level) == (1, 1 / 3)
