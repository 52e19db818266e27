"""The command line, run as a user would: as subprocesses."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def callcore(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "callcore", *args],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


def test_export_import_and_history(tmp_path: Path) -> None:
    a, b, log = (
        f"sqlite:///{tmp_path}/a.db",
        f"sqlite:///{tmp_path}/b.db",
        str(tmp_path / "a.jsonl"),
    )
    assert callcore("demo", "--db", a).returncode == 0
    exported = callcore("export", "--db", a, "--out", log)
    assert exported.returncode == 0, exported.stderr
    imported = callcore("import", log, "--db", b)
    assert imported.returncode == 0, imported.stderr
    assert "imported" in imported.stdout
    timeline = callcore("history", log, "customer-C000001")
    assert timeline.returncode == 0
    assert "AccountOpened" in timeline.stdout
    assert callcore("history", b, "customer-C000001").stdout == timeline.stdout


def test_user_mistakes_are_one_line_and_a_non_zero_exit(tmp_path: Path) -> None:
    for args, words in [
        (
            ("import", str(tmp_path / "missing.jsonl"), "--db", f"sqlite:///{tmp_path}/x.db"),
            "no such file",
        ),
        (("history", f"sqlite:///{tmp_path}/x.db", "ticket-nope"), "no such database file"),
        (("export", "--db", "centre.db", "--out", str(tmp_path / "o.jsonl")), "not a store URL"),
        (("worker", "--db", "postgresql://nobody@127.0.0.1:1/none"), "cannot use the database"),
    ]:
        done = callcore(*args)
        assert done.returncode != 0, args
        assert words in done.stderr, (args, done.stderr)
        assert done.stderr.strip().count("\n") == 0, (args, done.stderr)
        assert "Traceback" not in done.stderr
