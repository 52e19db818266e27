"""The handler table the composition root builds: every command has exactly one handler,
nothing is registered by importing a module, and a mis-wired entry is a type error."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import callcore.domain
from callcore.domain import call
from callcore.domain.common import Command
from callcore.service_layer.bootstrap import handler_table
from callcore.service_layer.handlers.call import call_stream
from callcore.service_layer.handlers.table import HandlerAlreadyWired, HandlerTable, on_one_stream
from tests.support import Scenario

ROOT = Path(__file__).resolve().parents[2]


def _domain_commands() -> set[type[Command]]:
    found: set[type[Command]] = set()
    pending = list(Command.__subclasses__())
    while pending:
        command_type = pending.pop()
        pending.extend(command_type.__subclasses__())
        if command_type.__module__.startswith(callcore.domain.__name__ + "."):
            found.add(command_type)
    return found


def test_every_command_of_the_domain_has_exactly_one_handler() -> None:
    table = handler_table()
    commands = _domain_commands()
    assert len(commands) > 60  # the walk found the domain's commands, not a few
    missing = sorted(c.__name__ for c in commands - set(table))
    extra = sorted(c.__name__ for c in set(table) - commands)
    assert missing == []
    assert extra == []
    assert len(table) == len(commands)


def test_a_second_handler_for_a_command_is_refused() -> None:
    table = HandlerTable()
    table.add(call.RingAgent, on_one_stream(call.FOLD, call_stream, call.ring_agent))
    with pytest.raises(HandlerAlreadyWired, match="RingAgent already has a handler"):
        table.add(call.RingAgent, on_one_stream(call.FOLD, call_stream, call.ring_agent))


def test_each_bus_has_the_table_it_was_given() -> None:
    """No global registry: a table without a command's entry does not handle it."""
    from callcore.service_layer.messagebus import UnknownCommand

    scenario = Scenario()
    bus = scenario.center.bus
    assert call.RingAgent in bus.handlers
    bus.handlers = HandlerTable()
    with pytest.raises(UnknownCommand, match="no handler for RingAgent"):
        bus.handle(call.RingAgent(call_id="C-1", agent="1001"))


SNIPPET = """
from attrs import frozen

from callcore.domain import call
from callcore.domain.common import Event, unknown_event
from callcore.service_layer.handlers import complaint as complaint_handlers
from callcore.service_layer.handlers.call import call_stream
from callcore.service_layer.handlers.table import HandlerTable, on_one_stream

table = HandlerTable()
table.add(call.RingAgent, on_one_stream(call.FOLD, call_stream, call.ring_agent))  # right
table.add(call.RingAgent, on_one_stream(call.FOLD, call_stream, call.abandon_call))  # MISWIRED-1
table.add(call.RingAgent, complaint_handlers.lodge_complaint)  # MISWIRED-2


@frozen(kw_only=True)
class Opened(Event):
    pass


@frozen(kw_only=True)
class Closed(Event):
    pass


Events = Opened | Closed


def evolve(state: int, event: Events) -> int:
    match event:
        case Opened():
            return state + 1
        case _:
            raise unknown_event("snippet", event)  # NOT-EXHAUSTIVE: Closed is forgotten
"""


@pytest.mark.slow
def test_mypy_refuses_a_miswired_entry_and_a_forgotten_event(tmp_path: Path) -> None:
    """The typing claims of the table and of exhaustive evolve, checked by mypy itself
    (a warm cache makes this a few seconds; the first run analyses callcore, ~1 min)."""
    mypy = shutil.which("mypy", path=str(Path(sys.executable).parent))
    assert mypy, "mypy is a development dependency"
    snippet = tmp_path / "miswired.py"
    snippet.write_text(SNIPPET, encoding="utf-8")
    result = subprocess.run(
        [mypy, "--strict", "--cache-dir", str(ROOT / ".mypy_cache" / "snippets"), str(snippet)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    lines = SNIPPET.splitlines()
    # mypy's cache may name the file by an earlier run's path: match its name only
    flagged = {
        lines[int(line.partition("miswired.py:")[2].split(":")[0]) - 1].split("# ")[-1]
        for line in result.stdout.splitlines()
        if "miswired.py:" in line and ": error:" in line
    }
    assert flagged == {
        "MISWIRED-1",
        "MISWIRED-2",
        "NOT-EXHAUSTIVE: Closed is forgotten",
    }, result.stdout


def test_open_passes_the_command_id_source_through() -> None:
    """The simulator used to replace ``center.bus.command_ids`` after opening."""
    from callcore import CallCenter
    from callcore.domain import ticket
    from callcore.domain.common import Contact

    def opened_ticket_id() -> tuple[str, str]:
        ids = (f"seeded-{n}" for n in range(1, 100))
        center = CallCenter.open("memory://", command_ids=ids.__next__, cache_states=False)
        outcome = center.handle(
            ticket.OpenTicket(
                category=ticket.Category.INQUIRY,
                caller=Contact("Wang Xiuying", "139 1234 5678"),
                description="Bill question",
            )
        )
        assert center.bus.cache is None
        return outcome.command_id, outcome.first(ticket.TicketOpened).ticket_id

    first, again = opened_ticket_id(), opened_ticket_id()
    # the opening's own bookkeeping (adopting the directory and policy) takes none of them
    assert first[0] == "seeded-1"
    assert first == again


def _snake(name: str) -> str:
    import re

    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


# Commands decided outside their module's one-signature decision, each for a reason:
ELSEWHERE = {
    "PauseClocks": "any record's clocks: service_layer/handlers/clocks.py",
    "ResumeClocks": "any record's clocks: service_layer/handlers/clocks.py",
    "PlanInstalls": "a day's plan across work orders: domain/assignment.py plan_installs",
}


def test_every_command_is_decided_by_a_function_named_after_it() -> None:
    """One naming rule: ``OpenTicket`` is decided by ``ticket.open_ticket(state, command,
    context)``, ``PlaceOrder`` by ``order.place_order``."""
    import importlib
    import inspect

    misnamed = []
    for command_type in sorted(_domain_commands(), key=lambda c: c.__name__):
        if command_type.__name__ in ELSEWHERE:
            continue
        module = importlib.import_module(command_type.__module__)
        decision = getattr(module, _snake(command_type.__name__), None)
        if decision is None:
            misnamed.append(command_type.__name__)
            continue
        parameters = list(inspect.signature(decision).parameters)
        if parameters != ["state", "command", "context"]:
            misnamed.append(f"{command_type.__name__}: {decision.__name__}{tuple(parameters)}")
    assert misnamed == []
