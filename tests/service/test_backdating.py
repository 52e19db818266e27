"""Bounded back-dating (domain.md §6, quality.md R11): per bound, per role, given/when/then.

Each refusal names the rule and the bound, and stores nothing. Commands are handed to the
centre directly (not through ``Scenario.when``, which reports a fact ahead of the clock
as it happens), so that the clock stays where the story puts it.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import attrs
import pytest

from callcore import CallCenter
from callcore.adapters.clock import ManualClock
from callcore.adapters.directory_file import demo_directory
from callcore.domain import backdating, call, complaint, dispatch
from callcore.domain.common import SYSTEM, Actor, Command, Contact, DomainError, Role, Rule, Window
from callcore.domain.complaint import Subject, SubjectKind
from tests.support import CST, at

LODGED = at(23, 12, 35)
AGENT = Actor(Role.AGENT, "A01")
SUPERVISOR = Actor(Role.SUPERVISOR, "S01")
PBX = Actor(Role.INTEGRATION, "pbx")
PEOPLE = [AGENT, SUPERVISOR]


class Story:
    def __init__(self, start: datetime = LODGED, directory=None) -> None:  # type: ignore[no-untyped-def]
        self.clock = ManualClock(start)
        self.center = CallCenter.open("memory://", clock=self.clock,
                                      directory=directory or demo_directory())

    def given(self, *commands: Command) -> Story:
        for command in commands:
            self.center.handle(command)
        return self

    def at(self, instant: datetime) -> Story:
        self.clock.set(instant)
        return self

    def accepted(self, command: Command) -> None:
        outcome = self.center.handle(command)
        assert len(outcome) > 0
        if command.occurred_at is not None:
            assert {e.at for e in outcome.events} == {command.occurred_at}

    def refused(self, command: Command, rule: Rule, *named: str) -> DomainError:
        before = self.center.store.last_position()
        with pytest.raises(DomainError) as raised:
            self.center.handle(command)
        assert raised.value.rule == rule, raised.value
        for text in named:
            assert text in raised.value.detail, (text, raised.value.detail)
        assert self.center.store.last_position() == before, "a refused time stored events"
        return raised.value


def complaint_lodged(story: Story, judged_at: datetime | None = None) -> Story:
    story.given(complaint.LodgeComplaint(
        complaint_id="K-1", complainant=Contact("Wang Xiuying", "139 1234 5678"),
        about=Subject(SubjectKind.FIELD_WORKER, "W001"), what="Late again",
        wanted_outcome="An apology", actor=AGENT,
    ))
    story.at(judged_at or LODGED + timedelta(minutes=1))
    return story.given(complaint.JudgeComplaint(complaint_id="K-1", valid=True, actor=AGENT))


def notify(actor: Actor, when: datetime) -> complaint.NotifyDepartment:
    return complaint.NotifyDepartment(
        complaint_id="K-1", department="TECH", actor=actor, occurred_at=when
    )


# --------------------------------------------------------------------------- people


@pytest.mark.parametrize("person", PEOPLE, ids=str)
def test_people_may_back_date_15_minutes(person: Actor):
    # Given a complaint lodged 12:35 and judged valid, and the clock at 13:00
    story = complaint_lodged(Story()).at(at(23, 13, 0))
    # When a person says the department was told at 12:44 (16 minutes ago)
    # Then it is refused, naming the bound; at 12:46 (14 minutes ago) it is taken
    story.refused(notify(person, at(23, 12, 44)), backdating.WITHIN_BACK_DATING_BOUND,
                  "15 minutes", "16 minutes", "back_dating.people")
    story.accepted(notify(person, at(23, 12, 46)))


def test_the_issues_three_hours_before_the_complaint_is_refused():
    # Given a complaint lodged at 12:35; When an agent dates the notification 09:35
    story = complaint_lodged(Story()).at(at(23, 12, 40))
    # Then it is refused (it was three hours before the clock) and nothing is stored
    story.refused(notify(AGENT, at(23, 9, 35)), backdating.WITHIN_BACK_DATING_BOUND,
                  "3 hours", "15 minutes")


def test_a_field_worker_may_back_date_their_own_feedback_15_minutes():
    story = Story(start=at(24, 8))
    story.given(
        dispatch.RequestDispatch(
            dispatch_id="D1", kind=dispatch.DispatchKind.REPAIR, site_address="120 Xihu Avenue",
            area="XIHU", contact=Contact("Manager Sun", "0931 880 2233"),
            wished=Window(at(24, 9), at(24, 11)), job="Boiler will not light", actor=AGENT,
        ),
        dispatch.AssignDispatch(dispatch_id="D1", actor=AGENT),
    )
    worker = Actor(Role.FIELD_WORKER, story.center.dispatches.get("D1").worker_id or "")
    story.at(at(24, 10, 0))

    def arrived(when: datetime) -> dispatch.RecordFieldFeedback:
        return dispatch.RecordFieldFeedback(
            dispatch_id="D1", feedback=dispatch.Feedback.ARRIVED, actor=worker, occurred_at=when
        )

    story.refused(arrived(at(24, 9, 44)), backdating.WITHIN_BACK_DATING_BOUND, "15 minutes")
    story.refused(arrived(at(24, 10, 2) + timedelta(seconds=1)), backdating.NOT_IN_THE_FUTURE,
                  "2 minutes")
    story.accepted(arrived(at(24, 9, 46)))


# --------------------------------------------------------------------------- integrations


def offered(story: Story, by: Actor = PBX) -> Story:
    return story.given(call.OfferCall(call_id="c1", queue="hotline", actor=by,
                                      occurred_at=story.clock.now()))


def test_an_integration_may_back_date_24_hours_by_its_own_timestamps():
    # Given a call offered at 12:35 on Monday, and the PBX catching up on Tuesday 13:00
    story = offered(Story()).at(at(24, 13, 0))
    # Then an answer dated 12:50 on Monday (24 h 10 min ago) is refused
    story.refused(call.AnswerCall(call_id="c1", agent="A01", actor=PBX,
                                  occurred_at=at(23, 12, 50)),
                  backdating.WITHIN_BACK_DATING_BOUND, "24 hours", "back_dating.integrations")
    # And one dated 13:10 on Monday (23 h 50 min ago) is taken
    story.accepted(call.AnswerCall(call_id="c1", agent="A01", actor=PBX,
                                   occurred_at=at(23, 13, 10)))


def test_a_source_of_the_directory_keeps_its_own_bound():
    bounds = backdating.BackDating(by_source={"asterisk": 7 * 86400})
    directory = attrs.evolve(demo_directory(), back_dating=bounds)
    asterisk = Actor(Role.INTEGRATION, "asterisk")
    story = offered(Story(directory=directory), by=asterisk).at(at(26, 12, 0))
    # three days late: too late for any integration, not for the queue_log back-fill
    story.refused(call.AnswerCall(call_id="c1", agent="A01", actor=PBX,
                                  occurred_at=at(23, 12, 36)),
                  backdating.WITHIN_BACK_DATING_BOUND, "24 hours")
    story.accepted(call.AnswerCall(call_id="c1", agent="A01", actor=asterisk,
                                   occurred_at=at(23, 12, 36)))


def test_the_centres_own_processes_catch_up_within_a_month_and_no_further():
    # Their times come from facts already recorded (a voicemail the process picks up late)
    story = Story(start=at(23, 12, 0))
    story.accepted(call.OfferCall(call_id="old", queue="hotline", actor=SYSTEM,
                                  occurred_at=at(20, 9, 0)))
    # But the system actor (the Python API's default) is bounded too: 31 days
    story.refused(call.OfferCall(call_id="older", queue="hotline", actor=SYSTEM,
                                 occurred_at=at(22, 11, 0, month=10)),
                  backdating.WITHIN_BACK_DATING_BOUND, "31 days", "back_dating.system")
    story.refused(call.OfferCall(call_id="epoch", queue="hotline",
                                 occurred_at=datetime(1970, 1, 1, tzinfo=CST)),
                  backdating.WITHIN_BACK_DATING_BOUND, "back_dating.system")
    story.accepted(call.OfferCall(call_id="older", queue="hotline", actor=SYSTEM,
                                  occurred_at=at(23, 13, 0, month=10)))


@pytest.mark.parametrize("role", list(Role), ids=str)
def test_every_role_has_a_back_dating_bound_in_the_directory(role: Role):
    bounds = demo_directory().back_dating
    seconds, key = bounds.bound(Actor(role, "x"))
    assert 0 < seconds <= 366 * 86400 and key.startswith("back_dating.")


# --------------------------------------------------------------------------- the future


@pytest.mark.parametrize("actor", [*PEOPLE, PBX, SYSTEM], ids=str)
def test_nothing_is_dated_in_the_future_beyond_two_minutes(actor: Actor):
    story = Story(start=at(23, 12, 0))
    story.refused(call.OfferCall(call_id="c1", queue="hotline", actor=actor,
                                 occurred_at=at(23, 12, 2) + timedelta(seconds=1)),
                  backdating.NOT_IN_THE_FUTURE, "2 minutes", "back_dating.future_skew")
    story.accepted(call.OfferCall(call_id="c1", queue="hotline", actor=actor,
                                  occurred_at=at(23, 12, 1) + timedelta(seconds=59)))


@pytest.mark.parametrize("year", [1970, 1999, 2100])
@pytest.mark.parametrize("actor", [*PEOPLE, PBX], ids=str)
def test_years_1970_1999_and_2100_are_refused(actor: Actor, year: int):
    story = complaint_lodged(Story()).at(at(23, 12, 40))
    when = datetime(year, 1, 1, tzinfo=CST)
    rule = backdating.NOT_IN_THE_FUTURE if year == 2100 else backdating.WITHIN_BACK_DATING_BOUND
    story.refused(call.OfferCall(call_id="c9", queue="hotline", actor=actor, occurred_at=when),
                  rule, str(year))
    if actor.role is not Role.INTEGRATION:
        story.refused(notify(actor, when), rule, str(year))


# --------------------------------------------------------------------------- record order


@pytest.mark.parametrize("actor", PEOPLE, ids=str)
def test_nothing_is_dated_before_the_clock_it_stops_started(actor: Actor):
    # Given a complaint lodged at 12:35 (its clocks start then), the clock at 12:45
    story = complaint_lodged(Story()).at(at(23, 12, 45))
    # When the department's notification is dated 12:31 (within the 15 minutes)
    # Then it is refused: before the complaint was lodged, when its clocks started
    story.refused(notify(actor, at(23, 12, 31)), backdating.NOT_BEFORE_CLOCK_START,
                  "complaint-K-1", "12:35")


def test_an_answer_before_the_call_was_offered_is_refused_for_the_pbx():
    # The call's own decision knows when its answer clock started: its rule is named
    story = offered(Story()).at(at(23, 12, 50))
    story.refused(call.AnswerCall(call_id="c1", agent="A01", actor=PBX,
                                  occurred_at=at(23, 12, 34)),
                  call.NOT_BEFORE_OFFER, "12:35")


def test_a_transfer_before_the_call_was_offered_is_refused_by_the_record_order():
    story = offered(Story()).at(at(23, 12, 50))
    story.given(call.AnswerCall(call_id="c1", agent="A01", actor=PBX, occurred_at=at(23, 12, 36)))
    story.refused(call.TransferCall(call_id="c1", to="TECH", actor=PBX,
                                    occurred_at=at(23, 12, 34)),
                  backdating.NOT_BEFORE_CLOCK_START, "call-c1", "12:35")
    story.refused(call.TransferCall(call_id="c1", to="TECH", actor=PBX,
                                    occurred_at=at(23, 12, 35) + timedelta(seconds=30)),
                  backdating.NOT_BEFORE_PREVIOUS_EVENT, "call-c1", "12:36")


@pytest.mark.parametrize("actor", PEOPLE, ids=str)
def test_nothing_is_dated_before_the_records_previous_event(actor: Actor):
    # Given a complaint lodged 12:35 and judged at 12:40, the clock at 12:45
    story = complaint_lodged(Story(), judged_at=at(23, 12, 40)).at(at(23, 12, 45))
    # When the department's notification is dated 12:38, after the lodging, before the
    # judgement: Then it is refused by the record's order; dated 12:41 it is taken
    story.refused(notify(actor, at(23, 12, 38)), backdating.NOT_BEFORE_PREVIOUS_EVENT,
                  "complaint-K-1", "12:40")
    story.accepted(notify(actor, at(23, 12, 41)))


def test_the_bounds_are_the_directorys():
    strict = backdating.BackDating(people_seconds=60, future_skew_seconds=0)
    story = complaint_lodged(Story(directory=attrs.evolve(demo_directory(), back_dating=strict)))
    story.at(at(23, 12, 45))
    story.refused(notify(AGENT, at(23, 12, 43)), backdating.WITHIN_BACK_DATING_BOUND, "1 minute")
    story.refused(notify(AGENT, at(23, 12, 45) + timedelta(seconds=1)),
                  backdating.NOT_IN_THE_FUTURE, "0 seconds")


# --------------------------------------------------------------------------- corrections


def test_a_supervisors_correction_beyond_the_bounds_is_its_own_event_with_the_reason():
    # Given a complaint lodged 12:35, judged 12:36, and the clock at 16:00
    story = complaint_lodged(Story()).at(at(23, 16, 0))
    reason = "The department was phoned at 12:44; the agent's screen froze"
    # When a supervisor records the notification at 12:44 with a correction
    outcome = story.center.handle(complaint.NotifyDepartment(
        complaint_id="K-1", department="TECH", actor=SUPERVISOR, occurred_at=at(23, 12, 44),
        correction=reason,
    ))
    # Then the fact keeps its time, and a TimeCorrected event beside it gives the reason
    notified, corrected = outcome.events[-2:]
    assert isinstance(notified, complaint.DepartmentNotified)
    assert isinstance(corrected, backdating.TimeCorrected)
    assert notified.at == corrected.at == at(23, 12, 44)
    assert (corrected.reason, corrected.actor, corrected.corrected_at) == (
        reason, SUPERVISOR, at(23, 16, 0))
    assert (corrected.late_by_seconds, corrected.bound_seconds) == (3 * 3600 + 16 * 60, 900)
    # and the record's history shows it, after the fact it corrects
    history = [type(r.event).__name__ for r in story.center.history("complaint-K-1")]
    assert history[-2:] == ["DepartmentNotified", "TimeCorrected"]


@pytest.mark.parametrize("actor", [AGENT, PBX, Actor(Role.FIELD_WORKER, "W001")], ids=str)
def test_only_a_supervisor_may_correct(actor: Actor):
    from callcore.service_layer.authority import CORRECTION_BY_SUPERVISOR

    story = complaint_lodged(Story()).at(at(23, 16, 0))
    story.refused(complaint.NotifyDepartment(
        complaint_id="K-1", department="TECH", actor=actor, occurred_at=at(23, 12, 44),
        correction="trust me",
    ), CORRECTION_BY_SUPERVISOR, "supervisor")


def test_a_correction_neither_dates_the_future_nor_breaks_the_records_order():
    story = complaint_lodged(Story()).at(at(23, 16, 0))

    def corrected(when: datetime) -> complaint.NotifyDepartment:
        return complaint.NotifyDepartment(complaint_id="K-1", department="TECH",
                                          actor=SUPERVISOR, occurred_at=when,
                                          correction="phoned, not typed up")

    story.refused(corrected(at(23, 17, 0)), backdating.NOT_IN_THE_FUTURE)
    story.refused(corrected(at(23, 9, 35)), backdating.NOT_BEFORE_CLOCK_START, "12:35")
    story.refused(corrected(at(23, 12, 35) + timedelta(seconds=30)),
                  backdating.NOT_BEFORE_PREVIOUS_EVENT, "12:36")
    before = story.center.store.last_position()
    with pytest.raises(DomainError) as untimed:
        story.center.handle(complaint.NotifyDepartment(
            complaint_id="K-1", department="TECH", actor=SUPERVISOR, correction="no time"))
    assert untimed.value.rule == backdating.CORRECTION_NEEDS_A_TIME
    assert story.center.store.last_position() == before


def test_a_correction_dated_1970_that_opens_a_record_is_refused_by_its_own_bound():
    # Given the clock at 16:00 on the 23rd
    story = Story().at(at(23, 16, 0))

    def lodged(when: datetime, complaint_id: str) -> complaint.LodgeComplaint:
        return complaint.LodgeComplaint(
            complaint_id=complaint_id, complainant=Contact("Wang Xiuying", "139 1234 5678"),
            about=Subject(SubjectKind.FIELD_WORKER, "W001"), what="Late again",
            wanted_outcome="An apology", actor=SUPERVISOR, occurred_at=when,
            correction="lodged on paper, typed up now",
        )

    # When a supervisor lodges it as a correction dated 1970, or 32 days ago
    # Then each is refused naming the corrections' bound, and nothing is stored
    story.refused(lodged(datetime(1970, 1, 1, 9, tzinfo=CST), "K-1970"),
                  backdating.CORRECTION_WITHIN_BOUND, "1970", "31 days",
                  "back_dating.corrections")
    story.refused(lodged(at(22, 15, 0, month=10), "K-OLD"), backdating.CORRECTION_WITHIN_BOUND)
    # and a correction of a week is taken, with its TimeCorrected beside it
    outcome = story.center.handle(lodged(at(16, 16, 0), "K-WEEK"))
    assert isinstance(outcome.events[-1], backdating.TimeCorrected)


def test_a_correction_on_a_record_is_bounded_by_its_start_its_own_bound_and_the_future():
    # Given a complaint lodged 12:35, judged 12:36, the clock at 16:00
    story = complaint_lodged(Story()).at(at(23, 16, 0))
    # When a supervisor corrects the notification to 1970
    # Then it is beyond the corrections' bound; three days back it is before the record
    # was opened, when its clocks started
    story.refused(complaint.NotifyDepartment(
        complaint_id="K-1", department="TECH", actor=SUPERVISOR,
        occurred_at=datetime(1970, 1, 1, tzinfo=CST), correction="typo",
    ), backdating.CORRECTION_WITHIN_BOUND, "1970")
    story.refused(complaint.NotifyDepartment(
        complaint_id="K-1", department="TECH", actor=SUPERVISOR,
        occurred_at=at(20, 9, 0), correction="typo",
    ), backdating.NOT_BEFORE_CLOCK_START, "12:35")
    # and one dated 2100 names the future's bound
    story.refused(complaint.NotifyDepartment(
        complaint_id="K-1", department="TECH", actor=SUPERVISOR,
        occurred_at=datetime(2100, 1, 1, tzinfo=CST), correction="typo",
    ), backdating.NOT_IN_THE_FUTURE, "2 minutes")


# --------------------------------------------------------------------------- R11 and retries


@pytest.mark.reliability
def test_r11_no_out_of_bounds_time_is_accepted_for_any_role():
    """quality.md R11: commands dated before their record's previous event, before the
    clock they stop, or in the future (and beyond the lateness bound), per role."""
    from tests import reliability

    now = at(23, 13, 0)
    times = {
        "future 2 min 1 s": now + timedelta(minutes=2, seconds=1),
        "future 1 h": now + timedelta(hours=1),
        "2100": datetime(2100, 1, 1, tzinfo=CST),
        "1970": datetime(1970, 1, 1, tzinfo=CST),
        "1999": datetime(1999, 12, 31, tzinfo=CST),
        "before the clock started": LODGED - timedelta(minutes=1),
        "before the previous event": LODGED + timedelta(seconds=30),
    }
    accepted = []
    tried = 0
    for actor in (AGENT, SUPERVISOR, PBX):
        for what, when in times.items():
            story = complaint_lodged(Story()).at(now)
            offered(story.at(LODGED), by=PBX).at(LODGED + timedelta(minutes=1))
            story.given(call.AnswerCall(call_id="c1", agent="A01", actor=PBX))
            story.at(now)
            command: Command = (
                call.CompleteCall(call_id="c1", actor=actor, occurred_at=when)
                if actor is PBX
                else notify(actor, when)
            )
            tried += 1
            before = story.center.store.last_position()
            try:
                story.center.handle(command)
                accepted.append((str(actor), what))
            except DomainError:
                assert story.center.store.last_position() == before
    reliability.record("R11", "out-of-bounds times accepted, 3 roles × 7 times", len(accepted),
                       tried=tried)
    assert accepted == []


def test_a_retry_of_a_fact_taken_in_time_answers_the_first_outcome_after_the_bound():
    # Given a PBX's answer taken 10 minutes after it happened, under its command id
    story = offered(Story()).at(at(23, 12, 45))
    answer = call.AnswerCall(call_id="c1", agent="A01", actor=PBX, occurred_at=at(23, 12, 36),
                             command_id="pbx-evt-17")
    first = story.center.handle(answer)
    # When the PBX redelivers it two days later
    story.at(at(25, 12, 45))
    again = story.center.handle(answer)
    # Then it is the same outcome, not a refusal, and nothing new is recorded
    assert again.repeated and again.events == first.events
