"""An extreme instant already in a store (written before the domain's horizon, domain.md
§6) is rendered, never a crash: every JSON view over HTTP, the view renderers, the CLI.
And the CLI refuses extreme or garbage instants and days in one line, exit 2."""

from __future__ import annotations

import io
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone

import pytest
from litestar.testing import TestClient
from rich.console import Console

from callcore import CallCenter
from callcore.adapters.clock import ManualClock
from callcore.adapters.web import Principal, TokenBook, WebRole, create_app
from callcore.domain import horizon, order, ticket
from callcore.domain.common import Actor, Contact, Role, Window
from callcore.formats import in_zone, print_view, view_data

CST = timezone(timedelta(hours=8))
MORNING = datetime(2026, 11, 3, 9, 0, tzinfo=CST)
END_OF_TIME = datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC)  # year 10000 in UTC+8
AGENT = Actor(Role.AGENT, "A07")


def written_before_the_rule(center: CallCenter, monkeypatch: pytest.MonkeyPatch) -> None:
    """An order promised until the end of the calendar, and a callback due then, stored
    as a store written before the horizon was a rule holds them."""
    with monkeypatch.context() as before:
        before.setattr(horizon, "check_command_values", lambda *_: None)
        placed = center.handle(order.PlaceOrder(
            registered=False, name="Wang Xiuying", phone="139 1234 5678",
            address="3 East Gate Road", area="DONGMEN",
            lines=(order.OrderLineRequest("LPG-15", 1),),
            delivery_window=Window(MORNING + timedelta(hours=1), END_OF_TIME),
            actor=AGENT,
        )).first(order.OrderPlaced)
        opened = center.handle(ticket.OpenTicket(
            category=ticket.Category.INQUIRY, caller=Contact("Li", "139 0000 1111"),
            description="When?", actor=AGENT,
        )).first(ticket.TicketOpened)
        center.handle(ticket.PromiseCallback(
            ticket_id=opened.ticket_id, phone="139 0000 1111", reply_due=END_OF_TIME,
            actor=AGENT,
        ))
    assert placed.delivery_window.end == END_OF_TIME


@pytest.fixture
def center(monkeypatch: pytest.MonkeyPatch) -> Iterator[CallCenter]:
    with CallCenter.open("memory://", clock=ManualClock(MORNING)) as centre:
        written_before_the_rule(centre, monkeypatch)
        yield centre


def test_an_instant_with_no_local_time_is_rendered_in_its_own_offset():
    assert in_zone(END_OF_TIME, CST) == END_OF_TIME
    assert in_zone(MORNING.astimezone(UTC), CST).utcoffset() == timedelta(hours=8)


def test_every_view_renders_a_store_holding_the_end_of_the_calendar(center: CallCenter):
    zone = center.directory.local(MORNING).tzinfo
    assert zone is not None
    views = center.views
    for view in (views.sla(MORNING), views.queues(MORNING), views.satisfaction(MORNING),
                 views.daily(MORNING.date(), MORNING)):
        data = view_data(view, zone)
        assert data["as_of"]
        print_view(Console(file=io.StringIO(), width=200), view, zone)
    assert "9999-12-31T23:59:59+00:00" in str(view_data(views.sla(MORNING), zone))


def test_every_json_route_answers_a_store_holding_the_end_of_the_calendar(center: CallCenter):
    app = create_app(center, TokenBook.of_tokens({"s": Principal(WebRole.SUPERVISOR, "S01")}))
    with TestClient(app, raise_server_exceptions=False) as client:
        paths = [
            route.path.replace("{branch:str}", "B-EAST").replace("{worker:str}", "W002")
            .replace("{record_id:str}", "X").replace("{stream:str}", "order-X")
            for route in app.routes
            if "GET" in getattr(route, "methods", ()) and "{" not in route.path.replace(
                "{branch:str}", "").replace("{worker:str}", "").replace("{record_id:str}", "")
            .replace("{stream:str}", "")
        ]
        assert "/views/sla" in paths and "/wallboard/data" in paths
        for path in paths:
            response = client.get(path, headers={"Authorization": "Bearer s"})
            assert response.status_code < 500, (path, response.text)
        sla = client.get("/views/sla", headers={"Authorization": "Bearer s"})
        assert sla.status_code == 200 and "9999-12-31T23:59:59+00:00" in sla.text


# --------------------------------------------------------------------------- the CLI


def callcore(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "callcore", *args], capture_output=True,
                          text=True, timeout=600, check=False)


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str]:
    """A small store and its log: one order, the demo directory."""
    folder = tmp_path_factory.mktemp("extreme")
    db, log = f"sqlite:///{folder}/centre.db", str(folder / "centre.jsonl")
    with CallCenter.open(db, clock=ManualClock(MORNING)) as centre:
        centre.handle(order.PlaceOrder(
            registered=False, name="Wang Xiuying", phone="139 1234 5678",
            address="3 East Gate Road", area="DONGMEN",
            lines=(order.OrderLineRequest("LPG-15", 1),),
            delivery_window=Window(MORNING + timedelta(hours=1), MORNING + timedelta(hours=3)),
            actor=AGENT,
        ))
    assert callcore("export", "--db", db, "--out", log).returncode == 0
    return db, log


EXTREMES = ["9999-12-31", "9999-12-31T23:59:59-12:00", "0001-01-01", "0000-01-01", "garbage"]


@pytest.mark.parametrize("value", EXTREMES)
def test_every_cli_instant_or_day_option_refuses_an_extreme_value_in_one_line(
    store: tuple[str, str], value: str
):
    from typer.testing import CliRunner

    from callcore.__main__ import app

    db, log = store
    runner = CliRunner()
    for args in (
        ("views", "--db", db, "--day", value),
        ("views", "--db", db, "--at", value),
        ("views", "--db", db, "--view", "intervals", "--day", value),
        ("replay", log, "--until", value),
        ("replay", log, "--day", value),
        ("audit", log, "--since", value),
        ("audit", db, "--until", value),
        ("report", "--log", log, "--day", value, "--out", log + ".html", "--force"),
    ):
        done = runner.invoke(app, list(args))
        assert done.exit_code == 2, (args, done.stdout[-300:], done.stderr[-600:])
        assert done.exception is None or isinstance(done.exception, SystemExit), args
        assert "Traceback" not in done.stderr, (args, done.stderr)
        assert done.stderr.strip().count("\n") == 0, (args, done.stderr)
        assert value in done.stderr, (args, done.stderr)
