"""The command reference (docs/commands.md) is the code's: generated from it, its
examples are the walkthrough's steps that run, and its rules exist (issue 20)."""

from __future__ import annotations

import importlib.util
import inspect
import pkgutil
import re
import subprocess
import sys
import typing
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import attrs
import pytest

import callcore
import callcore.domain
import callcore.service_layer
from callcore import CallCenter, Outcome, commands, views
from callcore.command_reference import (
    WALKTHROUGH,
    examples,
    handler_table,
    reach,
    render,
    senders,
    type_text,
)
from callcore.domain.common import Actor, Command, Role, Rule
from callcore.service_layer import authority

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = ROOT / "docs" / "commands.md"


def _modules(package: ModuleType) -> Iterator[ModuleType]:
    yield package
    for info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
        yield importlib.import_module(info.name)


def _domain_commands() -> set[type[Command]]:
    found: set[type[Command]] = set()
    for module in _modules(callcore.domain):
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, Command) and value is not Command:
                found.add(value)
    return found


def _sections(page: str) -> dict[str, str]:
    """``### Name`` → the text of that section of the page."""
    parts = re.split(r"^### (\w+)\n", page, flags=re.MULTILINE)
    return dict(zip(parts[1::2], parts[2::2], strict=True))


@pytest.fixture(scope="module")
def walkthrough() -> list[tuple[Command, Outcome]]:
    """Run examples/every_command.py; every command it hands to ``cc.handle`` itself,
    with what it recorded (not the ones the centre sends while opening)."""
    spec = importlib.util.spec_from_file_location("every_command", WALKTHROUGH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    handled: list[tuple[Command, Outcome]] = []
    original = CallCenter.handle

    def spy(self: CallCenter, command: Command) -> Outcome:
        outcome = original(self, command)
        if Path(sys._getframe(1).f_code.co_filename).resolve() == WALKTHROUGH:
            handled.append((command, outcome))
        return outcome

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(CallCenter, "handle", spy)
        centre = module.main()
    centre.close()
    return handled


# --------------------------------------------------------------------------- (a)


def test_the_reference_is_what_the_code_generates() -> None:
    assert render() == REFERENCE.read_text(encoding="utf-8"), (
        "docs/commands.md and the code disagree: run `make reference`"
    )


def test_a_command_without_a_step_shows_in_the_reference(tmp_path: Path) -> None:
    text = WALKTHROUGH.read_text(encoding="utf-8").replace("# --- LinkCall\n", "\n")
    copy = tmp_path / "every_command.py"
    copy.write_text(text, encoding="utf-8")
    page = render(copy)
    assert page != REFERENCE.read_text(encoding="utf-8")
    assert "no example: add a `# --- LinkCall` step" in _sections(page)["LinkCall"]


def test_the_generator_refuses_a_missing_walkthrough_in_one_line(tmp_path: Path) -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "callcore.command_reference",
            "--walkthrough",
            str(tmp_path / "absent.py"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 2
    assert done.stdout == ""
    assert len(done.stderr.strip().splitlines()) == 1
    assert "absent.py" in done.stderr


# --------------------------------------------------------------------------- (b)


def test_the_walkthrough_handles_every_command_and_each_records(
    walkthrough: list[tuple[Command, Outcome]],
) -> None:
    handled = {type(command) for command, _ in walkthrough}
    missing = sorted(c.__name__ for c in set(handler_table()) - handled)
    assert not missing, f"commands the walkthrough never handles: {missing}"
    recording = {type(command) for command, outcome in walkthrough if outcome.events}
    silent = sorted(c.__name__ for c in handled - recording)
    assert not silent, f"commands handled but recording nothing: {silent}"


def test_every_command_has_exactly_one_step() -> None:
    steps = examples()
    assert sorted(steps) == sorted(c.__name__ for c in handler_table())
    for name, step in steps.items():
        assert f"{name}(" in step, f"the step marked {name} does not build a {name}"


# --------------------------------------------------------------------------- (c)


def test_every_example_in_the_reference_is_the_walkthroughs_code() -> None:
    sections = _sections(REFERENCE.read_text(encoding="utf-8"))
    source = WALKTHROUGH.read_text(encoding="utf-8")
    for command_type in handler_table():
        name = command_type.__name__
        blocks = re.findall(r"```python\n(.*?)\n```", sections[name], flags=re.DOTALL)
        assert len(blocks) == 1, f"{name} has {len(blocks)} examples"
        (block,) = blocks
        assert block == examples()[name]
        # the same lines, in order, under the command's marker in the walkthrough
        indent = " " * 4
        body = "\n".join(indent + line if line else line for line in block.splitlines())
        assert f"# --- {name}\n{body}\n" in source, f"{name}'s example is not the walkthrough's"


# --------------------------------------------------------------------------- (d)


def _all_rules() -> dict[str, Rule]:
    found: dict[str, Rule] = {}
    for package in (callcore.domain, callcore.service_layer):
        for module in _modules(package):
            for value in vars(module).values():
                if isinstance(value, Rule):
                    found[value.name] = value
    return found


def _listed_rules(section: str) -> list[str]:
    part = section.split("**Rules it can break**")[1].split("**Events it records**")[0]
    return re.findall(r"^- `([\w-]+)` — ", part, flags=re.MULTILINE)


def test_every_rule_listed_exists_with_its_source() -> None:
    rules = _all_rules()
    sections = _sections(REFERENCE.read_text(encoding="utf-8"))
    for command_type in handler_table():
        section = sections[command_type.__name__]
        for name in _listed_rules(section):
            assert name in rules, f"{command_type.__name__} lists an unknown rule {name}"
            assert rules[name].source.split(":")[0] in section


KNOWN_RULES = {
    "PlaceOrder": {
        "delivery-window-in-the-future",
        "registered-name-must-match",
        "order-has-lines",
        "unknown-product",
        "walk-in-details-required",
        "pickup-before-delivery-ends",
    },
    "GrantQuotaException": {"supervisor-grants-quota-exception", "exception-for-refused-request"},
    "NotifyDepartment": {"unknown-department", "must-exist"},
    "AnswerCall": {"wait-measured-by-the-pbx", "not-before-the-offer", "call-ended"},
    "ResumeClocks": {"resume-a-paused-clock", "pause-clocks-of-a-record", "must-exist"},
    "CloseOrder": {"close-after-delivery-and-empty-collected"},
    "AssignOrderWorker": {"delivery-worker-of-the-branch", "unknown-field-worker"},
    "OpenAccount": {"unknown-area", "valid-phone-number"},
}
KNOWN_EVENTS = {
    "PlaceOrder": {"OrderPlaced", "DispatchRequested"},
    "RequestConsumables": {"ConsumablesIssued", "ConsumablesProvided", "ConsumablesRefused"},
    "PauseClocks": {"ClockPaused"},
    "LodgeComplaint": {"ComplaintLodged"},
}


@pytest.mark.parametrize("name", sorted(KNOWN_RULES))
def test_the_rules_found_include_the_known_ones(name: str) -> None:
    command_type = next(c for c in handler_table() if c.__name__ == name)
    found = set(reach(command_type).rules)
    assert KNOWN_RULES[name] <= found, KNOWN_RULES[name] - found
    listed = set(_listed_rules(_sections(REFERENCE.read_text(encoding="utf-8"))[name]))
    assert KNOWN_RULES[name] <= listed


def test_a_command_whose_decisions_never_refuse_lists_no_rule() -> None:
    # agent presence is reported after it happens and never refused (domain/agent.py)
    for command_type in (commands.LogInAgent, commands.PauseAgent, commands.UnpauseAgent):
        assert reach(command_type).rules == {}


@pytest.mark.parametrize("name", sorted(KNOWN_EVENTS))
def test_the_events_found_include_the_known_ones(name: str) -> None:
    command_type = next(c for c in handler_table() if c.__name__ == name)
    assert KNOWN_EVENTS[name] <= set(reach(command_type).events)


def test_the_events_the_walkthrough_recorded_are_listed(
    walkthrough: list[tuple[Command, Outcome]],
) -> None:
    for command, outcome in walkthrough:
        listed = set(reach(type(command)).events)
        recorded = {type(event).__name__ for event in outcome}
        # the receipt of a command id is the bus's, not the command's
        recorded.discard("CommandHandled")
        assert recorded <= listed, f"{type(command).__name__}: {recorded - listed} not listed"


def test_who_may_send_it_is_what_the_authority_allows(
    walkthrough: list[tuple[Command, Outcome]],
) -> None:
    first = {type(command): command for command, _ in reversed(walkthrough)}
    for command_type, command in first.items():
        allowed = senders(command_type)
        for role in Role:
            try:
                authority.authorize(
                    Actor(role, "someone"), attrs.evolve(command, actor=Actor(role, "x")), None
                )
                may = True
            except authority.Forbidden:
                may = False
            said = any(s.split(" ")[0] == role.value for s in allowed)
            assert may == said, f"{command_type.__name__} by {role.value}"


# --------------------------------------------------------------------------- public API


def test_every_command_class_in_the_domain_is_exported() -> None:
    for command_type in _domain_commands():
        name = command_type.__name__
        assert name in commands.__all__, f"callcore.commands does not export {name}"
        assert getattr(commands, name) is command_type
        assert getattr(callcore, name) is command_type
        assert name in callcore.__all__
    assert _domain_commands() == set(handler_table())


def _classes_in(hint: Any) -> Iterator[type]:
    if isinstance(hint, type):
        yield hint
    for arg in typing.get_args(hint):
        yield from _classes_in(arg)


def test_every_type_a_command_field_takes_is_exported() -> None:
    exported = {id(getattr(commands, name)) for name in commands.__all__}
    for command_type in handler_table():
        for hint in typing.get_type_hints(command_type).values():
            for cls in _classes_in(hint):
                if cls.__module__.startswith("callcore"):
                    assert id(cls) in exported, (
                        f"{command_type.__name__} takes {type_text(hint)}: export {cls.__name__}"
                    )


def test_every_class_callcore_exports_is_documented() -> None:
    for module in (callcore, commands, views):
        for name in module.__all__:
            value = getattr(module, name)
            if inspect.isclass(value):
                assert value.__dict__.get("__doc__"), f"{module.__name__}.{name} has no docstring"


def test_every_command_has_its_own_docstring() -> None:
    for command_type in handler_table():
        assert command_type.__dict__.get("__doc__"), f"{command_type.__name__} has no docstring"


def test_the_view_types_are_exported_from_callcore_views() -> None:
    for name in dir(views.Views):
        method = getattr(views.Views, name)
        if name.startswith("_") or not callable(method):
            continue
        returned = typing.get_type_hints(method).get("return")
        for cls in _classes_in(returned):
            if cls.__module__.startswith("callcore.projections"):
                assert cls.__name__ in views.__all__, f"Views.{name} returns {cls.__name__}"
    for name in ("ManualClock", "RecordingNotifier", "Views", "CallCenter", "Outcome"):
        assert name in callcore.__all__


def test_a_handler_held_in_an_object_is_walked_too() -> None:
    """When the handler table holds objects (a partial, an entry with its decision)
    rather than functions, the walk follows the functions they hold."""
    import functools

    from callcore.command_reference import CodeWalk

    @attrs.frozen
    class Entry:
        handle: Any

    handler = handler_table()[commands.CloseOrder]
    direct = set(CodeWalk().walk(handler).rules)
    assert "close-after-delivery-and-empty-collected" in direct
    assert set(CodeWalk().walk(functools.partial(handler)).rules) == direct
    assert set(CodeWalk().walk(Entry(handler)).rules) == direct
