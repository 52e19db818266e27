"""Complaint as a Hypothesis state machine: random valid and invalid commands on several
complaints (and re-complaints of them). Every command's success or refusal is predicted
from the state before it; after every step the store equals the folded events, versions
have no gaps, the lifecycle only moves along its edges and the step times are ordered."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, initialize, invariant, rule

from callcore import CallCenter, DomainError
from callcore.adapters.clock import ManualClock
from callcore.domain import complaint, complaint_reading
from callcore.domain.common import Command, Contact
from callcore.domain.complaint import (
    CloseComplaint,
    CommitReplyTime,
    ComplaintLodged,
    FollowUpDepartment,
    JudgeComplaint,
    LodgeComplaint,
    NotifyDepartment,
    RecordCustomerResponse,
    RecordResolution,
    RecordSatisfactionCall,
    Status,
    Subject,
    SubjectKind,
    UpdateCustomer,
)
from callcore.domain.customer import OpenAccount
from tests.machine_support import StreamLedger
from tests.support import AGENT, MONDAY_9AM

SUBJECTS = {
    Subject(SubjectKind.FIELD_WORKER, "W001"): True,
    Subject(SubjectKind.FIELD_WORKER, "W404"): False,
    Subject(SubjectKind.BRANCH, "B-EAST"): True,
    Subject(SubjectKind.BRANCH, "B-NOPE"): False,
    Subject(SubjectKind.AGENT, "A07"): True,
    Subject(SubjectKind.OTHER): True,
}
CUSTOMERS = {None: True, "C000001": True, "C999999": False}
DEPARTMENTS = ["TECH", "BUSINESS", "LEAD", "NOPE"]
KNOWN_DEPARTMENTS = {"TECH", "BUSINESS", "LEAD"}

S = Status
EDGES = {
    (S.LODGED, S.JUDGED_VALID),
    (S.LODGED, S.INVALID),
    (S.JUDGED_VALID, S.NOTIFIED),
    (S.NOTIFIED, S.RESOLUTION_PROPOSED),
    (S.RESOLUTION_PROPOSED, S.NOTIFIED),  # rejected: back to the department or supervisor
    (S.RESOLUTION_PROPOSED, S.RESOLUTION_ACCEPTED),
    (S.RESOLUTION_ACCEPTED, S.CLOSED),
}


class ComplaintMachine(RuleBasedStateMachine):
    complaints = Bundle("complaints")

    def __init__(self) -> None:
        super().__init__()
        self.clock = ManualClock(MONDAY_9AM)
        self.center = CallCenter.open("memory://", clock=self.clock)
        self.ledger = StreamLedger()
        self.ledger.apply(
            self.center.handle(
                OpenAccount(name="Wang", phone="139 1234 5678", address="5 Road", area="DONGMEN")
            )
        )
        self.lodged: list[str] = []
        self.statuses: dict[str, Status] = {}
        self.counter = 0

    # -- helpers

    def state(self, complaint_id: str) -> complaint.State:
        found = self.ledger.states.get(complaint.stream_id(complaint_id), complaint.initial)
        assert isinstance(found, complaint.State)
        return found

    def _handle(self, command: Command) -> tuple[bool, int]:
        before = self.center.store.last_position()
        try:
            outcome = self.center.handle(command)
        except DomainError:
            assert self.center.store.last_position() == before, "a refused command stored events"
            return False, 0
        self.ledger.apply(outcome)
        self.the_lifecycle_moves_only_along_its_edges()
        return True, len(outcome)

    # -- rules

    @initialize(target=complaints)
    def a_first_complaint(self) -> str:
        # Every run has at least one complaint for the other rules to work on.
        return self._lodge(Subject(SubjectKind.FIELD_WORKER, "W001"), "C000001", None)

    @rule(
        target=complaints,
        about=st.sampled_from(list(SUBJECTS)),
        customer_number=st.sampled_from(list(CUSTOMERS)),
        re_of=st.one_of(st.none(), st.just("K-404"), complaints),
    )
    def lodge(self, about: Subject, customer_number: str | None, re_of: str | None) -> str:
        return self._lodge(about, customer_number, re_of)

    def _lodge(self, about: Subject, customer_number: str | None, re_of: str | None) -> str:
        self.counter += 1
        complaint_id = f"K-{self.counter}"
        original = self.state(re_of) if re_of is not None else None
        ok, _ = self._handle(
            LodgeComplaint(
                complaint_id=complaint_id,
                complainant=Contact(name="Wang", phone="139 1234 5678"),
                customer_number=customer_number,
                about=about,
                what="late",
                wanted_outcome="on time",
                re_complaint_of=re_of,
                actor=AGENT,
            )
        )
        expected = SUBJECTS[about] and CUSTOMERS[customer_number]
        expected = expected and (original is None or original.exists)
        assert ok == expected
        if not ok:
            return "K-404"
        self.lodged.append(complaint_id)
        lodged = self.state(complaint_id)
        if original is not None and re_of is not None:
            assert lodged.counts_against == original.department_notified
            assert self.state(re_of).re_complaints == (*original.re_complaints, complaint_id)
        return complaint_id

    @rule(complaint_id=complaints, minutes=st.integers(-60, 600))
    def commit_reply_time(self, complaint_id: str, minutes: int) -> None:
        was = self.state(complaint_id)
        reply_by = self.clock.now() + timedelta(minutes=minutes)
        ok, count = self._handle(CommitReplyTime(complaint_id=complaint_id, reply_by=reply_by))
        same = was.reply_by == reply_by
        assert ok == (was.exists and not was.closed and (same or minutes > 0))
        assert count == (0 if same or not ok else 1)

    @rule(complaint_id=complaints, valid=st.booleans())
    def judge(self, complaint_id: str, valid: bool) -> None:
        was = self.state(complaint_id)
        ok, count = self._handle(JudgeComplaint(complaint_id=complaint_id, valid=valid, reason="r"))
        assert ok == (was.exists and was.valid in (None, valid))
        if ok:
            assert count == (0 if was.valid is not None else 1 if valid else 2)
            assert self.state(complaint_id).valid is valid

    @rule(complaint_id=complaints, department=st.sampled_from(DEPARTMENTS))
    def notify(self, complaint_id: str, department: str) -> None:
        was = self.state(complaint_id)
        ok, count = self._handle(NotifyDepartment(complaint_id=complaint_id, department=department))
        possible = was.exists and not was.closed and was.valid is True
        possible = possible and department in KNOWN_DEPARTMENTS
        same = was.department_notified == department
        assert ok == (possible and (same or not was.accepted))
        if ok:
            assert count == (0 if same else 1)
            assert self.state(complaint_id).department_notified == department

    @rule(complaint_id=complaints)
    def update_customer(self, complaint_id: str) -> None:
        was = self.state(complaint_id)
        ok, _ = self._handle(UpdateCustomer(complaint_id=complaint_id, note="on it"))
        assert ok == (was.exists and not was.closed and was.valid is True)

    @rule(complaint_id=complaints)
    def follow_up(self, complaint_id: str) -> None:
        was = self.state(complaint_id)
        ok, _ = self._handle(FollowUpDepartment(complaint_id=complaint_id, note="news?"))
        assert ok == (
            was.exists
            and not was.closed
            and was.department_notified is not None
            and not was.accepted
        )

    @rule(
        complaint_id=complaints,
        text=st.sampled_from(["apology", "refund"]),
        department=st.sampled_from([None, *DEPARTMENTS]),
    )
    def propose(self, complaint_id: str, text: str, department: str | None) -> None:
        was = self.state(complaint_id)
        ok, count = self._handle(
            RecordResolution(complaint_id=complaint_id, resolution=text, department=department)
        )
        possible = (
            was.exists
            and not was.closed
            and was.department_notified is not None
            and not was.accepted
            and department in (None, *KNOWN_DEPARTMENTS)
        )
        pending = was.pending_resolution
        chosen = department or was.department_notified
        same = pending is not None and (pending.text, pending.department) == (text, chosen)
        assert ok == (possible and (pending is None or same))
        if ok:
            assert count == (0 if same else 1)
            assert self.state(complaint_id).status is Status.RESOLUTION_PROPOSED

    @rule(complaint_id=complaints, accepted=st.booleans(), escalate=st.booleans())
    def respond(self, complaint_id: str, accepted: bool, escalate: bool) -> None:
        was = self.state(complaint_id)
        ok, count = self._handle(
            RecordCustomerResponse(
                complaint_id=complaint_id,
                accepted=accepted,
                escalate_to_supervisor=escalate and not accepted,
            )
        )
        repeat = accepted and was.accepted
        assert ok == (
            repeat or (was.exists and not was.closed and was.pending_resolution is not None)
        )
        if ok and not repeat:
            now = self.state(complaint_id)
            assert count == 1
            assert now.status is (Status.RESOLUTION_ACCEPTED if accepted else Status.NOTIFIED)
            if escalate and not accepted:
                assert now.escalated_at is not None

    @rule(complaint_id=complaints)
    def close(self, complaint_id: str) -> None:
        was = self.state(complaint_id)
        ok, count = self._handle(CloseComplaint(complaint_id=complaint_id))
        assert ok == (was.exists and (was.closed or was.accepted))
        if ok:
            assert count == (0 if was.closed else 1)
            assert self.state(complaint_id).closed

    @rule(
        complaint_id=complaints,
        reached=st.booleans(),
        rating=st.integers(1, 5),
        on_time=st.booleans(),
    )
    def satisfaction_call(
        self, complaint_id: str, reached: bool, rating: int, on_time: bool
    ) -> None:
        was = self.state(complaint_id)
        ok, _ = self._handle(
            RecordSatisfactionCall(
                complaint_id=complaint_id,
                reached=reached,
                rating=rating if reached else None,
                on_time=on_time if reached else None,
            )
        )
        assert ok == (was.exists and was.accepted and was.satisfaction_reached_at is None)

    @rule(complaint_id=complaints, steps=st.integers(1, 6), accept=st.booleans())
    def carry_on(self, complaint_id: str, steps: int, accept: bool) -> None:
        """Take the next step of a complaint's normal course, so that random runs reach
        resolutions, closing and satisfaction calls, not just lodging."""
        for _ in range(steps):
            state = self.state(complaint_id)
            command: Command
            match state.status:
                case Status.LODGED if state.exists:
                    command = JudgeComplaint(complaint_id=complaint_id, valid=True)
                case Status.JUDGED_VALID:
                    command = NotifyDepartment(complaint_id=complaint_id, department="TECH")
                case Status.NOTIFIED:
                    command = RecordResolution(complaint_id=complaint_id, resolution="apology")
                case Status.RESOLUTION_PROPOSED:
                    command = RecordCustomerResponse(complaint_id=complaint_id, accepted=accept)
                case Status.RESOLUTION_ACCEPTED:
                    command = CloseComplaint(complaint_id=complaint_id)
                case Status.CLOSED if state.satisfaction_reached_at is None:
                    command = RecordSatisfactionCall(
                        complaint_id=complaint_id, reached=accept, rating=4 if accept else None
                    )
                case _:
                    return
            ok, count = self._handle(command)
            assert ok and count >= 1, f"{type(command).__name__} in {state.status}"

    @rule(minutes=st.integers(1, 600))
    def time_passes(self, minutes: int) -> None:
        self.clock.advance(minutes=minutes)

    # -- invariants

    @invariant()
    def store_equals_folded_events(self) -> None:
        self.ledger.check(self.center)
        for complaint_id in self.lodged:
            assert self.center.complaints.get(complaint_id) == self.state(complaint_id)

    @invariant()
    def the_lifecycle_moves_only_along_its_edges(self) -> None:
        # Also checked after every command, since carry_on takes several steps at once.
        for complaint_id in self.lodged:
            now = self.state(complaint_id).status
            was = self.statuses.get(complaint_id, Status.LODGED)
            assert now == was or (was, now) in EDGES, f"{complaint_id}: {was} → {now}"
            self.statuses[complaint_id] = now

    @invariant()
    def the_state_holds_together(self) -> None:
        for complaint_id in self.lodged:
            state = self.state(complaint_id)
            assert (state.valid is None) == (state.status is Status.LODGED)
            if state.closed:
                assert state.status in (Status.CLOSED, Status.INVALID)
            if state.status is Status.CLOSED or state.satisfaction_calls:
                assert state.accepted
            assert (state.pending_resolution is not None) == (
                state.status is Status.RESOLUTION_PROPOSED
            )
            assert all(r.accepted is not None for r in state.resolutions[:-1])
            assert [r.accepted for r in state.resolutions].count(True) <= 1
            assert all(not call.reached for call in state.satisfaction_calls[:-1])
            steps = [
                state.lodged_at,
                state.judged_at,
                state.notified_at,
                state.accepted_at,
                state.closed_at if state.status is Status.CLOSED else None,
            ]
            times = [t for t in steps if t is not None]
            assert times == sorted(times), f"{complaint_id}: steps out of order {steps}"

    @invariant()
    def re_complaints_link_both_ways(self) -> None:
        for complaint_id in self.lodged:
            state = self.state(complaint_id)
            if state.re_complaint_of is not None:
                assert complaint_id in self.state(state.re_complaint_of).re_complaints
            for again in state.re_complaints:
                assert self.state(again).re_complaint_of == complaint_id

    @invariant()
    def the_public_view_holds_no_resolution_text(self) -> None:
        for complaint_id in self.lodged:
            state = self.state(complaint_id)
            public = complaint_reading.public_view(state)
            assert all(r.text is None for r in public.resolutions)
            assert len(public.resolutions) == len(state.resolutions)
            assert all(r.text for r in state.resolutions)

    def teardown(self) -> None:
        lodged_events = [
            p.recorded.event
            for p in self.center.store.read_all()
            if isinstance(p.recorded.event, ComplaintLodged)
        ]
        assert [e.complaint_id for e in lodged_events] == self.lodged
        self.center.close()


ComplaintMachine.TestCase.settings = settings(
    max_examples=40, stateful_step_count=40, deadline=None
)
TestComplaintMachine = ComplaintMachine.TestCase
