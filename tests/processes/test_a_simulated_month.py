"""A simulated month (issue: processes, "done when"): deliveries every day, follow-up calls
made from the work list (some nobody answers), voicemails at night, a neglected callback —
the processes run on a clock stepping through weekdays, weekends and the days after; the
follow-ups, escalations and voicemail callbacks happen when the manuals say, and the SLA
view shows their clocks."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

from callcore.adapters.notifiers import RecordingNotifier
from callcore.domain import call, customer, order, ticket
from callcore.domain.common import Contact, Window
from callcore.projections.sla import ClockStatus
from tests.support import AGENT, Scenario, at

START = date(2026, 11, 2)  # a Monday
DAYS = 30


def test_a_month_of_follow_ups_escalations_and_voicemail_callbacks() -> None:
    s = Scenario(start=at(2, 7))
    s.given(customer.OpenAccount(name="Wang", phone="13912345678", address="5 Road", area="XIHU"))
    notifier = RecordingNotifier()
    processes = [
        s.center.notification_process(notifier),
        s.center.escalation_process(notifier),
        s.center.follow_up_retry_process(notifier),
        s.center.voicemail_process(notifier),
    ]
    calls = 0

    def run_processes() -> None:
        for process in processes:
            assert process.run_once().failed is None

    for n in range(DAYS):
        day = START + timedelta(days=n)
        s.clock.set(at(day.day, 9, month=day.month))
        # a delivery every day
        window = Window(at(day.day, 10, month=day.month), at(day.day, 12, month=day.month))
        s.given(
            order.PlaceOrder(
                order_id=f"O{n}",
                registered=True,
                customer_number="C000001",
                name="Wang",
                lines=(order.OrderLineRequest("LPG-15", 1),),
                delivery_window=window,
            ),
            order.AssignOrderWorker(order_id=f"O{n}", worker_id="W004"),
        )
        s.clock.set(at(day.day, 11, month=day.month))
        s.given(order.RecordDelivery(order_id=f"O{n}"))
        # the agent works the follow-up list at 15:00, on weekdays only
        s.clock.set(at(day.day, 15, month=day.month))
        run_processes()
        if day.weekday() < 5:
            for work in s.center.views.follow_ups():
                if work.due_at - s.clock.now() > timedelta(days=1):
                    continue  # not due yet
                calls += 1
                cid = f"f{calls}"
                reached = calls % 4 != 0  # every fourth call finds nobody home
                s.given(
                    call.PlaceOutboundCall(
                        call_id=cid,
                        agent="A02",
                        phone="13912345678",
                        purpose=call.Purpose.FOLLOW_UP,
                        subject=work.subject,
                    )
                )
                s.given(
                    call.AnswerCall(call_id=cid, agent="A02")
                    if reached
                    else call.RecordNoAnswer(call_id=cid)
                )
                s.given(
                    call.RecordFollowUp(
                        call_id=cid, reached=reached, attitude=5 if reached else None
                    )
                )
        # a voicemail every fifth night
        if n % 5 == 0:
            s.clock.set(at(day.day, 23, month=day.month))
            s.given(
                call.OfferCall(call_id=f"night{n}", queue="hotline", caller_phone="13800001111"),
                call.SendToVoicemail(call_id=f"night{n}"),
            )
            run_processes()
        if n == 10:  # a callback promised and forgotten
            s.clock.set(at(day.day, 16, month=day.month))
            s.given(
                ticket.OpenTicket(
                    ticket_id="T-forgotten",
                    category=ticket.Category.INQUIRY,
                    caller=Contact("Li", "13800001111"),
                    description="bill",
                    actor=AGENT,
                ),
                ticket.PromiseCallback(
                    ticket_id="T-forgotten",
                    phone="13800001111",
                    reply_due=at(day.day, 18, month=day.month),
                    actor=AGENT,
                ),
            )
            s.clock.set(at(day.day, 17, month=day.month))
            run_processes()

    view = s.center.views.sla()
    states = Counter((r.clock, r.state) for r in view.clocks)
    # follow-ups happened: the first after each purchase mostly in time (weekends are late)
    assert states[("post-purchase-follow-up-1", ClockStatus.MET)] >= 12
    assert states[("post-purchase-follow-up-2", ClockStatus.MET)] >= 5
    # every voicemail became callback work due at 08:30 of the next business day
    voicemails = [s.center.tickets.get(f"VM-night{n}") for n in range(0, DAYS, 5)]
    assert all(v.voicemail_due is not None and v.voicemail_due.time().hour == 8 for v in voicemails)
    assert states[("voicemail-callback", ClockStatus.BREACHED)] == len(
        voicemails
    )  # never called back
    # the forgotten callback was escalated, and the caller told about the delay
    subjects = Counter(n.subject for n in notifier.sent)
    assert subjects["Overdue: inquiry-transfer"] == 1
    assert subjects["About your request"] >= 1
    # unreached follow-ups paused their clocks instead of counting against the centre
    assert any(r.paused_seconds > 0 for r in view.clocks if r.clock.startswith("post-purchase"))
    # and every work order reached its worker and branch, once
    sent = Counter(n.notification_id for n in notifier.sent)
    assert max(sent.values()) == 1
