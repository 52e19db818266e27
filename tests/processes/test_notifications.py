"""Notifications (domain.md §5): sent at least once, recorded once, none lost."""

from __future__ import annotations

from datetime import timedelta

import pytest

from callcore.adapters.notifiers import RecordingNotifier
from callcore.domain import complaint, dispatch, notification, ticket
from callcore.domain.common import Contact, Window
from callcore.projections.sla import ClockStatus
from tests.domain.test_ticket import MERCHANT, inquiry, with_accounts
from tests.support import AGENT, Scenario, at

CALLER = Contact("Zhao", "13800001111")


def busy_morning() -> Scenario:
    s = Scenario(start=at(23, 9))
    s.given(
        dispatch.RequestDispatch(
            dispatch_id="D1",
            kind=dispatch.DispatchKind.REPAIR,
            site_address="120 Xihu Avenue",
            area="XIHU",
            contact=CALLER,
            wished=Window(at(23, 10), at(23, 12)),
            job="boiler",
        ),
        dispatch.AssignDispatch(dispatch_id="D1"),
        ticket.ReportEmergency(
            ticket_id="T-E",
            reporter=CALLER,
            location="Block 4",
            description="gas smell",
            actor=AGENT,
        ),
        complaint.LodgeComplaint(
            complaint_id="K1",
            complainant=CALLER,
            what="rude",
            about=complaint.Subject(complaint.SubjectKind.OTHER),
            wanted_outcome="apology",
            actor=AGENT,
        ),
        complaint.JudgeComplaint(complaint_id="K1", valid=True),
        complaint.NotifyDepartment(complaint_id="K1", department="BUSINESS"),
    )
    return s


def recipients(notifier: RecordingNotifier) -> list[tuple[str, str]]:
    return [(n.recipient, n.subject) for n in notifier.sent]


def test_the_rules_tell_the_branch_the_worker_the_repair_centre_and_the_department() -> None:
    s = busy_morning()
    notifier = RecordingNotifier()
    report = s.center.notification_process(notifier).run_once()
    assert (report.sent, report.failed) == (5, None)
    assert recipients(notifier) == [
        ("branch:B-WEST", "Work order D1"),
        ("field-worker:W006", "Work order D1"),
        ("department:REPAIR", "EMERGENCY (报险)"),
        ("supervisor", "EMERGENCY (报险)"),
        ("department:BUSINESS", "Complaint complaint-K1"),
    ]
    assert "+8613800001111" in notifier.sent[1].body  # the work order carries the contact


def test_sent_once_recorded_once_and_a_restart_sends_nothing_new() -> None:
    s = busy_morning()
    notifier = RecordingNotifier()
    process = s.center.notification_process(notifier)
    process.run_once()
    assert process.run_once().sent == 0
    again = s.center.notification_process(notifier).run_once()  # a restarted process
    assert (again.sent, again.already_recorded) == (0, 5)
    recorded = [
        p.recorded.event
        for p in s.center.store.read_all()
        if isinstance(p.recorded.event, notification.NotificationSent)
    ]
    assert len(recorded) == 5 == len({e.notification_id for e in recorded})
    # the repair centre's notification stopped the emergency clock
    assert s.center.tickets.get("T-E").repair_centre_notified_at is not None


def test_a_notifier_that_is_down_delays_loses_nothing_and_the_clock_shows_it() -> None:
    s = busy_morning()
    notifier = RecordingNotifier()
    notifier.failing = True
    process = s.center.notification_process(notifier)
    report = process.run_once()
    assert report.sent == 0
    assert "down" in (report.failed or "")
    s.after(minutes=8)  # the emergency repair centre still not told after 8 minutes
    notifier.failing = False
    assert process.run_once().sent == 5
    clocks = {r.clock: r.state for r in s.center.views.sla().clocks if r.subject == "ticket-T-E"}
    assert clocks["emergency-notification"] is ClockStatus.BREACHED
    assert len(notifier.sent) == 5


def test_a_crash_between_sending_and_recording_resends_but_records_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    s = busy_morning()
    notifier = RecordingNotifier()
    first = s.center.notification_process(notifier)
    original = first._record
    calls = {"n": 0}

    def crash_on_the_second(due):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if calls["n"] == 2:
            raise SystemExit("killed")  # the process dies after sending, before recording
        original(due)

    monkeypatch.setattr(first, "_record", crash_on_the_second)
    with pytest.raises(SystemExit):
        first.run_once()
    restarted = s.center.notification_process(notifier).run_once()
    assert restarted.sent == 4  # the second one is sent again: at least once
    assert len(notifier.sent) == 6
    recorded = [
        p.recorded.event
        for p in s.center.store.read_all()
        if isinstance(p.recorded.event, notification.NotificationSent)
    ]
    assert len(recorded) == 5  # recorded once
    _ = timedelta


def sent_by_the_process(s: Scenario) -> list[tuple[str, str]]:
    notifier = RecordingNotifier()
    s.center.notification_process(notifier).run_once()
    return recipients(notifier)


def test_a_moved_visit_tells_its_branch_again() -> None:
    """调整上门时间,并通知相关门市: the branch hears of the new time, not only the first."""
    s = Scenario(start=at(23, 9))
    s.given(
        dispatch.RequestDispatch(
            dispatch_id="D1",
            kind=dispatch.DispatchKind.REPAIR,
            site_address="120 Xihu Avenue",
            area="XIHU",
            contact=CALLER,
            wished=Window(at(23, 10), at(23, 12)),
            job="boiler",
        ),
        dispatch.RescheduleDispatch(
            dispatch_id="D1", window=Window(at(23, 14), at(23, 16)), reason="customer out"
        ),
    )
    sent = sent_by_the_process(s)
    assert sent.count(("branch:B-WEST", "Work order D1")) == 1
    assert ("branch:B-WEST", "New time for dispatch-D1") in sent


def test_over_quota_paper_tells_the_business_interface() -> None:
    """A merchant over its thermal-paper quota: the business interface is told (POS manual)."""
    s = with_accounts().given(
        inquiry(
            "T-1", category=ticket.Category.CONSUMABLES, customer_number=MERCHANT, device_id="POS-1"
        ),
        inquiry(
            "T-2", category=ticket.Category.CONSUMABLES, customer_number=MERCHANT, device_id="POS-1"
        ),
        ticket.RequestConsumables(ticket_id="T-1", item="thermal-paper", quantity=1),
        ticket.RequestConsumables(ticket_id="T-2", item="thermal-paper", quantity=1),
    )
    sent = sent_by_the_process(s)
    assert ("department:IFACE", "Consumables over quota") in sent
    assert sum(1 for r, _ in sent if r == "department:IFACE") == 1  # only the refused one


def test_a_transferred_case_tells_the_department() -> None:
    """A case transferred to the department that owns it: that department is told."""
    s = Scenario(start=at(23, 9))
    s.given(
        ticket.OpenTicket(
            ticket_id="T-9",
            category=ticket.Category.INQUIRY,
            caller=CALLER,
            description="Bill question",
            actor=AGENT,
        ),
        ticket.TransferTicket(ticket_id="T-9", department="BUSINESS", note="bill"),
    )
    assert ("department:BUSINESS", "Case ticket-T-9") in sent_by_the_process(s)
