"""Twilio voice webhooks through the web adapter, every request signed by the `twilio`
package's own RequestValidator (an independent implementation of the signature)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from typing import Any
from urllib.parse import urlencode

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from litestar.testing import TestClient
from twilio.request_validator import RequestValidator

from callcore import CallCenter
from callcore.adapters.clock import ManualClock
from callcore.adapters.telephony.twilio import TwilioSettings
from callcore.adapters.web import Principal, TokenBook, WebRole, create_app
from tests import reliability

CST = timezone(timedelta(hours=8))
TOKEN = "twilio-auth-token-for-tests"
PUBLIC = "https://callcore.example.cn"
SETTINGS = TwilioSettings(auth_token=TOKEN, public_url=PUBLIC, queue="hotline")
validator = RequestValidator(TOKEN)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(datetime(2026, 11, 3, 10, 0, tzinfo=CST))


@pytest.fixture
def center(clock: ManualClock) -> Iterator[CallCenter]:
    with CallCenter.open("memory://", clock=clock) as centre:
        yield centre


@pytest.fixture
def client(center: CallCenter) -> Iterator[TestClient[Any]]:
    tokens = TokenBook.of_tokens({"s": Principal(WebRole.SUPERVISOR, "S01")})
    with TestClient(create_app(center, tokens, twilio=SETTINGS),
                    raise_server_exceptions=False) as test_client:
        yield test_client


def webhook(client: TestClient[Any], path: str, form: dict[str, str], *,
            sign_with: str | None = TOKEN, query: str = "") -> Any:
    url = PUBLIC + path + (f"?{query}" if query else "")
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    if sign_with is not None:
        headers["X-Twilio-Signature"] = RequestValidator(sign_with).compute_signature(url, form)
    return client.post(path + (f"?{query}" if query else ""), content=urlencode(form),
                       headers=headers)


def stored(center: CallCenter) -> int:
    return center.store.last_position()


CALLER = {"CallSid": "CA01", "From": "+8613912345678", "To": "+864008001234",
          "CallStatus": "ringing", "AccountSid": "AC1"}


def test_a_call_is_offered_queued_answered_by_an_agent_and_completed(client, center, clock):
    # Given a call arriving during opening hours
    response = webhook(client, "/telephony/twilio/voice", CALLER)
    # Then it is offered and put in the queue
    assert response.status_code == 200
    assert "<Enqueue" in response.text and "hotline</Enqueue>" in response.text
    assert f'action="{PUBLIC}/telephony/twilio/enqueue"' in response.text
    assert center.calls.get("CA01").status == "offered"
    # When agent A07 dequeues it 9 s later
    clock.advance(seconds=9)
    dequeued = webhook(client, "/telephony/twilio/dequeue",
                       {"CallSid": "CA01", "QueueSid": "QU1", "QueueTime": "9"},
                       query="agent=A07")
    assert dequeued.status_code == 200
    state = center.calls.get("CA01")
    assert (state.status, state.agent, state.waited_seconds) == ("answered", "A07", 9)
    # And the caller's leg completes
    clock.advance(minutes=3)
    done = webhook(client, "/telephony/twilio/status",
                   {**CALLER, "CallStatus": "completed", "CallDuration": "189",
                    "SequenceNumber": "0"})
    assert done.status_code == 204
    assert center.calls.get("CA01").status == "completed"
    (hotline,) = center.views.queues(clock.now()).queues
    assert (hotline.offered, hotline.answered, hotline.answered_within_target) == (1, 1, 1)


def test_out_of_order_status_callbacks_are_put_in_order_by_sequence_number(client, center):
    # No voice webhook: only status callbacks, and "completed" arrives before "ringing"
    completed = {**CALLER, "CallSid": "CA02", "CallStatus": "completed", "SequenceNumber": "1",
                 "Timestamp": "Tue, 03 Nov 2026 02:00:30 +0000"}
    ringing = {**CALLER, "CallSid": "CA02", "CallStatus": "ringing", "SequenceNumber": "0",
               "Timestamp": "Tue, 03 Nov 2026 02:00:00 +0000"}
    assert webhook(client, "/telephony/twilio/status", completed).status_code == 204
    assert not center.calls.exists("CA02")  # held until sequence 0 comes
    assert webhook(client, "/telephony/twilio/status", ringing).status_code == 204
    history = center.history("call-CA02")
    assert [type(r.event).__name__ for r in history] == ["CallOffered", "CallAbandoned"]
    assert history[1].event.waited_seconds == 30  # stamped by the callbacks' Timestamps
    assert client.app.state.telephony_feed.report.refused == {}


def test_a_caller_who_hangs_up_in_the_queue_is_an_abandon(client, center, clock):
    webhook(client, "/telephony/twilio/voice", {**CALLER, "CallSid": "CA03"})
    clock.advance(seconds=25)
    result = webhook(client, "/telephony/twilio/enqueue",
                     {"CallSid": "CA03", "QueueResult": "hangup", "QueueTime": "25"})
    assert result.status_code == 200
    state = center.calls.get("CA03")
    assert (state.status, state.waited_seconds) == ("abandoned", 25)


def test_after_hours_the_caller_records_a_voicemail_that_becomes_callback_work(
    client, center, clock
):
    clock.set(datetime(2026, 11, 3, 22, 40, tzinfo=CST))
    answer = webhook(client, "/telephony/twilio/voice", {**CALLER, "CallSid": "CA04"})
    assert "<Record" in answer.text and "/telephony/twilio/voicemail" in answer.text
    left = webhook(client, "/telephony/twilio/voicemail",
                   {**CALLER, "CallSid": "CA04", "RecordingUrl": "https://api.twilio.com/R1",
                    "RecordingDuration": "21"})
    assert left.status_code == 200
    assert center.calls.get("CA04").status == "voicemail"
    recorded = [p.recorded.event for p in center.store.read_all()]
    due = [e for e in recorded if type(e).__name__ == "VoicemailRecorded"]
    # callback work due 08:30 the next business morning (domain.md §4.3)
    assert due and due[0].callback_due == datetime(2026, 11, 4, 8, 30, tzinfo=CST)
    opened = next(e for e in recorded if type(e).__name__ == "TicketOpened")
    assert "https://api.twilio.com/R1" in str(attrs.asdict(opened))


@pytest.mark.reliability
@pytest.mark.parametrize("how", ["missing", "forged", "tampered"])
def test_a_bad_or_missing_signature_is_403_and_records_nothing(client, center, how):
    before = stored(center)
    if how == "missing":
        response = webhook(client, "/telephony/twilio/voice", CALLER, sign_with=None)
    elif how == "forged":
        response = webhook(client, "/telephony/twilio/voice", CALLER, sign_with="not-the-token")
    else:
        url = PUBLIC + "/telephony/twilio/voice"
        good = validator.compute_signature(url, CALLER)
        response = client.post("/telephony/twilio/voice",
                               content=urlencode({**CALLER, "From": "+8613800000000"}),
                               headers={"Content-Type": "application/x-www-form-urlencoded",
                                        "X-Twilio-Signature": good})
    accepted = int(response.status_code != 403 or stored(center) != before)
    reliability.record("R8", f"webhooks with a {how} signature accepted", accepted)
    assert response.status_code == 403
    assert stored(center) == before


@pytest.mark.reliability
def test_a_redelivered_webhook_records_nothing_twice(client, center):
    webhook(client, "/telephony/twilio/voice", {**CALLER, "CallSid": "CA05"})
    before = stored(center)
    again = webhook(client, "/telephony/twilio/voice", {**CALLER, "CallSid": "CA05"})
    assert again.status_code == 200 and stored(center) == before


def test_a_signature_made_with_the_port_is_accepted_too(client, center):
    url = "https://callcore.example.cn:443/telephony/twilio/voice"
    form = {**CALLER, "CallSid": "CA06"}
    response = client.post("/telephony/twilio/voice", content=urlencode(form), headers={
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Twilio-Signature": validator.compute_signature(url, form)})
    assert response.status_code == 200 and center.calls.exists("CA06")


@settings(max_examples=100, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    path=st.sampled_from(["voice", "status", "enqueue", "dequeue", "voicemail"]),
    form=st.dictionaries(
        st.sampled_from(["CallSid", "CallStatus", "SequenceNumber", "Timestamp", "QueueResult",
                         "QueueTime", "From", "To", "RecordingDuration", "Junk"]),
        st.text(alphabet=st.characters(blacklist_categories=["Cs", "Cc"]), max_size=20),
    ),
)
def test_signed_garbage_is_never_a_server_error(path, form):
    morning = ManualClock(datetime(2026, 11, 3, 10, tzinfo=CST))
    with CallCenter.open("memory://", clock=morning) as center:
        tokens = TokenBook.of_tokens({})
        with TestClient(create_app(center, tokens, twilio=SETTINGS),
                        raise_server_exceptions=False) as client:
            response = webhook(client, f"/telephony/twilio/{path}", form, query="agent=A1")
            assert response.status_code in {200, 204, 400}, response.text


def test_a_redelivery_seconds_later_gets_the_first_answer_and_records_nothing(
    client, center, clock
):
    """Twilio retries with the same signed request; the commands it stands for would be
    stamped at a later instant. Signed with the twilio package's RequestValidator."""
    caller = {**CALLER, "CallSid": "CA21"}
    first = webhook(client, "/telephony/twilio/voice", caller)
    clock.advance(seconds=7)
    before = stored(center)
    again = webhook(client, "/telephony/twilio/voice", caller)
    assert again.status_code == first.status_code == 200
    assert again.text == first.text
    assert stored(center) == before
    webhook(client, "/telephony/twilio/dequeue", caller, query="agent=A07")
    clock.advance(seconds=5)
    before = stored(center)
    redelivered = webhook(client, "/telephony/twilio/dequeue", caller, query="agent=A07")
    assert redelivered.status_code == 200 and stored(center) == before
    status = {**caller, "CallStatus": "completed", "SequenceNumber": "0"}
    assert webhook(client, "/telephony/twilio/status", status).status_code == 204
    clock.advance(seconds=3)
    before = stored(center)
    assert webhook(client, "/telephony/twilio/status", status).status_code == 204
    assert stored(center) == before
    assert center.calls.get("CA21").agent == "A07"


def test_a_different_request_reusing_a_fact_is_a_conflict(client, center, clock):
    """Only a different request for the same fact conflicts: another agent taking a call
    already answered, at another instant."""
    caller = {**CALLER, "CallSid": "CA22"}
    webhook(client, "/telephony/twilio/voice", caller)
    taken = webhook(client, "/telephony/twilio/dequeue", caller, query="agent=A07")
    assert taken.status_code == 200
    clock.advance(seconds=4)
    before = stored(center)
    other = webhook(client, "/telephony/twilio/dequeue", caller, query="agent=A08")
    assert other.status_code == 422 and "idempotency-key-reused" in other.text
    assert stored(center) == before
    assert center.calls.get("CA22").agent == "A07"
