"""Work look-ups: a branch's open work, a field worker's load today."""

from __future__ import annotations

from callcore.domain import dispatch, order, ticket
from callcore.domain.common import Contact, Window
from callcore.projections.workload import Workload
from tests.support import AGENT, Scenario, at

CALLER = Contact("Li", "13800001111")


def story() -> Scenario:
    s = Scenario(start=at(23, 8))
    for n in range(3):
        s.given(
            order.PlaceOrder(
                order_id=f"O{n}",
                registered=False,
                name="Li",
                phone="13800001111",
                address="x",
                area="DONGMEN",
                lines=(order.OrderLineRequest("LPG-15", 1),),
                delivery_window=Window(at(23, 10), at(23, 12)),
            ),
            order.AssignOrderWorker(order_id=f"O{n}", worker_id="W001"),
        )
    s.after(hours=1).given(
        dispatch.RecordFieldFeedback(dispatch_id="D-O0", feedback=dispatch.Feedback.DONE),
        order.CancelOrder(order_id="O2", reason="r"),
        ticket.OpenTicket(
            ticket_id="T1",
            category=ticket.Category.INQUIRY,
            caller=CALLER,
            description="d",
            area="HUAYUAN",
            actor=AGENT,
        ),
        ticket.PromiseCallback(ticket_id="T1", phone="13800001111", reply_due=at(23, 15)),
    )
    return s


def fold(s: Scenario) -> Workload:
    return Workload(s.directory).apply_all(p.recorded for p in s.center.store.read_all())


def test_a_branchs_open_work() -> None:
    s = story()
    rows = fold(s).open_work("B-EAST", s.clock.now())
    # O0 delivered (not yet closed), O1 assigned, its dispatch; O2 cancelled; T1 open
    assert [(r.kind, r.id, r.status) for r in rows] == [  # oldest first, then by kind
        ("dispatch", "D-O1", "assigned"),
        ("order", "O0", "delivered"),
        ("order", "O1", "assigned"),
        ("ticket", "T1", "open"),
    ]
    assert rows[-1].due_at == at(23, 15)
    earlier = fold(s).open_work("B-EAST", at(23, 8))
    assert len([r for r in earlier if r.kind == "order"]) == 3


def test_a_field_workers_load_today() -> None:
    s = story()
    load = fold(s).worker_load("W001", at(23, 0).date(), s.clock.now())
    assert (load.booked, load.capacity, load.done) == (2, 12, 1)  # O2's booking was released
    assert [w.dispatch_id for w in load.to_do] == ["D-O1"]


def test_the_work_queue_serves_urgent_work_first() -> None:
    from callcore.domain.common import Priority

    s = Scenario(start=at(23, 8))
    for n, (priority, level) in enumerate(
        [
            (Priority.NORMAL, "standard"),
            (Priority.URGENT, "standard"),
            (Priority.NORMAL, "vip"),
            (Priority.EMERGENCY, "standard"),
        ]
    ):
        s.after(minutes=1).given(
            dispatch.RequestDispatch(
                dispatch_id=f"D{n}",
                kind=dispatch.DispatchKind.REPAIR,
                site_address="x",
                area="XIHU",
                contact=CALLER,
                wished=Window(at(24, 9), at(24, 11)),
                job="j",
                priority=priority,
                customer_level=level,
            )
        )
    s.given(dispatch.AssignDispatch(dispatch_id="D1"))  # the urgent one is taken
    queue = fold(s).work_queue("B-WEST", s.clock.now())
    assert [r.id for r in queue] == ["D3", "D2", "D0"]  # emergency, then vip before the wait
