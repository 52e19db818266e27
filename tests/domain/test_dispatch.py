"""Dispatch (派工, domain.md §4.5), told as given/when/then stories."""

from __future__ import annotations

from datetime import date

from callcore.domain import customer, dispatch
from callcore.domain.common import Actor, Contact, Priority, Role, Window
from callcore.domain.dispatch import (
    AppointmentConfirmed,
    AssignDispatch,
    CancelDispatch,
    CompleteDispatch,
    ConfirmAppointment,
    DispatchCancelled,
    DispatchCompleted,
    DispatchEscalated,
    DispatchKind,
    DispatchRequested,
    DispatchRescheduled,
    DispatchResumed,
    Feedback,
    FieldFeedbackReceived,
    FieldWorkerAssigned,
    FieldWorkerUnassigned,
    PlanInstalls,
    RecordFieldFeedback,
    RequestDispatch,
    RescheduleDispatch,
    ResumeDispatch,
    WorkCouldNotBeCompleted,
    WorkerArrived,
    WorkerSetOff,
    WorkOrderBooked,
    WorkOrderReleased,
)
from callcore.service_layer import authority
from tests.support import AGENT, Scenario, at

TOMORROW = Window(at(24, 9), at(24, 11))
SITE = Contact("Manager Sun", "0931 880 2233")


def request(
    dispatch_id: str,
    kind: DispatchKind = DispatchKind.REPAIR,
    area: str = "XIHU",
    **changes: object,
) -> RequestDispatch:
    fields: dict[str, object] = {
        "dispatch_id": dispatch_id,
        "kind": kind,
        "site_address": "120 Xihu Avenue",
        "area": area,
        "contact": SITE,
        "wished": TOMORROW,
        "job": "Boiler will not light",
        "actor": AGENT,
    }
    fields.update(changes)
    return RequestDispatch(**fields)  # type: ignore[arg-type]


def worker(worker_id: str) -> Actor:
    return Actor(Role.FIELD_WORKER, worker_id)


class TestRequesting:
    def test_a_simple_repair_goes_to_the_branch_a_complex_one_to_regional_staff(self) -> None:
        s = Scenario(start=at(23, 9))
        simple = s.when(request("D1")).then(DispatchRequested)[0]
        assert (simple.handled_by, simple.required_skill.value) == ("B-WEST", "repair-simple")  # type: ignore[attr-defined]
        hard = s.when(request("D2", complex=True)).then(DispatchRequested)[0]
        assert (hard.handled_by, hard.required_skill.value) == ("TECH", "repair-complex")  # type: ignore[attr-defined]

    def test_the_appointment_is_confirmed_with_the_customer(self) -> None:
        s = Scenario(start=at(23, 9)).given(request("D1"))
        s.when(
            ConfirmAppointment(
                dispatch_id="D1",
                window=TOMORROW,
                contact=SITE,
                problem_restated="Boiler will not light since Sunday",
            )
        )
        s.then(AppointmentConfirmed)
        s.when(
            ConfirmAppointment(
                dispatch_id="D1",
                window=Window(at(22, 9), at(22, 10)),
                contact=SITE,
                problem_restated="x",
            )
        )
        s.then_broken(dispatch.WINDOW_IN_FUTURE)

    def test_an_account_visit_opens_a_work_order_for_the_branch(self) -> None:
        s = Scenario(start=at(23, 9)).given(
            customer.OpenAccount(
                name="Wang", phone="13912345678", address="5 Dongmen Road", area="DONGMEN"
            )
        )
        s.when(
            customer.RequestAccountVisit(
                customer_number="C000001", wished=TOMORROW, dispatch_id="D-visit"
            )
        )
        visit = s.then(customer.AccountVisitRequested, DispatchRequested)[1]
        assert (visit.kind, visit.branch, visit.customer_number) == (  # type: ignore[attr-defined]
            DispatchKind.ACCOUNT_VISIT,
            "B-EAST",
            "C000001",
        )


class TestAssigning:
    def test_the_policy_picks_an_eligible_worker_and_books_their_day(self) -> None:
        s = Scenario(start=at(23, 9)).given(request("D1"))
        assigned, booked = s.when(AssignDispatch(dispatch_id="D1")).then(
            FieldWorkerAssigned, WorkOrderBooked
        )
        assert assigned.worker_id == "W006"  # type: ignore[attr-defined]  # the only repairer in XIHU with a home there
        assert assigned.day == date(2026, 11, 24)  # type: ignore[attr-defined]
        assert assigned.work_order.contact.phone == "+869318802233"  # type: ignore[attr-defined]
        assert s.center.store.read_stream("schedule-W006-2026-11-24")[0].event == booked

    def test_a_named_worker_must_qualify(self) -> None:
        s = Scenario(start=at(23, 9)).given(request("D1"))
        s.when(AssignDispatch(dispatch_id="D1", worker_id="W004")).then_broken(
            dispatch.WORKER_HAS_SKILL
        )
        s.when(AssignDispatch(dispatch_id="D1", worker_id="W003")).then_broken(
            dispatch.WORKER_SERVES_ZONE
        )

    def test_no_assignment_past_capacity_and_escalation_when_nobody_is_free(self) -> None:
        # W006 (capacity 5) and W009 (capacity 4) repair in XIHU: 9 slots that day
        s = Scenario(start=at(23, 9))
        for n in range(9):
            s.given(request(f"D{n}"), AssignDispatch(dispatch_id=f"D{n}"))
        s.given(request("D-full"))
        s.when(AssignDispatch(dispatch_id="D-full", worker_id="W006")).then_broken(
            dispatch.WITHIN_CAPACITY
        )
        escalated = s.when(AssignDispatch(dispatch_id="D-full")).then(DispatchEscalated)[0]
        assert escalated.to == "supervisor"  # type: ignore[attr-defined]
        s.when(AssignDispatch(dispatch_id="D-full")).then_nothing()  # escalated once
        loads = {
            w: len(s.center.store.read_stream(f"schedule-{w}-2026-11-24")) for w in ("W006", "W009")
        }
        assert loads == {"W006": 5, "W009": 4}

    def test_reassigning_releases_the_old_booking(self) -> None:
        s = Scenario(start=at(23, 9)).given(request("D1"), AssignDispatch(dispatch_id="D1"))
        s.when(AssignDispatch(dispatch_id="D1", worker_id="W009"))
        s.then(WorkOrderReleased, FieldWorkerUnassigned, FieldWorkerAssigned, WorkOrderBooked)

    def test_installs_are_planned_the_day_before_by_zone(self) -> None:
        s = Scenario(start=at(23, 16))
        for n, area in enumerate(["DONGMEN", "XIHU", "BEIZHAN", "DONGMEN"]):
            s.given(request(f"I{n}", DispatchKind.INSTALL, area=area))
        s.when(PlanInstalls(day=date(2026, 11, 24), dispatch_ids=("I0", "I1", "I2", "I3")))
        assigned = {
            e.work_order.dispatch_id: e.worker_id  # type: ignore[attr-defined]
            for e in s.outcome.events
            if isinstance(e, FieldWorkerAssigned)
        }  # type: ignore[union-attr]
        assert set(assigned) == {"I0", "I1", "I2", "I3"}
        s.when(PlanInstalls(day=date(2026, 11, 26), dispatch_ids=("I0",)))
        s.then_broken(dispatch.INSTALLS_DAY_BEFORE)


class TestFieldFeedback:
    def assigned(self) -> Scenario:
        return Scenario(start=at(24, 8)).given(
            request("D1", wished=Window(at(24, 9), at(24, 11))), AssignDispatch(dispatch_id="D1")
        )

    def test_en_route_arrived_done(self) -> None:
        s = self.assigned()
        s.when(
            RecordFieldFeedback(dispatch_id="D1", feedback=Feedback.EN_ROUTE, actor=worker("W006"))
        )
        s.then(FieldFeedbackReceived, WorkerSetOff)
        s.when(
            RecordFieldFeedback(dispatch_id="D1", feedback=Feedback.ARRIVED, actor=worker("W006"))
        )
        s.then(FieldFeedbackReceived, WorkerArrived)
        # a late "en route" SMS is acknowledged but does not move the work back
        s.when(
            RecordFieldFeedback(dispatch_id="D1", feedback=Feedback.EN_ROUTE, actor=worker("W006"))
        )
        s.then(FieldFeedbackReceived)
        s.when(
            RecordFieldFeedback(
                dispatch_id="D1",
                feedback=Feedback.DONE,
                outcome="Igniter replaced",
                actor=worker("W006"),
            )
        )
        s.then(FieldFeedbackReceived, DispatchCompleted)
        s.when(
            RecordFieldFeedback(dispatch_id="D1", feedback=Feedback.ARRIVED, actor=worker("W006"))
        )
        s.then_broken(dispatch.FINISHED)

    def test_only_the_assigned_worker_may_report(self) -> None:
        s = self.assigned()
        s.when(
            RecordFieldFeedback(dispatch_id="D1", feedback=Feedback.ARRIVED, actor=worker("W001"))
        )
        s.then_broken(authority.OWN_WORK_ONLY)
        s.when(RecordFieldFeedback(dispatch_id="D1", feedback=Feedback.ARRIVED, actor=AGENT))
        s.then(FieldFeedbackReceived, WorkerArrived)

    def test_cannot_complete_escalates_then_continues_or_reschedules(self) -> None:
        s = self.assigned()
        s.when(
            RecordFieldFeedback(
                dispatch_id="D1",
                feedback=Feedback.CANNOT_COMPLETE,
                note="Part missing",
                actor=worker("W006"),
            )
        )
        escalated = s.then(FieldFeedbackReceived, WorkCouldNotBeCompleted, DispatchEscalated)[2]
        assert escalated.to == "technical-support"  # type: ignore[attr-defined]
        s.when(ResumeDispatch(dispatch_id="D1", note="Part brought")).then(DispatchResumed)
        s.when(ResumeDispatch(dispatch_id="D1", note="again")).then_broken(
            dispatch.RESUME_AFTER_FAILURE
        )

    def test_feedback_needs_a_worker(self) -> None:
        s = Scenario(start=at(23, 9)).given(request("D1"))
        s.when(RecordFieldFeedback(dispatch_id="D1", feedback=Feedback.ARRIVED))
        s.then_broken(dispatch.FEEDBACK_NEEDS_ASSIGNMENT)


class TestReschedulingAndEnding:
    def test_a_new_day_releases_the_booking_the_same_day_keeps_it(self) -> None:
        s = Scenario(start=at(23, 9)).given(request("D1"), AssignDispatch(dispatch_id="D1"))
        s.when(
            RescheduleDispatch(
                dispatch_id="D1",
                window=Window(at(24, 14), at(24, 16)),
                reason="customer busy in the morning",
            )
        )
        s.then(DispatchRescheduled)
        s.when(
            RescheduleDispatch(
                dispatch_id="D1", window=Window(at(25, 9), at(25, 11)), reason="customer away"
            )
        )
        s.then(WorkOrderReleased, DispatchRescheduled, FieldWorkerUnassigned)
        assert s.center.dispatches.get("D1").worker_id is None

    def test_cancel_and_complete_are_final(self) -> None:
        s = Scenario(start=at(23, 9)).given(request("D1"), AssignDispatch(dispatch_id="D1"))
        s.when(CancelDispatch(dispatch_id="D1", reason="fixed it himself"))
        s.then(WorkOrderReleased, DispatchCancelled)
        s.when(CancelDispatch(dispatch_id="D1", reason="again")).then_nothing()
        s.when(AssignDispatch(dispatch_id="D1")).then_broken(dispatch.FINISHED)
        s.given(request("D2")).when(CompleteDispatch(dispatch_id="D2", outcome="ok")).then(
            DispatchCompleted
        )
        s.when(CompleteDispatch(dispatch_id="D2", outcome="ok")).then_nothing()

    def test_urgent_priority_is_kept(self) -> None:
        s = Scenario(start=at(23, 9))
        s.when(request("D1", priority=Priority.URGENT, customer_level="vip"))
        assert s.center.dispatches.get("D1").priority is Priority.URGENT
