"""Order as a Hypothesis state machine: random valid and invalid commands over a few
orders while time passes. Before each command a model predicts, from the order's folded
state, whether it records events, records nothing or breaks a rule (and which); after each
step the store equals the folded events, the order and its delivery work order agree, the
money adds up and the lifecycle only moves forward."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, initialize, invariant, rule

from callcore import CallCenter, DomainError
from callcore.adapters.clock import ManualClock
from callcore.domain import customer, dispatch, order
from callcore.domain.common import ALREADY_EXISTS, EXISTS, Command, Rule, Window
from callcore.domain.directory import UNKNOWN_WORKER
from callcore.domain.order import OrderLineRequest, RequestedBy, Status
from tests.machine_support import StreamLedger
from tests.support import AGENT, at

IDS = ["O1", "O2", "O3"]
RANK = {
    Status.PLACED: 1,
    Status.ASSIGNED: 1,  # back to placed when the delivery moves to another day
    Status.DELIVERED: 2,
    Status.CLOSED: 3,
    Status.CANCELLED: 3,
}
WINDOWS = [
    Window(at(23, 12), at(23, 14)),
    Window(at(23, 16), at(23, 18)),
    Window(at(24, 9), at(24, 11)),
]
PICKUPS = [None, Window(at(23, 10), at(23, 11)), Window(at(23, 17), at(23, 19))]
AREAS = {"DONGMEN": "B-EAST", "HUAYUAN": "B-EAST", "XIHU": "B-WEST"}
WORKERS = {"W001": "B-EAST", "W002": "B-EAST", "W003": "B-EAST", "W004": "B-WEST", "W404": None}
DELIVERS = {"W001", "W002", "W004"}
EVENTS, NOTHING = "events", "nothing"


class OrderMachine(RuleBasedStateMachine):
    orders = Bundle("orders")
    """Ids of orders placed or tried, so most commands name an order that exists."""

    def __init__(self) -> None:
        super().__init__()
        self.clock = ManualClock(at(23, 9))
        self.center = CallCenter.open("memory://", clock=self.clock)
        self.ledger = StreamLedger()
        self.rank: dict[str, int] = {}

    @initialize()
    def wang_is_registered_in_dongmen(self) -> None:
        self.expect(
            EVENTS,
            customer.OpenAccount(
                name="Wang", phone="13912345678", address="5 Road", area="DONGMEN"
            ),
        )

    # -- the model --------------------------------------------------------------------

    def state(self, o: str) -> order.State:
        state: order.State = self.ledger.states.get(order.stream_id(o), order.initial)
        return state

    def expect(self, predicted: str | Rule, command: Command) -> None:
        """Handle ``command``; it must record events, record nothing or break the rule,
        as predicted."""
        before = self.center.store.last_position()
        broken: Rule | None = None
        try:
            outcome = self.center.handle(command)
        except DomainError as error:
            broken = error.rule
        if broken is not None:
            assert self.center.store.last_position() == before, "a broken rule stored events"
            assert predicted == broken, f"{command}: broke {broken}, expected {predicted}"
            return
        self.ledger.apply(outcome)
        assert predicted == (EVENTS if len(outcome) else NOTHING), (
            f"{command}: recorded {[type(e).__name__ for e in outcome.events]}, "
            f"expected {predicted}"
        )

    @staticmethod
    def open_order(state: order.State) -> Rule | None:
        """The rule every command on an existing order checks first."""
        if not state.exists:
            return EXISTS
        if state.status is Status.CANCELLED:
            return order.ORDER_FINISHED
        return None

    # -- the rules ----------------------------------------------------------------------

    @rule(
        target=orders,
        o=st.sampled_from(IDS),
        registered=st.booleans(),
        name=st.sampled_from(["Wang", "Li"]),
        area=st.sampled_from(sorted(AREAS)),
        qty=st.integers(1, 3),
        window=st.sampled_from(WINDOWS),
        pickup=st.sampled_from(PICKUPS),
    )
    def place(
        self,
        o: str,
        registered: bool,
        name: str,
        area: str,
        qty: int,
        window: Window,
        pickup: Window | None,
    ) -> str:
        predicted: str | Rule = EVENTS
        if self.state(o).exists:
            predicted = ALREADY_EXISTS
        elif registered and name != "Wang":
            predicted = order.REGISTERED_NAME
        elif window.end <= self.clock.now():
            predicted = order.DELIVERY_IN_FUTURE
        elif pickup is not None and pickup.start > window.end:
            predicted = order.PICKUP_BEFORE_DELIVERY
        self.expect(
            predicted,
            order.PlaceOrder(
                order_id=o,
                registered=registered,
                customer_number="C000001" if registered else None,
                name=name,
                phone=None if registered else "13800001111",
                address=None if registered else "9 Road",
                area=None if registered else area,
                lines=(OrderLineRequest("LPG-15", qty), OrderLineRequest("HOSE", 1)),
                delivery_window=window,
                pickup_window=pickup,
                actor=AGENT,
            ),
        )
        return o

    @rule(o=orders, worker=st.sampled_from(sorted(WORKERS)))
    def assign(self, o: str, worker: str) -> None:
        state = self.state(o)
        predicted = self.open_order(state) or EVENTS
        if predicted != EVENTS:
            pass
        elif not state.before_delivery:
            predicted = order.ASSIGN_BEFORE_DELIVERY
        elif state.status is Status.ASSIGNED and state.worker_id == worker:
            predicted = NOTHING
        elif WORKERS[worker] is None:
            predicted = UNKNOWN_WORKER
        elif WORKERS[worker] != state.branch:
            predicted = order.WORKER_IN_BRANCH
        elif worker not in DELIVERS:
            predicted = order.WORKER_DELIVERS
        self.expect(predicted, order.AssignOrderWorker(order_id=o, worker_id=worker))
        if predicted == EVENTS:
            assert self.state(o).worker_id == worker

    @rule(
        o=orders,
        window=st.sampled_from(WINDOWS),
        by=st.sampled_from(list(RequestedBy)),
    )
    def reschedule(self, o: str, window: Window, by: RequestedBy) -> None:
        state = self.state(o)
        predicted = self.open_order(state) or EVENTS
        if predicted != EVENTS:
            pass
        elif not state.before_delivery:
            predicted = order.RESCHEDULE_BEFORE_DELIVERY
        elif window == state.delivery_window:
            predicted = NOTHING
        elif window.end <= self.clock.now():
            predicted = order.DELIVERY_IN_FUTURE
        elif state.pickup_window is not None and state.pickup_window.start > window.end:
            predicted = order.PICKUP_BEFORE_DELIVERY
        self.expect(
            predicted,
            order.RescheduleDelivery(order_id=o, window=window, reason="agreed", requested_by=by),
        )
        if predicted == EVENTS:
            assert self.state(o).delivery_window == window

    @rule(o=orders, empty=st.booleans())
    def deliver(self, o: str, empty: bool) -> None:
        state = self.state(o)
        predicted = self.open_order(state) or EVENTS
        if predicted != EVENTS:
            pass
        elif state.status in (Status.DELIVERED, Status.CLOSED):
            predicted = NOTHING
        elif state.status is not Status.ASSIGNED:
            predicted = order.DELIVER_AFTER_ASSIGNMENT
        self.expect(predicted, order.RecordDelivery(order_id=o, empty_collected=empty))

    @rule(o=orders)
    def collect_the_empty(self, o: str) -> None:
        state = self.state(o)
        predicted = self.open_order(state) or EVENTS
        if predicted != EVENTS:
            pass
        elif state.empty_collected:
            predicted = NOTHING
        elif state.status is not Status.DELIVERED and state.pickup_window is None:
            predicted = order.EMPTY_AT_DELIVERY_OR_PICKUP
        self.expect(predicted, order.RecordEmptyCollected(order_id=o))

    @rule(o=orders)
    def close(self, o: str) -> None:
        state = self.state(o)
        predicted = self.open_order(state) or EVENTS
        if predicted != EVENTS:
            pass
        elif state.status is Status.CLOSED:
            predicted = NOTHING
        elif state.status is not Status.DELIVERED or not state.empty_collected:
            predicted = order.CLOSE_WHEN_DONE
        self.expect(predicted, order.CloseOrder(order_id=o))

    @rule(o=orders)
    def cancel(self, o: str) -> None:
        state = self.state(o)
        predicted: str | Rule = EVENTS
        if not state.exists:
            predicted = EXISTS
        elif state.status is Status.CANCELLED:
            predicted = NOTHING
        elif not state.before_delivery:
            predicted = order.BEFORE_DELIVERY
        self.expect(predicted, order.CancelOrder(order_id=o, reason="changed mind"))

    @rule(o=orders, empty=st.booleans())
    def the_next_step(self, o: str, empty: bool) -> None:
        """What the centre does next with an order (the random rules rarely get this far):
        assign a worker of its branch, record the delivery, the empty, close."""
        state = self.state(o)
        if state.status is Status.PLACED:
            self.assign(o, next(w for w in sorted(WORKERS) if WORKERS[w] == state.branch))
        elif state.status is Status.ASSIGNED:
            self.deliver(o, empty)
        elif state.status is Status.DELIVERED and not state.empty_collected:
            self.collect_the_empty(o)
        elif state.status is Status.DELIVERED:
            self.close(o)

    @rule(
        command=st.sampled_from(
            [
                order.AssignOrderWorker(order_id="O404", worker_id="W001"),
                order.RescheduleDelivery(order_id="O404", window=WINDOWS[0], reason="r"),
                order.RecordDelivery(order_id="O404"),
                order.RecordEmptyCollected(order_id="O404"),
                order.CloseOrder(order_id="O404"),
                order.CancelOrder(order_id="O404", reason="r"),
            ]
        )
    )
    def an_order_that_does_not_exist(self, command: Command) -> None:
        self.expect(EXISTS, command)

    @rule(minutes=st.integers(10, 240))
    def time_passes(self, minutes: int) -> None:
        self.clock.advance(minutes=minutes)

    # -- the invariants -----------------------------------------------------------------

    @invariant()
    def store_is_folded_events(self) -> None:
        self.ledger.check(self.center)

    @invariant()
    def the_lifecycle_only_moves_forward(self) -> None:
        for o in IDS:
            state = self.state(o)
            if not state.exists:
                continue
            assert RANK[state.status] >= self.rank.get(o, 0)
            self.rank[o] = RANK[state.status]

    @invariant()
    def the_order_and_its_work_order_agree(self) -> None:
        for o in IDS:
            state = self.state(o)
            if not state.exists:
                continue
            assert state.dispatch_id is not None
            work = self.ledger.states[dispatch.stream_id(state.dispatch_id)]
            assert work.order_id == o
            if state.status is Status.CANCELLED:
                assert work.status is dispatch.Status.CANCELLED
                continue
            assert work.worker_id == state.worker_id
            assert work.appointment == state.delivery_window
            finished = work.status is dispatch.Status.COMPLETED
            assert finished == (not state.before_delivery)

    @invariant()
    def what_the_order_records_holds(self) -> None:
        for o in IDS:
            state = self.state(o)
            if not state.exists:
                continue
            for line in state.lines:
                assert line.amount == line.unit_price * line.quantity
            assert state.total == sum((line.amount for line in state.lines), Decimal(0))
            # Wang lives in DONGMEN (B-EAST); a walk-in's area gives the branch
            assert state.branch == ("B-EAST" if state.registered else AREAS[state.area])
            assert (state.worker_id is not None) == (state.status is not Status.PLACED) or (
                state.status is Status.CANCELLED
            )
            assert (state.delivered_at is not None) == (
                state.status in (Status.DELIVERED, Status.CLOSED)
            )
            if state.status is Status.CLOSED:
                assert state.empty_collected
            if state.pickup_window is not None:
                assert state.delivery_window is not None
                assert state.pickup_window.start <= state.delivery_window.end


OrderMachine.TestCase.settings = settings(max_examples=40, stateful_step_count=30, deadline=None)
TestOrderMachine = OrderMachine.TestCase
