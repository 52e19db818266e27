"""Order as a Hypothesis state machine: random valid and invalid commands over a few
orders; the store equals the folded events, the order and its delivery work order never
disagree, and the lifecycle only moves forward."""

from __future__ import annotations

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from callcore import CallCenter, DomainError
from callcore.adapters.clock import ManualClock
from callcore.domain import customer, dispatch, order
from callcore.domain.common import Window
from callcore.domain.order import OrderLineRequest
from tests.machine_support import StreamLedger
from tests.support import at

IDS = ["O1", "O2", "O3"]
RANK = {
    order.Status.PLACED: 0,
    order.Status.ASSIGNED: 0,  # back to placed when the delivery moves to another day
    order.Status.DELIVERED: 2,
    order.Status.CLOSED: 3,
    order.Status.CANCELLED: 3,
}
WINDOWS = [
    Window(at(23, 12), at(23, 14)),
    Window(at(23, 16), at(23, 18)),
    Window(at(24, 9), at(24, 11)),
]


class OrderMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.center = CallCenter.open("memory://", clock=ManualClock(at(23, 9)))
        self.ledger = StreamLedger()
        self.rank: dict[str, int] = {}

    @initialize()
    def a_registered_customer(self) -> None:
        self.handle(
            customer.OpenAccount(name="Wang", phone="13912345678", address="5 Road", area="DONGMEN")
        )

    def handle(self, command: object) -> None:
        before = self.center.store.last_position()
        try:
            self.ledger.apply(self.center.handle(command))  # type: ignore[arg-type]
        except DomainError:
            assert self.center.store.last_position() == before

    @rule(
        o=st.sampled_from(IDS),
        registered=st.booleans(),
        name=st.sampled_from(["Wang", "Li"]),
        qty=st.integers(1, 3),
        window=st.sampled_from(WINDOWS),
    )
    def place(self, o: str, registered: bool, name: str, qty: int, window: Window) -> None:
        self.handle(
            order.PlaceOrder(
                order_id=o,
                registered=registered,
                customer_number="C000001" if registered else None,
                name=name,
                phone=None if registered else "13800001111",
                address=None if registered else "9 Road",
                area=None if registered else "HUAYUAN",
                lines=(OrderLineRequest("LPG-15", qty),),
                delivery_window=window,
            )
        )

    @rule(o=st.sampled_from(IDS), worker=st.sampled_from(["W001", "W002", "W004"]))
    def assign(self, o: str, worker: str) -> None:
        self.handle(order.AssignOrderWorker(order_id=o, worker_id=worker))

    @rule(o=st.sampled_from(IDS), window=st.sampled_from(WINDOWS))
    def reschedule(self, o: str, window: Window) -> None:
        self.handle(order.RescheduleDelivery(order_id=o, window=window, reason="r"))

    @rule(o=st.sampled_from(IDS), empty=st.booleans())
    def deliver(self, o: str, empty: bool) -> None:
        self.handle(order.RecordDelivery(order_id=o, empty_collected=empty))

    @rule(o=st.sampled_from(IDS), which=st.integers(0, 2))
    def finish(self, o: str, which: int) -> None:
        command = [
            order.RecordEmptyCollected(order_id=o),
            order.CloseOrder(order_id=o),
            order.CancelOrder(order_id=o, reason="r"),
        ][which]
        self.handle(command)

    @invariant()
    def store_is_folded_events(self) -> None:
        self.ledger.check(self.center)

    @invariant()
    def order_and_work_order_agree_and_move_forward(self) -> None:
        for o in IDS:
            state = self.ledger.states.get(order.stream_id(o))
            if state is None:
                continue
            assert RANK[state.status] >= self.rank.get(o, 0)
            self.rank[o] = RANK[state.status]
            work = self.ledger.states[dispatch.stream_id(state.dispatch_id)]
            assert work.worker_id == state.worker_id or state.status is order.Status.CANCELLED
            if state.status is order.Status.DELIVERED:
                assert work.status is dispatch.Status.COMPLETED
            assert state.total == 110 * sum(1 for _ in [0]) * (state.total / 110) or state.total > 0


OrderMachine.TestCase.settings = settings(max_examples=40, stateful_step_count=30, deadline=None)
TestOrderMachine = OrderMachine.TestCase
