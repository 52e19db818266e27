"""The README's Python tour runs as written (docs that cannot rot)."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parent.parent / "README.md"


def blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.DOTALL)


@pytest.mark.parametrize("code", blocks())
def test_the_readme_tour_runs(
    code: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    here = Path.cwd()
    os.chdir(tmp_path)
    try:
        exec(compile(code, "README.md", "exec"), {})
    finally:
        os.chdir(here)
    assert "registered-name-must-match" in capsys.readouterr().out


def test_the_quick_start_is_two_commands() -> None:
    text = README.read_text(encoding="utf-8")
    quick = text[text.index("## Quick start") : text.index("## A five-minute tour")]
    commands = re.findall(r"^make \w+", quick, re.MULTILINE)
    assert commands == ["make demo", "make test"]


def test_ci_runs_the_readmes_test_command() -> None:
    ci = (README.parent / ".ci" / "run").read_text(encoding="utf-8")
    assert re.search(r"^make test$", ci, re.MULTILINE)
    assert "CALLCORE_REQUIRE_POSTGRES=1" in ci


@pytest.mark.parametrize("doc", ["docs/views.md"])
def test_the_docs_code_runs(doc: str, tmp_path: Path) -> None:
    text = (README.parent / doc).read_text(encoding="utf-8")
    here = Path.cwd()
    os.chdir(tmp_path)
    try:
        for code in re.findall(r"```python\n(.*?)```", text, re.DOTALL):
            exec(compile(code, doc, "exec"), {})
    finally:
        os.chdir(here)


MADE_IDS = {
    # what UnitOfWork.new_id makes: the kind's letter and ten hex digits of the command id
    "ticket": r"T-[0-9A-F]{10}",
    "complaint": r"K-[0-9A-F]{10}",
    "order": r"O-[0-9A-F]{10}",
    "dispatch": r"D-(O-)?[0-9A-F]{10}",  # an order's delivery: D- and the order's id
    "customer": r"C\d{6}",
}


@pytest.mark.parametrize("doc", ["README.md", "docs/concepts.md", "docs/reliability.md"])
def test_the_ids_the_docs_show_are_ids_the_code_makes(doc: str) -> None:
    """Issue 20: the docs showed ``ticket-T-20261124-001``, an id the code never makes."""
    text = (README.parent / doc).read_text(encoding="utf-8")
    for kind, shape in MADE_IDS.items():
        for shown in re.findall(rf"\b{kind}-([A-Z][\w-]*[\w])", text):
            assert re.fullmatch(shape, shown), f"{doc}: {kind}-{shown} is not an id the code makes"


def test_the_made_ids_are_what_the_code_makes() -> None:
    from callcore.service_layer.unit_of_work import UnitOfWork

    made = UnitOfWork.new_id(type("Command", (), {"command_id": "web-4711"})(), "T")  # type: ignore[arg-type]
    assert re.fullmatch(MADE_IDS["ticket"], made)
