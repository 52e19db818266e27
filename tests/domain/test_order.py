"""Order (电话受订, domain.md §4.2), told as given/when/then stories."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from callcore.domain import customer, directory, dispatch, order
from callcore.domain.common import EXISTS, Window
from callcore.domain.order import (
    AssignOrderWorker,
    CancelOrder,
    CloseOrder,
    DeliveryRescheduled,
    EmptyCylinderCollected,
    OrderAssigned,
    OrderCancelled,
    OrderClosed,
    OrderDelivered,
    OrderLineRequest,
    OrderPlaced,
    PlaceOrder,
    RecordDelivery,
    RecordEmptyCollected,
    RescheduleDelivery,
)
from tests.support import AGENT, WORKER, Scenario, at

NOON = Window(at(23, 12), at(23, 14))


def with_wang() -> Scenario:
    return Scenario(start=at(23, 9)).given(
        customer.OpenAccount(
            name="Wang Xiuying", phone="139 1234 5678", address="5 Dongmen Road", area="DONGMEN"
        )
    )


def registered(**changes: object) -> PlaceOrder:
    fields: dict[str, object] = {
        "registered": True,
        "customer_number": "C000001",
        "name": "wang  XIUYING",
        "lines": (OrderLineRequest("LPG-15", 2), OrderLineRequest("HOSE", 1)),
        "delivery_window": NOON,
        "actor": AGENT,
        "order_id": "O-1",
    }
    fields.update(changes)
    return PlaceOrder(**fields)  # type: ignore[arg-type]


def walk_in(**changes: object) -> PlaceOrder:
    fields: dict[str, object] = {
        "registered": False,
        "name": "Li Lei",
        "phone": "138 0000 1111",
        "address": "9 Xihu Avenue",
        "area": "XIHU",
        "lines": (OrderLineRequest("LPG-15", 1),),
        "delivery_window": NOON,
        "order_id": "O-2",
    }
    fields.update(changes)
    return PlaceOrder(**fields)  # type: ignore[arg-type]


class TestQuoting:
    def test_registered_and_walk_in_prices_from_the_list_in_force(self, directory) -> None:  # type: ignore[no-untyped-def]
        lines = (OrderLineRequest("LPG-15", 2),)
        assert order.quote(directory, lines, date(2026, 3, 1), registered=True).total == Decimal(
            "210.00"
        )
        assert order.quote(directory, lines, date(2026, 3, 1), registered=False).total == Decimal(
            "240.00"
        )
        # the July price rise
        assert order.quote(directory, lines, date(2026, 11, 23), registered=True).total == Decimal(
            "220.00"
        )

    def test_decimal_arithmetic_is_exact(self, directory) -> None:  # type: ignore[no-untyped-def]
        lines = (OrderLineRequest("HOSE", 3),)  # 18.50 × 3
        assert order.quote(directory, lines, date(2026, 3, 1), registered=True).total == Decimal(
            "55.50"
        )


class TestPlacingAnOrder:
    def test_a_registered_order_is_priced_and_opens_its_delivery_work_order(self) -> None:
        s = with_wang().when(registered())
        placed, requested = s.then(OrderPlaced, dispatch.DispatchRequested)
        assert isinstance(placed, OrderPlaced) and isinstance(requested, dispatch.DispatchRequested)
        assert placed.total == Decimal("238.50")  # 2 × 110.00 + 18.50
        assert (placed.branch, placed.customer_number, placed.name) == (
            "B-EAST",
            "C000001",
            "Wang Xiuying",
        )
        assert (requested.kind, requested.order_id, requested.wished) == (
            dispatch.DispatchKind.DELIVERY,
            "O-1",
            NOON,
        )

    def test_the_name_must_match_the_customer_record(self) -> None:
        with_wang().when(registered(name="Zhang San")).then_broken(order.REGISTERED_NAME)

    def test_an_unknown_customer_number(self) -> None:
        with_wang().when(registered(customer_number="C000404")).then_broken(EXISTS)

    def test_a_closed_account_cannot_order_at_the_registered_price(self) -> None:
        s = with_wang().given(customer.CloseAccount(customer_number="C000001", reason="moved"))
        s.when(registered()).then_broken(order.CLOSED_ACCOUNT_PRICE)

    def test_a_walk_in_caller_is_told_the_branch(self) -> None:
        s = Scenario(start=at(23, 9)).when(walk_in())
        placed = s.then(OrderPlaced, dispatch.DispatchRequested)[0]
        assert isinstance(placed, OrderPlaced)
        assert (placed.branch, placed.branch_address) == ("B-WEST", "88 Xihu Avenue, Hexi")
        assert placed.total == Decimal("125.00")  # walk-in price
        assert placed.phone == "+8613800001111"

    def test_a_walk_in_caller_must_give_address_phone_and_area(self) -> None:
        Scenario(start=at(23, 9)).when(walk_in(area=None)).then_broken(order.WALK_IN_DETAILS)

    def test_lines_products_and_windows(self) -> None:
        s = Scenario(start=at(23, 9))
        s.when(walk_in(lines=())).then_broken(order.LINES_REQUIRED)
        s.when(walk_in(lines=(OrderLineRequest("CAVIAR", 1),))).then_broken(
            directory.UNKNOWN_PRODUCT
        )
        s.when(walk_in(delivery_window=Window(at(23, 7), at(23, 8)))).then_broken(
            order.DELIVERY_IN_FUTURE
        )
        s.when(walk_in(pickup_window=Window(at(23, 15), at(23, 16)))).then_broken(
            order.PICKUP_BEFORE_DELIVERY
        )
        with pytest.raises(ValueError, match="greater than 0"):
            OrderLineRequest("LPG-15", 0)

    def test_a_retried_order_names_the_same_order(self) -> None:
        s = Scenario(start=at(23, 9))
        first = s.center.handle(walk_in(order_id=None, command_id="web-9"))
        again = s.center.handle(walk_in(order_id=None, command_id="web-9"))
        assert again.repeated
        assert first.first(OrderPlaced).order_id == again.first(OrderPlaced).order_id


class TestTheLifecycle:
    def test_placed_assigned_delivered_closed(self) -> None:
        s = with_wang().given(registered())
        s.when(AssignOrderWorker(order_id="O-1", worker_id="W001"))
        events = s.then(dispatch.FieldWorkerAssigned, dispatch.WorkOrderBooked, OrderAssigned)
        assert events[2].worker_phone == "+8613931000001"  # type: ignore[attr-defined]
        s.when(RecordDelivery(order_id="O-1", empty_collected=False)).then(
            OrderDelivered, dispatch.DispatchCompleted
        )
        s.when(CloseOrder(order_id="O-1")).then_broken(order.CLOSE_WHEN_DONE)
        s.when(RecordEmptyCollected(order_id="O-1")).then(EmptyCylinderCollected)
        s.when(CloseOrder(order_id="O-1")).then(OrderClosed)
        s.when(CloseOrder(order_id="O-1")).then_nothing()
        assert s.center.orders.get("O-1").status is order.Status.CLOSED

    def test_delivery_needs_an_assigned_worker(self) -> None:
        s = with_wang().given(registered())
        s.when(RecordDelivery(order_id="O-1")).then_broken(order.DELIVER_AFTER_ASSIGNMENT)

    def test_the_worker_must_deliver_for_the_branch(self) -> None:
        s = with_wang().given(registered())
        s.when(AssignOrderWorker(order_id="O-1", worker_id="W004")).then_broken(
            dispatch.WORKER_SERVES_ZONE
        )
        s.when(AssignOrderWorker(order_id="O-1", worker_id="W003")).then_broken(
            dispatch.WORKER_HAS_SKILL
        )

    def test_the_branch_cannot_keep_the_window_so_a_new_one_is_agreed(self) -> None:
        s = with_wang().given(registered(), AssignOrderWorker(order_id="O-1", worker_id="W001"))
        later = Window(at(23, 16), at(23, 18))
        s.when(RescheduleDelivery(order_id="O-1", window=later, reason="truck broke down"))
        s.then(dispatch.DispatchRescheduled, DeliveryRescheduled)
        assert s.center.orders.get("O-1").delivery_window == later
        assert s.center.orders.get("O-1").worker_id == "W001"  # same day: keeps the worker

    def test_cancel_before_delivery_only(self) -> None:
        s = with_wang().given(registered(), AssignOrderWorker(order_id="O-1", worker_id="W001"))
        s.when(CancelOrder(order_id="O-1", reason="changed mind"))
        s.then(OrderCancelled, dispatch.WorkOrderReleased, dispatch.DispatchCancelled)
        s.when(CancelOrder(order_id="O-1", reason="again")).then_nothing()
        s2 = with_wang().given(
            registered(),
            AssignOrderWorker(order_id="O-1", worker_id="W001"),
            RecordDelivery(order_id="O-1"),
        )
        s2.when(CancelOrder(order_id="O-1", reason="late")).then_broken(order.BEFORE_DELIVERY)

    def test_the_field_workers_done_feedback_delivers_the_order(self) -> None:
        s = with_wang().given(registered(), AssignOrderWorker(order_id="O-1", worker_id="W001"))
        s.after(hours=3).when(
            dispatch.RecordFieldFeedback(
                dispatch_id="D-O-1", feedback=dispatch.Feedback.DONE, actor=WORKER
            )
        )
        s.then(dispatch.FieldFeedbackReceived, dispatch.DispatchCompleted, OrderDelivered)

    def test_an_order_that_does_not_exist(self) -> None:
        Scenario().when(CloseOrder(order_id="O-404")).then_broken(EXISTS)


def test_prices_are_kept_when_the_list_changes() -> None:
    s = with_wang().given(registered())
    placed = s.last(OrderPlaced)
    assert placed.lines[0].unit_price == Decimal("110.00")
    assert placed.priced_on == date(2026, 11, 23)
    _ = timedelta
