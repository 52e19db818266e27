"""Call as a Hypothesis state machine: random, repeated and out-of-order PBX facts. The
lifecycle of each leg (queue visit) never goes backwards, a new leg only comes after a
leg that could move to another queue, and the store always equals the folded events."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from callcore import CallCenter, DomainError
from callcore.adapters.clock import ManualClock
from callcore.domain import call
from tests.machine_support import StreamLedger
from tests.support import MONDAY_9AM

CALLS = ["c1", "c2", "c3"]
AGENTS = ["A01", "A02"]
ORDER = {
    call.Status.NONE: 0,
    call.Status.OFFERED: 1,
    call.Status.RINGING: 1,
    call.Status.ANSWERED: 2,
    call.Status.ABANDONED: 3,
    call.Status.TIMED_OUT: 3,
    call.Status.VOICEMAIL: 3,
    call.Status.NOT_REACHED: 3,
    call.Status.COMPLETED: 3,
}


class CallMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.clock = ManualClock(MONDAY_9AM)
        self.center = CallCenter.open("memory://", clock=self.clock)
        self.ledger = StreamLedger()
        self.seen: dict[str, tuple[int, int]] = {}
        """Per call: (leg, the furthest the leg's lifecycle got)."""

    def handle(self, command: object) -> None:
        before = self.center.store.last_position()
        try:
            self.ledger.apply(self.center.handle(command))  # type: ignore[arg-type]
        except DomainError:
            assert self.center.store.last_position() == before

    @rule(c=st.sampled_from(CALLS), queue=st.sampled_from(["sales", "support"]))
    def offer(self, c: str, queue: str) -> None:
        self.handle(call.OfferCall(call_id=c, queue=queue, caller_phone="13912345678"))

    @rule(c=st.sampled_from(CALLS), agent=st.sampled_from(AGENTS))
    def ring(self, c: str, agent: str) -> None:
        self.handle(call.RingAgent(call_id=c, agent=agent))

    @rule(c=st.sampled_from(CALLS), agent=st.sampled_from(AGENTS))
    def no_answer(self, c: str, agent: str) -> None:
        self.handle(call.RecordRingNoAnswer(call_id=c, agent=agent, ring_seconds=15000))

    @rule(c=st.sampled_from(CALLS), agent=st.sampled_from(AGENTS), back=st.integers(0, 30))
    def answer(self, c: str, agent: str, back: int) -> None:
        # sometimes reported with a time before now (out of order)
        self.handle(
            call.AnswerCall(
                call_id=c, agent=agent, occurred_at=self.clock.now() - timedelta(seconds=back)
            )
        )

    @rule(c=st.sampled_from(CALLS), which=st.integers(0, 4))
    def end(self, c: str, which: int) -> None:
        command = [
            call.AbandonCall,
            call.TimeOutCall,
            call.SendToVoicemail,
            call.CompleteCall,
            call.CompleteCall,
        ][which]
        self.handle(command(call_id=c))

    @rule(c=st.sampled_from(CALLS))
    def transfer(self, c: str) -> None:
        self.handle(call.TransferCall(call_id=c, to="TECH"))

    @rule(seconds=st.integers(1, 120))
    def time_passes(self, seconds: int) -> None:
        self.clock.advance(seconds=seconds)

    @invariant()
    def the_store_is_the_folded_events(self) -> None:
        self.ledger.check(self.center)

    @invariant()
    def the_lifecycle_never_goes_backwards(self) -> None:
        for c in CALLS:
            if not self.center.calls.exists(c):
                continue
            state = self.center.calls.get(c)
            rank = ORDER[state.status]
            leg, furthest = self.seen.get(c, (1, 0))
            if state.leg == leg:
                assert rank >= furthest, f"{c} went back to {state.status}"
            else:  # a caller moved to another queue: only from a leg not abandoned
                assert state.leg == leg + 1 and state.status is call.Status.OFFERED
            self.seen[c] = (state.leg, rank)
            if state.answered_at is not None:
                assert state.leg_offered_at is not None
                assert state.answered_at >= state.leg_offered_at
                assert (
                    state.waited_seconds
                    == (state.answered_at - state.leg_offered_at).total_seconds()
                )


CallMachine.TestCase.settings = settings(max_examples=40, stateful_step_count=30, deadline=None)
TestCallMachine = CallMachine.TestCase
