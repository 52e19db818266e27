"""The import contracts of pyproject.toml: the domain and the projections do no I/O."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_import_contracts_are_kept() -> None:
    lint_imports = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    assert lint_imports, "import-linter is a development dependency"
    result = subprocess.run([lint_imports], cwd=ROOT, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout[-3000:]
    assert "0 broken" in result.stdout


def test_no_domain_module_reads_the_system_clock() -> None:
    offenders = []
    for path in (ROOT / "src/callcore/domain").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        for needle in ("datetime.now(", "datetime.utcnow(", "date.today(", "time.time("):
            if needle in text:
                offenders.append(f"{path.name}: {needle}")
    for path in (ROOT / "src/callcore/projections").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        if "datetime.now(" in text or "date.today(" in text:
            offenders.append(path.name)
    assert offenders == []
