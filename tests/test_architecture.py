"""The import contracts of pyproject.toml: the domain and the projections do no I/O."""

from __future__ import annotations

import os
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


def test_the_calendar_and_the_directory_do_not_import_each_other() -> None:
    import grimp

    graph = grimp.build_graph("callcore")
    chain = graph.find_shortest_chain(
        importer="callcore.domain.directory", imported="callcore.domain.calendar"
    )
    assert chain is None, chain
    assert "callcore.domain.directory" in graph.find_upstream_modules("callcore.domain.calendar")


def test_a_domain_module_importing_an_entry_point_breaks_a_contract(tmp_path: Path) -> None:
    """The contracts are not vacuous: a copy of the package whose domain imports the CLI,
    and whose service layer imports an adapter, is refused by lint-imports."""
    lint_imports = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    assert lint_imports
    copy = tmp_path / "src"
    shutil.copytree(
        ROOT / "src/callcore", copy / "callcore", ignore=shutil.ignore_patterns("data", "*.pyc")
    )
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    policy = copy / "callcore/domain/policy.py"
    policy.write_text(policy.read_text(encoding="utf-8") + "\nimport callcore.__main__\n")
    receipts = copy / "callcore/service_layer/receipts.py"
    receipts.write_text(
        receipts.read_text(encoding="utf-8") + "\nimport callcore.adapters.web.app\n"
    )
    env = {**os.environ, "PYTHONPATH": str(copy)}
    result = subprocess.run(
        [lint_imports], cwd=tmp_path, capture_output=True, text=True, check=False, env=env
    )
    assert result.returncode != 0
    broken = result.stdout
    assert "callcore.domain.policy -> callcore.__main__" in broken
    assert "callcore.service_layer.receipts -> callcore.adapters.web.app" in broken
    assert "application module BROKEN" in broken  # the service layer's contract
    assert "Only entry points import entry points BROKEN" in broken
