"""The P-figures of quality.md, each measured beside its baselines in the same run.

Every figure is a :class:`Figure`: what callcore did, what each baseline did on the same
work, their ratios, the target and whether it is met — or, where it is not, the note
that says why (the profile is in docs/performance.md). Nothing here asserts a timing.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import attrs

from benchmarks import baselines
from benchmarks.workload import START, run_mix

POSTGRES_ADMIN = os.environ.get(
    "CALLCORE_POSTGRES_ADMIN", "postgresql://postgres@127.0.0.1:5432/test"
)


@attrs.frozen
class Scale:
    """How big each workload is: ``quick`` for the smoke run, ``full`` for the figures."""

    name: str
    cases: int  # P1: ticket cases through handle (≈ 6.2 commands each)
    log_days: int  # the simulated log for P2, P3, P5, P6
    log_agents: int
    long_history: int  # P4
    writer_cases: int  # P7, per writer
    writers: int = 4
    sim_days: int = 1  # P8


QUICK = Scale("quick", cases=30, log_days=1, log_agents=3, long_history=300, writer_cases=15)
FULL = Scale(
    "full",
    cases=600,
    log_days=30,
    log_agents=50,
    long_history=10_000,
    writer_cases=250,
    sim_days=3,
)


@attrs.frozen
class Figure:
    id: str
    workload: str
    unit: str
    value: float
    baselines: dict[str, float]
    ratios: dict[str, float]
    target: str
    met: bool | None  # None: could not be measured here (the note says why)
    note: str = ""
    details: dict[str, Any] = attrs.field(factory=dict)


def timed(work: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    result = work()
    return time.perf_counter() - start, result


def _fresh(path: Path) -> Path:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return path


# P1 --------------------------------------------------------------------------------------


def p1_commands(scale: Scale, work: Path) -> Figure:
    from callcore.adapters.clock import ManualClock
    from callcore.center import CallCenter

    clock = ManualClock(START)
    center = CallCenter.open(f"sqlite:///{_fresh(work / 'p1-callcore.db')}", clock=clock)
    seconds, commands = timed(lambda: run_mix(center, scale.cases, "P1-", clock))
    center.close()
    callcore_rate = commands / seconds

    app = baselines.help_desk(_fresh(work / "p1-library.db"))
    library_seconds, library_commands = timed(
        lambda: baselines.run_help_desk(app, scale.cases, "P1-")
    )
    app.close()
    library_rate = library_commands / library_seconds

    raw_seconds, rows = timed(
        lambda: baselines.raw_one_row_per_transaction(_fresh(work / "p1-raw.db"), commands)
    )
    raw_rate = rows / raw_seconds
    ratios = {"library": callcore_rate / library_rate, "raw sqlite3": callcore_rate / raw_rate}
    return Figure(
        "P1",
        f"{commands} commands through CallCenter.handle, one per transaction, SQLite file",
        "commands/s",
        callcore_rate,
        {"library": library_rate, "raw sqlite3": raw_rate},
        ratios,
        "≥ 2× library and ≥ 0.8× raw sqlite3",
        ratios["library"] >= 2 and ratios["raw sqlite3"] >= 0.8,
    )


# the simulated log -----------------------------------------------------------------------


def simulated_log(scale: Scale, cache: Path) -> Path:
    """A deterministic simulated month (full) or day (quick), made once and kept."""
    path = cache / f"simulated-{scale.log_days}d-{scale.log_agents}a.jsonl"
    if not path.exists():
        part = path.with_suffix(".part")
        subprocess.run(
            [
                sys.executable,
                "-m",
                "callcore",
                "simulate",
                "--seed",
                "1",
                "--days",
                str(scale.log_days),
                "--agents",
                str(scale.log_agents),
                "--out",
                str(part),
            ],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        part.rename(path)
    return path


def count_events(log: Path) -> int:
    with open(log, "rb") as lines:
        return sum(1 for _ in lines) - 1


# P2 --------------------------------------------------------------------------------------


def p2_import(log: Path, events: int, work: Path) -> tuple[Figure, Path]:
    from callcore.adapters.eventlog import import_log
    from callcore.adapters.eventstore import open_store

    store_path = _fresh(work / "p2-callcore.db")
    store = open_store(f"sqlite:///{store_path}")
    seconds, _ = timed(lambda: import_log(log, store))
    store.close()
    library_seconds, _ = timed(lambda: baselines.library_save(_fresh(work / "p2-lib.db"), log))
    raw_seconds, _ = timed(lambda: baselines.raw_executemany(_fresh(work / "p2-raw.db"), log))
    rate = events / seconds
    rates = {"library save": events / library_seconds, "raw executemany": events / raw_seconds}
    ratios = {name: rate / other for name, other in rates.items()}
    return (
        Figure(
            "P2",
            f"importing a {events}-event log into an empty SQLite store",
            "events/s",
            rate,
            rates,
            ratios,
            "≥ 3× library save and ≥ 0.4× raw executemany",
            ratios["library save"] >= 3 and ratios["raw executemany"] >= 0.4,
        ),
        store_path,
    )


# P3 --------------------------------------------------------------------------------------


def p3_rebuild(log: Path, events: int) -> Figure:
    from callcore.replay import Replay

    def rebuild() -> None:
        replayed = Replay.from_log(log)
        replayed.views.rebuild_all()

    def queues_only() -> None:  # the views decode only what they fold (issue 21)
        Replay.from_log(log).views.queues()

    seconds, _ = timed(rebuild)
    queue_seconds, _ = timed(queues_only)
    parse_rates = baselines.parse_rates(log)
    fastest = max(parse_rates, key=lambda name: parse_rates[name])
    rate = events / seconds
    ratio = rate / parse_rates[fastest]
    return Figure(
        "P3",
        f"every view (SLA, queues, satisfaction, daily) rebuilt from a {events}-event log",
        "events/s",
        rate,
        {f"{name} parse": value for name, value in parse_rates.items()},
        {f"{fastest} parse": ratio},
        "≥ 0.3× the fastest parser and ≥ 200,000 events/s",
        ratio >= 0.3 and rate >= 200_000,
        details={
            "seconds": seconds,
            "queue view alone: seconds": queue_seconds,
            "queue view alone: events/s": events / queue_seconds,
        },
    )


# P4 --------------------------------------------------------------------------------------


def p4_long_history(scale: Scale, work: Path) -> Figure:
    from benchmarks.workload import AGENT
    from callcore.adapters.clock import ManualClock
    from callcore.center import CallCenter
    from callcore.domain import customer

    url = f"sqlite:///{_fresh(work / 'p4.db')}"
    clock = ManualClock(START)
    numbers = {}
    with CallCenter.open(url, clock=clock) as center:
        for size in (10, scale.long_history):
            opened = center.handle(
                customer.OpenAccount(
                    name="Sun Li",
                    phone="13800000000",
                    address="1 Xi Road",
                    area="DONGMEN",
                    actor=AGENT,
                )
            ).first(customer.AccountOpened)
            numbers[size] = opened.customer_number
            for n in range(size - 1):
                phone = "13811111111" if n % 2 == 0 else "13800000000"
                center.handle(
                    customer.ChangeContactDetails(
                        customer_number=opened.customer_number, phone=phone, actor=AGENT
                    )
                )
    loads: dict[int, float] = {}
    for size, number in numbers.items():
        with CallCenter.open(url, clock=clock) as center:  # a new process's view: no cache
            center.customers.get(number)  # the first load may write a snapshot
            samples = []
            for _ in range(20):
                seconds, state = timed(lambda c=center, n=number: c.customers.get(n))
                samples.append(seconds)
            assert state.customer_number == number
            loads[size] = statistics.median(samples)
    ratio = loads[scale.long_history] / loads[10]
    return Figure(
        "P4",
        f"loading one customer with 10 vs {scale.long_history} events of history",
        "ms per load",
        loads[scale.long_history] * 1000,
        {"10 events": loads[10] * 1000},
        {"10 events": ratio},
        "≤ 2× the 10-event load",
        ratio <= 2,
    )


# P5 --------------------------------------------------------------------------------------


_PEAK = """
import resource, subprocess, sys, time
start = time.perf_counter()
done = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
seconds = time.perf_counter() - start
if done.returncode:
    sys.exit(done.stderr.decode())
print(seconds, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024)
"""


def peak_memory(command: list[str]) -> tuple[float, int]:
    """Seconds and peak resident memory (bytes) of a command run in its own process.

    It is started from a small helper process: a child forked from this (big) process
    would count this process's pages in its own peak."""
    done = subprocess.run(
        [sys.executable, "-c", _PEAK, *command], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed: {done.stderr}")
    seconds, peak = done.stdout.split()
    return float(seconds), int(peak)


def p5_replay_memory(log: Path, events: int) -> Figure:
    seconds, peak = peak_memory(
        [
            sys.executable,
            "-m",
            "callcore",
            "replay",
            str(log),
            "--view",
            "queues",
            "--format",
            "json",
        ]
    )
    _, idle = peak_memory([sys.executable, "-c", "import callcore.replay, callcore.__main__"])
    megabytes = peak / 2**20
    return Figure(
        "P5",
        f"callcore replay of a {events}-event log ({log.stat().st_size / 2**20:.0f} MB)",
        "MB peak RSS",
        megabytes,
        {"interpreter with callcore imported": idle / 2**20},
        {},
        "peak memory < 300 MB",
        megabytes < 300,
        details={"seconds": seconds},
    )


# P8 --------------------------------------------------------------------------------------


def p8_simulate(scale: Scale, work: Path) -> Figure:
    """``callcore simulate`` of the scale's log, its seconds and peak memory in its own
    process, and the month of 50 seats extrapolated by seat-days (the target's size)."""
    out = _fresh(work / "p8.jsonl")
    command = [sys.executable, "-m", "callcore", "simulate", "--seed", "1", "--days"]
    command += [str(scale.sim_days), "--agents", str(scale.log_agents), "--out", str(out)]
    seconds, peak = peak_memory(command)
    _, idle = peak_memory([sys.executable, "-c", "import callcore.simulation, callcore.__main__"])
    month = seconds * (30 * 50) / (scale.sim_days * scale.log_agents)
    return Figure(
        "P8",
        f"callcore simulate of {scale.sim_days} day(s) of {scale.log_agents} seats",
        "s per simulated day of 50 seats",
        month / 30,
        {"interpreter with callcore imported (MB)": idle / 2**20},
        {},
        "a month of 50 seats ≤ 3 min (6 s a day) and ≤ 1 GB peak",
        month <= 180 and peak <= 2**30,
        note="memory grows with the days simulated: the full run's peak is the one to read",
        details={"seconds": seconds, "peak MB": peak / 2**20, "month extrapolated s": month},
    )


# P6 --------------------------------------------------------------------------------------


def p6_as_of(store_path: Path, log: Path) -> Figure:
    from callcore.adapters.clock import ManualClock
    from callcore.adapters.eventlog import read_log
    from callcore.adapters.eventstore import open_store
    from callcore.views import Views

    with open(log, "rb") as source:
        header, _ = read_log(source)
    store = open_store(f"sqlite:///{store_path}")
    last = store.last_position()
    records = list(store.read_all(last - 1))
    end = records[-1].recorded.event.at
    first = next(store.read_all(0, limit=1)).recorded.event.at
    instants = [first + (end - first) * share for share in (0.35, 0.6, 0.85)]

    class Centre:
        def __init__(self) -> None:
            self.store = store
            self.directory = header.directory
            self.clock = ManualClock(end)

    def ask(views: Views, at: datetime) -> None:
        views.sla(at)
        views.queues(at)

    # the rebuild asked at the latest of the instants: the most it may have to fold
    rebuild, _ = timed(lambda: ask(Views(Centre(), keep_folds=False), instants[-1]))
    kept = Views(Centre())
    first, _ = timed(lambda: ask(kept, end))  # the first look folds the store once
    as_of = [timed(lambda at=at: ask(kept, at))[0] for at in instants]
    store.close()
    # the slowest instant, not the median: one instant that falls back to a rebuild is
    # the cost a user meets (issue 21)
    value = max(as_of)
    ratio = value / rebuild
    return Figure(
        "P6",
        f"SLA and queue views as of a past instant over a {last}-event SQLite store",
        "s per as-of view (max over the instants)",
        value,
        {"full rebuild": rebuild},
        {"full rebuild": ratio},
        "every instant ≤ 0.05× the full rebuild",
        ratio <= 0.05,
        note=f"the first look, which folds the store once, took {first:.1f} s",
        details={
            "first look s": first,
            "as-of s": as_of,
            "median as-of s": statistics.median(as_of),
        },
    )


# P7 --------------------------------------------------------------------------------------


def postgres_database(name: str) -> str | None:
    """A new database on the project's PostgreSQL, or None when there is none."""
    try:
        import psycopg

        with psycopg.connect(POSTGRES_ADMIN, autocommit=True, connect_timeout=3) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            admin.execute(f'CREATE DATABASE "{name}"')
    except Exception:
        return None
    return POSTGRES_ADMIN.rsplit("/", 1)[0] + f"/{name}"


def drop_database(name: str) -> None:
    import psycopg

    with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _writers(url: str, count: int, cases: int, tag: str) -> tuple[float, int]:
    """``count`` writer processes running the mix at once; wall seconds and commands."""
    start_at = time.time() + 4.0  # time enough for every writer to import and connect
    processes = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "benchmarks.writer",
                url,
                f"{tag}{n}-",
                str(cases),
                repr(start_at),
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in range(count)
    ]
    commands, finished = 0, start_at
    for process in processes:
        out, err = process.communicate()
        if process.returncode != 0:
            raise RuntimeError(f"a writer failed: {err.strip()}")
        handled, ended = out.split()
        commands += int(handled)
        finished = max(finished, float(ended))
    return finished - start_at, commands


class LagProbe(threading.Thread):
    """Watches the store's last position and the projection's tracking position; the lag
    of a position is from when it was first seen stored to when it was first seen folded."""

    def __init__(self, url: str) -> None:
        super().__init__(daemon=True)
        self.url = url
        self.stop = threading.Event()
        self.stored: list[tuple[float, int]] = []
        self.folded: list[tuple[float, int]] = []

    def run(self) -> None:
        import psycopg

        with psycopg.connect(self.url, autocommit=True) as connection:
            while not self.stop.is_set():
                now = time.perf_counter()
                stored = connection.execute(
                    "SELECT coalesce(max(notification_id), 0) FROM callcore_events"
                ).fetchone()
                folded = connection.execute(
                    "SELECT coalesce(max(position), 0) FROM callcore_view_tracking "
                    "WHERE view = 'sla'"
                ).fetchone()
                self.stored.append((now, int(stored[0]) if stored else 0))
                self.folded.append((now, int(folded[0]) if folded else 0))
                time.sleep(0.02)

    def lags(self) -> list[float]:
        lags = []
        seen = iter(self.folded)
        folded_at, folded = next(seen, (0.0, 0))
        previous = 0
        for stored_at, position in self.stored:
            if position <= previous:
                continue
            previous = position
            while folded < position:
                try:
                    folded_at, folded = next(seen)
                except StopIteration:
                    return lags
            lags.append(max(folded_at - stored_at, 0.0))
        return lags


def p7_postgres(scale: Scale) -> Figure:
    one_db, many_db = "callcore_bench_one", "callcore_bench_many"
    one_url = postgres_database(one_db)
    if one_url is None:
        return Figure(
            "P7",
            "PostgreSQL writers and a projection worker",
            "commands/s",
            0.0,
            {},
            {},
            "total ≥ 2.5× one writer; projection lag p99 < 1 s; nothing lost",
            None,
            note=f"no PostgreSQL at {POSTGRES_ADMIN}: not measured",
        )
    many_url = postgres_database(many_db)
    assert many_url is not None
    try:
        from callcore.adapters.eventstore import open_store

        # the stores' tables, made before the clocks start
        for url in (one_url, many_url):
            open_store(url).close()
        seconds, commands = _writers(one_url, 1, scale.writer_cases * 2, "solo")
        one_rate = commands / seconds

        worker = subprocess.Popen(
            [sys.executable, "-m", "callcore", "worker", "--db", many_url, "--follow"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        time.sleep(2.0)  # the worker has made its tables and is waiting
        probe = LagProbe(many_url)
        probe.start()
        many_seconds, many_commands = _writers(many_url, scale.writers, scale.writer_cases, "many")
        deadline = time.monotonic() + 60
        store = open_store(many_url)
        last = store.last_position()
        while time.monotonic() < deadline and (probe.folded[-1][1] if probe.folded else 0) < last:
            time.sleep(0.1)
        probe.stop.set()
        probe.join()
        worker.terminate()
        worker.wait(10)
        stored = sum(1 for _ in store.read_all())
        streams: dict[str, list[int]] = {}
        for positioned in store.read_all():
            streams.setdefault(positioned.recorded.stream, []).append(positioned.recorded.version)
        store.close()
        gaps = sum(
            1 for versions in streams.values() if versions != list(range(1, len(versions) + 1))
        )
        lags = sorted(probe.lags())
        p99 = lags[min(len(lags) - 1, int(len(lags) * 0.99))] if lags else float("nan")
        many_rate = many_commands / many_seconds
        ratio = many_rate / one_rate
        return Figure(
            "P7",
            f"PostgreSQL: {scale.writers} writer processes and a projection worker",
            "commands/s",
            many_rate,
            {"one writer": one_rate},
            {"one writer": ratio},
            "total ≥ 2.5× one writer; projection lag p99 < 1 s; nothing lost",
            ratio >= 2.5 and p99 < 1.0 and gaps == 0,
            note=f"projection lag p99 {p99:.3f} s over {len(lags)} positions; "
            f"{stored} events stored, streams with gaps: {gaps}",
            details={
                "lag p99 s": p99,
                "lag max s": lags[-1] if lags else None,
                "events": stored,
                "gapped streams": gaps,
                "cpus": os.cpu_count(),
            },
        )
    finally:
        drop_database(one_db)
        drop_database(many_db)


def clear(work: Path) -> None:
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
