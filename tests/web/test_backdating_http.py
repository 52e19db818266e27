"""Bounded back-dating over HTTP (R11): a time outside the bounds is a 409 naming the
rule and the bound, for every role's token, and nothing is stored."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from callcore.adapters.web import WebRole
from callcore.domain import order
from callcore.domain.common import Actor, Role, Window

from .conftest import CST, MORNING, auth

RULES = {1970: "back-dating-within-bounds", 1999: "back-dating-within-bounds",
         2100: "not-dated-in-the-future"}


def stored(center) -> int:  # type: ignore[no-untyped-def]
    return sum(1 for _ in center.store.read_all(0))


def own_delivery(center) -> str:  # type: ignore[no-untyped-def]
    """An order whose delivery the field token's worker (W002) makes."""
    placed = center.handle(order.PlaceOrder(
        registered=False, name="Wang Xiuying", phone="139 1234 5678",
        address="3 East Gate Road", area="DONGMEN",
        lines=(order.OrderLineRequest("LPG-15", 1),),
        delivery_window=Window(MORNING + timedelta(hours=1), MORNING + timedelta(hours=3)),
        actor=Actor(Role.AGENT, "A07"),
    )).first(order.OrderPlaced)
    center.handle(order.AssignOrderWorker(order_id=placed.order_id, worker_id="W002",
                                          actor=Actor(Role.AGENT, "A07")))
    return placed.order_id


@pytest.mark.parametrize("year", sorted(RULES))
@pytest.mark.parametrize("role", [WebRole.AGENT, WebRole.SUPERVISOR, WebRole.INTEGRATOR,
                                  WebRole.FIELD_WORKER])
def test_a_time_out_of_bounds_is_409_with_the_rule_and_nothing_is_stored(
    client, center, role, year
):
    when = datetime(year, 6, 1, 9, 0, tzinfo=CST).isoformat()
    if role is WebRole.FIELD_WORKER:
        name, body = "record-delivery", {"order_id": own_delivery(center)}
    else:
        name, body = "offer-call", {"call_id": f"c-{year}", "queue": "hotline"}
    before = stored(center)
    response = client.post(f"/commands/{name}", json={**body, "occurred_at": when},
                           headers=auth(role))
    assert response.status_code == 409, response.text
    problem = response.json()
    assert problem["rule"] == RULES[year]
    assert str(year) in problem["detail"] and ("15 minutes" in problem["detail"]
                                               or "24 hours" in problem["detail"]
                                               or "2 minutes" in problem["detail"])
    assert stored(center) == before
    # the same command dated now is taken: the time was all that was wrong
    fine = client.post(f"/commands/{name}", json={**body, "occurred_at": MORNING.isoformat()},
                       headers=auth(role))
    assert fine.status_code == 200, fine.text


def test_a_supervisors_correction_shows_in_the_records_history(client, center, clock):
    # Given a complaint lodged and judged valid at 09:00, and the clock at 13:00
    lodged = client.post("/commands/lodge-complaint", headers=auth(WebRole.AGENT), json={
        "complainant": {"name": "Wang Xiuying", "phone": "139 1234 5678"},
        "about": {"kind": "field-worker", "id": "W002"}, "what": "Late", "wanted_outcome": "Sorry",
    }).json()["events"][0]
    k = lodged["data"]["complaint_id"]
    judged = client.post("/commands/judge-complaint", headers=auth(WebRole.AGENT),
                         json={"complaint_id": k, "valid": True})
    assert judged.status_code == 200, judged.text
    clock.advance(hours=4)
    body = {"complaint_id": k, "department": "TECH",
            "occurred_at": (MORNING + timedelta(minutes=8)).isoformat(),
            "correction": "Phoned at 09:08; the ticket system was down until noon"}
    # When an agent sends it: 403, the correction is a supervisor's
    refused = client.post("/commands/notify-department", json=body, headers=auth(WebRole.AGENT))
    assert refused.status_code == 403 and refused.json()["rule"] == "correction-by-a-supervisor"
    # When a supervisor sends it: taken, with the correction as its own event
    done = client.post("/commands/notify-department", json=body,
                       headers=auth(WebRole.SUPERVISOR))
    assert done.status_code == 200, done.text
    history = client.get(f"/streams/{lodged['stream']}/history",
                         headers=auth(WebRole.QA)).json()
    last = history[-1]
    assert [e["type"] for e in history[-2:]] == ["DepartmentNotified", "TimeCorrected"]
    assert last["actor"] == "supervisor:S01" and last["data"]["reason"] == body["correction"]
    assert last["at"] == history[-2]["at"]  # the fact's time
    # and both the fact and its correction show when the store took them: now, not then
    for shown in history[-2:]:
        assert datetime.fromisoformat(shown["recorded_at"]) == MORNING + timedelta(hours=4)
        assert shown["recorded_at"] != shown["at"]
    assert datetime.fromisoformat(last["data"]["corrected_at"]) == MORNING + timedelta(hours=4)
