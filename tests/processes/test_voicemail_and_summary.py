"""After-hours voicemail becomes callback work; the 17:30 summary reaches every branch."""

from __future__ import annotations

from callcore.adapters.notifiers import RecordingNotifier
from callcore.domain import call, order
from callcore.domain.common import Window
from callcore.projections.sla import ClockStatus
from tests.support import Scenario, at


def test_a_voicemail_left_at_night_is_callback_work_due_at_0830() -> None:
    s = Scenario(start=at(27, 23))  # Friday 23:00
    s.given(
        call.OfferCall(call_id="n1", queue="hotline", caller_phone="139 1234 5678"),
        call.SendToVoicemail(call_id="n1"),
        call.OfferCall(call_id="n2", queue="hotline", caller_phone="anonymous"),
        call.SendToVoicemail(call_id="n2"),
    )
    notifier = RecordingNotifier()
    process = s.center.voicemail_process(notifier)
    assert process.run_once().sent == 1
    assert s.center.voicemail_process(notifier).run_once().sent == 1  # a replay: no new ticket
    work = s.center.tickets.get("VM-n1")
    assert work.voicemail_due == at(30, 8, 30)  # Monday morning
    assert [n.subject for n in notifier.sent] == ["Anonymous voicemail"]
    clocks = {r.clock: r.state for r in s.center.views.sla().clocks if r.subject == "ticket-VM-n1"}
    assert clocks == {"voicemail-callback": ClockStatus.RUNNING}


def test_calls_in_opening_hours_are_not_voicemail_work() -> None:
    s = Scenario(start=at(27, 10))
    s.given(
        call.OfferCall(call_id="d1", queue="hotline", caller_phone="139 1234 5678"),
        call.SendToVoicemail(call_id="d1"),
    )
    assert s.center.voicemail_process(RecordingNotifier()).run_once().sent == 0


def test_the_1730_summary_once_a_day_to_every_branch() -> None:
    s = Scenario(start=at(23, 9))
    s.given(
        order.PlaceOrder(
            order_id="O1",
            registered=False,
            name="Li",
            phone="13800001111",
            address="x",
            area="DONGMEN",
            lines=(order.OrderLineRequest("LPG-15", 1),),
            delivery_window=Window(at(23, 10), at(23, 12)),
        ),
        order.AssignOrderWorker(order_id="O1", worker_id="W001"),
        order.RecordDelivery(order_id="O1"),
    )
    notifier = RecordingNotifier()
    process = s.center.daily_summary_process(notifier)
    s.clock.set(at(23, 17, 29))
    assert process.run_once().sent == 0  # not yet
    s.clock.set(at(23, 17, 30))
    assert process.run_once().sent == 3  # three branches
    assert process.run_once().sent == 0  # once a day
    east = next(n for n in notifier.sent if n.recipient == "branch:B-EAST")
    assert "W001 Zhang Wei: 1 done of 1 booked (capacity 12)" in east.body
    s.clock.set(at(24, 17, 45))
    assert process.run_once().sent == 3  # the next day


def test_a_voicemail_on_the_eve_of_national_day_waits_for_the_first_business_morning() -> None:
    s = Scenario(start=at(30, 23, month=9))
    s.given(
        call.OfferCall(call_id="eve", queue="hotline", caller_phone="139 1234 5678"),
        call.SendToVoicemail(call_id="eve"),
    )
    s.center.voicemail_process(RecordingNotifier()).run_once()
    due = s.center.tickets.get("VM-eve").voicemail_due
    assert due is not None
    assert due.date().month == 10
    assert due.date().day > 7  # the Golden Week is skipped
    assert s.center.bus.calendar.is_business_day(due.date())
    assert (due.hour, due.minute) == (8, 30)
