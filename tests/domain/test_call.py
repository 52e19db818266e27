"""Call (domain.md §4.6, interfaces.md §6), told as given/when/then stories."""

from __future__ import annotations

from datetime import timedelta

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from callcore.domain import call
from callcore.domain.call import (
    AbandonCall,
    AnswerCall,
    CallAbandoned,
    CallAnswered,
    CallCompleted,
    CallLinked,
    CallOffered,
    CallSentToVoicemail,
    CallTimedOut,
    CallTransferred,
    CompleteCall,
    LinkCall,
    OfferCall,
    OutboundCallNotReached,
    OutboundCallPlaced,
    PlaceOutboundCall,
    RecordKind,
    RecordNoAnswer,
    RecordRingNoAnswer,
    RingAgent,
    RingNotAnswered,
    SendToVoicemail,
    TimeOutCall,
    TransferCall,
)
from callcore.domain.common import EXISTS, Actor, Role
from tests.support import Scenario, at

T0 = at(23, 9)


def offered(s: Scenario, call_id: str = "1700000000.1") -> Scenario:
    return s.given(
        OfferCall(call_id=call_id, queue="support", caller_phone="13912345678", occurred_at=T0)
    )


class TestTheAnswerClock:
    """Answer within three rings: 5 s a ring in China, so 15 s."""

    def test_answered_after_12_seconds_is_3_rings_within_target(self) -> None:
        s = offered(Scenario(start=T0))
        s.given(
            RingAgent(call_id="1700000000.1", agent="A01", occurred_at=T0 + timedelta(seconds=2))
        )
        s.when(
            AnswerCall(call_id="1700000000.1", agent="A01", occurred_at=T0 + timedelta(seconds=12))
        )
        (answered,) = s.then(CallAnswered)
        assert isinstance(answered, CallAnswered)
        assert (answered.waited_seconds, answered.rings, answered.within_target) == (12, 3, True)

    def test_answered_after_16_seconds_is_4_rings_outside(self) -> None:
        s = offered(Scenario(start=T0))
        s.when(
            AnswerCall(call_id="1700000000.1", agent="A01", occurred_at=T0 + timedelta(seconds=16))
        )
        answered = s.then(CallAnswered)[0]
        assert isinstance(answered, CallAnswered)
        assert (answered.rings, answered.within_target) == (4, False)

    def test_the_caller_number_is_normalised_or_kept_raw(self) -> None:
        s = Scenario(start=T0)
        s.when(OfferCall(call_id="c1", queue="q", caller_phone="+86 139 1234 5678"))
        assert s.then(CallOffered)[0].caller == "+8613912345678"  # type: ignore[attr-defined]
        s.when(OfferCall(call_id="c2", queue="q", caller_phone="anonymous"))
        event = s.then(CallOffered)[0]
        assert (event.caller, event.caller_id_raw) == (None, "anonymous")  # type: ignore[attr-defined]

    def test_a_call_after_hours_is_marked(self) -> None:
        s = Scenario(start=at(23, 23))
        s.when(OfferCall(call_id="night", queue="q"))
        assert s.then(CallOffered)[0].after_hours  # type: ignore[attr-defined]


class TestTheWaitIsThePbxs:
    """A caller's wait is the PBX's own measure or the call's recorded times; a person
    records when a call was answered or left, never how long it waited (issue 19: no
    token can make a clock lie)."""

    @pytest.mark.parametrize("role", [Role.AGENT, Role.SUPERVISOR])  # a field worker: 403
    def test_a_person_cannot_say_how_long_the_caller_waited(self, role: Role) -> None:
        s = offered(Scenario(start=T0 + timedelta(minutes=14)))
        person = Actor(role, "A01")
        late = T0 + timedelta(minutes=14)
        for command in (
            AnswerCall(call_id="1700000000.1", agent="A01", waited_seconds=3, actor=person),
            AbandonCall(call_id="1700000000.1", waited_seconds=1, actor=person),
            TimeOutCall(call_id="1700000000.1", waited_seconds=1, actor=person),
        ):
            s.when(attrs.evolve(command, occurred_at=late))
            error = s.then_broken(call.WAIT_MEASURED_BY_THE_PBX)
            assert "waited_seconds" in str(error)

    def test_the_pbx_measure_is_taken_and_a_person_gets_the_recorded_times(self) -> None:
        pbx = Actor(Role.INTEGRATION, "asterisk")
        s = offered(Scenario(start=T0))
        s.when(
            AnswerCall(
                call_id="1700000000.1",
                agent="A01",
                waited_seconds=16.4,  # CONNECT's hold time, not the stamps' 15 s
                actor=pbx,
                occurred_at=T0 + timedelta(seconds=15),
            )
        )
        assert s.then(CallAnswered)[0].waited_seconds == 16.4  # type: ignore[attr-defined]
        s = offered(Scenario(start=T0), call_id="c2")
        s.when(AnswerCall(call_id="c2", agent="A01", occurred_at=T0 + timedelta(minutes=14)))
        assert s.then(CallAnswered)[0].waited_seconds == 14 * 60  # type: ignore[attr-defined]


class TestRinging:
    def test_rings_several_agents_in_turn(self) -> None:
        s = offered(Scenario(start=T0))
        cid = "1700000000.1"
        s.given(
            RingAgent(call_id=cid, agent="A01"),
            RecordRingNoAnswer(call_id=cid, agent="A01", ring_seconds=15),
            RingAgent(call_id=cid, agent="A02"),
        )
        state = s.center.calls.get(cid)
        assert (state.agents_rung, state.ringing_agent, state.ring_attempts) == (
            ("A01", "A02"),
            "A02",
            2,
        )

    def test_repeated_facts_record_nothing(self) -> None:
        s = offered(Scenario(start=T0))
        cid = "1700000000.1"
        s.given(RingAgent(call_id=cid, agent="A01"))
        s.when(RingAgent(call_id=cid, agent="A01")).then_nothing()
        s.given(AnswerCall(call_id=cid, agent="A01"))
        s.when(AnswerCall(call_id=cid, agent="A01")).then_nothing()
        s.when(OfferCall(call_id=cid, queue="support")).then_nothing()

    def test_an_unanswered_ring_for_another_agent_is_ignored(self) -> None:
        s = offered(Scenario(start=T0))
        s.given(RingAgent(call_id="1700000000.1", agent="A01"))
        s.when(RecordRingNoAnswer(call_id="1700000000.1", agent="A09")).then_nothing()
        s.when(RecordRingNoAnswer(call_id="1700000000.1", agent="A01")).then(RingNotAnswered)


class TestEndings:
    def test_abandoned_while_waiting(self) -> None:
        s = offered(Scenario(start=T0))
        s.when(
            AbandonCall(call_id="1700000000.1", position=2, occurred_at=T0 + timedelta(seconds=40))
        )
        event = s.then(CallAbandoned)[0]
        assert event.waited_seconds == 40  # type: ignore[attr-defined]
        s.when(CompleteCall(call_id="1700000000.1")).then_nothing()  # the hang-up that follows
        s.when(RingAgent(call_id="1700000000.1", agent="A01")).then_broken(call.CALL_ENDED)

    def test_timed_out_and_voicemail(self) -> None:
        s = offered(Scenario(start=T0))
        s.when(TimeOutCall(call_id="1700000000.1")).then(CallTimedOut)
        s = offered(Scenario(start=at(23, 22, 30)), "night")
        s.when(SendToVoicemail(call_id="night", occurred_at=at(23, 22, 31)))
        assert s.then(CallSentToVoicemail)[0].after_hours  # type: ignore[attr-defined]

    def test_an_answered_call_is_transferred_and_completed(self) -> None:
        s = offered(Scenario(start=T0))
        cid = "1700000000.1"
        s.given(AnswerCall(call_id=cid, agent="A01", occurred_at=T0 + timedelta(seconds=5)))
        s.when(TransferCall(call_id=cid, to="TECH")).then(CallTransferred)
        s.when(CompleteCall(call_id=cid, occurred_at=T0 + timedelta(minutes=3, seconds=5)))
        assert s.then(CallCompleted)[0].talk_seconds == 180  # type: ignore[attr-defined]
        s.when(CompleteCall(call_id=cid)).then_nothing()

    def test_rules(self) -> None:
        s = offered(Scenario(start=T0))
        cid = "1700000000.1"
        s.when(TransferCall(call_id=cid, to="TECH")).then_broken(call.TRANSFER_ANSWERED_CALL)
        s.when(AnswerCall(call_id=cid, agent="A01", occurred_at=T0 - timedelta(seconds=1)))
        s.then_broken(call.NOT_BEFORE_OFFER)
        s.given(AnswerCall(call_id=cid, agent="A01"))
        s.when(AnswerCall(call_id=cid, agent="A02")).then_broken(call.ANSWER_NEEDS_WAITING_CALL)
        s.when(AbandonCall(call_id=cid)).then_broken(call.ANSWER_NEEDS_WAITING_CALL)
        s.when(AnswerCall(call_id="nobody", agent="A01")).then_broken(EXISTS)


class TestLinksAndOutbound:
    def test_links_to_the_work_opened_during_the_call(self) -> None:
        s = offered(Scenario(start=T0))
        s.when(LinkCall(call_id="1700000000.1", record_kind=RecordKind.TICKET, record_id="T-1"))
        s.then(CallLinked)
        s.when(LinkCall(call_id="1700000000.1", record_kind=RecordKind.TICKET, record_id="T-1"))
        s.then_nothing()

    def test_an_outbound_follow_up_reached_or_not(self) -> None:
        s = Scenario(start=T0)
        s.when(
            PlaceOutboundCall(
                call_id="out-1",
                agent="A02",
                phone="139 1234 5678",
                purpose=call.Purpose.FOLLOW_UP,
                subject="order-O-1",
            )
        )
        s.then(OutboundCallPlaced)
        s.when(AnswerCall(call_id="out-1", agent="A02")).then(CallAnswered)
        s.given(
            PlaceOutboundCall(
                call_id="out-2", agent="A02", phone="13912345678", purpose=call.Purpose.CALLBACK
            )
        )
        s.when(RecordNoAnswer(call_id="out-2")).then(OutboundCallNotReached)
        s.given(OfferCall(call_id="in-1", queue="q"))
        s.when(RecordNoAnswer(call_id="in-1")).then_broken(call.OUTBOUND_ONLY)


@given(seconds=st.floats(0, 3600), cycle=st.sampled_from([3, 5, 6]))
def test_ring_count_is_the_ring_cycle_in_which_the_call_was_picked_up(
    seconds: float, cycle: int
) -> None:
    rings = call.ring_count(seconds, cycle)
    assert rings >= 1
    assert (rings - 1) * cycle <= seconds or rings == 1
    assert seconds <= rings * cycle


@pytest.mark.parametrize(
    ("seconds", "rings"), [(0, 1), (5, 1), (5.1, 2), (12, 3), (15, 3), (16, 4)]
)
def test_ring_count_worked_examples(seconds: float, rings: int) -> None:
    assert call.ring_count(seconds, 5) == rings


class TestFollowUps:
    """A follow-up call records reached, on time, attitude 1–5, safety check, problems
    raised and suggestions (domain.md §7)."""

    def test_a_reached_follow_up_records_the_answers(self) -> None:
        s = Scenario(start=T0).given(
            PlaceOutboundCall(
                call_id="f1",
                agent="A02",
                phone="13912345678",
                purpose=call.Purpose.FOLLOW_UP,
                subject="order-O-1",
            ),
            AnswerCall(call_id="f1", agent="A02"),
        )
        s.when(
            call.RecordFollowUp(
                call_id="f1",
                reached=True,
                on_time=True,
                attitude=5,
                safety_check_done=False,
                problems_raised=["hose smells"],
                suggestions=["call before coming", " "],
                worker_id="W001",
            )
        )
        found = s.then(call.FollowUpRecorded)[0]
        assert (found.subject, found.attitude, found.problems_raised, found.suggestions) == (  # type: ignore[attr-defined]
            "order-O-1",
            5,
            ("hose smells",),
            ("call before coming",),
        )
        s.when(call.RecordFollowUp(call_id="f1", reached=True, attitude=4)).then_nothing()

    def test_nobody_home_is_recorded_with_when_to_call_again(self) -> None:
        s = Scenario(start=T0).given(
            PlaceOutboundCall(
                call_id="f2",
                agent="A02",
                phone="13912345678",
                purpose=call.Purpose.FOLLOW_UP,
                subject="order-O-1",
            ),
            RecordNoAnswer(call_id="f2"),
        )
        s.when(
            call.RecordFollowUp(call_id="f2", reached=False, call_again_at=T0 + timedelta(hours=4))
        )
        s.then(call.FollowUpRecorded)
        s.given(
            PlaceOutboundCall(
                call_id="f3", agent="A02", phone="13912345678", purpose=call.Purpose.FOLLOW_UP
            )
        )
        s.when(call.RecordFollowUp(call_id="f3", reached=True, attitude=3))
        s.then_broken(call.FOLLOW_UP_ON_OUTBOUND)  # never answered

    def test_answers_are_validated(self) -> None:
        with pytest.raises(ValueError, match="1 to 5"):
            call.RecordFollowUp(call_id="f", reached=True, attitude=6)
        with pytest.raises(ValueError, match="no answers"):
            call.RecordFollowUp(call_id="f", reached=False, attitude=4)
