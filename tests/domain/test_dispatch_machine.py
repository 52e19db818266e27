"""Dispatch as a Hypothesis state machine: several dispatches compete for the same few
field workers; no worker's day ever holds more than their daily capacity."""

from __future__ import annotations

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from callcore import CallCenter, DomainError
from callcore.adapters.clock import ManualClock
from callcore.domain import dispatch
from callcore.domain.common import Contact, Window
from tests.machine_support import StreamLedger
from tests.support import at

IDS = [f"D{n}" for n in range(12)]
DAYS = [Window(at(24, 9), at(24, 11)), Window(at(25, 9), at(25, 11))]


class DispatchMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.center = CallCenter.open("memory://", clock=ManualClock(at(23, 9)))
        self.ledger = StreamLedger()

    def handle(self, command: object) -> None:
        before = self.center.store.last_position()
        try:
            self.ledger.apply(self.center.handle(command))  # type: ignore[arg-type]
        except DomainError:
            assert self.center.store.last_position() == before

    @rule(
        d=st.sampled_from(IDS),
        kind=st.sampled_from([dispatch.DispatchKind.REPAIR, dispatch.DispatchKind.INSTALL]),
        area=st.sampled_from(["XIHU", "DONGMEN"]),
        window=st.sampled_from(DAYS),
    )
    def request(self, d: str, kind: dispatch.DispatchKind, area: str, window: Window) -> None:
        self.handle(
            dispatch.RequestDispatch(
                dispatch_id=d,
                kind=kind,
                site_address="1 Road",
                area=area,
                contact=Contact("X", "13912345678"),
                wished=window,
                job="fix",
            )
        )

    @rule(d=st.sampled_from(IDS), worker=st.sampled_from([None, "W003", "W006", "W009"]))
    def assign(self, d: str, worker: str | None) -> None:
        self.handle(dispatch.AssignDispatch(dispatch_id=d, worker_id=worker))

    @rule(d=st.sampled_from(IDS), window=st.sampled_from(DAYS))
    def reschedule(self, d: str, window: Window) -> None:
        self.handle(dispatch.RescheduleDispatch(dispatch_id=d, window=window, reason="r"))

    @rule(d=st.sampled_from(IDS))
    def cancel(self, d: str) -> None:
        self.handle(dispatch.CancelDispatch(dispatch_id=d, reason="r"))

    @rule(d=st.sampled_from(IDS), feedback=st.sampled_from(list(dispatch.Feedback)))
    def feedback(self, d: str, feedback: dispatch.Feedback) -> None:
        self.handle(dispatch.RecordFieldFeedback(dispatch_id=d, feedback=feedback))

    @invariant()
    def store_is_folded_events(self) -> None:
        self.ledger.check(self.center)

    @invariant()
    def no_day_exceeds_capacity_and_bookings_match_assignments(self) -> None:
        directory = self.center.directory
        booked: dict[str, set[str]] = {}
        for stream, state in self.ledger.states.items():
            if stream.startswith("schedule-"):
                worker_id = stream.split("-")[1]
                assert state.load <= directory.field_workers[worker_id].daily_capacity
                booked[stream] = set(state.booked)
        for stream, state in self.ledger.states.items():
            if (
                stream.startswith("dispatch-")
                and state.worker_id
                and state.status is not dispatch.Status.CANCELLED
            ):
                key = dispatch.schedule_stream(state.worker_id, state.day)
                assert state.dispatch_id in booked.get(key, set()), f"{stream} not booked"


DispatchMachine.TestCase.settings = settings(max_examples=40, stateful_step_count=30, deadline=None)
TestDispatchMachine = DispatchMachine.TestCase
