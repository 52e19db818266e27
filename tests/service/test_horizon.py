"""The horizon of a command's values (domain.md §6): every instant a caller sets — windows,
appointments, promises, due times, follow-up dates, a planned day — lies at most a year
after the command's time and no further before it than its actor may back-date (at
least a day); counts and seconds are bounded. Given/when/then, each refusal naming the
rule and the field, nothing stored."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from callcore import CallCenter
from callcore.adapters.clock import ManualClock
from callcore.domain import call, complaint, dispatch, horizon, order, ticket
from callcore.domain.common import Actor, Command, Contact, DomainError, Role, Window
from tests.support import CST, at

NOW = at(23, 12, 0)
AGENT = Actor(Role.AGENT, "A01")
PBX = Actor(Role.INTEGRATION, "pbx")
FAR = datetime(9999, 12, 31, 23, 59, 59, tzinfo=CST)


def window(start: datetime, end: datetime) -> Window:
    return Window(start, end)


def place(delivery: Window, pickup: Window | None = None, quantity: int = 1) -> order.PlaceOrder:
    return order.PlaceOrder(
        registered=False, name="Wang Xiuying", phone="139 1234 5678",
        address="3 East Gate Road", area="DONGMEN",
        lines=(order.OrderLineRequest("LPG-15", quantity),),
        delivery_window=delivery, pickup_window=pickup, actor=AGENT,
    )


SOON = window(NOW + timedelta(hours=1), NOW + timedelta(hours=3))

OFF_THE_HORIZON: dict[str, tuple[Command, str]] = {
    "delivery window ends 9999": (place(window(NOW, FAR)), "delivery_window.end"),
    "delivery window 2 years ahead": (
        place(window(NOW + timedelta(days=730), NOW + timedelta(days=730, hours=2))),
        "delivery_window.start",
    ),
    "pickup window in 1970": (
        place(SOON, window(datetime(1970, 1, 1, tzinfo=CST), datetime(1970, 1, 2, tzinfo=CST))),
        "pickup_window.start",
    ),
    "reschedule a delivery to 2100": (
        order.RescheduleDelivery(order_id="O-1", window=window(
            datetime(2100, 1, 1, 9, tzinfo=CST), datetime(2100, 1, 1, 11, tzinfo=CST)),
            reason="asked", actor=AGENT),
        "window.start",
    ),
    "appointment two days ago": (
        dispatch.ConfirmAppointment(
            dispatch_id="D-1", window=window(NOW - timedelta(days=2), NOW - timedelta(days=2)
                                             + timedelta(hours=2)),
            contact=Contact("Sun", "0931 880 2233"), problem_restated="boiler", actor=AGENT),
        "window.start",
    ),
    "dispatch wished in 9999": (
        dispatch.RequestDispatch(
            kind=dispatch.DispatchKind.REPAIR, site_address="1 Road", area="XIHU",
            contact=Contact("Sun", "0931 880 2233"), wished=window(NOW, FAR), job="x",
            actor=AGENT),
        "wished.end",
    ),
    "callback promised for 2100": (
        ticket.PromiseCallback(ticket_id="T-1", phone="139 1234 5678",
                               reply_due=datetime(2100, 1, 1, tzinfo=CST), actor=AGENT),
        "reply_due",
    ),
    "reply committed for 9999": (
        complaint.CommitReplyTime(complaint_id="K-1", reply_by=FAR, actor=AGENT), "reply_by"),
    "follow-up call again in 3000": (
        call.RecordFollowUp(call_id="c1", reached=False,
                            call_again_at=datetime(3000, 1, 1, tzinfo=CST), actor=AGENT),
        "call_again_at",
    ),
    "installs planned for 9999-12-31": (
        dispatch.PlanInstalls(day=date(9999, 12, 31), dispatch_ids=("D-1",), actor=AGENT),
        "day",
    ),
}


def story() -> CallCenter:
    return CallCenter.open("memory://", clock=ManualClock(NOW))


@pytest.mark.parametrize("case", sorted(OFF_THE_HORIZON))
def test_an_instant_off_the_horizon_is_refused_naming_the_field(case: str):
    # Given a centre at 12:00 on the 23rd
    center = story()
    before = center.store.last_position()
    command, field = OFF_THE_HORIZON[case]
    # When a command sets an instant beyond a year ahead or before the back-dating bound
    with pytest.raises(DomainError) as refused:
        center.handle(command)
    # Then it is refused with the horizon's rule, naming the field; nothing is stored
    assert refused.value.rule == horizon.WITHIN_HORIZON, refused.value
    assert refused.value.detail.startswith(f"{field}:"), refused.value.detail
    assert center.store.last_position() == before


def test_a_window_within_the_horizon_is_taken():
    center = story()
    # a window of today that began this morning, and one booked 300 days ahead
    today = center.handle(place(window(NOW - timedelta(hours=4), NOW + timedelta(hours=2))))
    ahead = NOW + timedelta(days=300)
    later = center.handle(place(window(ahead, ahead + timedelta(hours=2))))
    assert today.first(order.OrderPlaced) and later.first(order.OrderPlaced)


def test_the_horizon_is_around_the_commands_own_time():
    # Given a PBX reporting at 12:00 a fact of 09:00 (within its 24 hours)
    # When the fact carries a window of 08:00 the day before: more than a day before the
    # fact's time; Then refused, even though the PBX may back-date 24 hours: its bound
    # counts from the fact's time, not the clock's
    center = story()
    fact = NOW - timedelta(hours=3)
    late_window = window(fact - timedelta(days=1, hours=1), fact)
    with pytest.raises(DomainError) as refused:
        center.handle(dispatch.RequestDispatch(
            kind=dispatch.DispatchKind.REPAIR, site_address="1 Road", area="XIHU",
            contact=Contact("Sun", "0931 880 2233"), wished=late_window, job="x",
            actor=PBX, occurred_at=fact))
    assert refused.value.rule == horizon.WITHIN_HORIZON


NUMBERS: dict[str, tuple[Command, str]] = {
    "quantity 10**30": (place(SOON, quantity=10**30), "lines[0].quantity"),
    "quantity 2,000,000": (place(SOON, quantity=2_000_000), "lines[0].quantity"),
    "consumables 10**12": (
        ticket.RequestConsumables(ticket_id="T-1", item="hose", quantity=10**12, actor=AGENT),
        "quantity",
    ),
    "waited 1e308 s": (
        call.AnswerCall(call_id="c1", agent="A01", waited_seconds=1e308, actor=PBX),
        "waited_seconds",
    ),
    "rang 2 days": (
        call.RecordRingNoAnswer(call_id="c1", agent="A01", ring_seconds=172_800.0, actor=PBX),
        "ring_seconds",
    ),
    "queue position 10**9": (
        call.AbandonCall(call_id="c1", position=10**9, actor=PBX), "position"),
}


@pytest.mark.parametrize("case", sorted(NUMBERS))
def test_a_number_out_of_bounds_is_refused_naming_the_field(case: str):
    center = story()
    before = center.store.last_position()
    command, field = NUMBERS[case]
    with pytest.raises(DomainError) as refused:
        center.handle(command)
    assert refused.value.rule == horizon.WITHIN_NUMBER_BOUNDS, refused.value
    assert refused.value.detail.startswith(f"{field}:"), refused.value.detail
    assert center.store.last_position() == before


@pytest.mark.parametrize("value", [float("nan"), float("inf"), -1.0])
def test_a_wait_that_is_not_a_finite_number_of_seconds_is_refused(value: float):
    with pytest.raises(ValueError, match="waited_seconds"):
        call.AnswerCall(call_id="c1", agent="A01", waited_seconds=value, actor=PBX)
