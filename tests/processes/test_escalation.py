"""Deadlines (domain.md §5): warnings before the breach, escalation after it, the caller
told about the delay, emergencies to leadership — each once, reproducible on replay."""

from __future__ import annotations

from datetime import timedelta

from callcore.adapters.notifiers import RecordingNotifier
from callcore.domain import ticket
from callcore.domain.common import Contact
from tests.support import AGENT, Scenario, at

CALLER = Contact("Wang", "139 1234 5678")


def promised() -> Scenario:
    s = Scenario(start=at(23, 9))
    s.given(
        ticket.OpenTicket(
            ticket_id="T1",
            category=ticket.Category.INQUIRY,
            caller=CALLER,
            description="bill",
            actor=AGENT,
        ),
        ticket.PromiseCallback(
            ticket_id="T1", phone="139 1234 5678", reply_due=at(23, 11), actor=AGENT
        ),
    )
    return s


def test_warnings_then_escalation_each_once() -> None:
    s = promised()
    notifier = RecordingNotifier()
    process = s.center.escalation_process(notifier)
    assert process.run_once().sent == 0  # 09:00: nothing yet
    s.clock.set(at(23, 9, 23))  # 23 of 30 minutes: 76 %
    assert process.run_once().sent == 1
    assert process.run_once().sent == 0  # said once
    s.clock.set(at(23, 9, 28))  # 93 %
    process.run_once()
    s.clock.set(at(23, 9, 31))  # breached, still not transferred
    process.run_once()
    subjects = [
        (n.recipient, n.subject) for n in notifier.sent if "inquiry-transfer" in n.notification_id
    ]
    assert subjects == [
        ("supervisor", "At risk (75 %): inquiry-transfer"),
        ("supervisor", "At risk (90 %): inquiry-transfer"),
        ("supervisor", "Overdue: inquiry-transfer"),
        ("customer:+8613912345678", "About your request"),
    ]


def test_an_overdue_emergency_goes_to_leadership() -> None:
    s = Scenario(start=at(23, 9))
    s.given(
        ticket.ReportEmergency(
            ticket_id="TE",
            reporter=CALLER,
            location="Block 4",
            description="gas smell",
            actor=AGENT,
        )
    )
    s.clock.set(at(23, 9, 6))
    notifier = RecordingNotifier()
    s.center.escalation_process(notifier).run_once()
    assert ("department:LEAD", "Emergency overdue: emergency-notification") in [
        (n.recipient, n.subject) for n in notifier.sent
    ]


def test_a_replay_reproduces_the_same_escalations() -> None:
    def escalations() -> list[str]:
        s = promised()
        notifier = RecordingNotifier()
        process = s.center.escalation_process(notifier)
        for minutes in (10, 23, 28, 31, 60):
            s.clock.set(at(23, 9) + timedelta(minutes=minutes))
            process.run_once()
        return [n.notification_id for n in notifier.sent]

    assert escalations() == escalations()
    assert len(escalations()) > 3
