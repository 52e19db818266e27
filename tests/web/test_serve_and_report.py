"""`callcore serve`, `callcore token` and `callcore report` run as a user runs them."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

import httpx
import pytest

from callcore.adapters.web.live import LiveBoard
from callcore.replay import Replay

GOLDEN = Path(__file__).parents[1] / "golden" / "simulated-4-days.jsonl"


def callcore(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "callcore", *args],
        capture_output=True, text=True, timeout=300, check=False, env={**os.environ, **env},
    )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def test_a_token_made_by_the_cli_opens_the_api_of_a_served_store(tmp_path: Path):
    # Given a supervisor's token made with `callcore token`
    made = callcore("token", "--role", "supervisor", "--id", "S01")
    assert made.returncode == 0, made.stderr
    secret = made.stderr.strip().splitlines()[-1]
    tokens = tmp_path / "tokens.toml"
    tokens.write_text(made.stdout)
    assert secret not in made.stdout  # the file holds the digest, never the token
    # When the centre is served from a SQLite file
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "callcore", "serve", "--db", f"sqlite:///{tmp_path}/c.db",
         "--tokens", str(tokens), "--port", str(port)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/health").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert server.poll() is None, server.communicate()[1]
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.2)
        headers = {"Authorization": f"Bearer {secret}", "Idempotency-Key": "first-account"}
        body = {"name": "Wang Xiuying", "phone": "139 1234 5678",
                "address": "3 East Gate Road", "area": "DONGMEN"}
        # Then commands and views work with it, and a retry records nothing twice
        first = httpx.post(f"{base}/commands/open-account", json=body, headers=headers)
        again = httpx.post(f"{base}/commands/open-account", json=body, headers=headers)
        assert first.status_code == again.status_code == 200, first.text
        assert first.json() == again.json()
        assert httpx.get(f"{base}/me", headers=headers).json()["actor"] == "supervisor:S01"
        assert httpx.get(f"{base}/views/sla", headers=headers).status_code == 200
        assert httpx.get(f"{base}/views/sla").status_code == 401
    finally:
        server.terminate()
        server.wait(timeout=30)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["serve", "--db", "sqlite:///x.db"], "--tokens: give a token file"),
        (["serve", "--db", "sqlite:///x.db", "--tokens", "missing.toml"], "--tokens: missing"),
        (["token", "--role", "boss", "--id", "x"], "--role: 'boss' is not one of"),
        (["report", "--out", "r.html"], "give one of --db URL or --log FILE"),
        (["report", "--out", "r.html", "--log", "nope.jsonl"], "nope.jsonl"),
    ],
)
def test_user_mistakes_are_one_line_and_exit_2(tmp_path: Path, args: list[str], message: str):
    done = subprocess.run(
        [sys.executable, "-m", "callcore", *args], capture_output=True, text=True,
        cwd=tmp_path, timeout=120, check=False,
    )
    assert done.returncode == 2
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert message in done.stderr
    assert not (tmp_path / "x.db").exists()


def test_a_bad_token_file_names_the_entry_and_the_field(tmp_path: Path):
    tokens = tmp_path / "tokens.toml"
    tokens.write_text('[[token]]\nsha256 = "' + "a" * 64 + '"\nrole = "boss"\nid = "x"\n')
    done = callcore("serve", "--db", f"sqlite:///{tmp_path}/c.db", "--tokens", str(tokens))
    assert done.returncode == 2
    assert "token 1: role must be one of" in done.stderr


def test_the_report_of_a_logged_day_matches_the_views(tmp_path: Path):
    out = tmp_path / "day.html"
    done = callcore("report", "--log", str(GOLDEN), "--day", "2026-11-03", "--out", str(out))
    assert done.returncode == 0, done.stderr
    html = out.read_text()
    embedded = re.search(r'<script id="embedded" type="application/json">(.*?)</script>',
                         html, re.S)
    assert embedded is not None
    picture = json.loads(embedded.group(1))
    assert picture["day"] == "2026-11-03"
    assert picture["as_of"].startswith("2026-11-03T23:59:59")
    # The figures are the views' figures for the same day, as of its end
    replay = Replay.from_log(GOLDEN)
    as_of = datetime.fromisoformat(picture["as_of"])
    start = as_of.replace(hour=0, minute=0, second=0, microsecond=0)
    queues = replay.views.queues(as_of, since=start, until=start + timedelta(days=1))
    assert [(q["queue"], q["offered"], q["service_level"]) for q in picture["queues"]] == [
        (q.queue, q.offered, q.service_level) for q in queues.queues
    ]
    sla = replay.views.sla(as_of)
    open_at_risk = [c for c in sla.clocks if c.stopped_at is None and c.state == "at-risk"]
    assert picture["clocks"]["at_risk"] == len(open_at_risk)
    assert sum(w["booked"] for w in picture["workers"]) > 0


def test_the_live_board_polled_along_the_way_equals_one_built_at_the_end():
    replay = Replay.from_log(GOLDEN)
    records = list(replay.store.read_all())
    cut = len(records) // 2

    class Growing:
        """A store that gains events between two looks, like a live centre's."""

        def __init__(self) -> None:
            self.visible = cut

        def read_all(self, after_position: int = 0, limit: int | None = None):
            return iter(records[after_position:self.visible])

    class Centre:
        store = Growing()
        clock = replay.clock
        directory = replay.directory

    live = LiveBoard(Centre())  # type: ignore[arg-type]
    as_of = replay.as_of
    live.picture(as_of)  # the first look, half-way through
    Centre.store.visible = len(records)
    polled = live.picture(as_of)
    Centre.store = type("All", (), {"read_all": lambda self, after_position=0, limit=None:
                                    iter(records[after_position:])})()
    fresh = LiveBoard(Centre()).picture(as_of)  # type: ignore[arg-type]
    assert polled == fresh


def test_a_simulated_centre_is_served_live_on_a_running_clock(tmp_path: Path):
    # Given a simulated centre imported into a SQLite store
    store = f"sqlite:///{tmp_path}/sim.db"
    imported = callcore("import", str(GOLDEN), "--db", store)
    assert imported.returncode == 0, imported.stderr
    made = callcore("token", "--role", "supervisor", "--id", "S01")
    secret = made.stderr.strip().splitlines()[-1]
    (tmp_path / "tokens.toml").write_text(made.stdout)
    # When it is served with its clock running from 09:00 at an hour a second
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "callcore", "serve", "--db", store, "--tokens",
         str(tmp_path / "tokens.toml"), "--port", str(port),
         "--clock-from", "2026-11-03T09:00", "--clock-speed", "3600"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        headers = {"Authorization": f"Bearer {secret}"}
        deadline = time.monotonic() + 60
        while True:
            try:
                first = httpx.get(f"{base}/wallboard/data", headers=headers)
                if first.status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert server.poll() is None, server.communicate()[1]
            assert time.monotonic() < deadline
            time.sleep(0.2)
        time.sleep(2)
        later = httpx.get(f"{base}/wallboard/data", headers=headers).json()
        # Then the board moves with the clock: later instant, more calls offered so far
        earlier = first.json()
        assert earlier["day"] == later["day"] == "2026-11-03"
        assert later["as_of"] > earlier["as_of"]
        offered = [sum(q["offered"] for q in board["queues"]) for board in (earlier, later)]
        assert 0 < offered[0] < offered[1]
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_the_report_of_a_store_equals_the_report_of_its_log(tmp_path: Path):
    store = f"sqlite:///{tmp_path}/c.db"
    assert callcore("import", str(GOLDEN), "--db", store).returncode == 0
    pictures = []
    for source in (["--log", str(GOLDEN)], ["--db", store]):
        out = tmp_path / f"{source[0][2:]}.html"
        # no --day: the last day with events, found from the newest event
        done = callcore("report", *source, "--out", str(out))
        assert done.returncode == 0, done.stderr
        found = re.search(r'<script id="embedded" type="application/json">(.*?)</script>',
                          out.read_text(), re.S)
        assert found is not None
        pictures.append(json.loads(found.group(1)))
    assert pictures[0]["day"] == pictures[1]["day"] == "2026-11-05"
    assert pictures[0] == pictures[1]
