"""The daily report (domain.md §8): a scripted Monday and Tuesday in Hexi, every figure
worked out by hand; a roll-up over the two days; as-of and chunking properties."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from callcore.domain import call, complaint, customer, dispatch, order, ticket
from callcore.domain.common import Contact, Window
from callcore.ports import Recorded
from callcore.projections.daily import (
    ALL,
    BranchDay,
    CategoryCount,
    ClockCompliance,
    DailyReport,
    DailyView,
    DepartmentCount,
    DispatchCount,
    PeriodView,
)
from tests.support import AGENT, Scenario, at

MONDAY, TUESDAY = date(2026, 11, 23), date(2026, 11, 24)
CALLER = Contact("Li Lei", "13800001111")
MORNING = Window(at(23, 11), at(23, 13))


def walk_in(order_id: str, area: str, *lines: tuple[str, int], window: Window) -> order.PlaceOrder:
    return order.PlaceOrder(
        order_id=order_id,
        registered=False,
        name="Li Lei",
        phone="13800001111",
        address="9 Some Road",
        area=area,
        lines=tuple(order.OrderLineRequest(p, q) for p, q in lines),
        delivery_window=window,
        actor=AGENT,
    )


def monday() -> Scenario:
    """Monday 23 November 2026 (a business day), centre time (UTC+8)."""
    s = Scenario(start=at(23, 9))
    opened = s.center.handle(
        customer.OpenAccount(name="Wang Fang", phone="13912345678", address="5 Xihu", area="XIHU")
    ).first(customer.AccountOpened)
    s.given(
        # east: 2 × LPG-15 walk-in at 125.00 = 250.00, delivered by W001 at 11:30
        walk_in("O1", "DONGMEN", ("LPG-15", 2), window=MORNING),
        # east: 1 × LPG-15 walk-in = 125.00, cancelled
        walk_in("O2", "HUAYUAN", ("LPG-15", 1), window=MORNING),
        # west, registered: LPG-15 at 110.00 + a hose at 18.50 = 128.50; assigned, late
        order.PlaceOrder(
            order_id="O3",
            registered=True,
            customer_number=opened.customer_number,
            name="Wang Fang",
            lines=(order.OrderLineRequest("LPG-15", 1), order.OrderLineRequest("HOSE", 1)),
            delivery_window=MORNING,
            actor=AGENT,
        ),
        order.AssignOrderWorker(order_id="O1", worker_id="W001", actor=AGENT),
        order.AssignOrderWorker(order_id="O3", worker_id="W004", actor=AGENT),
        # tickets: an inquiry answered on the spot (east), a fault report with a promised
        # callback never transferred (west), an inquiry with no area (unrouted)
        ticket.OpenTicket(
            ticket_id="T1",
            category=ticket.Category.INQUIRY,
            caller=CALLER,
            description="opening hours",
            area="DONGMEN",
            actor=AGENT,
        ),
        ticket.AnswerOnTheSpot(ticket_id="T1", answer="06:00-22:00", actor=AGENT),
        ticket.OpenTicket(
            ticket_id="T2",
            category=ticket.Category.FAULT_REPORT,
            caller=CALLER,
            description="regulator hisses",
            area="XIHU",
            actor=AGENT,
        ),
        ticket.PromiseCallback(
            ticket_id="T2", phone="13800001111", reply_due=at(23, 15), actor=AGENT
        ),
        ticket.OpenTicket(
            ticket_id="T3",
            category=ticket.Category.INQUIRY,
            caller=CALLER,
            description="price of a 50 kg cylinder",
            actor=AGENT,
        ),
        # a repair in the west this afternoon, W006 assigned
        dispatch.RequestDispatch(
            dispatch_id="D1",
            kind=dispatch.DispatchKind.REPAIR,
            site_address="120 Xihu Avenue",
            area="XIHU",
            contact=CALLER,
            wished=Window(at(23, 14), at(23, 16)),
            job="stove will not light",
            actor=AGENT,
        ),
        dispatch.AssignDispatch(dispatch_id="D1", worker_id="W006", actor=AGENT),
        order.CancelOrder(order_id="O2", reason="changed mind", actor=AGENT),
        # a complaint about W001 (east), handled within every target
        complaint.LodgeComplaint(
            complaint_id="K1",
            complainant=CALLER,
            about=complaint.Subject(complaint.SubjectKind.FIELD_WORKER, "W001"),
            what="rude on the phone",
            wanted_outcome="an apology",
            actor=AGENT,
        ),
        complaint.CommitReplyTime(complaint_id="K1", reply_by=at(23, 12), actor=AGENT),
        complaint.JudgeComplaint(complaint_id="K1", valid=True, actor=AGENT),
        complaint.NotifyDepartment(complaint_id="K1", department="BUSINESS", actor=AGENT),
        complaint.UpdateCustomer(complaint_id="K1", note="passed on", actor=AGENT),
        complaint.FollowUpDepartment(complaint_id="K1", note="on it", actor=AGENT),
        complaint.RecordResolution(complaint_id="K1", resolution="apology", actor=AGENT),
        complaint.RecordCustomerResponse(complaint_id="K1", accepted=True, actor=AGENT),
    )
    s.after(minutes=90)  # 10:30
    s.given(
        dispatch.RecordFieldFeedback(dispatch_id="D1", feedback=dispatch.Feedback.ARRIVED),
        complaint.RecordSatisfactionCall(complaint_id="K1", reached=True, rating=2, actor=AGENT),
    )
    s.after(minutes=60)  # 11:30
    s.given(order.RecordDelivery(order_id="O1", actor=AGENT))
    s.clock.set(at(23, 15))
    s.given(
        call.PlaceOutboundCall(
            call_id="F1",
            agent="A01",
            phone="13800001111",
            purpose=call.Purpose.FOLLOW_UP,
            subject="order-O1",
            actor=AGENT,
        ),
        call.AnswerCall(call_id="F1", agent="A01", actor=AGENT),
        call.RecordFollowUp(call_id="F1", reached=True, attitude=4, actor=AGENT),
    )
    s.clock.set(at(23, 16))
    s.given(
        # a complaint about nothing in particular: the centre's; left waiting
        complaint.LodgeComplaint(
            complaint_id="K2",
            complainant=CALLER,
            about=complaint.Subject(complaint.SubjectKind.OTHER),
            what="hold music too loud",
            wanted_outcome="quieter music",
            actor=AGENT,
        )
    )
    return s


def tuesday(s: Scenario) -> Scenario:
    """Tuesday 24 November: two more orders in the west, all three delivered."""
    s.clock.set(at(24, 9))
    s.given(
        # west: 2 × LPG-5 walk-in at 48.00 = 96.00; 1 × LPG-15 walk-in = 125.00
        walk_in("O4", "QILIHE", ("LPG-5", 2), window=Window(at(24, 10), at(24, 12))),
        walk_in("O5", "XIHU", ("LPG-15", 1), window=Window(at(24, 10), at(24, 12))),
        order.AssignOrderWorker(order_id="O4", worker_id="W004", actor=AGENT),
        order.AssignOrderWorker(order_id="O5", worker_id="W004", actor=AGENT),
    )
    s.after(minutes=30)  # 09:30
    s.given(
        order.RecordDelivery(order_id="O3", actor=AGENT),  # due Monday 13:00: breached
        order.RecordDelivery(order_id="O4", actor=AGENT),
        order.RecordDelivery(order_id="O5", actor=AGENT),
    )
    return s


def records(s: Scenario) -> list[Recorded]:
    return [p.recorded for p in s.center.store.read_all()]


def report(s: Scenario) -> DailyReport:
    return DailyReport(s.directory).apply_all(records(s))


def branch(view: DailyView | PeriodView, name: str) -> BranchDay:
    (found,) = [b for b in view.branches if b.branch == name]
    return found


def sla(row: BranchDay) -> dict[str, tuple[int, int, int, int, float | None]]:
    return {c.clock: (c.met, c.breached, c.running, c.at_risk, c.compliance) for c in row.sla}


class TestADay:
    def test_orders_and_their_amount_per_branch(self) -> None:
        day = report(monday()).view(MONDAY)
        east, west = branch(day, "B-EAST"), branch(day, "B-WEST")
        # east: O1 250.00 + O2 125.00 = 375.00; O1 delivered, O2 cancelled
        assert (east.orders, east.amount, east.delivered, east.cancelled) == (
            2,
            Decimal("375.00"),
            1,
            1,
        )
        # west: O3 110.00 + 18.50 = 128.50, not delivered on Monday
        assert (west.orders, west.amount, west.delivered, west.cancelled) == (
            1,
            Decimal("128.50"),
            0,
            0,
        )
        assert (day.totals.branch, day.totals.orders, day.totals.amount) == (
            ALL,
            3,
            Decimal("503.50"),
        )
        assert isinstance(day.totals.amount, Decimal)
        assert [b.branch for b in day.branches] == [
            "B-EAST",
            "B-NORTH",  # quiet, listed with zeros
            "B-WEST",
            "centre",
            "unrouted",
        ]
        assert branch(day, "B-NORTH").orders == 0

    def test_tickets_by_category_opened_and_closed(self) -> None:
        day = report(monday()).view(MONDAY)
        assert branch(day, "B-EAST").tickets_opened == (CategoryCount("inquiry", 1),)
        assert branch(day, "B-EAST").tickets_closed == (CategoryCount("inquiry", 1),)
        assert branch(day, "B-WEST").tickets_opened == (CategoryCount("fault-report", 1),)
        assert branch(day, "B-WEST").tickets_closed == ()
        assert branch(day, "unrouted").tickets_opened == (CategoryCount("inquiry", 1),)
        assert day.totals.tickets_opened == (
            CategoryCount("fault-report", 1),
            CategoryCount("inquiry", 2),
        )

    def test_dispatches_by_kind_and_state_per_worker(self) -> None:
        day = report(monday()).view(MONDAY)
        # every order opens a delivery dispatch: O1 delivered, O2 cancelled before anyone
        # was assigned, O3 assigned to W004; the repair D1 has W006 on site
        assert branch(day, "B-EAST").dispatches == (
            DispatchCount(None, "delivery", "cancelled", 1),
            DispatchCount("W001", "delivery", "completed", 1),
        )
        assert branch(day, "B-WEST").dispatches == (
            DispatchCount("W004", "delivery", "assigned", 1),
            DispatchCount("W006", "repair", "on-site", 1),
        )
        # as of 10:00 W006 had not arrived yet
        earlier = report(monday()).view(MONDAY, at=at(23, 10))
        assert (
            DispatchCount("W006", "repair", "assigned", 1) in branch(earlier, "B-WEST").dispatches
        )

    def test_complaints_counted_for_the_branch_they_are_about(self) -> None:
        day = report(monday()).view(MONDAY)
        east, centre = branch(day, "B-EAST"), branch(day, "centre")
        assert (east.complaints, east.complaints_by_department) == (
            1,
            (DepartmentCount("BUSINESS", 1),),
        )  # about W001, of the east branch
        assert (centre.complaints, centre.complaints_by_department) == (
            1,
            (DepartmentCount("not-notified", 1),),
        )

    def test_sla_compliance_per_clock_for_clocks_started_that_day(self) -> None:
        day = report(monday()).view(MONDAY)
        # east: the complaint's five clocks all stopped within target (lodged and handled
        # at 09:00, satisfaction call at 10:30); O1 delivered 11:30 within 11:00-13:00;
        # its first follow-up (3 days) made at 15:00; the 10- and 30-day ones still run.
        assert sla(branch(day, "B-EAST")) == {
            "complaint-customer-updated": (1, 0, 0, 0, 1.0),
            "complaint-department-follow-up": (1, 0, 0, 0, 1.0),
            "complaint-department-notified": (1, 0, 0, 0, 1.0),
            "complaint-reply-committed": (1, 0, 0, 0, 1.0),
            "complaint-satisfaction-call": (1, 0, 0, 0, 1.0),
            "delivery": (1, 0, 0, 0, 1.0),
            "post-purchase-follow-up-1": (1, 0, 0, 0, 1.0),
            "post-purchase-follow-up-2": (0, 0, 1, 0, None),
            "post-purchase-follow-up-3": (0, 0, 1, 0, None),
        }
        # west: O3 due 13:00, not delivered: breached; T2's callback promised at 09:00
        # was never transferred (30 min): breached; its customer reply was promised by
        # 15:00 (sooner than the policy's 24 h, so due then: issue 16) — breached;
        # W006 arrived at 10:30 for a repair requested at 09:00 (2 h): met
        assert sla(branch(day, "B-WEST")) == {
            "delivery": (0, 1, 0, 0, 0.0),
            "inquiry-customer-reply": (0, 1, 0, 0, 0.0),
            "inquiry-transfer": (0, 1, 0, 0, 0.0),
            "repair-arrival": (1, 0, 0, 0, 1.0),
        }
        # centre: K2 lodged at 16:00, nothing done: 10 min and 30 min targets breached
        assert sla(branch(day, "centre")) == {
            "complaint-department-notified": (0, 1, 0, 0, 0.0),
            "complaint-reply-committed": (0, 1, 0, 0, 0.0),
        }
        totals = {c.clock: c for c in day.totals.sla}
        assert totals["delivery"] == ClockCompliance("delivery", 1, 1, 0, 0, 0.5)

    def test_satisfaction_calls_and_mean_rating(self) -> None:
        east = branch(report(monday()).view(MONDAY), "B-EAST")
        # the follow-up of O1 (attitude 4) and K1's satisfaction call (rating 2):
        # (4 + 2) / 2 = 3.0
        assert (
            east.satisfaction_calls,
            east.satisfaction_reached,
            east.satisfaction_rated,
            east.mean_rating,
        ) == (2, 2, 2, 3.0)
        assert branch(report(monday()).view(MONDAY), "B-WEST").mean_rating is None

    def test_overdue_items_are_breached_clocks_still_running(self) -> None:
        day = report(monday()).view(MONDAY)
        assert [(o.clock, o.subject, o.due_at) for o in branch(day, "B-WEST").overdue] == [
            ("inquiry-transfer", "ticket-T2", at(23, 9, 30)),
            ("delivery", "order-O3", at(23, 13)),
            ("inquiry-customer-reply", "ticket-T2", at(23, 15)),  # the promised time
        ]
        assert [(o.clock, o.due_at) for o in branch(day, "centre").overdue] == [
            ("complaint-department-notified", at(23, 16, 10)),
            ("complaint-reply-committed", at(23, 16, 30)),
        ]
        assert branch(day, "B-EAST").overdue == ()
        # carried over: Tuesday's report still lists Monday's untransferred callback, and
        # its customer reply, promised for Monday 15:00
        s = tuesday(monday())
        tue = report(s).view(TUESDAY)
        assert [(o.clock, o.subject) for o in branch(tue, "B-WEST").overdue] == [
            ("inquiry-transfer", "ticket-T2"),
            ("inquiry-customer-reply", "ticket-T2"),
        ]
        assert "inquiry-transfer" not in sla(branch(tue, "B-WEST"))  # started Monday

    def test_as_of_an_instant_inside_the_day(self) -> None:
        s = monday()
        noon = report(s).view(MONDAY, at=at(23, 12))
        assert noon.as_of == at(23, 12)
        east = branch(noon, "B-EAST")
        assert (east.orders, east.delivered, east.satisfaction_calls) == (2, 1, 1)
        # the delivery window of O3 ends at 13:00: at noon it is not yet breached
        assert [o.clock for o in branch(noon, "B-WEST").overdue] == ["inquiry-transfer"]
        assert report(s).view(MONDAY, at=at(23, 8)).totals.orders == 0

    def test_the_day_ends_at_centre_local_midnight(self) -> None:
        day = report(monday()).view(MONDAY)
        assert day.as_of == at(24, 0) - timedelta(microseconds=1)
        assert report(monday()).view(MONDAY - timedelta(days=1)).totals.orders == 0


class TestRollUp:
    def test_two_days_sum_and_compliance_is_recomputed(self) -> None:
        s = tuesday(monday())
        r = report(s)
        period = r.roll_up(MONDAY, TUESDAY)
        west = branch(period, "B-WEST")
        # orders: Monday O3 + Tuesday O4, O5 = 3; 128.50 + 96.00 + 125.00 = 349.50
        # delivered on Tuesday: O3, O4, O5
        assert (west.orders, west.amount, west.delivered) == (3, Decimal("349.50"), 3)
        # delivery clocks of the west as of Tuesday's end: O3 breached (Monday), O4 and O5
        # met (Tuesday): 2 ÷ (2 + 1) = 0.667 — not the mean of the days' 0.0 and 1.0
        met, breached, *_, compliance = sla(west)["delivery"]
        assert (met, breached, compliance) == (2, 1, 2 / 3)
        days = [r.view(d, at=period.as_of) for d in (MONDAY, TUESDAY)]
        assert [sla(branch(d, "B-WEST"))["delivery"][4] for d in days] == [0.0, 1.0]
        assert west.dispatches == (
            DispatchCount("W004", "delivery", "completed", 3),
            DispatchCount("W006", "repair", "on-site", 1),
        )
        # totals: 3 + 2 orders; 503.50 + 221.00 = 724.50
        assert (period.totals.orders, period.totals.amount) == (5, Decimal("724.50"))

    def test_a_roll_up_is_the_sum_of_its_days(self) -> None:
        s = tuesday(monday())
        r = report(s)
        period = r.roll_up(MONDAY, TUESDAY + timedelta(days=5))
        days = [r.view(MONDAY + timedelta(days=n), at=period.as_of) for n in range(7)]
        for name in [b.branch for b in period.branches] + [ALL]:
            summed = branch(period, name) if name != ALL else period.totals
            # a branch with nothing on a day is not listed that day: it adds nothing
            parts = [row for d in days for row in (*d.branches, d.totals) if row.branch == name]
            assert summed.orders == sum(p.orders for p in parts)
            assert summed.amount == sum((p.amount for p in parts), Decimal("0.00"))
            assert summed.satisfaction_calls == sum(p.satisfaction_calls for p in parts)
            assert sum(c.count for c in summed.dispatches) == sum(
                c.count for p in parts for c in p.dispatches
            )
            for clock in summed.sla:
                met = sum(c.met for p in parts for c in p.sla if c.clock == clock.clock)
                breached = sum(c.breached for p in parts for c in p.sla if c.clock == clock.clock)
                assert (clock.met, clock.breached) == (met, breached)
                assert clock.compliance == (None if met + breached == 0 else met / (met + breached))
            assert set(summed.overdue) == {o for p in parts for o in p.overdue}

    def test_the_mean_rating_of_a_period_weighs_every_call(self) -> None:
        s = tuesday(monday())
        s.given(
            call.PlaceOutboundCall(
                call_id="F2",
                agent="A01",
                phone="13800001111",
                purpose=call.Purpose.FOLLOW_UP,
                subject="order-O1",
                actor=AGENT,
            ),
            call.AnswerCall(call_id="F2", agent="A01", actor=AGENT),
            call.RecordFollowUp(call_id="F2", reached=True, attitude=5, actor=AGENT),
        )
        east = branch(report(s).roll_up(MONDAY, TUESDAY), "B-EAST")
        # Monday 4 and 2, Tuesday 5: (4 + 2 + 5) / 3 = 3.667, not (3.0 + 5) / 2 = 4.0
        assert (east.satisfaction_calls, east.mean_rating) == (3, 11 / 3)

    def test_a_period_must_not_end_before_it_starts(self) -> None:
        import pytest

        with pytest.raises(ValueError, match="ends on or after"):
            report(monday()).roll_up(TUESDAY, MONDAY)


class TestWhatTheMaterialiserRewrites:
    def test_touched_days_include_the_work_day_of_a_dispatch(self) -> None:
        s = monday()
        s.given(
            dispatch.RequestDispatch(
                dispatch_id="D2",
                kind=dispatch.DispatchKind.INSTALL,
                site_address="1 Dongmen Road",
                area="DONGMEN",
                contact=CALLER,
                wished=Window(at(25, 9), at(25, 11)),
                job="new stove",
                actor=AGENT,
            )
        )
        r = report(s)
        assert r.take_touched_days() == {MONDAY, date(2026, 11, 25)}
        assert r.take_touched_days() == set()
        wednesday = r.view(date(2026, 11, 25), at=at(23, 18))
        assert branch(wednesday, "B-EAST").dispatches == (
            DispatchCount(None, "install", "requested", 1),
        )


# ------------------------------------------------------------------ properties

SCRIPTED = tuesday(monday())
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
        min_value=datetime(2026, 11, 23, 0, 0), max_value=datetime(2026, 11, 25, 12, 0)
    ).map(lambda d: d.replace(tzinfo=at(23, 0).tzinfo)),
)


@settings(max_examples=40, deadline=None)
@given(cuts=st.lists(st.integers(0, len(LOG)), max_size=4), day=st.sampled_from([MONDAY, TUESDAY]))
def test_folding_in_chunks_equals_folding_at_once(cuts: list[int], day: date) -> None:
    whole = DailyReport(DIRECTORY).apply_all(LOG)
    chunked = DailyReport(DIRECTORY)
    start = 0
    for cut in sorted(cuts):
        chunked.apply_all(LOG[start:cut])
        start = cut
    chunked.apply_all(LOG[start:])
    assert chunked.view(day) == whole.view(day)
    assert chunked.roll_up(MONDAY, TUESDAY) == whole.roll_up(MONDAY, TUESDAY)


@settings(max_examples=40, deadline=None)
@given(instant=INSTANTS, day=st.sampled_from([MONDAY, TUESDAY]))
def test_as_of_t_equals_the_log_cut_at_t(instant: datetime, day: date) -> None:
    full = DailyReport(DIRECTORY).apply_all(LOG)
    cut = DailyReport(DIRECTORY).apply_all(r for r in LOG if r.event.at <= instant)
    assert full.view(day, at=instant) == cut.view(day, at=instant)
    assert full.roll_up(MONDAY, TUESDAY, at=instant) == cut.roll_up(MONDAY, TUESDAY, at=instant)
