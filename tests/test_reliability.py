"""Reliability (quality.md R2–R4, issue 9): the importer killed at random points, hostile
event-log and directory files, and every entry point delivering the same thing twice.

The worker's kill runs are in ``tests/adapters/test_readmodels.py``, the concurrency
suite in ``tests/service/test_concurrency.py``; each records its figure through
``tests.reliability``. ``CALLCORE_KILL_POINTS`` and ``CALLCORE_FUZZ_EXAMPLES`` make the
runs longer (``make reliability-long`` sets both)."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
import tomllib
from pathlib import Path

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from callcore.adapters.directory_file import DirectoryFileError, directory_from_toml
from callcore.adapters.eventlog import EventLogError, import_log
from callcore.adapters.eventstore import open_store
from callcore.data import __file__ as data_init
from callcore.formats import dumps, view_data
from callcore.replay import Replay
from tests import reliability

pytestmark = pytest.mark.reliability

GOLDEN = Path(__file__).parent / "golden"
FOUR_DAYS = GOLDEN / "simulated-4-days.jsonl"
SCRIPTED_DAY = GOLDEN / "scripted-day.jsonl"
KILLS = int(os.environ.get("CALLCORE_KILL_POINTS", "10"))
EXAMPLES = int(os.environ.get("CALLCORE_FUZZ_EXAMPLES", "60"))
CALLCORE = [sys.executable, "-m", "callcore"]


def _events_in(url: str) -> int:
    store = open_store(url)
    try:
        return sum(1 for _ in store.read_all())
    finally:
        store.close()


def _views(source: object, at: object) -> bytes:
    views = source.views  # type: ignore[attr-defined]
    tz = views._center.directory.calendar.timezone
    from callcore.domain.calendar import zone

    z = zone(tz)
    return dumps(
        {
            "sla": view_data(views.sla(at), z),
            "queues": view_data(views.queues(at), z),
            "satisfaction": view_data(views.satisfaction(at), z),
        }
    )


# R2: the importer killed ---------------------------------------------------------------


def kill_the_importer(tmp_path: Path, seed: int, kills: int) -> None:
    """``callcore import`` killed with SIGKILL at seeded random instants, then restarted;
    the store must hold nothing or everything after each kill (one atomic append), and
    at the end its views must be the log's, rebuilt from scratch."""
    rng = random.Random(seed)
    # every event of the log, and the log's directory, which the store records (issue 18)
    total = len(FOUR_DAYS.read_bytes().splitlines()) - 1 + 1
    partial, differing, landed = 0, 0, []
    url = f"sqlite:///{tmp_path}/centre.db"
    command = [*CALLCORE, "import", str(FOUR_DAYS), "--db", url]
    started = time.perf_counter()  # how long an import takes here, start to finish
    subprocess.run(command, capture_output=True, timeout=120, check=True)
    duration = time.perf_counter() - started
    for n in range(kills):
        for suffix in ("", "-wal", "-shm"):
            Path(f"{tmp_path}/centre.db{suffix}").unlink(missing_ok=True)
        importer = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        # anywhere in the run (starting, reading, writing), half the kills in its last
        # quarter, where the file has been read and the append is being written
        share = rng.uniform(0.75, 1.05) if n % 2 else rng.uniform(0.1, 1.05)
        time.sleep(share * duration)
        importer.send_signal(signal.SIGKILL)
        importer.wait(timeout=30)
        after_kill = _events_in(url)
        landed.append(after_kill)
        if after_kill not in (0, total):
            partial += 1
        again = subprocess.run(command, capture_output=True, text=True, timeout=120)
        if after_kill == total:  # it had finished: a second import is refused whole
            assert again.returncode == 2, again.stderr
            assert "already" in again.stderr
        else:
            assert again.returncode == 0, again.stderr
        from callcore.adapters.clock import ManualClock
        from callcore.center import CallCenter

        replay = Replay.from_log(FOUR_DAYS)
        store = open_store(url)
        centre = CallCenter(store, directory=replay.directory, clock=ManualClock(replay.as_of))
        if _views(centre, replay.as_of) != _views(replay, replay.as_of):
            differing += 1
        centre.close()
    empty, complete = landed.count(0), landed.count(total)
    where = f"{kills} points: {empty} before the commit, {complete} after"
    reliability.record("R2", f"importer SIGKILLed at {where}: partial stores", partial)
    reliability.record(
        "R2", f"importer SIGKILLed at {kills} points, restarted: views differing", differing
    )
    assert partial == 0, landed
    assert differing == 0
    assert len(set(landed)) >= 1


def test_a_killed_importer_leaves_nothing_or_everything(tmp_path: Path) -> None:
    kill_the_importer(tmp_path, seed=20261128, kills=KILLS)


@pytest.mark.long
def test_a_killed_importer_many_times(tmp_path: Path) -> None:
    kill_the_importer(tmp_path, seed=20261129, kills=max(KILLS, 40))


# R3: hostile event-log files -------------------------------------------------------------

LINES = SCRIPTED_DAY.read_bytes().splitlines(keepends=True)
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=6,
)
_crashes: list[str] = []
_half_written: list[str] = []


@st.composite
def damaged_logs(draw: st.DrawFn) -> bytes:
    lines = list(LINES)
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        if not lines:  # a cut or a delete may have left nothing to damage further
            break
        index = draw(st.integers(min_value=0, max_value=len(lines) - 1))
        how = draw(st.sampled_from(["drop-key", "set-key", "bytes", "cut", "swap", "delete"]))
        line = lines[index]
        if how in ("drop-key", "set-key"):
            try:
                item = orjson.loads(line)
            except orjson.JSONDecodeError:
                continue
            if not isinstance(item, dict) or not item:
                continue
            key = draw(st.sampled_from(sorted(item)))
            if how == "drop-key":
                del item[key]
            else:
                item[key] = draw(JSON_VALUES)
            lines[index] = json.dumps(item).encode() + b"\n"  # any size of number
        elif how == "bytes":
            at = draw(st.integers(min_value=0, max_value=len(line)))
            lines[index] = line[:at] + draw(st.binary(min_size=1, max_size=6)) + line[at:]
        elif how == "cut":
            lines = [*lines[:index], line[: draw(st.integers(0, max(len(line) - 1, 0)))]]
        elif how == "swap" and index + 1 < len(lines):
            lines[index], lines[index + 1] = lines[index + 1], lines[index]
        elif how == "delete":
            del lines[index]
    return b"".join(lines)


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(data=damaged_logs())
def test_a_damaged_log_is_refused_with_its_line_and_nothing_is_stored(
    data: bytes, tmp_path: Path
) -> None:
    path = tmp_path / "damaged.jsonl"
    path.write_bytes(data)
    store = open_store("memory://")
    try:
        import_log(path, store)
    except EventLogError as error:
        message = str(error)
        if sum(1 for _ in store.read_all()):
            _half_written.append(message)
        assert message.startswith("line ")
    except Exception as error:  # anything else is a crash: the figure counts it
        _crashes.append(f"{type(error).__name__}: {error}")
        raise
    else:  # harmless damage (a header key swapped, the log cut after a line): all stored
        lines = [line for line in data.splitlines()[1:] if line.strip()]
        directory = b"DirectoryAdopted" not in data  # the header's, recorded (issue 18)
        assert sum(1 for _ in store.read_all()) == len(lines) + directory
    assert _half_written == []


def test_zz_record_the_event_log_figures() -> None:
    # runs after the Hypothesis test above (tests run in file order)
    reliability.record("R3", f"damaged event-log files ({EXAMPLES}): crashes", len(_crashes))
    reliability.record(
        "R3", f"damaged event-log files ({EXAMPLES}): partial writes", len(_half_written)
    )
    assert _crashes == _half_written == []


DEMO_TOML = tomllib.loads((Path(data_init).parent / "demo-directory.toml").read_text())
_directory_crashes: list[str] = []


def _paths(value: object, prefix: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
    found = [prefix] if prefix else []
    if isinstance(value, dict):
        for key, item in value.items():
            found += _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _paths(item, (*prefix, index))
    return found


DIRECTORY_PATHS = _paths(DEMO_TOML)


@settings(max_examples=EXAMPLES, deadline=None)
@given(
    where=st.sampled_from(DIRECTORY_PATHS),
    value=st.none() | JSON_VALUES | st.sampled_from(["", "25:99", "-1", "1x", "P1D", "+86 1"]),
)
def test_a_damaged_directory_is_one_clear_error(where: tuple[object, ...], value: object) -> None:
    import copy

    data = copy.deepcopy(DEMO_TOML)
    parent = data
    for step in where[:-1]:
        parent = parent[step]  # type: ignore[index]
    if value is None:
        del parent[where[-1]]  # type: ignore[arg-type]
    else:
        parent[where[-1]] = value  # type: ignore[index]
    try:
        directory_from_toml(data, "centre.toml")
    except DirectoryFileError as error:
        assert "centre.toml" in str(error)  # noqa: PT017 (crashes are counted below)
    except Exception as error:
        _directory_crashes.append(f"{where}={value!r}: {type(error).__name__}: {error}")
        raise


def test_zz_record_the_directory_figures() -> None:
    reliability.record(
        "R3", f"damaged directory files ({EXAMPLES}): crashes", len(_directory_crashes)
    )
    assert _directory_crashes == []


# R4: the CLI import delivered twice ------------------------------------------------------


def test_importing_the_same_log_twice_adds_nothing(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/centre.db"
    first = subprocess.run(
        [*CALLCORE, "import", str(SCRIPTED_DAY), "--db", url],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert first.returncode == 0, first.stderr
    before = _events_in(url)
    second = subprocess.run(
        [*CALLCORE, "import", str(SCRIPTED_DAY), "--db", url],
        capture_output=True,
        text=True,
        timeout=120,
    )
    extra = _events_in(url) - before
    reliability.record("R4", "callcore import of the same log twice: extra events", extra)
    assert extra == 0
    assert second.returncode == 2
    assert len(second.stderr.strip().splitlines()) == 1, second.stderr


# the audit trail -------------------------------------------------------------------------


def test_the_audit_trail_answers_who_did_what_when(tmp_path: Path) -> None:
    def audit(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*CALLCORE, "audit", *args], capture_output=True, text=True, timeout=120
        )

    done = audit(str(SCRIPTED_DAY), "--actor", "supervisor:S01")
    assert done.returncode == 0, done.stderr
    rows = done.stdout.splitlines()
    assert rows, "the supervisor's actions"
    assert all("supervisor:S01" in row for row in rows)
    assert any("QuotaExceptionGranted" in row for row in rows)
    assert [row[:25] for row in rows] == sorted(row[:25] for row in rows)
    # the same trail from a store, bounded by a period
    url = f"sqlite:///{tmp_path}/centre.db"
    assert (
        subprocess.run(
            [*CALLCORE, "import", str(SCRIPTED_DAY), "--db", url], capture_output=True, timeout=120
        ).returncode
        == 0
    )
    morning = audit(
        url, "--actor", "agent:A01", "--since", "2026-11-24", "--until", "2026-11-24T09:30"
    )
    assert morning.returncode == 0, morning.stderr
    times = [row.split()[0] for row in morning.stdout.splitlines()]
    assert times
    assert all("2026-11-24T00:00" <= t < "2026-11-24T09:30" for t in times)
    nobody = audit(str(SCRIPTED_DAY), "--actor", "agent:NOBODY")
    assert nobody.returncode == 2
    assert nobody.stderr.count("\n") == 1
