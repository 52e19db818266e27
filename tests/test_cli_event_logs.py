"""The event log and the command line, as QA use them (issue: simulate, export with
redaction, import, replay, history, views) — every command run as a subprocess."""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import orjson
import pytest

from tests import reliability

KEY = "qa-team-redaction-key-2026"


def callcore(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    import os

    return subprocess.run(
        [sys.executable, "-m", "callcore", *args],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env={**os.environ, **(env or {})},
    )


@pytest.fixture(scope="module")
def log(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("logs") / "centre.jsonl"
    done = callcore("simulate", "--seed", "3", "--days", "3", "--agents", "4", "--out", str(path))
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""  # piped: no progress bar
    assert re.match(r"wrote \d+ events to .*: \d+ calls", done.stdout)
    return path


def lines(path: Path) -> list[dict[str, object]]:
    return [orjson.loads(line) for line in path.read_bytes().splitlines()]


def test_simulate_is_byte_identical_for_the_same_arguments(log: Path, tmp_path: Path) -> None:
    again, other = tmp_path / "again.jsonl", tmp_path / "other.jsonl"
    args = ("--days", "3", "--agents", "4")
    assert callcore("simulate", "--seed", "3", *args, "--out", str(again)).returncode == 0
    assert callcore("simulate", "--seed", "4", *args, "--out", str(other)).returncode == 0
    assert again.read_bytes() == log.read_bytes()
    assert other.read_bytes() != log.read_bytes()
    # not only the header: the histories differ
    assert other.read_bytes().splitlines()[1:] != log.read_bytes().splitlines()[1:]


def test_a_simulated_log_is_recorded_on_the_simulated_clock(log: Path) -> None:
    # every event was taken by the store at an instant of the simulated days (never the
    # machine's clock), in the order the store took them, and none before it happened
    header, *events = lines(log)
    taken = [datetime.fromisoformat(str(line["recorded_at"])) for line in events]
    assert taken == sorted(taken)
    assert taken[-1] <= datetime.fromisoformat(str(header["exported_at"]))
    for line, when in zip(events, taken, strict=True):
        assert when >= datetime.fromisoformat(str(line["at"])), line


def test_replay_until_equals_replaying_the_log_cut_there(log: Path, tmp_path: Path) -> None:
    until = "2026-11-03T10:30:00+08:00"
    cut = tmp_path / "cut.jsonl"
    kept = [
        line
        for n, line in enumerate(log.read_bytes().splitlines())
        if n == 0 or orjson.loads(line)["at"] <= until
    ]
    cut.write_bytes(b"\n".join(kept) + b"\n")
    assert len(kept) < len(log.read_bytes().splitlines())
    whole = callcore("replay", str(log), "--until", until, "--format", "json")
    part = callcore("replay", str(cut), "--until", until, "--format", "json")
    assert whole.returncode == 0, whole.stderr
    assert whole.stdout == part.stdout
    views = orjson.loads(whole.stdout)
    assert set(views) == {"sla", "queues", "satisfaction", "daily"}
    assert views["sla"]["as_of"] == until
    # the documented keys (interfaces.md §4)
    clock = views["sla"]["clocks"][0]
    assert {
        "clock",
        "subject",
        "started_at",
        "due_at",
        "stopped_at",
        "paused_seconds",
        "state",
    } <= set(clock)
    # the stable core, and "withdrawn" added by issue 16 (docs/sla.md)
    assert {"clock", "met", "breached", "running", "at_risk", "compliance", "withdrawn"} == set(
        views["sla"]["summary"][0]
    )
    queue = views["queues"]["queues"][0]
    assert {
        "queue",
        "offered",
        "answered",
        "abandoned",
        "short_abandoned",
        "answered_within_target",
        "service_level",
        "asa_seconds",
        "abandon_rate",
        "formula",
    } <= set(queue)
    worker = views["satisfaction"]["workers"][0]
    assert {
        "id",
        "calls",
        "reached",
        "mean_rating",
        "satisfied_share",
        "on_time_share",
        "safety_check_share",
        "complaints",
        "re_complaints",
    } <= set(worker)
    assert views["daily"]["day"] == "2026-11-03"


def test_replay_one_view_as_a_table(log: Path) -> None:
    done = callcore("replay", str(log), "--view", "sla")
    assert done.returncode == 0, done.stderr
    assert "SLA clocks as of 2026-11-04" in done.stdout
    assert "answer" in done.stdout and "Phone queues" not in done.stdout


def test_a_what_if_under_another_policy(log: Path, tmp_path: Path) -> None:
    # given a policy that allows six rings instead of three
    relaxed = _directory_of(log, tmp_path)
    text = relaxed.read_text(encoding="utf-8")
    assert "answer_rings = 3" in text
    relaxed.write_text(text.replace("answer_rings = 3", "answer_rings = 6"), encoding="utf-8")
    as_is = orjson.loads(callcore("replay", str(log), "--view", "sla", "--format", "json").stdout)
    what_if = callcore(
        "replay", str(log), "--view", "sla", "--format", "json", "--directory", str(relaxed)
    )
    assert what_if.returncode == 0, what_if.stderr

    def answer(view: dict[str, list[dict[str, int]]]) -> dict[str, int]:
        return next(row for row in view["summary"] if row["clock"] == "answer")

    before, after = answer(as_is), answer(orjson.loads(what_if.stdout))
    # then more calls were answered in time and fewer breached (a caller who hung up
    # between 15 and 30 s breached the old target, and never reached the new one)
    assert after["met"] > before["met"]
    assert after["breached"] < before["breached"]


def test_export_import_export_round_trips_and_views_of_the_store(log: Path, tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path}/store.db"
    imported = callcore("import", str(log), "--db", db)
    assert imported.returncode == 0, imported.stderr
    out = tmp_path / "out.jsonl"
    centre = str(_directory_of(log, tmp_path))  # the centre's own directory file
    assert callcore("export", "--db", db, "--out", str(out), "--directory", centre).returncode == 0
    original, exported = log.read_bytes().splitlines(), out.read_bytes().splitlines()
    assert exported[1:] == original[1:]  # every event, byte for byte
    head_in, head_out = orjson.loads(original[0]), orjson.loads(exported[0])
    head_in.pop("exported_at"), head_out.pop("exported_at")
    assert head_in == head_out
    # the live store's views equal the log's, as of the same instant
    at = "2026-11-04T18:00:00+08:00"
    from_store = callcore(
        "views",
        "--db",
        db,
        "--at",
        at,
        "--format",
        "json",
        "--directory",
        str(_directory_of(log, tmp_path)),
    )
    from_log = callcore("replay", str(log), "--until", at, "--format", "json")
    assert from_store.returncode == 0, from_store.stderr
    assert from_store.stdout == from_log.stdout


def _directory_of(log: Path, tmp_path: Path) -> Path:
    """The simulated centre's directory as a TOML file (the log's header carries it)."""
    path = tmp_path / "centre.toml"
    done = callcore("directory", str(log), "--out", str(path), "--force")
    assert done.returncode == 0, done.stderr
    return path


@pytest.mark.reliability
def test_a_redacted_log_replays_to_the_same_views(log: Path, tmp_path: Path) -> None:
    redacted = tmp_path / "redacted.jsonl"
    done = callcore("redact", str(log), "--out", str(redacted), env={"CALLCORE_REDACTION_KEY": KEY})
    assert done.returncode == 0, done.stderr
    assert lines(redacted)[0]["redacted"] is True
    differing = [
        view
        for view in ("sla", "queues", "daily")
        if callcore("replay", str(log), "--view", view, "--format", "json").stdout
        != callcore("replay", str(redacted), "--view", view, "--format", "json").stdout
    ]
    reliability.record(
        "R6", "views of a redacted log differing from the original's", len(differing)
    )
    assert differing == []
    a = orjson.loads(
        callcore("replay", str(log), "--view", "satisfaction", "--format", "json").stdout
    )
    b = orjson.loads(
        callcore("replay", str(redacted), "--view", "satisfaction", "--format", "json").stdout
    )
    for group in ("workers", "branches", "agents", "departments"):
        assert a[group] == b[group]
    # problems keep their figures; only what the customer said is a pseudonym
    assert [{**p, "text": None} for p in a["problems"]] == [
        {**p, "text": None} for p in b["problems"]
    ]
    assert all(p["text"].startswith("Text-") for p in b["problems"])


@pytest.mark.reliability
def test_no_personal_data_is_left_in_a_redacted_export(log: Path, tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path}/store.db"
    assert callcore("import", str(log), "--db", db).returncode == 0
    redacted = tmp_path / "redacted.jsonl"
    done = callcore(
        "export", "--db", db, "--out", str(redacted), "--redact", "--redaction-key", KEY
    )
    assert done.returncode == 0, done.stderr
    personal: set[str] = set()
    for line in lines(log)[1:]:
        data = line["data"]
        assert isinstance(data, dict)
        for key in (
            "name",
            "phone",
            "address",
            "site_address",
            "location",
            "caller",
            "description",
            "what",
        ):
            value = data.get(key)
            if isinstance(value, dict):  # a contact
                personal.update(str(v) for v in value.values())
            elif isinstance(value, str):
                personal.add(value)
        for contact in ("caller", "complainant", "contact", "reporter"):
            if isinstance(data.get(contact), dict):
                personal.update(str(v) for v in data[contact].values())  # type: ignore[union-attr]
    for worker in lines(log)[0]["directory"]["field_workers"].values():  # type: ignore[index]
        personal.update((worker["name"], worker["phone"]))
    personal.discard("")
    assert len(personal) > 200
    text = redacted.read_text(encoding="utf-8")
    left = sorted(value for value in personal if value in text)
    reliability.record(
        "R6", f"personal values ({len(personal)}) left in a redacted export", len(left)
    )
    assert left == []
    # and the same key gives the same pseudonyms as `callcore redact`
    again = tmp_path / "again.jsonl"
    callcore("redact", str(log), "--out", str(again), "--redaction-key", KEY)
    assert again.read_bytes().splitlines()[1:] == redacted.read_bytes().splitlines()[1:]


def test_history_of_a_stream_from_a_log_and_from_a_store(log: Path, tmp_path: Path) -> None:
    stream = next(
        str(line["stream"]) for line in lines(log)[1:] if line["type"] == "ComplaintLodged"
    )
    from_log = callcore("history", str(log), stream)
    assert from_log.returncode == 0, from_log.stderr
    assert "ComplaintLodged" in from_log.stdout.splitlines()[0]
    assert len(from_log.stdout.splitlines()) >= 3


def test_history_and_audit_show_when_it_happened_and_when_it_was_recorded(
    log: Path, tmp_path: Path
) -> None:
    # Given a log in which one complaint's first event reached the store 9 minutes late
    rows = lines(log)
    index = next(n for n, line in enumerate(rows) if line.get("type") == "ComplaintLodged")
    late = dict(rows[index])
    happened = datetime.fromisoformat(str(late["at"]))
    late["recorded_at"] = (happened + timedelta(minutes=9)).isoformat()
    edited = tmp_path / "late.jsonl"
    edited.write_bytes(
        b"".join(orjson.dumps(line) + b"\n" for line in [*rows[:index], late, *rows[index + 1 :]])
    )
    # When its history and its audit are asked for, from the log and from a store
    url = f"sqlite:///{tmp_path}/late.db"
    assert callcore("import", str(edited), "--db", url).returncode == 0
    for source in (str(edited), url):
        timeline = callcore("history", source, str(late["stream"]))
        audit = callcore("audit", source, "--actor", str(late["actor"]))
        assert timeline.returncode == 0 and audit.returncode == 0, timeline.stderr + audit.stderr
        # Then both show the time it happened and the time the store took it
        first = timeline.stdout.splitlines()[0]
        assert f"{late['at']}  recorded {late['recorded_at']}" in first, first
        assert any(
            f"{late['at']}  recorded {late['recorded_at']}" in row
            for row in audit.stdout.splitlines()
        ), audit.stdout[:500]


def test_replay_as_of_t_counts_what_was_recorded_by_t_unless_asked_knowing_now(
    log: Path, tmp_path: Path
) -> None:
    # Given the log with one call's offer recorded three hours after it happened
    rows = lines(log)
    index = next(n for n, line in enumerate(rows) if line.get("type") == "CallOffered")
    late = dict(rows[index])
    happened = datetime.fromisoformat(str(late["at"]))
    late["recorded_at"] = (happened + timedelta(hours=3)).isoformat()
    edited = tmp_path / "late.jsonl"
    edited.write_bytes(
        b"".join(orjson.dumps(line) + b"\n" for line in [*rows[:index], late, *rows[index + 1 :]])
    )
    until = (happened + timedelta(hours=1)).isoformat()

    def queues(path: Path, *more: str) -> str:
        done = callcore("replay", str(path), "--until", until, "--view", "queues",
                        "--format", "json", *more)
        assert done.returncode == 0, done.stderr
        return done.stdout

    # Then as of an hour after the call, the replay does not have it (nobody knew yet)
    assert queues(edited) != queues(log)
    # and knowing now, it does, as the log where it was recorded on time
    assert queues(edited, "--knowing", "now") == queues(log)
    # And a wrong --knowing is one line and exit 2
    wrong = callcore("replay", str(edited), "--knowing", "later")
    assert wrong.returncode == 2 and "--knowing" in wrong.stderr
    assert len(wrong.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("replay", "missing.jsonl"), "no such file: missing.jsonl"),
        (("replay", "{log}", "--until", "yesterday"), "--until: 'yesterday' is not a time"),
        (("replay", "{log}", "--view", "wallboard"), "--view: 'wallboard' is not one of"),
        (("replay", "{log}", "--format", "xml"), "--format: 'xml' is not one of"),
        (("replay", "{log}", "--directory", "nowhere.toml"), "nowhere.toml"),
        (("history", "{log}", "ticket-T-nope"), "no stream 'ticket-T-nope'"),
        (("views", "--db", "postgresql://nobody@127.0.0.1:1/none"), "cannot use the database"),
        (("views", "--db", "centre.db"), "not a store URL"),
        (("views", "--db", "sqlite:///{tmp}/typo.db"), "no such database file"),
        (
            ("export", "--db", "sqlite:///{tmp}/typo.db", "--out", "{tmp}/o.jsonl"),
            "no such database",
        ),
        (("views", "--db", "sqlite:///{tmp}/v.db", "--at", "3pm"), "--at: '3pm' is not a time"),
        (("simulate", "--out", "{tmp}/x.jsonl", "--days", "0"), "at least 1"),
        (("simulate", "--out", "{tmp}/no/such/dir/x.jsonl"), "cannot write"),
        (("redact", "{log}", "--out", "{tmp}/r.jsonl", "--redaction-key", "short"), "16"),
        (("import", "{tmp}/bad.jsonl", "--db", "sqlite:///{tmp}/b.db"), "line 1"),
    ],
)
def test_user_mistakes_are_one_line_and_a_non_zero_exit(
    log: Path, tmp_path: Path, args: tuple[str, ...], words: str
) -> None:
    (tmp_path / "bad.jsonl").write_text('{"format": "something else"}\n', encoding="utf-8")
    done = callcore(*(a.format(log=log, tmp=tmp_path) for a in args))
    assert done.returncode == 2, (args, done.stdout, done.stderr)
    assert words in done.stderr, (args, done.stderr)
    assert done.stderr.strip().count("\n") == 0, done.stderr
    assert "Traceback" not in done.stderr


def test_a_progress_bar_on_a_terminal(tmp_path: Path) -> None:
    # piped, the commands print no progress at all (see the fixture); on a terminal they do
    import os
    import pty

    terminal, child_end = pty.openpty()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "callcore",
            "simulate",
            "--days",
            "1",
            "--agents",
            "3",
            "--out",
            str(tmp_path / "t.jsonl"),
        ],
        stdout=subprocess.PIPE,
        stderr=child_end,
    )
    os.close(child_end)
    shown = b""
    while True:
        try:
            chunk = os.read(terminal, 4096)
        except OSError:  # the child closed its end
            break
        if not chunk:
            break
        shown += chunk
    assert process.wait(timeout=120) == 0
    assert b"simulating 1 day(s) of 3 seats" in shown


def test_qa_replays_a_redacted_log_under_a_changed_policy(log: Path, tmp_path: Path) -> None:
    # the "done when", each step one command, on a redacted log
    redacted, policy = tmp_path / "incident.jsonl", tmp_path / "policy.toml"
    assert (
        callcore("redact", str(log), "--out", str(redacted), "--redaction-key", KEY).returncode == 0
    )
    instant = "2026-11-04T10:15"
    then = callcore("replay", str(redacted), "--until", instant, "--view", "sla")
    assert then.returncode == 0 and "SLA clocks as of 2026-11-04 10:15" in then.stdout
    stream = next(
        str(line["stream"]) for line in lines(redacted)[1:] if line["type"] == "TicketOpened"
    )
    timeline = callcore("history", str(redacted), stream)
    assert timeline.returncode == 0 and "TicketOpened" in timeline.stdout
    assert callcore("directory", str(redacted), "--out", str(policy)).returncode == 0
    policy.write_text(
        policy.read_text(encoding="utf-8").replace("answer_rings = 3", "answer_rings = 4"),
        encoding="utf-8",
    )
    what_if = callcore(
        "replay",
        str(redacted),
        "--until",
        instant,
        "--view",
        "sla",
        "--directory",
        str(policy),
        "--format",
        "json",
    )
    assert what_if.returncode == 0, what_if.stderr
    as_was = callcore(
        "replay", str(redacted), "--until", instant, "--view", "sla", "--format", "json"
    )
    assert what_if.stdout != as_was.stdout
