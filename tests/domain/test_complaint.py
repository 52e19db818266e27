"""Complaint (domain.md §4.4), told as given/when/then stories."""

from __future__ import annotations

from datetime import timedelta

import attrs
import pytest

from callcore.domain import complaint, complaint_reading
from callcore.domain import directory as directory_module
from callcore.domain.calendar import BusinessCalendar
from callcore.domain.common import ALREADY_EXISTS, EXISTS, Actor, Contact, Context, Role
from callcore.domain.complaint import (
    BackTo,
    CloseComplaint,
    CommitReplyTime,
    ComplaintClosed,
    ComplaintJudgedInvalid,
    ComplaintJudgedValid,
    ComplaintLodged,
    CustomerUpdated,
    DepartmentFollowedUp,
    DepartmentNotified,
    FollowUpDepartment,
    JudgeComplaint,
    LodgeComplaint,
    NotifyDepartment,
    ReComplaintReceived,
    RecordCustomerResponse,
    RecordResolution,
    RecordSatisfactionCall,
    ReplyTimeCommitted,
    ResolutionAccepted,
    ResolutionProposed,
    ResolutionRejected,
    SatisfactionCallRecorded,
    Status,
    Subject,
    SubjectKind,
    UpdateCustomer,
)
from callcore.domain.customer import OpenAccount
from callcore.domain.phone import INVALID_PHONE
from tests.support import AGENT, MONDAY_9AM, SUPERVISOR, Scenario, raises_rule

LATE_DELIVERY = Subject(SubjectKind.FIELD_WORKER, "W001")


def lodge(**changes: object) -> LodgeComplaint:
    fields: dict[str, object] = {
        "complaint_id": "K-1",
        "complainant": Contact(name=" Wang Xiuying ", phone="139 1234 5678"),
        "about": LATE_DELIVERY,
        "what": "The cylinder came two hours after the promised window",
        "wanted_outcome": "An apology and deliveries on time",
        "actor": AGENT,
    }
    fields.update(changes)
    return LodgeComplaint(**fields)  # type: ignore[arg-type]


def open_wang() -> OpenAccount:
    return OpenAccount(
        name="Wang Xiuying", phone="139 1234 5678", address="5 Dongmen Road", area="DONGMEN"
    )


def judged_valid(s: Scenario, complaint_id: str = "K-1") -> Scenario:
    return s.given(JudgeComplaint(complaint_id=complaint_id, valid=True, actor=AGENT))


def notified(s: Scenario, complaint_id: str = "K-1", department: str = "TECH") -> Scenario:
    judged_valid(s, complaint_id)
    return s.given(NotifyDepartment(complaint_id=complaint_id, department=department))


def proposed(s: Scenario, complaint_id: str = "K-1") -> Scenario:
    notified(s, complaint_id)
    return s.given(
        RecordResolution(complaint_id=complaint_id, resolution="Apology and a free hose")
    )


def accepted(s: Scenario, complaint_id: str = "K-1") -> Scenario:
    proposed(s, complaint_id)
    return s.given(RecordCustomerResponse(complaint_id=complaint_id, accepted=True))


def lodged_scenario(**changes: object) -> Scenario:
    return Scenario().given(lodge(**changes))


class TestLodging:
    def test_who_complains_about_whom_what_happened_and_what_they_want(self) -> None:
        s = Scenario().when(lodge(call_id="CALL-7"))
        (lodged,) = s.then(ComplaintLodged)
        assert isinstance(lodged, ComplaintLodged)
        assert lodged.complaint_id == "K-1"
        assert lodged.complainant == Contact("Wang Xiuying", "+8613912345678")
        assert lodged.about == LATE_DELIVERY and lodged.call_id == "CALL-7"
        assert (lodged.at, lodged.actor) == (MONDAY_9AM, AGENT)
        assert s.outcome is not None and s.outcome.streams == ("complaint-K-1",)
        state = s.center.complaints.get("K-1")
        assert (state.status, state.lodged_at, state.valid) == (Status.LODGED, MONDAY_9AM, None)
        assert state.wanted_outcome == "An apology and deliveries on time"

    def test_an_id_prefixed_k_is_derived_from_the_command_id(self) -> None:
        s = Scenario().when(lodge(complaint_id=None, command_id="req-42"))
        lodged = s.then(ComplaintLodged)[0]
        assert isinstance(lodged, ComplaintLodged) and lodged.complaint_id.startswith("K-")
        again = s.center.handle(lodge(complaint_id=None, command_id="req-42"))
        assert again.repeated and again.first(ComplaintLodged).complaint_id == lodged.complaint_id

    def test_a_field_worker_complained_about_must_be_on_the_roster(self) -> None:
        s = Scenario().when(lodge(about=Subject(SubjectKind.FIELD_WORKER, "W404")))
        s.then_broken(directory_module.UNKNOWN_WORKER)

    def test_a_branch_complained_about_must_be_in_the_directory(self) -> None:
        Scenario().when(lodge(about=Subject(SubjectKind.BRANCH, "B-NOWHERE"))).then_broken(
            directory_module.UNKNOWN_BRANCH
        )
        s = Scenario().when(lodge(about=Subject(SubjectKind.BRANCH, "B-EAST")))
        s.then(ComplaintLodged)

    def test_an_agent_or_something_else_is_recorded_as_given(self) -> None:
        s = Scenario().when(lodge(about=Subject(SubjectKind.AGENT, "A07")))
        s.then(ComplaintLodged)
        s.when(lodge(complaint_id="K-2", about=Subject(SubjectKind.OTHER)))
        s.then(ComplaintLodged)
        assert s.center.complaints.get("K-2").about == Subject(SubjectKind.OTHER, None)

    def test_a_registered_customer_must_exist(self) -> None:
        Scenario().when(lodge(customer_number="C000001")).then_broken(EXISTS)
        s = Scenario().given(open_wang()).when(lodge(customer_number="C000001"))
        s.then(ComplaintLodged)
        assert s.center.complaints.get("K-1").customer_number == "C000001"

    def test_the_same_complaint_id_is_not_lodged_twice(self) -> None:
        lodged_scenario().when(lodge(what="again")).then_broken(ALREADY_EXISTS)

    def test_the_complainants_phone_is_validated(self) -> None:
        s = Scenario().when(lodge(complainant=Contact(name="Li", phone="12345")))
        s.then_broken(INVALID_PHONE)

    def test_bad_input_is_refused_when_the_command_is_built(self) -> None:
        with pytest.raises(ValueError, match="names nobody"):
            Subject(SubjectKind.OTHER, "X")
        with pytest.raises(ValueError, match="must name them"):
            Subject(SubjectKind.FIELD_WORKER)
        with pytest.raises(ValueError, match="what must not be blank"):
            lodge(what="  ")
        with pytest.raises(ValueError, match="not a valid id"):
            lodge(re_complaint_of="K 1")


class TestReplyTime:
    def test_the_agent_commits_a_reply_time(self) -> None:
        s = lodged_scenario().after(minutes=12)
        s.when(CommitReplyTime(complaint_id="K-1", reply_by=MONDAY_9AM + timedelta(hours=4)))
        s.then(ReplyTimeCommitted)
        state = s.center.complaints.get("K-1")
        assert state.reply_by == MONDAY_9AM + timedelta(hours=4)
        assert state.committed_at == MONDAY_9AM + timedelta(minutes=12)

    def test_the_reply_time_must_be_after_now(self) -> None:
        s = lodged_scenario().after(hours=1)
        s.when(CommitReplyTime(complaint_id="K-1", reply_by=MONDAY_9AM + timedelta(minutes=30)))
        s.then_broken(complaint.REPLY_TIME_AFTER_NOW)

    def test_a_new_commitment_moves_the_reply_time_but_the_first_commitment_time_stays(
        self,
    ) -> None:
        s = lodged_scenario()
        s.given(CommitReplyTime(complaint_id="K-1", reply_by=MONDAY_9AM + timedelta(hours=2)))
        s.when(CommitReplyTime(complaint_id="K-1", reply_by=MONDAY_9AM + timedelta(hours=2)))
        s.then_nothing()
        s.after(hours=1)
        s.when(CommitReplyTime(complaint_id="K-1", reply_by=MONDAY_9AM + timedelta(hours=5)))
        s.then(ReplyTimeCommitted)
        state = s.center.complaints.get("K-1")
        assert (state.committed_at, state.reply_by) == (
            MONDAY_9AM,
            MONDAY_9AM + timedelta(hours=5),
        )

    def test_an_unknown_complaint_is_not_found(self) -> None:
        s = Scenario().when(CommitReplyTime(complaint_id="K-404", reply_by=MONDAY_9AM))
        s.then_broken(EXISTS)


class TestJudging:
    def test_a_valid_complaint(self) -> None:
        s = lodged_scenario()
        s.when(JudgeComplaint(complaint_id="K-1", valid=True, reason="late by 2 h", actor=AGENT))
        s.then(ComplaintJudgedValid)
        state = s.center.complaints.get("K-1")
        assert (state.status, state.valid, state.judged_at) == (
            Status.JUDGED_VALID,
            True,
            MONDAY_9AM,
        )

    def test_an_invalid_one_is_explained_and_closed_with_the_reason(self) -> None:
        s = lodged_scenario()
        s.when(JudgeComplaint(complaint_id="K-1", valid=False, reason="delivered in the window"))
        _, closed = s.then(ComplaintJudgedInvalid, ComplaintClosed)
        assert isinstance(closed, ComplaintClosed)
        assert closed.reason == "delivered in the window" and not closed.resolved
        state = s.center.complaints.get("K-1")
        assert state.status is Status.INVALID and state.closed
        assert state.close_reason == "delivered in the window"

    def test_an_invalid_judgement_needs_a_reason(self) -> None:
        with pytest.raises(ValueError, match="give the reason"):
            JudgeComplaint(complaint_id="K-1", valid=False)

    def test_judging_again_the_same_way_changes_nothing(self) -> None:
        s = judged_valid(lodged_scenario())
        s.when(JudgeComplaint(complaint_id="K-1", valid=True)).then_nothing()
        s = lodged_scenario().given(JudgeComplaint(complaint_id="K-1", valid=False, reason="no"))
        s.when(JudgeComplaint(complaint_id="K-1", valid=False, reason="still no")).then_nothing()

    def test_the_judgement_is_final(self) -> None:
        s = judged_valid(lodged_scenario())
        s.when(JudgeComplaint(complaint_id="K-1", valid=False, reason="changed my mind"))
        s.then_broken(complaint.JUDGEMENT_IS_FINAL)
        s = lodged_scenario().given(JudgeComplaint(complaint_id="K-1", valid=False, reason="no"))
        s.when(JudgeComplaint(complaint_id="K-1", valid=True))
        s.then_broken(complaint.JUDGEMENT_IS_FINAL)

    def test_an_unknown_complaint_is_not_found(self) -> None:
        Scenario().when(JudgeComplaint(complaint_id="K-404", valid=True)).then_broken(EXISTS)


class TestAValidComplaint:
    def test_the_department_is_notified_only_after_a_valid_judgement(self) -> None:
        s = lodged_scenario()
        s.when(NotifyDepartment(complaint_id="K-1", department="TECH"))
        s.then_broken(complaint.NOTIFY_AFTER_VALID_JUDGEMENT)
        judged_valid(s).after(minutes=5)
        s.when(NotifyDepartment(complaint_id="K-1", department="TECH"))
        (event,) = s.then(DepartmentNotified)
        assert isinstance(event, DepartmentNotified) and event.department == "TECH"
        state = s.center.complaints.get("K-1")
        assert state.status is Status.NOTIFIED and state.department_notified == "TECH"
        assert state.notified_at == MONDAY_9AM + timedelta(minutes=5)

    def test_an_invalid_complaint_goes_to_no_department(self) -> None:
        s = lodged_scenario().given(JudgeComplaint(complaint_id="K-1", valid=False, reason="no"))
        s.when(NotifyDepartment(complaint_id="K-1", department="TECH"))
        s.then_broken(complaint.COMPLAINT_CLOSED)

    def test_the_department_must_exist(self) -> None:
        s = judged_valid(lodged_scenario())
        s.when(NotifyDepartment(complaint_id="K-1", department="NOPE"))
        s.then_broken(directory_module.UNKNOWN_DEPARTMENT)

    def test_notifying_again_changes_nothing_and_another_department_reroutes(self) -> None:
        s = notified(lodged_scenario())
        s.when(NotifyDepartment(complaint_id="K-1", department="TECH")).then_nothing()
        s.after(minutes=20)
        s.when(NotifyDepartment(complaint_id="K-1", department="BUSINESS"))
        s.then(DepartmentNotified)
        state = s.center.complaints.get("K-1")
        assert state.department_notified == "BUSINESS" and state.notified_at == MONDAY_9AM

    def test_the_customer_is_updated_once_the_complaint_is_judged_valid(self) -> None:
        s = lodged_scenario()
        s.when(UpdateCustomer(complaint_id="K-1", note="We are looking into it"))
        s.then_broken(complaint.UPDATE_AFTER_VALID_JUDGEMENT)
        notified(s).after(minutes=15)
        s.when(UpdateCustomer(complaint_id="K-1", note="The branch will call you today"))
        s.then(CustomerUpdated)
        state = s.center.complaints.get("K-1")
        assert state.customer_updated_at == MONDAY_9AM + timedelta(minutes=15)
        assert [n.text for n in state.customer_updates] == ["The branch will call you today"]

    def test_the_department_is_followed_up_after_it_was_notified(self) -> None:
        s = judged_valid(lodged_scenario())
        s.when(FollowUpDepartment(complaint_id="K-1", note="any news?"))
        s.then_broken(complaint.FOLLOW_UP_AFTER_NOTIFICATION)
        s.given(NotifyDepartment(complaint_id="K-1", department="TECH")).after(hours=1)
        s.when(FollowUpDepartment(complaint_id="K-1", note="any news?"))
        (event,) = s.then(DepartmentFollowedUp)
        assert isinstance(event, DepartmentFollowedUp) and event.department == "TECH"
        assert s.center.complaints.get("K-1").followed_up_at == MONDAY_9AM + timedelta(hours=1)


class TestResolution:
    def test_a_resolution_comes_from_a_notified_department(self) -> None:
        s = judged_valid(lodged_scenario())
        s.when(RecordResolution(complaint_id="K-1", resolution="Apology"))
        s.then_broken(complaint.RESOLUTION_AFTER_NOTIFICATION)
        s.given(NotifyDepartment(complaint_id="K-1", department="TECH"))
        s.when(RecordResolution(complaint_id="K-1", resolution="Apology", department="NOPE"))
        s.then_broken(directory_module.UNKNOWN_DEPARTMENT)
        s.when(RecordResolution(complaint_id="K-1", resolution="Apology"))
        (event,) = s.then(ResolutionProposed)
        assert isinstance(event, ResolutionProposed) and event.department == "TECH"
        state = s.center.complaints.get("K-1")
        assert state.status is Status.RESOLUTION_PROPOSED
        assert state.pending_resolution is not None
        assert state.pending_resolution.text == "Apology"

    def test_the_customer_responds_before_another_resolution_is_proposed(self) -> None:
        s = proposed(lodged_scenario())
        s.when(RecordResolution(complaint_id="K-1", resolution="Apology and a free hose"))
        s.then_nothing()
        s.when(RecordResolution(complaint_id="K-1", resolution="Something else"))
        s.then_broken(complaint.ONE_RESOLUTION_AT_A_TIME)

    def test_a_response_needs_a_resolution_waiting(self) -> None:
        s = notified(lodged_scenario())
        s.when(RecordCustomerResponse(complaint_id="K-1", accepted=True))
        s.then_broken(complaint.RESPONSE_NEEDS_RESOLUTION)

    def test_the_customer_accepts(self) -> None:
        s = proposed(lodged_scenario()).after(hours=3)
        s.when(RecordCustomerResponse(complaint_id="K-1", accepted=True, note="fine"))
        s.then(ResolutionAccepted)
        state = s.center.complaints.get("K-1")
        assert state.status is Status.RESOLUTION_ACCEPTED and state.pending_resolution is None
        assert state.accepted_at == MONDAY_9AM + timedelta(hours=3)
        assert state.resolutions[-1].accepted is True
        s.when(RecordCustomerResponse(complaint_id="K-1", accepted=True)).then_nothing()

    def test_acceptance_ends_the_departments_work(self) -> None:
        s = accepted(lodged_scenario())
        for command in (
            RecordCustomerResponse(complaint_id="K-1", accepted=False),
            RecordResolution(complaint_id="K-1", resolution="More"),
            FollowUpDepartment(complaint_id="K-1", note="anything else?"),
            NotifyDepartment(complaint_id="K-1", department="BUSINESS"),
        ):
            s.when(command).then_broken(complaint.ALREADY_RESOLVED)

    def test_a_rejected_one_goes_back_to_the_department_and_a_new_one_follows(self) -> None:
        s = proposed(lodged_scenario())
        s.when(RecordCustomerResponse(complaint_id="K-1", accepted=False, note="not enough"))
        (rejected,) = s.then(ResolutionRejected)
        assert isinstance(rejected, ResolutionRejected) and rejected.back_to is BackTo.DEPARTMENT
        state = s.center.complaints.get("K-1")
        assert state.status is Status.NOTIFIED and state.escalated_at is None
        s.when(RecordResolution(complaint_id="K-1", resolution="Apology and a refund"))
        s.then(ResolutionProposed)
        s.given(RecordCustomerResponse(complaint_id="K-1", accepted=True))
        history = s.center.complaints.get("K-1").resolutions
        assert [(r.text, r.accepted) for r in history] == [
            ("Apology and a free hose", False),
            ("Apology and a refund", True),
        ]

    def test_a_rejected_one_may_go_up_to_the_supervisor(self) -> None:
        s = proposed(lodged_scenario()).after(hours=2)
        s.when(
            RecordCustomerResponse(complaint_id="K-1", accepted=False, escalate_to_supervisor=True)
        )
        (rejected,) = s.then(ResolutionRejected)
        assert isinstance(rejected, ResolutionRejected) and rejected.back_to is BackTo.SUPERVISOR
        assert s.center.complaints.get("K-1").escalated_at == MONDAY_9AM + timedelta(hours=2)
        s.when(
            RecordResolution(
                complaint_id="K-1", resolution="Refund", department="LEAD", actor=SUPERVISOR
            )
        )
        (event,) = s.then(ResolutionProposed)
        assert isinstance(event, ResolutionProposed) and event.department == "LEAD"

    def test_an_accepted_resolution_is_not_escalated(self) -> None:
        with pytest.raises(ValueError, match="not escalated"):
            RecordCustomerResponse(complaint_id="K-1", accepted=True, escalate_to_supervisor=True)


class TestClosing:
    def test_only_after_the_customer_accepted_a_resolution(self) -> None:
        s = lodged_scenario()
        s.when(CloseComplaint(complaint_id="K-1")).then_broken(complaint.ACCEPTED_BEFORE_CLOSE)
        proposed(s)
        s.when(CloseComplaint(complaint_id="K-1")).then_broken(complaint.ACCEPTED_BEFORE_CLOSE)
        s.given(RecordCustomerResponse(complaint_id="K-1", accepted=True)).after(minutes=10)
        s.when(CloseComplaint(complaint_id="K-1"))
        (closed,) = s.then(ComplaintClosed)
        assert isinstance(closed, ComplaintClosed) and closed.resolved
        state = s.center.complaints.get("K-1")
        assert state.status is Status.CLOSED
        assert state.closed_at == MONDAY_9AM + timedelta(minutes=10)

    def test_closing_twice_records_once(self) -> None:
        s = accepted(lodged_scenario()).given(CloseComplaint(complaint_id="K-1"))
        s.when(CloseComplaint(complaint_id="K-1")).then_nothing()
        closes = [
            r for r in s.center.history("complaint-K-1") if isinstance(r.event, ComplaintClosed)
        ]
        assert len(closes) == 1

    def test_a_closed_complaint_takes_no_more_work(self) -> None:
        s = accepted(lodged_scenario()).given(CloseComplaint(complaint_id="K-1"))
        s.when(UpdateCustomer(complaint_id="K-1", note="hello")).then_broken(
            complaint.COMPLAINT_CLOSED
        )
        s.when(CommitReplyTime(complaint_id="K-1", reply_by=MONDAY_9AM + timedelta(days=1)))
        s.then_broken(complaint.COMPLAINT_CLOSED)

    def test_an_unknown_complaint_is_not_found(self) -> None:
        Scenario().when(CloseComplaint(complaint_id="K-404")).then_broken(EXISTS)


class TestSatisfactionCall:
    def test_it_follows_an_accepted_resolution(self) -> None:
        s = proposed(lodged_scenario())
        s.when(RecordSatisfactionCall(complaint_id="K-1", reached=True, rating=5))
        s.then_broken(complaint.SATISFACTION_AFTER_ACCEPTANCE)

    def test_no_answer_is_tried_again_and_the_rating_stands_once_reached(self) -> None:
        s = accepted(lodged_scenario()).given(CloseComplaint(complaint_id="K-1"))
        s.after(hours=2).when(RecordSatisfactionCall(complaint_id="K-1", reached=False))
        s.then(SatisfactionCallRecorded)
        s.after(hours=3)
        s.when(RecordSatisfactionCall(complaint_id="K-1", reached=True, rating=4, on_time=True))
        (call,) = s.then(SatisfactionCallRecorded)
        assert isinstance(call, SatisfactionCallRecorded) and call.rating == 4
        state = s.center.complaints.get("K-1")
        assert len(state.satisfaction_calls) == 2
        assert state.satisfaction_reached_at == MONDAY_9AM + timedelta(hours=5)
        s.when(RecordSatisfactionCall(complaint_id="K-1", reached=True, rating=1))
        s.then_broken(complaint.SATISFACTION_ONCE_REACHED)

    def test_a_rating_from_1_to_5_is_needed_when_reached(self) -> None:
        with pytest.raises(ValueError, match="needs a rating"):
            RecordSatisfactionCall(complaint_id="K-1", reached=True)
        with pytest.raises(ValueError, match="from 1 to 5"):
            RecordSatisfactionCall(complaint_id="K-1", reached=True, rating=6)
        with pytest.raises(ValueError, match="no rating"):
            RecordSatisfactionCall(complaint_id="K-1", reached=False, rating=3)

    def test_an_invalid_complaint_has_no_satisfaction_call(self) -> None:
        s = lodged_scenario().given(JudgeComplaint(complaint_id="K-1", valid=False, reason="no"))
        s.when(RecordSatisfactionCall(complaint_id="K-1", reached=True, rating=3))
        s.then_broken(complaint.SATISFACTION_AFTER_ACCEPTANCE)


class TestReComplaint:
    def test_the_original_must_exist(self) -> None:
        Scenario().when(lodge(re_complaint_of="K-404")).then_broken(EXISTS)

    def test_it_links_to_the_original_and_counts_against_its_department(self) -> None:
        s = notified(lodged_scenario())
        s.given(CommitReplyTime(complaint_id="K-1", reply_by=MONDAY_9AM + timedelta(hours=2)))
        s.after(hours=5)
        s.when(lodge(complaint_id="K-2", re_complaint_of="K-1", what="Nobody came"))
        lodged, received = s.then(ComplaintLodged, ReComplaintReceived)
        assert isinstance(lodged, ComplaintLodged) and isinstance(received, ReComplaintReceived)
        assert (lodged.re_complaint_of, lodged.counts_against) == ("K-1", "TECH")
        assert (received.re_complaint_id, received.counts_against) == ("K-2", "TECH")
        assert s.outcome is not None
        assert s.outcome.streams == ("complaint-K-2", "complaint-K-1")
        assert s.center.complaints.get("K-1").re_complaints == ("K-2",)
        again = s.center.complaints.get("K-2")
        assert (again.re_complaint_of, again.counts_against) == ("K-1", "TECH")

    def test_an_original_never_sent_to_a_department_counts_against_nobody(self) -> None:
        s = lodged_scenario().when(lodge(complaint_id="K-2", re_complaint_of="K-1"))
        lodged, _ = s.then(ComplaintLodged, ReComplaintReceived)
        assert isinstance(lodged, ComplaintLodged) and lodged.counts_against is None

    def test_a_closed_original_still_shows_it_in_its_history(self) -> None:
        s = accepted(lodged_scenario()).given(CloseComplaint(complaint_id="K-1"))
        s.when(lodge(complaint_id="K-2", re_complaint_of="K-1"))
        s.then(ComplaintLodged, ReComplaintReceived)
        original = s.center.complaints.get("K-1")
        assert original.status is Status.CLOSED and original.re_complaints == ("K-2",)

    def test_recording_it_on_the_original_twice_records_once(self) -> None:
        context = Context(now=MONDAY_9AM, actor=AGENT)
        directory = Scenario().directory
        lodging = complaint.LodgingContext(
            now=MONDAY_9AM,
            actor=AGENT,
            directory=directory,
            calendar=BusinessCalendar(directory.calendar),
            complaint_id="K-1",
        )
        lodged_first = complaint.lodge_complaint(complaint.initial, lodge(), lodging)
        original = complaint.FOLD.fold(lodged_first)
        (lodged,) = complaint.lodge_complaint(
            complaint.initial,
            lodge(re_complaint_of="K-1"),
            attrs.evolve(lodging, complaint_id="K-2", original=original),
        )
        assert isinstance(lodged, ComplaintLodged)
        received = complaint.record_re_complaint(original, lodged, context)
        assert len(received) == 1
        after = complaint.FOLD.fold(received, original)
        assert complaint.record_re_complaint(after, lodged, context) == ()
        with raises_rule(EXISTS):
            complaint.record_re_complaint(complaint.initial, lodged, context)


class TestConfidentiality:
    def story(self) -> Scenario:
        s = Scenario().given(open_wang(), lodge(customer_number="C000001"))
        notified(s)
        s.given(
            UpdateCustomer(complaint_id="K-1", note="Branch manager will call"),
            FollowUpDepartment(complaint_id="K-1", note="Manager on leave"),
            RecordResolution(complaint_id="K-1", resolution="Refund 20 yuan"),
            RecordCustomerResponse(complaint_id="K-1", accepted=True, note="ok"),
            RecordSatisfactionCall(complaint_id="K-1", reached=True, rating=5, note="thanks"),
        )
        return s

    def test_who_may_read_a_resolution(self) -> None:
        assert {Role.SUPERVISOR, Role.CUSTOMER} == complaint_reading.RESOLUTION_READERS
        for role in (Role.AGENT, Role.FIELD_WORKER, Role.SYSTEM, Role.INTEGRATION):
            assert role not in complaint_reading.RESOLUTION_READERS

    def test_the_public_view_keeps_counts_and_times_but_no_text(self) -> None:
        state = self.story().center.complaints.get("K-1")
        public = complaint_reading.public_view(state)
        assert [r.text for r in public.resolutions] == [None]
        assert [r.note for r in public.resolutions] == [None]
        assert [n.text for n in public.customer_updates] == [None]
        assert [n.text for n in public.follow_ups] == [None]
        assert [c.note for c in public.satisfaction_calls] == [None]
        assert public.resolutions[0].accepted is True
        assert public.satisfaction_calls[0].rating == 5
        assert (public.accepted_at, public.notified_at) == (state.accepted_at, state.notified_at)
        assert "Refund" not in repr(public)
        assert state.resolutions[0].text == "Refund 20 yuan"  # the record itself keeps it

    def test_each_actor_sees_what_they_may(self) -> None:
        state = self.story().center.complaints.get("K-1")
        sees = {
            "supervisor": complaint_reading.view_for(state, SUPERVISOR),
            "the customer": complaint_reading.view_for(state, Actor(Role.CUSTOMER, "C000001")),
            "the complainant's phone": complaint_reading.view_for(
                state, Actor(Role.CUSTOMER, "+8613912345678")
            ),
            "another customer": complaint_reading.view_for(state, Actor(Role.CUSTOMER, "C000002")),
            "an agent": complaint_reading.view_for(state, AGENT),
            "the worker": complaint_reading.view_for(state, Actor(Role.FIELD_WORKER, "W001")),
        }
        readable = {who for who, view in sees.items() if view.resolutions[0].text is not None}
        assert readable == {"supervisor", "the customer", "the complainant's phone"}


def test_a_complaint_from_lodging_to_the_satisfaction_call_keeps_every_step_time() -> None:
    s = Scenario().given(lodge(about=Subject(SubjectKind.BRANCH, "B-EAST")))
    s.after(minutes=10).given(
        CommitReplyTime(complaint_id="K-1", reply_by=MONDAY_9AM + timedelta(hours=4))
    )
    s.after(minutes=5).given(JudgeComplaint(complaint_id="K-1", valid=True))
    s.after(minutes=5).given(NotifyDepartment(complaint_id="K-1", department="BUSINESS"))
    s.after(minutes=15).given(UpdateCustomer(complaint_id="K-1", note="on it"))
    s.after(minutes=60).given(FollowUpDepartment(complaint_id="K-1", note="status?"))
    s.after(minutes=30).given(RecordResolution(complaint_id="K-1", resolution="Apology"))
    s.after(minutes=30).given(RecordCustomerResponse(complaint_id="K-1", accepted=True))
    s.after(minutes=5).given(CloseComplaint(complaint_id="K-1"))
    s.after(hours=20).given(RecordSatisfactionCall(complaint_id="K-1", reached=True, rating=4))
    state = s.center.complaints.get("K-1")
    minutes = {
        name: (getattr(state, name) - MONDAY_9AM) / timedelta(minutes=1)
        for name in (
            "lodged_at",
            "committed_at",
            "judged_at",
            "notified_at",
            "customer_updated_at",
            "followed_up_at",
            "accepted_at",
            "closed_at",
            "satisfaction_reached_at",
        )
    }
    assert minutes == {
        "lodged_at": 0,
        "committed_at": 10,
        "judged_at": 15,
        "notified_at": 20,
        "customer_updated_at": 35,
        "followed_up_at": 95,
        "accepted_at": 155,
        "closed_at": 160,
        "satisfaction_reached_at": 1360,
    }
    assert state.status is Status.CLOSED
    assert [type(r.event).__name__ for r in s.center.history("complaint-K-1")] == [
        "ComplaintLodged",
        "ReplyTimeCommitted",
        "ComplaintJudgedValid",
        "DepartmentNotified",
        "CustomerUpdated",
        "DepartmentFollowedUp",
        "ResolutionProposed",
        "ResolutionAccepted",
        "ComplaintClosed",
        "SatisfactionCallRecorded",
    ]
