"""Reads are read-only (issue 18, quality.md R12): the commands that only read open the
store read-only, never create a table, and refuse what is not a callcore store in one
line (exit 2), leaving it byte for byte as it was."""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests import reliability
from tests.test_safe_outputs import GOLDEN, callcore, digest, digests, refused


def tables(path: Path) -> set[str]:
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return {n for (n,) in connection.execute("SELECT name FROM sqlite_master")}
    finally:
        connection.close()


def reads(url: str, tmp_path: Path) -> list[tuple[str, ...]]:
    """Every command that only reads a store (report and export write only their --out)."""
    return [
        ("views", "--db", url),
        ("views", "--db", url, "--view", "sla", "--at", "2026-11-24T12:00+08:00"),
        ("history", url, "customer-C000001"),
        ("audit", url),
        ("export", "--db", url, "--out", str(tmp_path / "out" / "export.jsonl")),
        ("report", "--db", url, "--out", str(tmp_path / "out" / "report.html")),
        ("directory", url, "--out", str(tmp_path / "out" / "centre.toml")),
    ]


@pytest.fixture
def store(tmp_path: Path) -> Path:
    folder = tmp_path / "store"
    folder.mkdir()
    (tmp_path / "out").mkdir()
    db = folder / "centre.db"
    assert callcore("import", str(GOLDEN), "--db", f"sqlite:///{db}").returncode == 0
    return db


def test_reads_of_a_store_write_nothing_to_it(store: Path, tmp_path: Path) -> None:
    before, made = digests(store.parent), tables(store)
    for args in reads(f"sqlite:///{store}", tmp_path):
        done = callcore(*args)
        assert done.returncode == 0, (args, done.stderr)
        assert digests(store.parent) == before, args
    assert tables(store) == made


def _foreign_database(path: Path) -> None:
    connection = sqlite3.connect(path)
    connection.execute("CREATE TABLE invoices (number TEXT, amount REAL)")
    connection.execute("INSERT INTO invoices VALUES ('F-1', 12.5)")
    connection.commit()
    connection.close()


@pytest.mark.parametrize(
    ("make", "words"),
    [
        (_foreign_database, "not a callcore store"),
        (lambda p: p.write_bytes(GOLDEN.read_bytes()), "not an SQLite database"),
        (lambda p: p.write_bytes(bytes(range(256)) * 64), "not an SQLite database"),
        (lambda p: p.write_bytes(b""), "empty file"),
        (lambda p: p.mkdir(), "is a directory"),
    ],
    ids=["another-programs-database", "an-event-log", "binary", "empty", "a-directory"],
)
def test_what_is_not_a_store_is_refused_and_left_as_it_was(
    make: object, words: str, tmp_path: Path
) -> None:
    (tmp_path / "out").mkdir()
    target = tmp_path / "theirs" / "thing.db"
    target.parent.mkdir()
    make(target)  # type: ignore[operator]
    before = digests(target.parent)
    url = f"sqlite:///{target}"
    answers = [callcore(*args) for args in reads(url, tmp_path)]
    changed = int(digests(target.parent) != before)
    tracebacks = sum("Traceback" in done.stderr for done in answers)
    what = f"7 reads of a file that is not a store ({words})"
    reliability.record("R12", f"{what}: files changed or tables created", changed)
    reliability.record("R12", f"{what}: tracebacks", tracebacks)
    for done in answers:
        refused(done, str(target) if words != "is a directory" else words)
    assert changed == 0
    # nor does anything that writes put callcore's tables into it (an empty file is
    # what SQLite takes for a new database: writing may make it one)
    for args in (
        ()
        if words == "empty file"
        else (
            ("import", str(GOLDEN), "--db", url),
            ("worker", "--db", url),
            ("telephony", "ingest", "--db", url, "--queue-log", str(GOLDEN)),
        )
    ):
        done = callcore(*args)
        refused(done)
        assert digests(target.parent) == before, args
    if target.is_file() and target.stat().st_size and words == "not a callcore store":
        assert tables(target) == {"invoices"}
    assert not list((tmp_path / "out").iterdir())


@contextlib.contextmanager
def read_only(path: Path) -> Iterator[None]:
    """The file may not be written, even by root (who ignores file modes): the
    immutable attribute for root, the mode for anyone else."""
    if os.geteuid() != 0:
        path.chmod(0o444)
        try:
            yield
        finally:
            path.chmod(0o644)
        return
    if shutil.which("chattr") is None:
        pytest.skip("running as root without chattr: cannot make a file read-only")
    made = subprocess.run(["chattr", "+i", str(path)], capture_output=True, check=False)
    if made.returncode != 0:
        pytest.skip(f"chattr +i is not allowed here: {made.stderr!r}")
    try:
        yield
    finally:
        subprocess.run(["chattr", "-i", str(path)], check=True)


def test_a_read_only_store_is_read_and_refused_for_writing(store: Path, tmp_path: Path) -> None:
    for extra in store.parent.glob("centre.db-*"):
        extra.unlink()
    with read_only(store):
        before = digest(store)
        for args in reads(f"sqlite:///{store}", tmp_path):
            done = callcore(*args, "--force") if "--out" in args else callcore(*args)
            assert done.returncode == 0, (args, done.stderr)
        for args in (
            ("import", str(GOLDEN), "--db", f"sqlite:///{store}"),
            ("worker", "--db", f"sqlite:///{store}"),
        ):
            refused(callcore(*args), "read-only")
        assert digest(store) == before


def test_a_log_or_directory_file_that_is_not_one_is_one_line(tmp_path: Path) -> None:
    binary = tmp_path / "binary.toml"
    binary.write_bytes(bytes(range(256)) * 8)
    folder = tmp_path / "folder"
    folder.mkdir()
    store = f"sqlite:///{tmp_path}/x.db"
    before = digests(tmp_path)
    for args, words in (
        (("replay", str(GOLDEN), "--directory", str(binary)), "not a UTF-8"),
        (("replay", str(GOLDEN), "--what-if-directory", str(folder)), "is a directory"),
        (("views", "--db", store, "--directory", str(binary)), "not a UTF-8"),
        (("replay", str(binary)), "line 1"),
        (("replay", str(folder)), "is a directory"),
        (("history", str(folder), "customer-C000001"), "is a directory"),
        (("import", str(folder), "--db", store), "is a directory"),
        (("import", str(binary), "--db", store), "line 1"),
    ):
        refused(callcore(*args), words)
        assert digests(tmp_path) == before, args


def test_a_store_is_refused_as_its_own_import(tmp_path: Path) -> None:
    log = tmp_path / "log.jsonl"
    log.write_bytes(GOLDEN.read_bytes())
    before = digests(tmp_path)
    refused(callcore("import", str(log), "--db", f"sqlite:///{log}"))
    assert digests(tmp_path) == before


def _pg_tables(url: str) -> list[str]:
    import psycopg

    base, _, query = url.partition("?schema=")
    with psycopg.connect(base) as connection:
        rows = connection.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = %s",
            (query,),
        ).fetchall()
    return sorted(r[0] for r in rows)


def test_postgresql_reads_are_read_only_and_create_no_table(
    postgres_url: str, tmp_path: Path
) -> None:
    (tmp_path / "out").mkdir()
    for args in reads(postgres_url, tmp_path):
        refused(callcore(*args), "not a callcore store")
    assert _pg_tables(postgres_url) == []
    assert callcore("import", str(GOLDEN), "--db", postgres_url).returncode == 0
    made = _pg_tables(postgres_url)
    for args in reads(postgres_url, tmp_path):
        assert callcore(*args).returncode == 0, args
    assert _pg_tables(postgres_url) == made
    # the connections themselves refuse to write
    from callcore.adapters.eventstore import open_store
    from callcore.domain.common import SYSTEM
    from callcore.domain.directory import SlaPolicy
    from callcore.domain.policy import SLA_STREAM, SlaPolicyAdopted
    from callcore.ports import Recorded

    store = open_store(postgres_url, read_only=True)
    try:
        count = store.last_position()
        event = SlaPolicyAdopted(
            at=__import__("datetime").datetime.now().astimezone(),
            actor=SYSTEM,
            version="x",
            policy=SlaPolicy(),
        )
        with pytest.raises(Exception, match="read-only"):
            store.append([Recorded(SLA_STREAM, 99, event)])
        assert store.last_position() == count
    finally:
        store.close()


def _attempted_write(url: str) -> None:
    """A write on a store opened read-only fails at the database, and nothing changed."""
    from datetime import datetime

    from callcore.adapters.eventstore import open_store
    from callcore.domain.common import SYSTEM
    from callcore.domain.directory import SlaPolicy
    from callcore.domain.policy import SLA_STREAM, SlaPolicyAdopted
    from callcore.ports import Recorded

    event = SlaPolicyAdopted(
        at=datetime.now().astimezone(), actor=SYSTEM, version="x", policy=SlaPolicy()
    )
    writer = open_store(url)
    writer.append([Recorded(SLA_STREAM, 1, event)])
    writer.close()
    store = open_store(url, read_only=True)
    try:
        count = store.last_position()
        with pytest.raises(Exception, match=r"(?i)read-?only"):
            store.append([Recorded(SLA_STREAM, 2, event)])
        assert store.last_position() == count
        assert [r.version for r in store.read_stream(SLA_STREAM)] == [1]
    finally:
        store.close()


def test_any_other_sqlalchemy_url_reads_only_at_the_connection(tmp_path: Path) -> None:
    """Issue 18: a store of a database reached through SQLAlchemy (eventsourcing_sqlalchemy)
    opened for reading wrote all the same; its connections now refuse."""
    _attempted_write(f"sqlite+pysqlite:///{tmp_path}/centre.db")


def test_postgresql_reads_only_at_the_connection_even_on_its_first_connection(
    postgres_url: str,
) -> None:
    _attempted_write(postgres_url)
