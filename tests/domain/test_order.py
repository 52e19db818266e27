"""Order (电话受订, domain.md §4.2), told as given/when/then stories, and the pure
decisions on their own.

The demo directory: Wang Xiuying (C000001) lives in DONGMEN, served by the East Gate
store (B-EAST). In November 2026 a 15 kg cylinder is 110.00 registered / 125.00 walk-in,
a hose 18.50 / 22.00. W001 and W002 deliver for B-EAST, W003 (B-EAST) does not deliver,
W004 delivers for B-WEST (XIHU).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from callcore.domain import customer, dispatch, order
from callcore.domain import directory as directory_module
from callcore.domain.calendar import BusinessCalendar
from callcore.domain.common import ALREADY_EXISTS, EXISTS, Command, Context, Window
from callcore.domain.context import DecisionContext
from callcore.domain.directory import Directory
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
    OrderWorkerUnassigned,
    PlaceOrder,
    RecordDelivery,
    RecordEmptyCollected,
    RequestedBy,
    RescheduleDelivery,
    Status,
)
from callcore.domain.phone import INVALID_PHONE
from tests.support import AGENT, WORKER, Scenario, at, raises_rule

NOON = Window(at(23, 12), at(23, 14))
AFTERNOON = Window(at(23, 16), at(23, 18))
TOMORROW = Window(at(24, 9), at(24, 11))


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
        "name": "wang  XIUYING",  # as the agent heard it
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
        "name": " Li Lei ",
        "phone": "138 0000 1111",
        "address": "9 Xihu Avenue",
        "area": "XIHU",
        "lines": (OrderLineRequest("LPG-15", 1),),
        "delivery_window": NOON,
        "actor": AGENT,
        "order_id": "O-2",
    }
    fields.update(changes)
    return PlaceOrder(**fields)  # type: ignore[arg-type]


def assigned() -> Scenario:
    return with_wang().given(registered(), AssignOrderWorker(order_id="O-1", worker_id="W001"))


def delivered(empty_collected: bool = True) -> Scenario:
    return assigned().given(RecordDelivery(order_id="O-1", empty_collected=empty_collected))


# --------------------------------------------------------------------------- quoting


class TestQuoting:
    """Ask first whether the caller is registered and quote the matching price."""

    def test_the_registered_and_the_walk_in_price(self, directory: Directory) -> None:
        lines = (OrderLineRequest("LPG-15", 2), OrderLineRequest("HOSE", 1))
        mine = order.quote(directory, lines, date(2026, 11, 23), registered=True)
        theirs = order.quote(directory, lines, date(2026, 11, 23), registered=False)
        assert mine.total == Decimal("238.50")  # 2 × 110.00 + 18.50
        assert theirs.total == Decimal("272.00")  # 2 × 125.00 + 22.00
        assert mine.lines[0] == order.PricedLine("LPG-15", 2, Decimal("110.00"), Decimal("220.00"))
        assert (mine.registered, mine.priced_on) == (True, date(2026, 11, 23))

    def test_the_price_list_in_force_on_the_day(self, directory: Directory) -> None:
        lines = (OrderLineRequest("LPG-15", 1),)
        assert order.quote(directory, lines, date(2026, 6, 30), registered=True).total == Decimal(
            "105.00"
        )
        # the July price rise
        assert order.quote(directory, lines, date(2026, 7, 1), registered=True).total == Decimal(
            "110.00"
        )

    def test_decimal_arithmetic_is_exact(self, directory: Directory) -> None:
        lines = (OrderLineRequest("HOSE", 3),)  # 18.50 × 3, not 55.499999…
        total = order.quote(directory, lines, date(2026, 3, 1), registered=True).total
        assert total == Decimal("55.50") and str(total) == "55.50"

    def test_unknown_products_days_without_a_price_and_nothing_to_quote(
        self, directory: Directory
    ) -> None:
        on = date(2026, 3, 1)
        with raises_rule(directory_module.UNKNOWN_PRODUCT):
            order.quote(directory, (OrderLineRequest("CAVIAR", 1),), on, registered=True)
        with raises_rule(directory_module.NO_PRICE):
            order.quote(
                directory, (OrderLineRequest("LPG-15", 1),), date(2025, 12, 31), registered=True
            )
        with raises_rule(order.LINES_REQUIRED):
            order.quote(directory, (), on, registered=True)

    def test_a_quantity_must_be_greater_than_zero(self) -> None:
        with pytest.raises(ValueError, match="greater than 0"):
            OrderLineRequest("LPG-15", 0)
        with pytest.raises(ValueError, match="greater than 0"):
            OrderLineRequest("LPG-15", -2)

    @given(
        picks=st.lists(
            st.tuples(st.sampled_from(["LPG-15", "LPG-5", "LPG-50", "HOSE"]), st.integers(1, 99)),
            min_size=1,
            max_size=6,
        ),
        registered=st.booleans(),
    )
    def test_the_total_is_the_sum_of_price_times_quantity(
        self, picks: list[tuple[str, int]], registered: bool
    ) -> None:
        directory = Scenario().directory
        on = date(2026, 11, 23)
        lines = [OrderLineRequest(product, quantity) for product, quantity in picks]
        quoted = order.quote(directory, lines, on, registered=registered)
        expected = [directory.unit_price(p, on, registered=registered) * q for p, q in picks]
        assert [line.amount for line in quoted.lines] == expected
        assert quoted.total == sum(expected)
        assert quoted.total.as_tuple().exponent == -2  # to the cent
        walk_in = order.quote(directory, lines, on, registered=False).total
        assert quoted.total <= walk_in  # the registered price is never dearer here


# --------------------------------------------------------------------------- placing


class TestARegisteredCaller:
    def test_is_checked_against_the_record_and_delivered_there(self) -> None:
        s = with_wang().when(registered(note="ring twice"))
        placed, requested = s.then(OrderPlaced, dispatch.DispatchRequested)
        assert isinstance(placed, OrderPlaced)
        assert (placed.registered, placed.customer_number, placed.name) == (
            True,
            "C000001",
            "Wang Xiuying",  # as on the record
        )
        assert (placed.phone, placed.address, placed.area) == (
            "+8613912345678",
            "5 Dongmen Road",
            "DONGMEN",
        )
        assert (placed.branch, placed.branch_address, placed.branch_phone) == (
            "B-EAST",
            "12 Dongmen Road, Hexi",
            "+869318811001",
        )
        assert placed.total == Decimal("238.50")  # 2 × 110.00 + 18.50, the registered price
        assert (placed.priced_on, placed.delivery_window, placed.note) == (
            date(2026, 11, 23),
            NOON,
            "ring twice",
        )
        assert (placed.order_id, placed.dispatch_id, placed.actor) == ("O-1", "D-O-1", AGENT)
        # the branch's delivery work order, opened with the order
        assert isinstance(requested, dispatch.DispatchRequested)
        assert (requested.dispatch_id, requested.kind, requested.order_id) == (
            "D-O-1",
            dispatch.DispatchKind.DELIVERY,
            "O-1",
        )
        assert (requested.branch, requested.site_address, requested.wished) == (
            "B-EAST",
            "5 Dongmen Road",
            NOON,
        )
        assert requested.contact.phone == "+8613912345678"

    def test_gives_the_customer_number(self) -> None:
        with_wang().when(registered(customer_number=None)).then_broken(
            order.REGISTERED_NEEDS_NUMBER
        )

    def test_with_an_unknown_customer_number(self) -> None:
        with_wang().when(registered(customer_number="C000404")).then_broken(EXISTS)

    def test_whose_name_is_not_on_the_record(self) -> None:
        error = with_wang().when(registered(name="Zhang San")).then_broken(order.REGISTERED_NAME)
        assert "C000001" in error.detail

    def test_of_a_closed_account_cannot_have_the_registered_price(self) -> None:
        s = with_wang().given(customer.CloseAccount(customer_number="C000001", reason="moved"))
        s.when(registered()).then_broken(order.CLOSED_ACCOUNT_PRICE)
        # …but can order as a walk-in caller, at the walk-in price
        s.when(walk_in(name="Wang Xiuying", area="DONGMEN"))
        placed = s.then(OrderPlaced, dispatch.DispatchRequested)[0]
        assert isinstance(placed, OrderPlaced)
        assert (placed.customer_number, placed.total) == (None, Decimal("125.00"))

    def test_details_given_must_be_those_on_the_record(self) -> None:
        s = with_wang()
        s.when(registered(phone="138 0000 1111")).then_broken(order.REGISTERED_DETAILS)
        s.when(registered(address="9 Xihu Avenue")).then_broken(order.REGISTERED_DETAILS)
        s.when(registered(area="XIHU")).then_broken(order.REGISTERED_DETAILS)
        # the same details, written differently, are the record's
        s.when(
            registered(phone="+86 139-1234-5678", address="5, dongmen  ROAD", area="DONGMEN")
        ).then(OrderPlaced, dispatch.DispatchRequested)

    def test_the_order_keeps_what_was_decided_when_the_record_changes(self) -> None:
        s = with_wang().given(
            registered(),
            customer.ChangeContactDetails(customer_number="C000001", area="XIHU"),
        )
        state = s.center.orders.get("O-1")
        assert (state.area, state.branch, state.address) == ("DONGMEN", "B-EAST", "5 Dongmen Road")


class TestAWalkInCaller:
    def test_is_told_the_branch_and_pays_the_walk_in_price(self) -> None:
        s = Scenario(start=at(23, 9)).when(walk_in())
        placed = s.then(OrderPlaced, dispatch.DispatchRequested)[0]
        assert isinstance(placed, OrderPlaced)
        assert (placed.registered, placed.customer_number) == (False, None)
        assert (placed.name, placed.phone, placed.address) == (
            "Li Lei",
            "+8613800001111",
            "9 Xihu Avenue",
        )
        assert (placed.branch, placed.branch_address, placed.branch_phone) == (
            "B-WEST",
            "88 Xihu Avenue, Hexi",
            "+869318811002",
        )
        assert placed.total == Decimal("125.00")

    @pytest.mark.parametrize("missing", ["phone", "address", "area"])
    def test_gives_name_phone_address_and_area(self, missing: str) -> None:
        s = Scenario(start=at(23, 9)).when(walk_in(**{missing: None}))
        assert missing in s.then_broken(order.WALK_IN_DETAILS).detail

    def test_with_a_bad_phone_number_or_an_unknown_area(self) -> None:
        s = Scenario(start=at(23, 9))
        s.when(walk_in(phone="12345")).then_broken(INVALID_PHONE)
        s.when(walk_in(area="ATLANTIS")).then_broken(directory_module.UNKNOWN_AREA)

    def test_has_no_customer_number(self) -> None:
        with pytest.raises(ValueError, match="customer_number is for registered callers"):
            walk_in(customer_number="C000001")


class TestLinesAndWindows:
    def test_an_order_has_lines_of_known_products(self) -> None:
        s = Scenario(start=at(23, 9))
        s.when(walk_in(lines=())).then_broken(order.LINES_REQUIRED)
        s.when(walk_in(lines=(OrderLineRequest("CAVIAR", 1),))).then_broken(
            directory_module.UNKNOWN_PRODUCT
        )

    def test_the_delivery_window_must_not_have_ended(self) -> None:
        s = Scenario(start=at(23, 9))
        s.when(walk_in(delivery_window=Window(at(23, 7), at(23, 8)))).then_broken(
            order.DELIVERY_IN_FUTURE
        )
        s.when(walk_in(delivery_window=Window(at(23, 7), at(23, 9)))).then_broken(
            order.DELIVERY_IN_FUTURE
        )
        # a window already under way can still be kept
        s.when(walk_in(delivery_window=Window(at(23, 8), at(23, 10)))).then(
            OrderPlaced, dispatch.DispatchRequested
        )

    def test_the_pickup_window_starts_by_the_end_of_the_delivery_window(self) -> None:
        s = Scenario(start=at(23, 9))
        s.when(walk_in(pickup_window=Window(at(23, 15), at(23, 16)))).then_broken(
            order.PICKUP_BEFORE_DELIVERY
        )
        s.when(walk_in(order_id="O-3", pickup_window=Window(at(23, 14), at(23, 15)))).then(
            OrderPlaced, dispatch.DispatchRequested
        )
        s.when(walk_in(order_id="O-4", pickup_window=Window(at(23, 10), at(23, 11))))
        placed = s.then(OrderPlaced, dispatch.DispatchRequested)[0]
        assert isinstance(placed, OrderPlaced)
        assert placed.pickup_window == Window(at(23, 10), at(23, 11))
        requested = s.center.dispatches.get("D-O-4")
        assert "收瓶" in requested.job

    def test_prices_come_from_the_centre_local_day(self) -> None:
        # 16:30 UTC on 30 June is 00:30 on 1 July in Hexi: the July prices apply
        s = Scenario(start=datetime(2026, 6, 30, 16, 30, tzinfo=UTC))
        s.when(walk_in(delivery_window=Window(at(1, 9, month=7), at(1, 11, month=7))))
        placed = s.last(OrderPlaced)
        assert placed.priced_on == date(2026, 7, 1)
        assert placed.total == Decimal("125.00")  # not June's 120.00


class TestOrderIds:
    def test_an_order_id_names_one_order(self) -> None:
        s = with_wang().given(registered())
        s.when(registered()).then_broken(ALREADY_EXISTS)

    def test_a_retried_order_names_the_same_order(self) -> None:
        s = Scenario(start=at(23, 9))
        first = s.center.handle(walk_in(order_id=None, command_id="web-9"))
        again = s.center.handle(walk_in(order_id=None, command_id="web-9"))
        assert again.repeated
        order_id = first.first(OrderPlaced).order_id
        assert order_id.startswith("O-")
        assert again.first(OrderPlaced).order_id == order_id
        assert s.center.dispatches.get(f"D-{order_id}").order_id == order_id


# --------------------------------------------------------------------------- the lifecycle


class TestAssigningAWorker:
    def test_a_worker_of_the_branch_who_delivers_is_booked_through_the_work_order(self) -> None:
        s = with_wang().given(registered())
        s.when(AssignOrderWorker(order_id="O-1", worker_id="W001", actor=AGENT))
        events = s.then(dispatch.FieldWorkerAssigned, dispatch.WorkOrderBooked, OrderAssigned)
        assigned_ = events[2]
        assert isinstance(assigned_, OrderAssigned)
        # recorded so the centre can reach the worker
        assert (assigned_.worker_id, assigned_.worker_phone) == ("W001", "+8613931000001")
        state = s.center.orders.get("O-1")
        assert (state.status, state.worker_id) == (Status.ASSIGNED, "W001")
        assert s.center.dispatches.get("D-O-1").worker_id == "W001"

    def test_the_same_worker_again_changes_nothing(self) -> None:
        assigned().when(AssignOrderWorker(order_id="O-1", worker_id="W001")).then_nothing()

    def test_another_worker_before_delivery(self) -> None:
        s = assigned().when(AssignOrderWorker(order_id="O-1", worker_id="W002"))
        assert s.outcome is not None
        assert s.outcome.first(OrderAssigned).worker_id == "W002"
        assert s.center.orders.get("O-1").worker_id == "W002"
        assert s.center.dispatches.get("D-O-1").worker_id == "W002"

    def test_the_worker_is_on_the_roster(self) -> None:
        with_wang().given(registered()).when(
            AssignOrderWorker(order_id="O-1", worker_id="W404")
        ).then_broken(directory_module.UNKNOWN_WORKER)

    def test_the_worker_belongs_to_the_orders_branch(self) -> None:
        with_wang().given(registered()).when(
            AssignOrderWorker(order_id="O-1", worker_id="W004")
        ).then_broken(order.WORKER_IN_BRANCH)

    def test_the_worker_delivers(self) -> None:
        with_wang().given(registered()).when(
            AssignOrderWorker(order_id="O-1", worker_id="W003")
        ).then_broken(order.WORKER_DELIVERS)

    def test_a_fully_loaded_worker_is_refused_by_the_work_order(self) -> None:
        # W001 takes 12 work orders a day; the 13th delivery that day is refused
        s = with_wang()
        for k in range(12):
            s.given(
                registered(order_id=f"O-{k}"),
                AssignOrderWorker(order_id=f"O-{k}", worker_id="W001"),
            )
        s.given(registered(order_id="O-12"))
        s.when(AssignOrderWorker(order_id="O-12", worker_id="W001")).then_broken(
            dispatch.WITHIN_CAPACITY
        )
        assert s.center.orders.get("O-12").status is Status.PLACED

    def test_not_after_delivery(self) -> None:
        delivered().when(AssignOrderWorker(order_id="O-1", worker_id="W002")).then_broken(
            order.ASSIGN_BEFORE_DELIVERY
        )


class TestANewDeliveryWindow:
    def test_the_branch_cannot_keep_the_window_so_a_new_one_is_agreed(self) -> None:
        s = assigned().when(
            RescheduleDelivery(order_id="O-1", window=AFTERNOON, reason="the van broke down")
        )
        moved_work, moved = s.then(dispatch.DispatchRescheduled, DeliveryRescheduled)
        assert isinstance(moved, DeliveryRescheduled)
        assert (moved.window, moved.reason, moved.requested_by) == (
            AFTERNOON,
            "the van broke down",
            RequestedBy.BRANCH,
        )
        assert isinstance(moved_work, dispatch.DispatchRescheduled)
        assert moved_work.requested_by is dispatch.RequestedBy.BRANCH  # the branch is told
        state = s.center.orders.get("O-1")
        assert (state.delivery_window, state.reschedules) == (AFTERNOON, 1)
        assert state.worker_id == "W001"  # the same day: the worker keeps it

    def test_the_customer_asks_for_another_day_and_the_order_waits_for_a_worker(self) -> None:
        s = assigned().when(
            RescheduleDelivery(
                order_id="O-1", window=TOMORROW, reason="out all day", requested_by="customer"
            )
        )
        assert s.outcome is not None
        assert s.outcome.first(DeliveryRescheduled).requested_by is RequestedBy.CUSTOMER
        assert s.outcome.of_type(OrderWorkerUnassigned)
        state = s.center.orders.get("O-1")
        assert (state.status, state.worker_id, state.delivery_window) == (
            Status.PLACED,
            None,
            TOMORROW,
        )
        s.when(AssignOrderWorker(order_id="O-1", worker_id="W001")).then(
            dispatch.FieldWorkerAssigned, dispatch.WorkOrderBooked, OrderAssigned
        )

    def test_the_same_window_changes_nothing(self) -> None:
        assigned().when(RescheduleDelivery(order_id="O-1", window=NOON, reason="x")).then_nothing()

    def test_the_new_window_must_not_have_ended(self) -> None:
        s = assigned().after(hours=9)  # 18:00
        s.when(RescheduleDelivery(order_id="O-1", window=AFTERNOON, reason="x")).then_broken(
            order.DELIVERY_IN_FUTURE
        )

    def test_the_pickup_must_still_start_by_the_end_of_the_delivery(self) -> None:
        s = with_wang().given(registered(pickup_window=Window(at(23, 13), at(23, 14))))
        s.when(
            RescheduleDelivery(order_id="O-1", window=Window(at(23, 10), at(23, 12)), reason="x")
        ).then_broken(order.PICKUP_BEFORE_DELIVERY)

    def test_not_after_delivery(self) -> None:
        delivered().when(
            RescheduleDelivery(order_id="O-1", window=AFTERNOON, reason="x")
        ).then_broken(order.RESCHEDULE_BEFORE_DELIVERY)

    def test_who_asked_is_the_branch_the_customer_or_the_centre(self) -> None:
        with pytest.raises(ValueError, match="is not a valid RequestedBy"):
            RescheduleDelivery(order_id="O-1", window=NOON, reason="x", requested_by="the moon")


class TestDelivery:
    def test_is_recorded_after_assignment_and_completes_the_work_order(self) -> None:
        s = assigned().after(hours=3)
        s.when(RecordDelivery(order_id="O-1", empty_collected=False))
        delivered_, completed = s.then(OrderDelivered, dispatch.DispatchCompleted)
        assert isinstance(delivered_, OrderDelivered) and not delivered_.empty_collected
        assert isinstance(completed, dispatch.DispatchCompleted)
        assert completed.outcome == "delivered"
        state = s.center.orders.get("O-1")
        assert (state.status, state.delivered_at, state.empty_collected) == (
            Status.DELIVERED,
            at(23, 12),
            False,
        )
        assert s.center.dispatches.get("D-O-1").status is dispatch.Status.COMPLETED

    def test_needs_an_assigned_worker(self) -> None:
        with_wang().given(registered()).when(RecordDelivery(order_id="O-1")).then_broken(
            order.DELIVER_AFTER_ASSIGNMENT
        )

    def test_recorded_twice_records_once(self) -> None:
        delivered().when(RecordDelivery(order_id="O-1")).then_nothing()

    def test_the_field_workers_done_feedback_delivers_the_order(self) -> None:
        s = assigned().after(hours=3)
        s.when(
            dispatch.RecordFieldFeedback(
                dispatch_id="D-O-1", feedback=dispatch.Feedback.DONE, actor=WORKER
            )
        )
        assert s.outcome is not None
        assert s.outcome.of_type(dispatch.DispatchCompleted)
        assert s.outcome.of_type(OrderDelivered)
        assert s.center.orders.get("O-1").status is Status.DELIVERED


class TestTheEmptyCylinder:
    def test_collected_after_delivery(self) -> None:
        s = delivered(empty_collected=False)
        s.when(RecordEmptyCollected(order_id="O-1")).then(EmptyCylinderCollected)
        assert s.center.orders.get("O-1").empty_collected
        s.when(RecordEmptyCollected(order_id="O-1")).then_nothing()

    def test_not_before_delivery_when_there_is_no_pickup_window(self) -> None:
        assigned().when(RecordEmptyCollected(order_id="O-1")).then_broken(
            order.EMPTY_AT_DELIVERY_OR_PICKUP
        )

    def test_the_customers_own_cylinder_collected_in_the_pickup_window(self) -> None:
        s = with_wang().given(
            registered(pickup_window=Window(at(23, 10), at(23, 11))),
            AssignOrderWorker(order_id="O-1", worker_id="W001"),
        )
        s.after(hours=1).when(RecordEmptyCollected(order_id="O-1")).then(EmptyCylinderCollected)
        # delivered later: the empty stays collected, so the order can close
        s.after(hours=3).given(RecordDelivery(order_id="O-1", empty_collected=False))
        assert s.center.orders.get("O-1").empty_collected
        s.when(CloseOrder(order_id="O-1")).then(OrderClosed)


class TestClosing:
    def test_placed_assigned_delivered_closed(self) -> None:
        s = delivered()
        s.when(CloseOrder(order_id="O-1")).then(OrderClosed)
        state = s.center.orders.get("O-1")
        assert (state.status, state.closed_at) == (Status.CLOSED, at(23, 9))
        s.when(CloseOrder(order_id="O-1")).then_nothing()
        # a closed order was delivered: nothing more to record, nothing to cancel
        s.when(RecordDelivery(order_id="O-1")).then_nothing()
        s.when(CancelOrder(order_id="O-1", reason="late")).then_broken(order.BEFORE_DELIVERY)

    def test_only_when_delivered_and_the_empty_collected(self) -> None:
        assigned().when(CloseOrder(order_id="O-1")).then_broken(order.CLOSE_WHEN_DONE)
        s = delivered(empty_collected=False)
        error = s.when(CloseOrder(order_id="O-1")).then_broken(order.CLOSE_WHEN_DONE)
        assert "empty" in error.detail
        s.given(RecordEmptyCollected(order_id="O-1"))
        s.when(CloseOrder(order_id="O-1")).then(OrderClosed)


class TestCancelling:
    def test_a_placed_order_and_its_work_order(self) -> None:
        s = with_wang().given(registered())
        s.when(CancelOrder(order_id="O-1", reason="changed mind")).then(
            OrderCancelled, dispatch.DispatchCancelled
        )
        state = s.center.orders.get("O-1")
        assert (state.status, state.cancel_reason) == (Status.CANCELLED, "changed mind")

    def test_an_assigned_order_frees_the_workers_slot(self) -> None:
        s = assigned().when(CancelOrder(order_id="O-1", reason="changed mind"))
        s.then(OrderCancelled, dispatch.WorkOrderReleased, dispatch.DispatchCancelled)
        assert s.center.dispatches.get("D-O-1").status is dispatch.Status.CANCELLED

    def test_twice_records_once(self) -> None:
        s = with_wang().given(registered(), CancelOrder(order_id="O-1", reason="changed mind"))
        s.when(CancelOrder(order_id="O-1", reason="again")).then_nothing()

    def test_not_after_delivery(self) -> None:
        delivered().when(CancelOrder(order_id="O-1", reason="late")).then_broken(
            order.BEFORE_DELIVERY
        )

    def test_a_cancelled_order_is_final(self) -> None:
        s = assigned().given(CancelOrder(order_id="O-1", reason="changed mind"))
        for command in (
            AssignOrderWorker(order_id="O-1", worker_id="W002"),
            RescheduleDelivery(order_id="O-1", window=AFTERNOON, reason="x"),
            RecordDelivery(order_id="O-1"),
            RecordEmptyCollected(order_id="O-1"),
            CloseOrder(order_id="O-1"),
        ):
            s.when(command).then_broken(order.ORDER_FINISHED)


@pytest.mark.parametrize(
    "command",
    [
        AssignOrderWorker(order_id="O-404", worker_id="W001"),
        RescheduleDelivery(order_id="O-404", window=NOON, reason="x"),
        RecordDelivery(order_id="O-404"),
        RecordEmptyCollected(order_id="O-404"),
        CloseOrder(order_id="O-404"),
        CancelOrder(order_id="O-404", reason="x"),
    ],
    ids=lambda c: type(c).__name__,
)
def test_an_order_that_does_not_exist(command: Command) -> None:
    Scenario(start=at(23, 9)).when(command).then_broken(EXISTS)


# --------------------------------------------------------------------------- pure decisions


class TestTheDecisionsOnTheirOwn:
    """The decisions are functions of state and values, reusable by the delivery work
    order: here on an order that has none."""

    context = Context(now=at(23, 9), actor=AGENT)

    def decision_context(self, directory: Directory) -> DecisionContext:
        return DecisionContext(
            now=at(23, 9),
            actor=AGENT,
            directory=directory,
            calendar=BusinessCalendar(directory.calendar),
        )

    def placing(self, directory: Directory, account: customer.State | None) -> order.PlacingContext:
        return order.PlacingContext(
            now=at(23, 9),
            actor=AGENT,
            directory=directory,
            calendar=BusinessCalendar(directory.calendar),
            order_id="O-1",
            account=account,
        )

    def placed(self, directory: Directory) -> order.State:
        placing = attrs.evolve(self.placing(directory, None), order_id="O-9")
        events = order.place_order(order.initial, walk_in(), placing)
        return order.FOLD.fold(events)

    def test_place_assign_reschedule_deliver_close(self, directory: Directory) -> None:
        state = self.placed(directory)
        assert (state.order_id, state.dispatch_id, state.branch) == ("O-9", None, "B-WEST")
        assert state.lines == (order.PricedLine("LPG-15", 1, Decimal("125.00"), Decimal("125.00")),)
        assign = order.AssignOrderWorker(order_id="O-9", worker_id="W004")
        assigned = order.assign_order_worker(state, assign, self.decision_context(directory))
        state = order.FOLD.fold(assigned, state)
        assert (state.status, state.worker_phone) == (Status.ASSIGNED, "+8613931000004")
        reschedule = order.RescheduleDelivery(
            order_id="O-9", window=AFTERNOON, reason="agreed", requested_by="centre"
        )
        moved = order.reschedule_delivery(state, reschedule, self.context)
        assert isinstance(moved[0], DeliveryRescheduled)
        assert moved[0].requested_by is RequestedBy.CENTRE
        state = order.FOLD.fold(moved, state)
        delivered = order.RecordDelivery(order_id="O-9", empty_collected=True)
        state = order.FOLD.fold(order.record_delivery(state, delivered, self.context), state)
        closing = order.CloseOrder(order_id="O-9")
        state = order.FOLD.fold(order.close_order(state, closing, self.context), state)
        assert (state.status, state.delivery_window, state.empty_collected) == (
            Status.CLOSED,
            AFTERNOON,
            True,
        )

    def test_unassigning_only_undoes_an_assignment(self, directory: Directory) -> None:
        state = self.placed(directory)
        assert order.unassign_worker(state, "moved", self.context) == ()
        assign = order.AssignOrderWorker(order_id="O-9", worker_id="W005")
        assigned = order.assign_order_worker(state, assign, self.decision_context(directory))
        state = order.FOLD.fold(assigned, state)
        (unassigned,) = order.unassign_worker(state, "moved to Tuesday", self.context)
        state = order.FOLD.fold([unassigned], state)
        assert (state.status, state.worker_id, state.worker_phone) == (Status.PLACED, None, None)

    def test_the_account_passed_must_be_the_one_named(self, directory: Directory) -> None:
        opened = customer.open_account(
            customer.initial,
            customer.OpenAccount(
                name="Wang Xiuying", phone="139 1234 5678", address="5 Dongmen Road", area="DONGMEN"
            ),
            customer.OpeningContext(
                now=at(23, 9),
                actor=AGENT,
                directory=directory,
                calendar=BusinessCalendar(directory.calendar),
                customer_number="C000002",
            ),
        )
        account = customer.FOLD.fold(opened)
        with raises_rule(EXISTS):
            order.place_order(order.initial, registered(), self.placing(directory, account))
        with raises_rule(EXISTS):
            order.place_order(order.initial, registered(), self.placing(directory, None))

    def test_a_blank_reason_is_refused(self, directory: Directory) -> None:
        # the commands refuse it (the decisions take the command, never a bare reason)
        with pytest.raises(ValueError, match="reason must not be blank"):
            order.RescheduleDelivery(order_id="O-9", window=AFTERNOON, reason="  ")
        with pytest.raises(ValueError, match="reason must not be blank"):
            order.CancelOrder(order_id="O-9", reason=" ")

    def test_deciding_on_no_order(self, directory: Directory) -> None:
        decisions: tuple[Callable[[], object], ...] = (
            lambda: order.assign_order_worker(
                order.initial,
                order.AssignOrderWorker(order_id="O-1", worker_id="W001"),
                self.decision_context(directory),
            ),
            lambda: order.record_delivery(
                order.initial, order.RecordDelivery(order_id="O-1"), self.context
            ),
            lambda: order.record_empty_collected(
                order.initial, order.RecordEmptyCollected(order_id="O-1"), self.context
            ),
            lambda: order.close_order(
                order.initial, order.CloseOrder(order_id="O-1"), self.context
            ),
            lambda: order.cancel_order(
                order.initial, order.CancelOrder(order_id="O-1", reason="x"), self.context
            ),
            lambda: order.unassign_worker(order.initial, "x", self.context),
        )
        for decide in decisions:
            with raises_rule(EXISTS):
                decide()
