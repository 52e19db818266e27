"""The HTTP API driven the way a front office, a field worker's app, a PBX integration,
a supervisor and QA drive it: every command family and view, as each role."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from litestar.testing import TestClient

from callcore import CallCenter
from callcore.adapters.clock import ManualClock
from callcore.adapters.web import WebRole

from .conftest import MORNING, auth

AGENT, SUPERVISOR, FIELD, QA, INTEGRATOR = (
    WebRole.AGENT,
    WebRole.SUPERVISOR,
    WebRole.FIELD_WORKER,
    WebRole.QA,
    WebRole.INTEGRATOR,
)


def at(hours: float = 0, minutes: float = 0) -> str:
    return (MORNING + timedelta(hours=hours, minutes=minutes)).isoformat()


def command(client: TestClient[Any], name: str, body: dict[str, Any], role: WebRole,
            key: str | None = None) -> dict[str, Any]:
    response = client.post(f"/commands/{name}", json=body, headers=auth(role, key))
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


def event(result: dict[str, Any], type_name: str) -> dict[str, Any]:
    found = [e for e in result["events"] if e["type"] == type_name]
    assert found, f"no {type_name} in {[e['type'] for e in result['events']]}"
    return found[0]


def open_wang(client: TestClient[Any], role: WebRole = AGENT) -> str:
    opened = command(
        client,
        "open-account",
        {"name": "Wang Xiuying", "phone": "139 1234 5678", "address": "3 East Gate Road",
         "area": "DONGMEN"},
        role,
    )
    number: str = event(opened, "AccountOpened")["data"]["customer_number"]
    return number


def test_a_front_office_opens_an_account_and_the_event_names_who_did_it(client):
    # Given an integrator's token (a web front office)
    # When it opens an account
    opened = command(
        client,
        "open-account",
        {"name": "Wang Xiuying", "phone": "139 1234 5678", "address": "3 East Gate Road",
         "area": "DONGMEN"},
        INTEGRATOR,
    )
    # Then the account is recorded under the integration's actor, phone in E.164
    account = event(opened, "AccountOpened")
    assert account["actor"] == "integration:pbx"
    assert account["data"]["phone"] == "+8613912345678"
    assert account["data"]["branch"] == "B-EAST"
    # And an agent can look the customer up
    number = account["data"]["customer_number"]
    looked_up = client.get(f"/customers/{number}", headers=auth(AGENT))
    assert looked_up.status_code == 200
    assert looked_up.json()["name"] == "Wang Xiuying"


def test_an_order_is_placed_assigned_and_delivered_by_the_field_worker(client, center):
    number = open_wang(client)
    placed = command(
        client,
        "place-order",
        {"registered": True, "customer_number": number, "name": "Wang Xiuying",
         "lines": [{"product": "LPG-15", "quantity": 2}],
         "delivery_window": {"start": at(2), "end": at(4)}},
        AGENT,
    )
    order = event(placed, "OrderPlaced")["data"]
    # priced from the directory's registered price list in force on the day (2 × 110.00)
    assert order["total"] == "220.00"
    command(client, "assign-order-worker", {"order_id": order["order_id"], "worker_id": "W002"},
            AGENT)
    # The assigned field worker reads the order and records the delivery from the door
    seen = client.get(f"/orders/{order['order_id']}", headers=auth(FIELD))
    assert seen.status_code == 200, seen.text
    assert seen.json()["worker_id"] == "W002"
    delivered = command(client, "record-delivery", {"order_id": order["order_id"]}, FIELD)
    assert event(delivered, "OrderDelivered")["actor"] == "field-worker:W002"


def test_a_ticket_inquiry_is_answered_on_the_spot(client):
    number = open_wang(client)
    opened = command(
        client,
        "open-ticket",
        {"category": "inquiry", "customer_number": number,
         "caller": {"name": "Wang Xiuying", "phone": "139 1234 5678"},
         "description": "How often should the regulator be replaced?"},
        AGENT,
    )
    ticket_id = event(opened, "TicketOpened")["data"]["ticket_id"]
    command(client, "answer-on-the-spot",
            {"ticket_id": ticket_id, "answer": "Every five years"}, AGENT)
    state = client.get(f"/tickets/{ticket_id}", headers=auth(SUPERVISOR)).json()
    assert state["status"] in {"answered", "resolved", "closed"}


def lodge(client: TestClient[Any], number: str) -> str:
    lodged = command(
        client,
        "lodge-complaint",
        {"complainant": {"name": "Wang Xiuying", "phone": "139 1234 5678"},
         "customer_number": number, "about": {"kind": "field-worker", "id": "W002"},
         "what": "Rude delivery", "wanted_outcome": "An apology"},
        AGENT,
    )
    complaint_id: str = event(lodged, "ComplaintLodged")["data"]["complaint_id"]
    return complaint_id


def test_a_complaint_resolution_is_read_by_supervisors_only(client):
    number = open_wang(client)
    k = lodge(client, number)
    command(client, "judge-complaint", {"complaint_id": k, "valid": True}, AGENT)
    command(client, "notify-department", {"complaint_id": k, "department": "BUSINESS"}, AGENT)
    command(client, "record-resolution",
            {"complaint_id": k, "resolution": "Apology visit and a free check"}, AGENT)
    # The supervisor reads the resolution
    seen = client.get(f"/complaints/{k}", headers=auth(SUPERVISOR)).json()
    assert seen["resolutions"][0]["text"] == "Apology visit and a free check"
    # An agent, QA and an integrator see that one exists, not what it says
    for role in (AGENT, QA, INTEGRATOR):
        other = client.get(f"/complaints/{k}", headers=auth(role))
        assert other.status_code == 200
        assert len(other.json()["resolutions"]) == 1
        assert other.json()["resolutions"][0]["text"] is None
        assert "Apology visit" not in other.text
    # The audit trail: QA sees every event with its actor, the text withheld
    history = client.get(f"/streams/complaint-{k}/history", headers=auth(QA))
    assert history.status_code == 200
    proposed = next(e for e in history.json() if e["type"] == "ResolutionProposed")
    assert proposed["data"]["resolution"] is None and proposed["actor"] == "agent:A07"
    assert "Apology visit" not in history.text
    supervisor_history = client.get(f"/streams/complaint-{k}/history", headers=auth(SUPERVISOR))
    assert "Apology visit" in supervisor_history.text
    # the complaint's id alone finds its stream, and the text is withheld all the same
    by_id = client.get(f"/streams/{k}/history", headers=auth(QA))
    assert by_id.status_code == 200 and by_id.json() == history.json()
    unknown = client.get(f"/streams/complaint-{k}x/history", headers=auth(QA))
    assert unknown.status_code == 404 and f"complaint-{k}" in unknown.json()["detail"]
    # A field worker (the very subject of the complaint) may not read it at all
    assert client.get(f"/complaints/{k}", headers=auth(FIELD)).status_code == 403


def test_a_dispatch_is_requested_assigned_and_completed_by_its_technician(client, center):
    requested = command(
        client,
        "request-dispatch",
        {"kind": "repair", "site_address": "120 Xihu Avenue", "area": "DONGMEN",
         "contact": {"name": "Manager Sun", "phone": "0931 880 2233"},
         "wished": {"start": at(1), "end": at(3)}, "job": "Boiler will not light",
         "priority": "urgent"},
        AGENT,
    )
    dispatch_id = event(requested, "DispatchRequested")["data"]["dispatch_id"]
    command(client, "assign-dispatch", {"dispatch_id": dispatch_id}, SUPERVISOR)
    technician = center.dispatches.get(dispatch_id).worker_id
    assert technician is not None
    if technician == "W002":  # the field token's worker
        command(client, "complete-dispatch", {"dispatch_id": dispatch_id, "outcome": "Fixed"},
                FIELD)
    else:
        # Another worker's dispatch: the field token may neither read it nor finish it
        assert client.get(f"/dispatches/{dispatch_id}", headers=auth(FIELD)).status_code == 403
        command(client, "complete-dispatch", {"dispatch_id": dispatch_id, "outcome": "Fixed"},
                SUPERVISOR)
    assert center.dispatches.get(dispatch_id).status == "completed"


def test_a_pbx_reports_a_call_and_the_queue_view_counts_it(client, clock: ManualClock):
    command(client, "offer-call", {"call_id": "1795.1", "queue": "hotline",
                                   "caller_phone": "139 1234 5678"}, INTEGRATOR, key="1795.1-offer")
    clock.advance(seconds=9)
    command(client, "answer-call", {"call_id": "1795.1", "agent": "A07"}, INTEGRATOR)
    clock.advance(minutes=3)
    command(client, "complete-call", {"call_id": "1795.1", "ended_by": "caller"}, INTEGRATOR)
    queues = client.get("/views/queues", headers=auth(AGENT)).json()
    hotline = next(q for q in queues["queues"] if q["queue"] == "hotline")
    assert (hotline["offered"], hotline["answered"], hotline["answered_within_target"]) == (1, 1, 1)
    assert hotline["asa_seconds"] == 9
    # A supervisor pauses and resumes clocks like any other command family
    call_state = client.get("/calls/1795.1", headers=auth(QA)).json()
    assert call_state["agent"] == "A07"


def test_views_as_of_a_past_instant(client, clock: ManualClock):
    number = open_wang(client)
    lodge(client, number)
    clock.advance(minutes=30)
    now = client.get("/views/sla", headers=auth(SUPERVISOR)).json()
    before = client.get("/views/sla", params={"at": "2026-11-03T08:59"},
                        headers=auth(SUPERVISOR)).json()
    assert before["clocks"] == []
    notified = [c for c in now["clocks"] if c["clock"] == "complaint-department-notified"]
    assert notified and notified[0]["state"] == "breached"  # 10 minutes, 30 have passed
    daily = client.get("/views/daily", params={"day": "2026-11-03"}, headers=auth(QA))
    assert daily.status_code == 200 and daily.json()["day"] == "2026-11-03"
    satisfaction = client.get("/views/satisfaction", headers=auth(SUPERVISOR))
    assert satisfaction.status_code == 200 and "branches" in satisfaction.json()
    bad = client.get("/views/sla", params={"at": "half past nine"}, headers=auth(SUPERVISOR))
    assert bad.status_code == 400 and "at: 'half past nine' is not a time" in bad.json()["detail"]


def test_worker_load_and_work_queues(client):
    requested = command(
        client, "request-dispatch",
        {"kind": "repair", "site_address": "5 East Gate Road", "area": "DONGMEN",
         "contact": {"name": "Ms Qian", "phone": "137 0931 5555"},
         "wished": {"start": at(1), "end": at(3)}, "job": "Leaking valve"},
        AGENT,
    )
    dispatch_id = event(requested, "DispatchRequested")["data"]["dispatch_id"]
    waiting = client.get("/views/work-queue/B-EAST", headers=auth(AGENT)).json()
    assert [row["id"] for row in waiting] == [dispatch_id]
    assert client.get("/views/open-work/B-EAST", headers=auth(SUPERVISOR)).status_code == 200
    own = client.get("/views/worker-load/W002", headers=auth(FIELD))
    assert own.status_code == 200 and own.json()["worker"] == "W002"
    assert client.get("/views/worker-load/W001", headers=auth(FIELD)).status_code == 403
    assert client.get("/views/worker-load/W999", headers=auth(SUPERVISOR)).status_code == 404
    assert client.get("/views/follow-ups", headers=auth(AGENT)).status_code == 200


def stored(center: CallCenter) -> int:
    return sum(1 for _ in center.store.read_all())


@pytest.mark.reliability
def test_the_same_idempotency_key_and_body_give_the_first_response_and_record_nothing(
    client, center
):
    body = {"name": "Wang Xiuying", "phone": "139 1234 5678", "address": "3 East Gate Road",
            "area": "DONGMEN"}
    first = client.post("/commands/open-account", json=body, headers=auth(AGENT, "k-1"))
    count = stored(center)
    again = client.post("/commands/open-account", json=body, headers=auth(AGENT, "k-1"))
    assert again.status_code == first.status_code == 200
    assert again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert stored(center) == count
    # the same key with another body: 422, nothing recorded
    other = client.post("/commands/open-account", json={**body, "name": "Li Lei"},
                        headers=auth(AGENT, "k-1"))
    assert other.status_code == 422
    assert other.json()["rule"] == "idempotency-key-reused"
    assert stored(center) == count
    # another client's identical key is its own: a new account
    theirs = client.post("/commands/open-account", json=body, headers=auth(INTEGRATOR, "k-1"))
    assert theirs.status_code == 200 and stored(center) > count


def test_a_broken_rule_is_a_409_naming_it_and_nothing_is_stored(client, center):
    number = open_wang(client)
    k = lodge(client, number)
    count = stored(center)
    refused = client.post("/commands/close-complaint", json={"complaint_id": k},
                          headers=auth(AGENT))
    assert refused.status_code == 409
    problem = refused.json()
    assert problem["rule"] and problem["rule"] != "server-error"
    assert problem["source"].startswith("domain.md")
    assert stored(center) == count
    # A command naming a record that does not exist is a 404 (issue 20), not a 409.
    missing = client.post("/commands/close-ticket", json={"ticket_id": "T-404"},
                          headers=auth(AGENT))
    assert missing.status_code == 404 and missing.json()["rule"] == "must-exist"


def test_malformed_input_names_the_field_and_stores_nothing(client, center):
    count = stored(center)
    cases = [
        ({"name": "  ", "phone": "139 1234 5678", "address": "x", "area": "DONGMEN"}, 400, "name"),
        ({"phone": "139 1234 5678", "address": "x", "area": "DONGMEN"}, 400, "name"),
        ({"name": "W", "phone": "139 1234 5678", "address": "x", "area": "DONGMEN",
          "customer_type": "alien"}, 400, "customer_type"),
        ({"name": "W", "phone": "12", "address": "x", "area": "DONGMEN"}, 422, "12"),
        ({"name": "W", "phone": "139 1234 5678", "address": "x", "area": "DONGMEN",
          "colour": "red"}, 400, "colour"),
    ]
    for body, status, named in cases:
        response = client.post("/commands/open-account", json=body, headers=auth(AGENT))
        assert response.status_code == status, (body, response.text)
        assert named in response.json()["detail"], response.text
    not_json = client.post("/commands/open-account", content=b"{not json",
                           headers={**auth(AGENT), "Content-Type": "application/json"})
    assert not_json.status_code == 400
    window = client.post(
        "/commands/request-dispatch",
        json={"kind": "repair", "site_address": "x", "area": "DONGMEN",
              "contact": {"name": "A", "phone": "137 0931 5555"},
              "wished": {"start": at(3), "end": at(1)}, "job": "x"},
        headers=auth(AGENT),
    )
    assert window.status_code == 400
    assert window.json()["detail"].startswith("wished: a window must end after it starts")
    naive = client.post(
        "/commands/request-dispatch",
        json={"kind": "repair", "site_address": "x", "area": "DONGMEN",
              "contact": {"name": "A", "phone": "137 0931 5555"},
              "wished": {"start": "2026-11-03T12:00:00", "end": "2026-11-03T14:00:00"},
              "job": "x"},
        headers=auth(AGENT),
    )
    assert naive.status_code == 400 and "UTC offset" in naive.json()["detail"]
    assert stored(center) == count


def test_tokens_missing_unknown_or_of_the_wrong_role(client):
    none = client.get("/views/sla")
    assert none.status_code == 401 and none.headers["WWW-Authenticate"].startswith("Bearer")
    unknown = client.get("/views/sla", headers={"Authorization": "Bearer guess"})
    assert unknown.status_code == 401 and unknown.json()["rule"] == "unauthenticated"
    wrong = client.get("/views/daily", headers=auth(AGENT))
    assert wrong.status_code == 403 and "agent role may not" in wrong.json()["detail"]
    assert client.get("/me", headers=auth(FIELD)).json() == {
        "role": "field-worker", "id": "W002", "actor": "field-worker:W002"}
    assert client.get("/health").json()["status"] == "ok"


def test_the_openapi_document_types_every_command_body(client):
    document = client.get("/schema/openapi.json").json()
    body = document["paths"]["/commands/open-account"]["post"]["requestBody"]
    schema = document["components"]["schemas"][body["content"]["application/json"]["schema"]
                                              ["$ref"].rsplit("/", 1)[1]]
    assert set(schema["required"]) == {"name", "phone", "address", "area"}
    assert "actor" not in schema["properties"] and "command_id" not in schema["properties"]
    parameters = document["paths"]["/commands/open-account"]["post"]["parameters"]
    assert any(p["name"] == "Idempotency-Key" and p["in"] == "header" for p in parameters)
    assert document["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"


def test_a_misspelt_query_parameter_is_refused_not_ignored(client):
    refused = client.get("/views/queues", params={"untill": "2026-11-03"},
                         headers=auth(SUPERVISOR))
    assert refused.status_code == 400
    assert refused.json()["detail"].startswith("'untill': not a parameter here")
    assert "until" in refused.json()["detail"]
    command_query = client.post("/commands/open-account?dry=1", json={}, headers=auth(AGENT))
    assert command_query.status_code == 400
