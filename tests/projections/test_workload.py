"""Work look-ups: a branch's open work, its queue of waiting dispatches, a field worker's
load on a day — worked by hand, and the properties of the fold (chunks, cuts, a model)."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from callcore.domain import complaint, dispatch, order, ticket
from callcore.domain.common import Contact, Priority, Window
from callcore.ports import Recorded
from callcore.projections.workload import OpenWork, Workload
from tests.support import AGENT, Scenario, at

CALLER = Contact("Li", "13800001111")


def place(s: Scenario, order_id: str, area: str = "DONGMEN", pickup: bool = False) -> None:
    window = Window(at(23, 10), at(23, 12))
    s.given(
        order.PlaceOrder(
            order_id=order_id,
            registered=False,
            name="Li",
            phone="13800001111",
            address="x",
            area=area,
            lines=(order.OrderLineRequest("LPG-15", 1),),
            delivery_window=window,
            pickup_window=Window(at(23, 10), at(23, 18)) if pickup else None,
        )
    )


def lodge(s: Scenario, complaint_id: str, kind: complaint.SubjectKind, about: str | None) -> None:
    s.given(
        complaint.LodgeComplaint(
            complaint_id=complaint_id,
            complainant=CALLER,
            what="late",
            about=complaint.Subject(kind, about),
            wanted_outcome="an apology",
            actor=AGENT,
        )
    )


def repair(s: Scenario, dispatch_id: str, area: str = "DONGMEN") -> None:
    s.given(
        dispatch.RequestDispatch(
            dispatch_id=dispatch_id,
            kind=dispatch.DispatchKind.REPAIR,
            site_address="x",
            area=area,
            contact=CALLER,
            wished=Window(at(23, 13), at(23, 15)),
            job="valve",
        )
    )


def story() -> Scenario:
    """Monday 23 November in B-EAST (areas DONGMEN and HUAYUAN), and some of B-WEST's work."""
    s = Scenario(start=at(23, 8))
    # 08:00 five orders, delivery window 10:00–12:00
    place(s, "O0", pickup=True)  # delivered at 09:00, its empty still to collect
    place(s, "O1")  # assigned to W001, later delivered and closed
    place(s, "O2")  # assigned to W001, the window moved to 14:00–16:00
    place(s, "O3")  # cancelled
    place(s, "O4", area="XIHU")  # B-WEST's
    s.given(
        order.AssignOrderWorker(order_id="O0", worker_id="W002"),
        order.AssignOrderWorker(order_id="O1", worker_id="W001"),
        order.AssignOrderWorker(order_id="O2", worker_id="W001"),
        order.AssignOrderWorker(order_id="O3", worker_id="W001"),
    )
    s.after(hours=1)  # 09:00
    s.given(
        order.RecordDelivery(order_id="O0", empty_collected=False),
        order.RecordDelivery(order_id="O1"),
        order.CloseOrder(order_id="O1"),
        order.CancelOrder(order_id="O3", reason="the customer went away"),
        ticket.OpenTicket(
            ticket_id="T1",
            category=ticket.Category.INQUIRY,
            caller=CALLER,
            description="the bill",
            area="HUAYUAN",
            actor=AGENT,
        ),
        ticket.PromiseCallback(ticket_id="T1", phone="13800001111", reply_due=at(23, 15)),
        ticket.OpenTicket(
            ticket_id="T2",
            category=ticket.Category.INQUIRY,
            caller=CALLER,
            description="opening hours",
            area="DONGMEN",
            actor=AGENT,
        ),
        ticket.OpenTicket(
            ticket_id="T3",
            category=ticket.Category.INQUIRY,
            caller=CALLER,
            description="prices",
            area="XIHU",  # B-WEST's
            actor=AGENT,
        ),
    )
    lodge(s, "K1", complaint.SubjectKind.FIELD_WORKER, "W002")  # a B-EAST worker
    s.given(complaint.CommitReplyTime(complaint_id="K1", reply_by=at(23, 17)))
    lodge(s, "K2", complaint.SubjectKind.BRANCH, "B-EAST")
    lodge(s, "K3", complaint.SubjectKind.AGENT, "A07")  # the centre's, no branch's
    lodge(s, "K4", complaint.SubjectKind.FIELD_WORKER, "W004")  # B-WEST's
    repair(s, "D1")
    s.after(hours=1)  # 10:00
    s.given(
        order.RescheduleDelivery(
            order_id="O2", window=Window(at(23, 14), at(23, 16)), reason="the van broke down"
        ),
        ticket.ReplyToCustomer(ticket_id="T1", reply="sent by post"),
        ticket.ResolveTicket(ticket_id="T2", cause="question", solution="answered"),
        ticket.CloseTicket(ticket_id="T2"),
        dispatch.ConfirmAppointment(
            dispatch_id="D1",
            window=Window(at(23, 14), at(23, 16)),
            contact=CALLER,
            problem_restated="the valve leaks",
        ),
        dispatch.AssignDispatch(dispatch_id="D1", worker_id="W003"),
        dispatch.RecordFieldFeedback(dispatch_id="D1", feedback=dispatch.Feedback.EN_ROUTE),
        complaint.JudgeComplaint(complaint_id="K1", valid=True),
        complaint.NotifyDepartment(complaint_id="K1", department="BUSINESS"),
        complaint.JudgeComplaint(complaint_id="K2", valid=False, reason="not the branch's doing"),
        complaint.CloseComplaint(complaint_id="K2"),
    )
    return s


def records_of(s: Scenario) -> list[Recorded]:
    return [p.recorded for p in s.center.store.read_all()]


def fold(s: Scenario) -> OpenWork:
    return OpenWork(s.directory).apply_all(records_of(s))


def test_a_branchs_open_work_worked_by_hand() -> None:
    s = story()
    rows = fold(s).open_work("B-EAST", s.clock.now())
    assert [(r.kind, r.id, r.status, r.opened_at, r.due_at) for r in rows] == [
        # oldest first, then by kind and id. O0 was delivered but its empty waits for the
        # end of the pickup window; O1 closed; O2's window moved; O3 cancelled; O4 is B-WEST's
        ("dispatch", "D-O2", "assigned", at(23, 8), at(23, 16)),  # the order's new window
        ("order", "O0", "delivered", at(23, 8), at(23, 18)),
        ("order", "O2", "assigned", at(23, 8), at(23, 16)),
        # K1 about W002 (B-EAST) waits for the reply committed for 17:00; K2 was judged
        # invalid and closed; K3 is about an agent; K4 about a B-WEST worker
        ("complaint", "K1", "notified", at(23, 9), at(23, 17)),
        ("dispatch", "D1", "en-route", at(23, 9), at(23, 16)),  # the confirmed window
        ("ticket", "T1", "open", at(23, 9), None),  # the customer was replied to
    ]
    west = fold(s).open_work("B-WEST", s.clock.now())
    assert [(r.kind, r.id, r.status) for r in west] == [
        ("dispatch", "D-O4", "requested"),
        ("order", "O4", "placed"),
        ("complaint", "K4", "lodged"),
        ("ticket", "T3", "open"),
    ]
    assert fold(s).open_work("B-NORTH", s.clock.now()) == ()


def test_open_work_as_of_an_earlier_instant() -> None:
    s = story()
    f = fold(s)
    at_nine = f.open_work("B-EAST", at(23, 9))
    assert [(r.kind, r.id, r.status, r.due_at) for r in at_nine] == [
        # at 09:00 O1 was closed and O3 cancelled already (recorded at 09:00 sharp)
        ("dispatch", "D-O2", "assigned", at(23, 12)),  # before the window moved
        ("order", "O0", "delivered", at(23, 18)),
        ("order", "O2", "assigned", at(23, 12)),
        ("complaint", "K1", "lodged", at(23, 17)),
        ("complaint", "K2", "lodged", None),  # not yet judged invalid
        ("dispatch", "D1", "requested", at(23, 15)),  # the wished window
        ("ticket", "T1", "open", at(23, 15)),  # the promised callback
        ("ticket", "T2", "open", None),
    ]
    at_eight = f.open_work("B-EAST", at(23, 8))
    assert [(r.kind, r.id, r.status) for r in at_eight] == [
        ("dispatch", "D-O0", "assigned"),
        ("dispatch", "D-O1", "assigned"),
        ("dispatch", "D-O2", "assigned"),
        ("dispatch", "D-O3", "assigned"),
        ("order", "O0", "assigned"),
        ("order", "O1", "assigned"),
        ("order", "O2", "assigned"),
        ("order", "O3", "assigned"),
    ]
    assert f.open_work("B-EAST", at(23, 7)) == ()


def test_the_empty_collected_closes_the_delivered_order() -> None:
    s = story()
    s.given(order.RecordEmptyCollected(order_id="O0"))
    assert "O0" not in [r.id for r in fold(s).open_work("B-EAST", s.clock.now())]


def test_a_field_workers_load_today() -> None:
    s = story()
    f = fold(s)
    w001 = f.worker_load("W001", at(23, 0).date(), s.clock.now())
    # booked O1, O2, O3 at 08:00; O3's booking was released when it was cancelled; O1 done
    assert (w001.worker, w001.booked, w001.capacity, w001.done) == ("W001", 2, 12, 1)
    assert [(w.dispatch_id, w.kind, w.status, w.due_at) for w in w001.to_do] == [
        ("D-O2", "delivery", "assigned", at(23, 16))
    ]
    at_eight = f.worker_load("W001", at(23, 0).date(), at(23, 8))
    assert (at_eight.booked, at_eight.done, len(at_eight.to_do)) == (3, 0, 3)
    w003 = f.worker_load("W003", at(23, 0).date(), s.clock.now())
    assert (w003.booked, w003.capacity, w003.done) == (1, 6, 0)
    assert [(w.dispatch_id, w.kind, w.status) for w in w003.to_do] == [("D1", "repair", "en-route")]
    tomorrow = f.worker_load("W001", at(24, 0).date(), s.clock.now())
    assert (tomorrow.booked, tomorrow.done, tomorrow.to_do, tomorrow.capacity) == (0, 0, (), 12)


def test_the_old_name_is_the_same_fold() -> None:
    assert Workload is OpenWork


def test_the_work_queue_serves_urgent_work_first() -> None:
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
    assert {r.due_at for r in queue} == {at(24, 11)}


# ------------------------------------------------------------------------ properties

DISPATCH_STEPS = ("assign", "en-route", "arrived", "done", "cancel")


@st.composite
def histories(draw: st.DrawFn) -> tuple[Scenario, dict[str, str]]:
    """Repairs in DONGMEN (B-EAST), pushed along at random through the real commands, and
    a model of the status each one must show."""
    s = Scenario(start=at(23, 7))
    model: dict[str, str] = {}
    for n in range(draw(st.integers(1, 6))):
        s.after(minutes=draw(st.integers(0, 30)))
        repair(s, f"D{n}")
        model[f"D{n}"] = "requested"
        for step in draw(st.lists(st.sampled_from(DISPATCH_STEPS), max_size=4)):
            s.after(minutes=draw(st.integers(0, 30)))
            state = model[f"D{n}"]
            if state in ("completed", "cancelled"):
                break
            if step == "assign" and state == "requested":
                s.given(dispatch.AssignDispatch(dispatch_id=f"D{n}", worker_id="W003"))
                model[f"D{n}"] = "assigned"
            elif step == "en-route" and state == "assigned":
                s.given(
                    dispatch.RecordFieldFeedback(
                        dispatch_id=f"D{n}", feedback=dispatch.Feedback.EN_ROUTE
                    )
                )
                model[f"D{n}"] = "en-route"
            elif step == "arrived" and state in ("assigned", "en-route"):
                s.given(
                    dispatch.RecordFieldFeedback(
                        dispatch_id=f"D{n}", feedback=dispatch.Feedback.ARRIVED
                    )
                )
                model[f"D{n}"] = "on-site"
            elif step == "done" and state in ("assigned", "en-route", "on-site"):
                s.given(dispatch.CompleteDispatch(dispatch_id=f"D{n}", outcome="fixed"))
                model[f"D{n}"] = "completed"
            elif step == "cancel":
                s.given(dispatch.CancelDispatch(dispatch_id=f"D{n}", reason="not needed"))
                model[f"D{n}"] = "cancelled"
    return s, model


PROPERTY_SETTINGS = settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


@PROPERTY_SETTINGS
@given(history=histories())
def test_open_work_and_load_follow_the_commands_sent(
    history: tuple[Scenario, dict[str, str]],
) -> None:
    s, model = history
    f = fold(s)
    now = s.clock.now()
    open_ids = [r.id for r in f.open_work("B-EAST", now)]
    assert open_ids == [d for d, state in model.items() if state not in ("completed", "cancelled")]
    assert {r.id: r.status for r in f.open_work("B-EAST", now)} == {
        d: state for d, state in model.items() if d in open_ids
    }
    load = f.worker_load("W003", at(23, 0).date(), now)
    mine = [d for d, state in model.items() if state not in ("requested", "cancelled")]
    assert load.booked == len(mine)
    assert load.done == sum(1 for d in mine if model[d] == "completed")
    assert [w.dispatch_id for w in load.to_do] == [d for d in mine if model[d] != "completed"]


@PROPERTY_SETTINGS
@given(history=histories(), data=st.data())
def test_chunks_and_cuts_agree(
    history: tuple[Scenario, dict[str, str]], data: st.DataObject
) -> None:
    s, _ = history
    records = records_of(s)
    times = sorted({r.event.at for r in records})
    probe = data.draw(st.sampled_from(times)) + timedelta(
        minutes=data.draw(st.sampled_from([-1, 0, 1]))
    )
    split = data.draw(st.integers(0, len(records)))
    day = at(23, 0).date()

    def answers(f: OpenWork) -> tuple[object, ...]:
        return (
            f.open_work("B-EAST", probe),
            f.work_queue("B-EAST", probe),
            f.worker_load("W003", day, probe),
        )

    whole = answers(OpenWork(s.directory).apply_all(records))
    chunked = OpenWork(s.directory).apply_all(records[:split]).apply_all(records[split:])
    assert answers(chunked) == whole
    cut = OpenWork(s.directory).apply_all(r for r in records if r.event.at <= probe)
    assert answers(cut) == whole
