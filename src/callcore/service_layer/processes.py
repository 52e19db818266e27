"""Processes: what happens *because* something happened (domain.md §5).

Side effects live here, never in aggregates. A process follows the event log in order,
asks pure rules (``callcore.projections``) what is due, does it through a port, and
records the fact through the message bus like any other command.

``NotificationProcess`` — a notification is sent **at least once and recorded once**:
it is sent, then ``NotificationSent`` is appended to the notification's own stream; a
crash between the two sends it again on restart, but the record cannot be made twice. A
notifier that is down stops the process where it is: nothing is skipped, and it resumes
from the same notification when called again. The emergency repair centre's notification
also records ``RepairCentreNotified`` on the ticket, so the ``emergency-notification``
clock shows any delay the notifier caused.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from attrs import frozen

from callcore.domain import call, complaint, notification, ticket
from callcore.domain.calendar import BusinessCalendar
from callcore.domain.common import SYSTEM, Contact, PauseClocks, ResumeClocks
from callcore.ports import Clock, EventStore, Notification, Notifier
from callcore.projections.follow_ups import FOLLOW_UP_CLOCKS
from callcore.projections.notifications import Due, NotificationRules, escalations_due
from callcore.projections.satisfaction import Satisfaction
from callcore.projections.sla import SlaClocks
from callcore.projections.summary import daily_summary_text
from callcore.projections.workload import Workload
from callcore.service_layer.messagebus import MessageBus


class _Sender:
    """Send a notification at least once, record it once (shared by the processes)."""

    def __init__(self, bus: MessageBus, store: EventStore, notifier: Notifier) -> None:
        self.bus, self.store, self.notifier = bus, store, notifier

    def recorded(self, due: Due) -> bool:
        return bool(self.store.read_stream(notification.stream_id(due.notification_id)))

    def send(self, due: Due) -> None:
        self.notifier.send(
            Notification(due.notification_id, due.recipient, due.channel, due.subject, due.body)
        )
        self.bus.handle(
            notification.RecordNotificationSent(
                command_id=f"notify:{due.notification_id}",
                actor=SYSTEM,
                notification_id=due.notification_id,
                recipient=due.recipient,
                channel=due.channel,
                subject=due.subject,
                source=due.source,
            )
        )


@frozen
class ProcessReport:
    sent: int
    already_recorded: int
    failed: str | None
    """Why the process stopped early (the notifier's error), or None."""


class NotificationProcess:
    def __init__(self, bus: MessageBus, store: EventStore, notifier: Notifier) -> None:
        self.bus = bus
        self.store = store
        self.notifier = notifier
        self.rules = NotificationRules(bus.directory)
        self.position = 0
        self.pending: list[Due] = []

    def run_once(self, limit: int = 1000) -> ProcessReport:
        """Send what is due, in log order; stop at the first notifier failure."""
        sent = skipped = 0
        while True:
            while self.pending:
                due = self.pending[0]
                if self.store.read_stream(notification.stream_id(due.notification_id)):
                    skipped += 1  # recorded before (a replay, or a restart after a crash)
                else:
                    try:
                        self.notifier.send(
                            Notification(
                                due.notification_id,
                                due.recipient,
                                due.channel,
                                due.subject,
                                due.body,
                            )
                        )
                    except Exception as error:  # any transport failure: retry later
                        return ProcessReport(sent, skipped, f"{type(error).__name__}: {error}")
                    self._record(due)
                    sent += 1
                self.pending.pop(0)
            batch = list(self.store.read_all(self.position, limit=limit))
            if not batch:
                return ProcessReport(sent, skipped, None)
            for positioned in batch:
                self.pending.extend(self.rules.apply(positioned.recorded))
                self.position = positioned.position
            if not self.pending and len(batch) < limit:
                return ProcessReport(sent, skipped, None)

    def _record(self, due: Due) -> None:
        self.bus.handle(
            notification.RecordNotificationSent(
                command_id=f"notify:{due.notification_id}",
                actor=SYSTEM,
                notification_id=due.notification_id,
                recipient=due.recipient,
                channel=due.channel,
                subject=due.subject,
                source=due.source,
            )
        )
        if due.stops_emergency_clock:
            ticket_id = due.source.split("@")[0].partition("-")[2]
            self.bus.handle(
                ticket.RecordRepairCentreNotified(
                    command_id=f"repair-centre:{due.notification_id}",
                    actor=SYSTEM,
                    ticket_id=ticket_id,
                )
            )


class EscalationProcess:
    """Deadlines (domain.md §5): when a clock reaches a warning share or passes its due
    time without its stopping event, tell the supervisor (emergencies: leadership too) and
    the caller about the delay. Time comes from the clock port, so a replay with the same
    clock reproduces every escalation; each is recorded once."""

    def __init__(
        self, bus: MessageBus, store: EventStore, notifier: Notifier, clock: Clock
    ) -> None:
        self.sender = _Sender(bus, store, notifier)
        self.bus = bus
        self.store = store
        self.clock = clock
        self.sla = SlaClocks(bus.directory)
        self.phones: dict[str, str] = {}
        self.position = 0

    def run_once(self) -> ProcessReport:
        for positioned in self.store.read_all(self.position):
            record = positioned.recorded
            self.sla.apply(record)
            event = record.event
            if isinstance(event, ticket.TicketOpened):
                self.phones[record.stream] = event.caller.phone
            elif isinstance(event, ticket.CallbackPromised):
                self.phones[record.stream] = event.phone
            elif isinstance(event, complaint.ComplaintLodged):
                self.phones[record.stream] = event.complainant.phone
            self.position = positioned.position
        now = self.clock.now()
        sent = skipped = 0
        for due in escalations_due(self.sla.view(now), self.bus.directory, self.phones):
            if self.sender.recorded(due):
                skipped += 1
                continue
            try:
                self.sender.send(due)
            except Exception as error:  # the notifier is down: try again next time
                return ProcessReport(sent, skipped, f"{type(error).__name__}: {error}")
            sent += 1
        return ProcessReport(sent, skipped, None)


class FollowUpRetryProcess:
    """A follow-up call that does not reach the customer (nobody home, a child answered)
    pauses its clock until the customer can be called again — when they said, or after
    ``retry_after_minutes`` — so the centre is not counted late for the customer's
    absence; after ``max_attempts`` unreached calls the follow-up is given up and the
    supervisor told (domain.md §5). The pause and resume carry the times of the facts,
    so a replay gives the same arithmetic."""

    def __init__(
        self, bus: MessageBus, store: EventStore, notifier: Notifier, clock: Clock
    ) -> None:
        self.sender = _Sender(bus, store, notifier)
        self.bus = bus
        self.store = store
        self.clock = clock
        self.sla = SlaClocks(bus.directory)
        self.attempts: dict[tuple[str, str], int] = {}
        self.resumes: list[tuple[datetime, str, str, str]] = []
        """(when, subject, clock, key)"""
        self.position = 0

    def _running_follow_up(self, subject: str) -> str | None:
        for clock in FOLLOW_UP_CLOCKS:
            instances = self.sla.instances.get((clock, subject))
            if instances and instances[-1].running:
                return clock
        return None

    def run_once(self) -> ProcessReport:
        settings = self.bus.directory.follow_ups
        done = 0
        for positioned in self.store.read_all(self.position):
            record = positioned.recorded
            event = record.event
            clock_id = None
            if isinstance(event, call.FollowUpRecorded) and not event.reached and event.subject:
                clock_id = self._running_follow_up(event.subject)
            self.sla.apply(record)
            self.position = positioned.position
            if clock_id is None or not isinstance(event, call.FollowUpRecorded):
                continue
            subject = event.subject or ""
            tries = self.attempts.get((subject, clock_id), 0) + 1
            self.attempts[(subject, clock_id)] = tries
            key = f"{record.stream}.{clock_id}"
            if tries >= settings.max_attempts:
                try:
                    self.sender.send(
                        Due(
                            f"follow-up-given-up.{key}",
                            "supervisor",
                            "sms",
                            f"Follow-up given up: {subject}",
                            f"{tries} calls did not reach the customer ({clock_id})",
                            f"{record.stream}@{record.version}",
                        )
                    )
                except Exception as error:  # the notifier is down: it will be retried
                    return ProcessReport(done, 0, f"{type(error).__name__}: {error}")
                continue
            self.bus.handle(
                PauseClocks(
                    command_id=f"follow-up-pause:{key}",
                    actor=SYSTEM,
                    stream=subject,
                    clocks=(clock_id,),
                    reason="the follow-up call did not reach the customer",
                    occurred_at=event.at,
                )
            )
            when = event.call_again_at or event.at + timedelta(minutes=settings.retry_after_minutes)
            self.resumes.append((when, subject, clock_id, key))
            done += 1
        now = self.clock.now()
        for item in sorted(r for r in self.resumes if r[0] <= now):
            when, subject, clock_id, key = item
            self.bus.handle(
                ResumeClocks(
                    command_id=f"follow-up-resume:{key}",
                    actor=SYSTEM,
                    stream=subject,
                    clocks=(clock_id,),
                    occurred_at=when,
                )
            )
            self.resumes.remove(item)
            done += 1
        return ProcessReport(done, 0, None)


class VoicemailProcess:
    """A call sent to voicemail after hours becomes callback work: a voicemail ticket due at
    08:30 of the next business day (domain.md §4.3, §5), opened once per call. Anonymous
    callers cannot be called back: the supervisor is told instead."""

    def __init__(self, bus: MessageBus, store: EventStore, notifier: Notifier) -> None:
        self.sender = _Sender(bus, store, notifier)
        self.bus = bus
        self.store = store
        self.callers: dict[str, str | None] = {}
        self.position = 0

    def run_once(self) -> ProcessReport:
        opened = 0
        for positioned in self.store.read_all(self.position):
            record = positioned.recorded
            event = record.event
            if isinstance(event, call.CallOffered):
                self.callers[record.stream] = event.caller
            elif isinstance(event, call.CallSentToVoicemail) and event.after_hours:
                call_id = record.stream.partition("-")[2]
                phone = self.callers.get(record.stream)
                if phone is None:
                    notice = Due(
                        f"voicemail-anonymous.{record.stream}",
                        "supervisor",
                        "sms",
                        "Anonymous voicemail",
                        f"Call {call_id} left a voicemail with no number",
                        f"{record.stream}@{record.version}",
                    )
                    if not self.sender.recorded(notice):
                        self.sender.send(notice)
                else:
                    self.bus.handle(
                        ticket.RecordVoicemail(
                            command_id=f"voicemail:{call_id}",
                            actor=SYSTEM,
                            ticket_id=f"VM-{call_id}",
                            caller=Contact("voicemail caller", phone),
                            call_id=call_id,
                            occurred_at=event.at,
                        )
                    )
                    opened += 1
            self.position = positioned.position
        return ProcessReport(opened, 0, None)


class DailySummaryProcess:
    """At 17:30 (the directory's ``daily_summary_at``) every branch gets its summary of
    the day: each field worker's state, the customers' feedback and satisfaction — once a
    day per branch."""

    def __init__(
        self, bus: MessageBus, store: EventStore, notifier: Notifier, clock: Clock
    ) -> None:
        self.sender = _Sender(bus, store, notifier)
        self.bus = bus
        self.store = store
        self.clock = clock

    def run_once(self) -> ProcessReport:
        directory = self.bus.directory
        calendar = BusinessCalendar(directory.calendar)
        now = self.clock.now()
        day = calendar.local(now).date()
        if calendar.local(now).time() < directory.calendar.daily_summary_at:
            return ProcessReport(0, 0, None)
        # what the store had recorded by now and had happened by now (docs/views.md)
        records = [
            p.recorded
            for p in self.store.read_all()
            if p.recorded.event.at <= now and p.recorded.recorded_at <= now
        ]
        workload = Workload(directory).apply_all(records)
        start = calendar.at(day, time(0))
        satisfaction = Satisfaction(directory).apply_all(records).view(now, since=start)
        sent = skipped = 0
        for branch in sorted(directory.branches):
            due = Due(
                f"daily-summary.{day.isoformat()}.{branch}",
                f"branch:{branch}",
                "email",
                f"Daily summary {day.isoformat()}",
                daily_summary_text(directory, branch, day, now, workload, satisfaction),
                f"summary:{day.isoformat()}",
            )
            if self.sender.recorded(due):
                skipped += 1
                continue
            try:
                self.sender.send(due)
            except Exception as error:
                return ProcessReport(sent, skipped, f"{type(error).__name__}: {error}")
            sent += 1
        return ProcessReport(sent, skipped, None)
