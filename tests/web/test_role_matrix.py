"""R7: every endpoint × every role. The matrix below is written out independently of
``callcore.adapters.web.access`` (it is the table of docs/web.md): a change that grants
more, or less, than it says fails here."""

from __future__ import annotations

import re
from typing import Any

import pytest
from litestar.testing import TestClient

from callcore.adapters.web import WebRole
from tests import reliability

from .conftest import auth

A, S, F, Q, I = (  # noqa: E741
    WebRole.AGENT,
    WebRole.SUPERVISOR,
    WebRole.FIELD_WORKER,
    WebRole.QA,
    WebRole.INTEGRATOR,
)

FIELD_WORKER_COMMANDS = {
    "confirm-appointment",
    "record-field-feedback",
    "complete-dispatch",
    "record-delivery",
    "record-empty-collected",
}
INTEGRATOR_COMMANDS = {
    # telephony
    "offer-call",
    "ring-agent",
    "record-ring-no-answer",
    "answer-call",
    "abandon-call",
    "time-out-call",
    "send-to-voicemail",
    "transfer-call",
    "complete-call",
    "link-call",
    "record-voicemail",
    # a web front office or CRM
    "open-account",
    "change-contact-details",
    "place-order",
    "open-ticket",
    "lodge-complaint",
    "request-dispatch",
}
SUPERVISOR_ONLY_COMMANDS = {"grant-quota-exception"}

READS: dict[str, set[WebRole]] = {
    "/views/sla": {A, S, Q, I},
    "/views/queues": {A, S, Q, I},
    "/views/satisfaction": {S, Q},
    "/views/daily": {S, Q},
    "/views/work-queue/{branch}": {A, S},
    "/views/open-work/{branch}": {A, S},
    "/views/follow-ups": {A, S},
    "/views/worker-load/{worker}": {A, S, F},
    "/wallboard/data": {S, Q},
    "/streams/{stream}/history": {S, Q},
    "/customers/{record_id}": {A, S, Q, I},
    "/orders/{record_id}": {A, S, F, Q, I},
    "/tickets/{record_id}": {A, S, Q, I},
    "/complaints/{record_id}": {A, S, Q, I},
    "/dispatches/{record_id}": {A, S, F, Q, I},
    "/calls/{record_id}": {A, S, Q, I},
    "/me": {A, S, F, Q, I},
}
PUBLIC = {"/health"}


def allowed(path: str) -> set[WebRole]:
    if path in READS:
        return READS[path]
    name = path.removeprefix("/commands/")
    roles = {S}
    if name not in SUPERVISOR_ONLY_COMMANDS:
        roles.add(A)
    if name in FIELD_WORKER_COMMANDS:
        roles.add(F)
    if name in INTEGRATOR_COMMANDS:
        roles.add(I)
    return roles


def endpoints(client: TestClient[Any]) -> list[tuple[str, str]]:
    document = client.get("/schema/openapi.json").json()
    return sorted(
        (method.upper(), path)
        for path, operations in document["paths"].items()
        for method in operations
    )


def concrete(path: str) -> str:
    # A field worker's own id, so that the own-load check does not mask the matrix
    return re.sub(r"\{worker\}", "W002", re.sub(r"\{(branch|stream|record_id)\}", "X-1", path))


def test_every_endpoint_is_in_the_matrix(client):
    listed = {path for _, path in endpoints(client)}
    commands = {p for p in listed if p.startswith("/commands/")}
    assert len(commands) >= 60
    assert listed - commands - PUBLIC == set(READS), "an endpoint is missing from the matrix"
    names = {p.removeprefix("/commands/") for p in commands}
    assert names >= FIELD_WORKER_COMMANDS | INTEGRATOR_COMMANDS | SUPERVISOR_ONLY_COMMANDS


@pytest.mark.reliability
@pytest.mark.parametrize("role", list(WebRole))
def test_every_endpoint_against_every_role(client, role: WebRole):
    granted_beyond, refused_within = [], []
    for method, path in endpoints(client):
        if path in PUBLIC:
            continue
        url = concrete(path)
        response = (
            client.post(url, json={}, headers=auth(role))
            if method == "POST"
            else client.get(url, headers=auth(role))
        )
        assert response.status_code != 500, (method, path, response.text)
        assert response.status_code != 401, (method, path)
        if role in allowed(path):
            if response.status_code == 403:
                refused_within.append(path)
        elif response.status_code != 403:
            granted_beyond.append((path, response.status_code))
    reliability.record(
        "R7", f"endpoints granted beyond the matrix to {role.value}", len(granted_beyond)
    )
    assert granted_beyond == []  # R7: access granted beyond the role matrix
    assert refused_within == []


def test_without_a_token_everything_but_health_is_401(client):
    for method, path in endpoints(client):
        url = concrete(path)
        response = client.post(url, json={}) if method == "POST" else client.get(url)
        expected = 200 if path in PUBLIC else 401
        assert response.status_code == expected, (method, path, response.status_code)


# Reference data: the directory and the SLA policy in force are a supervisor's act (or the
# system's, when a store records its first one). They are no HTTP endpoint at all, so the
# object-level policy (callcore.service_layer.authority) is what keeps the rule, for the
# CLI (`callcore adopt-directory --by`) and the Python API alike.
REFERENCE_ADOPTERS = {"supervisor", "system"}


def test_adopting_reference_data_is_no_endpoint(client):
    listed = {path for _, path in endpoints(client)}
    assert "/commands/adopt-directory" not in listed
    assert "/commands/adopt-sla-policy" not in listed


@pytest.mark.parametrize(
    "role", ["agent", "supervisor", "field-worker", "system", "integration", "customer"]
)
def test_only_a_supervisor_or_the_system_adopts_a_directory_or_a_policy(role: str, directory):
    import attrs

    from callcore import CallCenter
    from callcore.domain.common import Actor, Role
    from callcore.domain.policy import AdoptSlaPolicy
    from callcore.domain.reference import AdoptDirectory
    from callcore.service_layer.authority import Forbidden

    centre = CallCenter.open("memory://", directory=directory)
    actor = Actor(Role(role), "X1")
    changed = attrs.evolve(directory, sla=attrs.evolve(directory.sla, short_abandon_seconds=7))
    # handling AdoptDirectory adopts its policy too: the policy command brings another one
    policy = attrs.evolve(changed.sla, short_abandon_seconds=9)
    for command in (
        AdoptDirectory(directory=changed, reason="a new answer target", actor=actor),
        AdoptSlaPolicy(policy=policy, actor=actor),
    ):
        before = centre.store.last_position()
        if role in REFERENCE_ADOPTERS:
            centre.handle(command)
            assert centre.store.last_position() > before
        else:
            with pytest.raises(Forbidden, match="supervisor"):
                centre.handle(command)
            assert centre.store.last_position() == before
