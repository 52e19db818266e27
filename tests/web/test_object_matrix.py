"""R10: every command × every role × the actor's own record and another's, over HTTP.

The server is real: uvicorn serves the app on 127.0.0.1 in a thread of this process and
httpx speaks HTTP to it, so what is checked is what a client on the wire gets (headers,
decoding, guards, the bus's policy). A thread rather than a subprocess: the test moves
the centre's clock by hand and reads the store to prove that a refusal stored nothing.

The expectations below are written out from docs/web.md, not taken from
``callcore.adapters.web.access`` or ``callcore.service_layer.authority``.
"""

from __future__ import annotations

import enum
import socket
import threading
import time
import types
import typing
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import attrs
import httpx
import pytest
import uvicorn

from callcore import CallCenter
from callcore.adapters.clock import ManualClock
from callcore.adapters.web import Principal, TokenBook, WebRole, create_app
from callcore.adapters.web.commands import FAMILIES, commands_of, route_name
from callcore.domain import call, customer, order, ticket
from callcore.domain.common import Actor, Command, Contact, Role, Window
from callcore.domain.complaint import LodgeComplaint, Subject, SubjectKind
from tests import reliability

from .conftest import MORNING

A, S, F, Q, I = (  # noqa: E741
    WebRole.AGENT,
    WebRole.SUPERVISOR,
    WebRole.FIELD_WORKER,
    WebRole.QA,
    WebRole.INTEGRATOR,
)
ME = {A: "A07", S: "S01", F: "W001", Q: "Q1", I: "pbx"}
SOMEONE_ELSE = {A: "A08", S: "S02", F: "W002", Q: "Q2", I: "crm"}
TOKENS = {f"{role.value}-token": Principal(role, ident) for role, ident in ME.items()}

FIELD_WORK = {
    "confirm-appointment", "record-field-feedback", "complete-dispatch", "record-delivery",
    "record-empty-collected",
}
INTEGRATION_WORK = {
    "offer-call", "ring-agent", "record-ring-no-answer", "answer-call", "abandon-call",
    "time-out-call", "send-to-voicemail", "transfer-call", "complete-call", "link-call",
    "record-voicemail", "open-account", "change-contact-details", "place-order",
    "open-ticket", "lodge-complaint", "request-dispatch",
}
SUPERVISOR_ONLY = {"grant-quota-exception"}


def may_send(role: WebRole, name: str) -> bool:
    """docs/web.md's matrix: which role may send the command at all."""
    if role is S:
        return True
    if role is A:
        return name not in SUPERVISOR_ONLY
    if role is F:
        return name in FIELD_WORK
    if role is I:
        return name in INTEGRATION_WORK
    return False  # QA reads, never writes


def may_touch(role: WebRole, name: str, whose: str) -> bool:
    """docs/web.md's object-level rule: a field worker only on work assigned to them;
    agents, supervisors and integrations on any record they may command at all."""
    if not may_send(role, name):
        return False
    return not (role is F and whose == "other")


COMMANDS: list[type[Command]] = [c for _, module in FAMILIES for c in commands_of(module)]


# --------------------------------------------------------------------------- the server


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture
def centre() -> Iterator[CallCenter]:
    with CallCenter.open("memory://", clock=ManualClock(MORNING)) as opened:
        yield opened


@pytest.fixture
def server(centre: CallCenter) -> Iterator[str]:
    port = free_port()
    config = uvicorn.Config(
        create_app(centre, TokenBook.of_tokens(TOKENS)),
        host="127.0.0.1", port=port, log_level="warning", lifespan="on",
    )
    served = uvicorn.Server(config)
    thread = threading.Thread(target=served.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not served.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        served.should_exit = True
        thread.join(timeout=30)


# --------------------------------------------------------------------------- records


def at(hours: float) -> datetime:
    return MORNING + timedelta(hours=hours)


@attrs.frozen
class Records:
    """One set of records of each kind, belonging to one person."""

    customer_number: str
    order_id: str
    dispatch_id: str
    ticket_id: str
    complaint_id: str
    call_id: str


def records_of(centre: CallCenter, role: WebRole, whose: str, n: int) -> Records:
    """Records that are the role's own (``whose == "own"``: opened by its principal,
    assigned to it when it is a field worker) or someone else's."""
    ident = ME[role] if whose == "own" else SOMEONE_ELSE[role]
    worker = ident if role is F else ("W001" if whose == "own" else "W002")
    opener = Actor(Role.INTEGRATION, ident) if role is I else Actor(Role.AGENT, ident)
    if role is not I and role is not A:
        opener = Actor(Role.AGENT, "A07" if whose == "own" else "A08")
    handle = centre.handle
    tag = f"{role.value}-{whose}-{n}"
    opened = handle(customer.OpenAccount(
        name="Wang Xiuying", phone="139 1234 5678", address=f"{n} East Gate Road",
        area="DONGMEN", actor=Actor(Role.AGENT, "A07"),
    ))
    number = opened.first(customer.AccountOpened).customer_number
    placed = handle(order.PlaceOrder(
        order_id=f"O-{tag}", registered=True, customer_number=number, name="Wang Xiuying",
        lines=(order.OrderLineRequest("LPG-15", 1),),
        delivery_window=Window(at(24 * n + 2), at(24 * n + 4)),  # within a day's capacity
        actor=Actor(Role.AGENT, "A07"),
    ))
    placed_order = placed.first(order.OrderPlaced)
    handle(order.AssignOrderWorker(
        order_id=placed_order.order_id, worker_id=worker, actor=Actor(Role.AGENT, "A07")
    ))
    dispatch_id = placed_order.dispatch_id
    assert dispatch_id is not None
    assert centre.dispatches.get(dispatch_id).worker_id == worker
    handle(ticket.OpenTicket(
        ticket_id=f"T-{tag}", category=ticket.Category.INQUIRY,
        caller=Contact("Wang Xiuying", "139 1234 5678"), description="When is my delivery?",
        customer_number=number, actor=opener,
    ))
    handle(LodgeComplaint(
        complaint_id=f"K-{tag}", complainant=Contact("Wang Xiuying", "139 1234 5678"),
        customer_number=number, about=Subject(SubjectKind.FIELD_WORKER, worker),
        what="Late again", wanted_outcome="An apology", actor=opener,
    ))
    pbx = Actor(Role.INTEGRATION, ident if role is I else "pbx")
    handle(call.OfferCall(call_id=f"C-{tag}", queue="hotline", caller_phone="139 1234 5678",
                          actor=pbx))
    return Records(number, placed_order.order_id, dispatch_id, f"T-{tag}", f"K-{tag}", f"C-{tag}")


# --------------------------------------------------------------------------- bodies


def value_for(name: str, kind: Any, mine: Records) -> Any:
    """A value of the field's type that the body decoder accepts."""
    targets = {
        "customer_number": mine.customer_number, "order_id": mine.order_id,
        "dispatch_id": mine.dispatch_id, "ticket_id": mine.ticket_id,
        "complaint_id": mine.complaint_id, "call_id": mine.call_id,
        "record_id": mine.ticket_id, "dispatch_ids": [mine.dispatch_id],
    }
    if name in targets:
        return targets[name]
    origin = typing.get_origin(kind)
    arguments = [a for a in typing.get_args(kind) if a is not type(None)]
    if origin in (typing.Union, types.UnionType):
        return value_for(name, arguments[0], mine)
    if origin is tuple or origin is list or origin is frozenset:
        return [value_for(name, arguments[0], mine)]
    if isinstance(kind, type) and issubclass(kind, enum.Enum):
        return next(iter(kind)).value
    if kind is Window:
        return {"start": at(1).isoformat(), "end": at(3).isoformat()}
    if kind is Subject:
        return {"kind": "field-worker", "id": "W001"}
    if isinstance(kind, type) and attrs.has(kind):
        return body_of(kind, mine)
    if kind is bool:
        return True
    if kind is int:
        return 1
    if kind is Decimal:
        return "1.00"
    if kind is datetime:
        return at(1).isoformat()
    if kind is date:
        return at(24).date().isoformat()
    if "phone" in name:
        return "139 1234 5678"
    return {"area": "DONGMEN", "product": "LPG-15", "agent": "A07", "worker_id": "W001",
            "queue": "hotline", "item": "thermal-paper"}.get(name, "Something to say")


def body_of(kind: type[Any], mine: Records) -> dict[str, Any]:
    attrs.resolve_types(kind)
    body = {}
    for field in attrs.fields(kind):
        if field.name in ("command_id", "actor", "occurred_at"):
            continue
        targets_a_record = field.name in (
            "customer_number", "order_id", "dispatch_id", "ticket_id", "complaint_id", "call_id"
        )
        if field.default is attrs.NOTHING or targets_a_record:
            body[field.name] = value_for(field.name, field.type, mine)
    return body


CREATES = {
    "open-account", "place-order", "open-ticket", "lodge-complaint", "request-dispatch",
    "offer-call", "place-outbound-call",
}


def body_for(command: type[Command], mine: Records) -> dict[str, Any]:
    body = body_of(command, mine)
    name = route_name(command)
    if name in CREATES:  # a new record: no id that names an existing one of its kind
        for own_id in ("order_id", "ticket_id", "complaint_id", "dispatch_id"):
            body.pop(own_id, None)
        if name in ("offer-call", "place-outbound-call"):
            body["call_id"] = f"{mine.call_id}-new"
    return body


# --------------------------------------------------------------------------- the matrix


@pytest.mark.reliability
@pytest.mark.parametrize("role", list(WebRole))
def test_every_command_on_own_and_others_records_over_http(server, centre, role: WebRole):
    token = {"Authorization": f"Bearer {role.value}-token"}
    wrong: list[tuple[str, str, int, str]] = []
    granted_beyond = 0
    with httpx.Client(base_url=server, headers=token, timeout=30) as client:
        for n, command in enumerate(COMMANDS):
            name = route_name(command)
            for whose in ("own", "other"):
                mine = records_of(centre, role, whose, n)
                before = sum(1 for _ in centre.store.read_all(0))
                response = client.post(f"/commands/{name}", json=body_for(command, mine))
                stored = sum(1 for _ in centre.store.read_all(0)) - before
                status = response.status_code
                if may_touch(role, name, whose):
                    # decided by the business rules: done (200) or refused by one (409/422)
                    if status not in (200, 409, 422):
                        wrong.append((name, whose, status, response.text[:200]))
                else:
                    refused = status == 403 and stored == 0
                    if not refused:
                        granted_beyond += 1
                        wrong.append((name, whose, status, f"stored {stored}"))
                    elif may_send(role, name):  # refused for whose record it is
                        problem = response.json()
                        detail = problem["detail"]
                        names_it = mine.dispatch_id in detail or mine.order_id in detail
                        if problem["rule"] != "own-work-only" or not names_it:
                            wrong.append((name, whose, status, detail))
    reliability.record(
        "R10", f"actions accepted on records {role.value} may not touch", granted_beyond
    )
    assert wrong == []


def test_the_matrix_covers_every_command_of_every_family(server):
    with httpx.Client(base_url=server) as client:
        paths = set(client.get("/schema/openapi.json").json()["paths"])
    commands = {p.removeprefix("/commands/") for p in paths if p.startswith("/commands/")}
    assert commands == {route_name(c) for c in COMMANDS}
    assert commands >= FIELD_WORK | INTEGRATION_WORK | SUPERVISOR_ONLY


def test_the_python_api_keeps_the_rule_too(centre):
    # Given an order delivered by W002's van
    theirs = records_of(centre, F, "other", 0)
    before = sum(1 for _ in centre.store.read_all(0))
    # When W001 reports its delivery through the Python API
    from callcore.service_layer.authority import OWN_WORK_ONLY, Forbidden

    with pytest.raises(Forbidden) as refused:
        centre.handle(order.RecordDelivery(
            order_id=theirs.order_id, actor=Actor(Role.FIELD_WORKER, "W001")
        ))
    # Then it is refused by the rule, naming the order and its worker, and nothing is stored
    assert refused.value.rule == OWN_WORK_ONLY
    assert theirs.order_id in refused.value.detail and "W002" in refused.value.detail
    assert sum(1 for _ in centre.store.read_all(0)) == before


def test_an_integration_may_not_change_existing_work_through_the_python_api(centre):
    # Given a ticket a front office opened
    theirs = records_of(centre, I, "own", 0)
    before = sum(1 for _ in centre.store.read_all(0))
    # When the same integration tries to close it
    from callcore.service_layer.authority import INTEGRATION_SCOPE, Forbidden

    with pytest.raises(Forbidden) as refused:
        centre.handle(ticket.CloseTicket(
            ticket_id=theirs.ticket_id, actor=Actor(Role.INTEGRATION, "pbx")
        ))
    # Then it is refused by the integration's scope, and nothing is stored
    assert refused.value.rule == INTEGRATION_SCOPE
    assert sum(1 for _ in centre.store.read_all(0)) == before
