"""Shift handover and the suggestions digest (domain.md §8), worked out by hand; as-of
and chunking properties."""

from __future__ import annotations

from datetime import datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from callcore.domain import call, complaint, dispatch, order, ticket
from callcore.domain.common import Actor, Contact, Role, Window
from callcore.ports import Recorded
from callcore.projections.handover import (
    CALLBACK,
    COMPLAINT_REPLY,
    SLA_CLOCK,
    VOICEMAIL_CALLBACK,
    AgentHandover,
    Deadline,
    ShiftHandover,
)
from tests.support import AGENT, Scenario, at

LI = AGENT  # seat A01
ZHOU = Actor(Role.AGENT, "A02")
CALLER = Contact("Wang", "13912345678")


def inquiry(ticket_id: str, actor: Actor, category: str = "inquiry") -> ticket.OpenTicket:
    return ticket.OpenTicket(
        ticket_id=ticket_id,
        category=ticket.Category(category),
        caller=CALLER,
        description="question",
        actor=actor,
    )


def story() -> Scenario:
    """Monday 23 November, 12:00, the early shift (06:00-14:00)."""
    s = Scenario(start=at(23, 12))
    s.given(
        # T1: Li promises a callback at 15:00 — in the late shift
        inquiry("T1", LI),
        ticket.PromiseCallback(ticket_id="T1", phone="13912345678", reply_due=at(23, 15), actor=LI),
        # T2: answered on the spot, closed: nothing to hand over
        inquiry("T2", ZHOU),
        ticket.AnswerOnTheSpot(ticket_id="T2", answer="06:00-22:00", actor=ZHOU),
        # T3: Zhou's callback is due at 13:00, in this shift: not the next shift's
        inquiry("T3", ZHOU, "fault-report"),
        ticket.PromiseCallback(
            ticket_id="T3", phone="13912345678", reply_due=at(23, 13), actor=ZHOU
        ),
        # T4: opened by Zhou with a callback at 20:00, then Li transferred it: Li's now;
        # the department's 3 h reply clock started at 12:00 is due at 15:00
        inquiry("T4", ZHOU),
        ticket.PromiseCallback(
            ticket_id="T4", phone="13912345678", reply_due=at(23, 20), actor=ZHOU
        ),
        ticket.TransferTicket(ticket_id="T4", department="BUSINESS", note="bill", actor=LI),
        # K1: Zhou commits a reply by 16:00
        complaint.LodgeComplaint(
            complaint_id="K1",
            complainant=CALLER,
            about=complaint.Subject(complaint.SubjectKind.BRANCH, "B-EAST"),
            what="late delivery",
            wanted_outcome="on time next time",
            actor=ZHOU,
        ),
        complaint.CommitReplyTime(complaint_id="K1", reply_by=at(23, 16), actor=ZHOU),
    )
    return s


def records(s: Scenario) -> list[Recorded]:
    return [p.recorded for p in s.center.store.read_all()]


def fold(s: Scenario) -> ShiftHandover:
    return ShiftHandover(s.directory).apply_all(records(s))


def agents(s: Scenario, when: datetime) -> dict[str, AgentHandover]:
    return {a.agent: a for a in fold(s).view(when).agents}


class TestHandover:
    def test_the_early_shift_hands_over_to_the_late_shift(self) -> None:
        view = fold(story()).view(at(23, 13, 55))
        assert (view.shift, view.shift_starts, view.shift_ends) == ("early", at(23, 6), at(23, 14))
        assert (view.next_shift, view.next_shift_starts, view.next_shift_ends) == (
            "late",
            at(23, 14),
            at(23, 22),
        )

    def test_a_callback_due_next_shift_is_handed_over_by_the_agent_who_promised_it(self) -> None:
        li = agents(story(), at(23, 13, 55))["A01"]
        assert li.due_next_shift[0] == Deadline(CALLBACK, "ticket-T1", at(23, 15))

    def test_open_work_and_deadlines_per_agent(self) -> None:
        by_agent = agents(story(), at(23, 13, 55))
        li, zhou = by_agent["A01"], by_agent["A02"]
        # T4 was last touched by Li (the transfer): it, its callback and its
        # department-reply clock are Li's to hand over
        assert [w.subject for w in li.open_work] == ["ticket-T1", "ticket-T4"]
        assert li.due_next_shift == (
            Deadline(CALLBACK, "ticket-T1", at(23, 15)),
            Deadline(SLA_CLOCK, "ticket-T4", at(23, 15), clock="inquiry-department-reply"),
            Deadline(CALLBACK, "ticket-T4", at(23, 20)),
        )
        # T2 closed; T3's callback falls in this shift; its clocks are breached (the
        # 30 min transfer) or due tomorrow (the 24 h reply): nothing of T3 is due next
        # (oldest first; both opened at 12:00, so by subject)
        assert [(w.subject, w.kind, w.category) for w in zhou.open_work] == [
            ("complaint-K1", "complaint", "branch"),
            ("ticket-T3", "ticket", "fault-report"),
        ]
        assert zhou.due_next_shift == (Deadline(COMPLAINT_REPLY, "complaint-K1", at(23, 16)),)
        assert set(by_agent) == {"A01", "A02"}

    def test_kept_promises_and_closed_work_drop_out(self) -> None:
        s = story()
        s.clock.set(at(23, 13))
        s.given(
            ticket.ReplyToCustomer(ticket_id="T1", reply="done", actor=LI),
            complaint.JudgeComplaint(complaint_id="K1", valid=True, actor=ZHOU),
            complaint.NotifyDepartment(complaint_id="K1", department="BUSINESS", actor=ZHOU),
            complaint.RecordResolution(complaint_id="K1", resolution="sorry", actor=ZHOU),
        )
        by_agent = agents(s, at(23, 13, 55))
        assert [d.subject for d in by_agent["A01"].due_next_shift] == ["ticket-T4", "ticket-T4"]
        # K1's reply was given and the department came back with a resolution: the
        # department follow-up (2 h from 13:00) stopped with it (issue 16, decision 6),
        # so nothing of K1 is handed over
        assert by_agent["A02"].due_next_shift == ()
        # and as of before those events, the handover was what it was
        assert agents(s, at(23, 12, 30))["A01"].due_next_shift[0].subject == "ticket-T1"

    def test_the_shift_boundary_belongs_to_the_shift_that_ends(self) -> None:
        view = fold(story()).view(at(23, 14))
        assert (view.shift, view.next_shift) == ("early", "late")
        after = fold(story()).view(at(23, 14, 1))
        assert (after.shift, after.next_shift_starts) == ("late", at(24, 6))

    def test_the_late_shift_hands_over_to_tomorrow_morning(self) -> None:
        view = fold(story()).view(at(23, 21, 50))
        assert (view.shift, view.next_shift, view.next_shift_starts) == ("late", "early", at(24, 6))
        # T1's customer-reply clock is due when Li promised, 15:00 — not 24 h on (issue
        # 16, decision 7): by 21:50 it is past, so it is not tomorrow morning's deadline
        li = {a.agent: a for a in view.agents}["A01"]
        assert all(d.clock != "inquiry-customer-reply" for d in li.due_next_shift)
        # T4's promise (20:00) was before its 24 h too: past by 21:50 as well
        assert all(d.subject != "ticket-T4" for a in view.agents for d in a.due_next_shift)

    def test_a_weekend_voicemail_is_handed_to_monday_morning_once(self) -> None:
        s = Scenario(start=at(21, 23))  # Saturday 23:00
        s.given(ticket.RecordVoicemail(ticket_id="V1", caller=CALLER))
        view = fold(s).view(at(22, 21, 55))  # Sunday's late shift ends
        assert view.next_shift_starts == at(23, 6)
        (nobody,) = view.agents  # recorded by the system: no agent has touched it
        assert nobody.agent == "unassigned"
        # due 08:30 on Monday, the next business morning: the promise, and the SLA clock
        # with the same due time is not listed twice
        assert nobody.due_next_shift == (Deadline(VOICEMAIL_CALLBACK, "ticket-V1", at(23, 8, 30)),)


class TestSuggestionsDigest:
    def story(self) -> Scenario:
        s = story()
        s.given(
            order.PlaceOrder(
                order_id="O1",
                registered=False,
                name="Li",
                phone="13800001111",
                address="x",
                area="XIHU",
                lines=(order.OrderLineRequest("LPG-15", 1),),
                delivery_window=Window(at(23, 14), at(23, 16)),
            ),
            dispatch.RequestDispatch(
                dispatch_id="D1",
                kind=dispatch.DispatchKind.REPAIR,
                site_address="1 Xihu",
                area="XIHU",
                contact=CALLER,
                wished=Window(at(23, 15), at(23, 17)),
                job="stove",
            ),
            complaint.JudgeComplaint(complaint_id="K1", valid=True, actor=ZHOU),
            complaint.NotifyDepartment(complaint_id="K1", department="LEAD", actor=ZHOU),
        )
        for call_id, subject, said in (
            (
                "f1",
                "order-O1",
                {"suggestions": ("text before coming",), "problems_raised": ("gate",)},
            ),
            ("f2", "dispatch-D1", {"problems_raised": ("still smells",)}),
            ("f3", "complaint-K1", {"suggestions": ("answer faster",)}),
            ("f4", None, {"suggestions": ("a WeChat account",)}),
        ):
            s.after(minutes=10).given(
                call.PlaceOutboundCall(
                    call_id=call_id,
                    agent="A02",
                    phone="13800001111",
                    purpose=call.Purpose.FOLLOW_UP,
                    subject=subject,
                ),
                call.AnswerCall(call_id=call_id, agent="A02"),
                call.RecordFollowUp(call_id=call_id, reached=True, attitude=4, **said),  # type: ignore[arg-type]
            )
        s.given(
            ticket.ResolveTicket(
                ticket_id="T3",
                cause="battery",
                solution="replace the meter battery",
                propose_to_knowledge_base=True,
            ),
        )
        return s

    def test_grouped_by_the_department_that_owns_them(self) -> None:
        digest = fold(self.story()).suggestions()
        groups = {d.department: [(i.kind, i.text) for i in d.items] for d in digest.departments}
        assert groups == {
            # an order: the business office (by role)
            "BUSINESS": [("suggestion", "text before coming"), ("problem", "gate")],
            # a repair: technical support (by role); a fault report: TECH owns the category
            "TECH": [
                ("problem", "still smells"),
                ("knowledge", "question: replace the meter battery"),
            ],
            # a complaint: the department it was notified to
            "LEAD": [("suggestion", "answer faster")],
            "unassigned": [("suggestion", "a WeChat account")],
        }
        assert [d.name for d in digest.departments] == [
            "Business Office",
            "Leadership Office",
            "Technical Support",
            "Unassigned",
        ]

    def test_a_period_and_an_instant(self) -> None:
        s = self.story()
        f = fold(s)
        # the follow-ups were recorded at 12:10, 12:20, 12:30 and 12:40
        window = f.suggestions(since=at(23, 12, 15), until=at(23, 12, 35))
        assert [i.text for d in window.departments for i in d.items] == [
            "answer faster",
            "still smells",
        ]
        early = f.suggestions(at=at(23, 12, 10))
        assert [i.source for d in early.departments for i in d.items] == ["call-f1", "call-f1"]
        assert early.as_of == at(23, 12, 10)


# ------------------------------------------------------------------ properties

SCRIPTED = TestSuggestionsDigest().story()
LOG = records(SCRIPTED)
DIRECTORY = SCRIPTED.directory
# as-of bugs hide next to the events: sample their times, a second either side, and
# anything in between
INSTANTS = st.one_of(
    st.builds(
        lambda t, s: t + timedelta(seconds=s),
        st.sampled_from(sorted({r.event.at for r in LOG})),
        st.integers(-1, 1),
    ),
    st.datetimes(
        min_value=datetime(2026, 11, 23, 11, 50), max_value=datetime(2026, 11, 24, 16, 0)
    ).map(lambda d: d.replace(tzinfo=at(23, 0).tzinfo)),
)


@settings(max_examples=40, deadline=None)
@given(cuts=st.lists(st.integers(0, len(LOG)), max_size=4), instant=INSTANTS)
def test_folding_in_chunks_equals_folding_at_once(cuts: list[int], instant: datetime) -> None:
    whole = ShiftHandover(DIRECTORY).apply_all(LOG)
    chunked = ShiftHandover(DIRECTORY)
    start = 0
    for cut in sorted(cuts):
        chunked.apply_all(LOG[start:cut])
        start = cut
    chunked.apply_all(LOG[start:])
    assert chunked.view(instant) == whole.view(instant)
    assert chunked.suggestions() == whole.suggestions()


@settings(max_examples=40, deadline=None)
@given(instant=INSTANTS)
def test_as_of_t_equals_the_log_cut_at_t(instant: datetime) -> None:
    full = ShiftHandover(DIRECTORY).apply_all(LOG)
    cut = ShiftHandover(DIRECTORY).apply_all(r for r in LOG if r.event.at <= instant)
    assert full.view(instant) == cut.view(instant)
    assert full.suggestions(at=instant) == cut.suggestions(at=instant)
