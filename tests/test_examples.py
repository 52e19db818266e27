"""Every example runs as a user would run it, and prints what it promises."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def test_quickstart(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, str(EXAMPLES / "quickstart.py"), f"sqlite:///{tmp_path}/c.db"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "account C000001 opened, served by B-EAST" in out
    assert "220.00 yuan at the registered price" in out
    assert "refused: registered-name-must-match" in out
    last = out.strip().splitlines()[-1]
    assert "complaint-department-notified breached" in last
    assert "complaint-department-notified at-risk" in out.strip().splitlines()[-2]
