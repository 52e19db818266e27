"""No command loses data (issue 18, quality.md R12): an output that is an input, an
existing output, a write killed half-way — every input stays byte for byte as it was.

The CLI runs as a user runs it, in a subprocess; every refusal is one line on stderr,
exit 2, no traceback."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests import reliability

GOLDEN = Path(__file__).parent / "golden" / "scripted-day.jsonl"
KEY = "a-redaction-key-of-enough-length"


def callcore(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "callcore", *args],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env={**os.environ, "CALLCORE_REDACTION_KEY": KEY, **(env or {})},
    )


def digest(path: Path) -> str | None:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else None


def digests(folder: Path) -> dict[str, str | None]:
    """Every file in the folder, by name; of SQLite's own files beside a database, the
    write-ahead log when it holds anything (a reader SQLite lets open a WAL database
    makes an empty one and the shared-memory index, which hold no data)."""
    return {
        p.name: digest(p)
        for p in sorted(folder.iterdir())
        if p.is_file()
        and not p.name.endswith("-shm")
        and not (p.name.endswith("-wal") and p.stat().st_size == 0)
    }


def refused(done: subprocess.CompletedProcess[str], *words: str) -> None:
    assert done.returncode == 2, (done.returncode, done.stdout, done.stderr)
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert "Traceback" not in done.stderr
    for word in words:
        assert word in done.stderr, done.stderr


@pytest.fixture
def store(tmp_path: Path) -> Path:
    """An SQLite store holding the scripted day."""
    db = tmp_path / "centre.db"
    done = callcore("import", str(GOLDEN), "--db", f"sqlite:///{db}")
    assert done.returncode == 0, done.stderr
    return db


def test_export_over_its_own_store_is_refused_even_through_a_symlink(
    store: Path, tmp_path: Path
) -> None:
    link = tmp_path / "link.jsonl"
    link.symlink_to(store)
    hard = tmp_path / "hard.db"
    os.link(store, hard)
    before = digests(tmp_path)
    changed = 0
    for out in (store, link, hard, Path(f"{store}-wal")):
        for force in ((), ("--force",)):
            done = callcore("export", "--db", f"sqlite:///{store}", "--out", str(out), *force)
            changed += digests(tmp_path) != before
            refused(done, "same file")
    reliability.record("R12", "export over its own store (path, symlink, hard link)", changed)
    assert changed == 0
    # and the store through the link is refused as well
    done = callcore("export", "--db", f"sqlite:///{link}", "--out", str(store), "--force")
    refused(done, "same file")
    assert digests(tmp_path) == before


def test_redact_over_its_own_log_is_refused_even_through_a_symlink(tmp_path: Path) -> None:
    log = tmp_path / "log.jsonl"
    log.write_bytes(GOLDEN.read_bytes())
    link = tmp_path / "other-name.jsonl"
    link.symlink_to(log)
    before = digests(tmp_path)
    for source, out in ((log, log), (log, link), (link, log), (link, link)):
        for force in ((), ("--force",)):
            refused(callcore("redact", str(source), "--out", str(out), *force), "same file")
            assert digests(tmp_path) == before


def test_directory_and_report_over_their_input_are_refused(store: Path, tmp_path: Path) -> None:
    log = tmp_path / "log.jsonl"
    log.write_bytes(GOLDEN.read_bytes())
    before = digests(tmp_path)
    refused(callcore("directory", str(log), "--out", str(log), "--force"), "same file")
    refused(callcore("report", "--log", str(log), "--out", str(log), "--force"), "same file")
    refused(
        callcore("report", "--db", f"sqlite:///{store}", "--out", str(store), "--force"),
        "same file",
    )
    assert digests(tmp_path) == before


def test_an_existing_output_is_kept_without_force(store: Path, tmp_path: Path) -> None:
    log = tmp_path / "log.jsonl"
    log.write_bytes(GOLDEN.read_bytes())
    existing = tmp_path / "precious.txt"
    existing.write_bytes(b"a supervisor's notes\n")
    before = digests(tmp_path)
    for args in (
        ("export", "--db", f"sqlite:///{store}"),
        ("redact", str(log)),
        ("simulate", "--days", "1", "--agents", "2"),
        ("directory", str(log)),
        ("report", "--log", str(log)),
    ):
        refused(callcore(*args, "--out", str(existing)), "exists", "--force")
        assert digests(tmp_path) == before, args
    # a directory where the output file belongs
    refused(callcore("redact", str(log), "--out", str(tmp_path)), "is a directory")
    assert digests(tmp_path) == before


def test_force_replaces_an_existing_output_whole(store: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    out.write_bytes(b"old\n")
    done = callcore("export", "--db", f"sqlite:///{store}", "--out", str(out), "--force")
    assert done.returncode == 0, done.stderr
    assert out.read_bytes().startswith(b'{"centre"')
    assert not list(tmp_path.glob(".*.part"))


_STALLED_RENAME = """
import os, sys, time
real_replace = os.replace
def stalled_replace(source, target, *args, **kwargs):
    time.sleep(60)  # killed here: the complete copy is written, not yet in place
    return real_replace(source, target, *args, **kwargs)
os.replace = stalled_replace
from callcore.__main__ import main
sys.argv = ["callcore", *sys.argv[1:]]
main()
"""


def _kill_mid_export(url: str, out: Path) -> None:
    """Start an export that stops just before it puts its file in place (the rename
    made to wait, from outside the code under test), and SIGKILL it there."""
    process = subprocess.Popen(
        [sys.executable, "-c", _STALLED_RENAME, *("export", "--db", url, "--out", out, "--force")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 120
        while not any(p.stat().st_size for p in out.parent.glob(f".{out.name}.*.part")):
            assert process.poll() is None, "the export ended before it could be killed"
            assert time.monotonic() < deadline
            time.sleep(0.05)
        process.send_signal(signal.SIGKILL)
    finally:
        process.wait(30)
    assert process.returncode == -signal.SIGKILL


def test_an_export_killed_mid_write_leaves_the_old_file_and_the_store(
    store: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out.jsonl"
    out.write_bytes(b"yesterday's export\n")
    before = digests(tmp_path)
    _kill_mid_export(f"sqlite:///{store}", out)
    after = digests(tmp_path)
    parts = [name for name in after if name.endswith(".part")]
    kept = {k: v for k, v in after.items() if k not in parts}
    changed = sum(kept.get(name) != value for name, value in before.items())
    reliability.record("R12", "export SIGKILLed mid-write: files changed", changed)
    assert len(parts) == 1  # the unfinished copy, beside it, never in its place
    assert kept == before


def _postgres_events(url: str) -> str:
    from callcore.adapters.eventlog import event_line
    from callcore.adapters.eventstore import open_store

    store = open_store(url)
    try:
        lines = b"".join(event_line(p.recorded) for p in store.read_all())
        return hashlib.sha256(lines).hexdigest() + f"/{store.last_position()}"
    finally:
        store.close()


def test_on_postgresql_a_killed_or_refused_export_changes_nothing(
    postgres_url: str, tmp_path: Path
) -> None:
    done = callcore("import", str(GOLDEN), "--db", postgres_url)
    assert done.returncode == 0, done.stderr
    stored = _postgres_events(postgres_url)
    out = tmp_path / "out.jsonl"
    out.write_bytes(b"yesterday's export\n")
    before = digest(out)
    refused(callcore("export", "--db", postgres_url, "--out", str(out)), "exists")
    _kill_mid_export(postgres_url, out)
    assert digest(out) == before
    assert _postgres_events(postgres_url) == stored
    again = tmp_path / "again.jsonl"
    assert callcore("export", "--db", postgres_url, "--out", str(again)).returncode == 0
    assert _postgres_events(postgres_url) == stored
