"""Twilio redelivers a webhook after the server restarted: the in-memory cache of first
answers is gone, so the first answer is rebuilt from the store. Two app instances on
one SQLite store, every request signed with the twilio package's RequestValidator."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from litestar.testing import TestClient

from callcore import CallCenter
from callcore.adapters.clock import ManualClock
from callcore.adapters.web import Principal, TokenBook, WebRole, create_app

from .test_twilio import CALLER, SETTINGS, webhook

CST = timezone(timedelta(hours=8))
TOKENS = TokenBook.of_tokens({"s": Principal(WebRole.SUPERVISOR, "S01")})


def serve(center: CallCenter) -> TestClient[Any]:
    return TestClient(create_app(center, TOKENS, twilio=SETTINGS), raise_server_exceptions=False)


def test_a_redelivery_after_a_restart_gets_the_first_answer_and_records_nothing(
    tmp_path: Path,
):
    url = f"sqlite:///{tmp_path}/centre.db"
    clock = ManualClock(datetime(2026, 11, 3, 10, 0, tzinfo=CST))
    caller = {**CALLER, "CallSid": "CA31"}
    status = {**caller, "CallStatus": "completed", "SequenceNumber": "0"}
    first: dict[str, Any] = {}
    with CallCenter.open(url, clock=clock) as center, serve(center) as client:
        first["voice"] = webhook(client, "/telephony/twilio/voice", caller)
        first["dequeue"] = webhook(client, "/telephony/twilio/dequeue", caller,
                                   query="agent=A07")
        clock.advance(seconds=40)
        first["status"] = webhook(client, "/telephony/twilio/status", status)
        assert [r.status_code for r in first.values()] == [200, 200, 204]
    clock.advance(seconds=90)  # the server restarted; Twilio retries each request
    with CallCenter.open(url, clock=clock) as center, serve(center) as client:
        before = center.store.last_position()
        again = {
            "voice": webhook(client, "/telephony/twilio/voice", caller),
            "dequeue": webhook(client, "/telephony/twilio/dequeue", caller,
                               query="agent=A07"),
            "status": webhook(client, "/telephony/twilio/status", status),
        }
        for name, response in again.items():
            assert response.status_code == first[name].status_code, (name, response.text)
            assert response.text == first[name].text, name
        assert center.store.last_position() == before
        state = center.calls.get("CA31")
        assert state.agent == "A07" and state.status.value == "completed"
        # another agent claiming the call is still a conflict after the restart
        other = webhook(client, "/telephony/twilio/dequeue", caller, query="agent=A08")
        assert other.status_code == 422 and "idempotency-key-reused" in other.text
        assert center.store.last_position() == before


def test_an_after_hours_call_redelivered_after_a_restart_gets_the_voicemail_answer(
    tmp_path: Path,
):
    url = f"sqlite:///{tmp_path}/centre.db"
    clock = ManualClock(datetime(2026, 11, 3, 23, 30, tzinfo=CST))  # closed
    caller = {**CALLER, "CallSid": "CA32"}
    with CallCenter.open(url, clock=clock) as center, serve(center) as client:
        first = webhook(client, "/telephony/twilio/voice", caller)
        assert "<Record" in first.text
    clock.set(datetime(2026, 11, 4, 9, 0, tzinfo=CST))  # the centre has opened since
    with CallCenter.open(url, clock=clock) as center, serve(center) as client:
        before = center.store.last_position()
        again = webhook(client, "/telephony/twilio/voice", caller)
        assert again.status_code == 200 and again.text == first.text
        assert center.store.last_position() == before


def test_an_over_long_webhook_parameter_is_a_400_naming_it_and_records_nothing(tmp_path: Path):
    clock = ManualClock(datetime(2026, 11, 3, 10, 0, tzinfo=CST))
    with CallCenter.open("memory://", clock=clock) as center, serve(center) as client:
        before = center.store.last_position()
        # (a 2 MB body is refused whole, 413, before any field is read)
        huge = {**CALLER, "CallSid": "CA33", "From": "+86" + "1" * 5_000}
        response = webhook(client, "/telephony/twilio/voice", huge)
        assert response.status_code == 400
        assert "From is 5,003 characters; at most 1,024" in response.text
        assert len(response.text) < 1_000
        assert center.store.last_position() == before
