"""Who must be told what, when something happens (domain.md §4, §5): pure rules.

| event | recipients |
| --- | --- |
| a work order requested (a delivery, an account visit, a repair…) | the branch that handles it |
| its time changed | that branch again |
| a field worker assigned | the worker (the work order) |
| a dispatch escalated | the supervisor, or the department named |
| a ticket transferred | the department |
| an emergency reported | the emergency repair centre, and the supervisor |
| a complaint's department notified | the department |
| consumables refused over the quota | the business interface |

Each notification's id names the event that required it (stream and version) and the
recipient, so replaying a log yields the same notifications with the same ids.
"""

from __future__ import annotations

from attrs import frozen

from callcore.domain import complaint, dispatch, ticket
from callcore.domain.common import Event
from callcore.domain.directory import DepartmentRole, Directory
from callcore.ports import Recorded
from callcore.projections.sla import ClockStatus, SlaView


@frozen
class Due:
    """A notification the rules require: not yet sent."""

    notification_id: str
    recipient: str
    channel: str
    subject: str
    body: str
    source: str
    stops_emergency_clock: bool = False
    """Sent to the emergency repair centre for an emergency ticket: recording it stops the
    ``emergency-notification`` clock, so a notifier that is down shows as a delay."""


def _department(directory: Directory, role: DepartmentRole) -> str:
    for department in directory.departments.values():
        if department.role is role:
            return department.code
    return role.value


class NotificationRules:
    """A fold: remembers what later rules need (the branch of each work order)."""

    def __init__(self, directory: Directory) -> None:
        self.directory = directory
        self.branch_of: dict[str, str] = {}

    def apply(self, record: Recorded) -> list[Due]:
        event: Event = record.event
        source = f"{record.stream}@{record.version}"

        def due(recipient: str, subject: str, body: str, *, emergency: bool = False) -> Due:
            ident = f"{record.stream}.{record.version}.{recipient.replace(':', '-')}"
            return Due(ident, recipient, "sms", subject, body, source, emergency)

        match event:
            case dispatch.DispatchRequested():
                self.branch_of[record.stream] = event.branch
                return [
                    due(
                        f"branch:{event.handled_by}",
                        f"Work order {event.dispatch_id}",
                        f"{event.kind.value}: {event.job}; {event.site_address}, wished "
                        f"{event.wished.start:%m-%d %H:%M}–{event.wished.end:%H:%M}; "
                        f"{event.contact.name} {event.contact.phone}",
                    )
                ]
            case dispatch.DispatchRescheduled():
                branch = self.branch_of.get(record.stream, "unknown")
                return [
                    due(
                        f"branch:{branch}",
                        f"New time for {record.stream}",
                        f"{event.window.start:%m-%d %H:%M}–{event.window.end:%H:%M}: "
                        f"{event.reason}",
                    )
                ]
            case dispatch.FieldWorkerAssigned():
                work = event.work_order
                return [
                    due(
                        f"field-worker:{event.worker_id}",
                        f"Work order {work.dispatch_id}",
                        f"{work.kind.value} at {work.site_address}, "
                        f"{work.window.start:%m-%d %H:%M}; {work.contact.name} "
                        f"{work.contact.phone}; {work.job}",
                    )
                ]
            case dispatch.DispatchEscalated():
                recipient = (
                    "supervisor"
                    if event.to == "supervisor"
                    else f"department:{_department(self.directory, DepartmentRole(event.to))}"
                )
                return [due(recipient, f"Escalated: {record.stream}", event.reason)]
            case ticket.TicketTransferred():
                return [due(f"department:{event.department}", f"Case {record.stream}", event.note)]
            case ticket.TicketOpened() if event.category is ticket.Category.EMERGENCY:
                repair = _department(self.directory, DepartmentRole.EMERGENCY_REPAIR)
                text = (
                    f"{event.description} at {event.location or 'unknown place'}; "
                    f"reporter {event.caller.name} {event.caller.phone}"
                )
                return [
                    due(f"department:{repair}", "EMERGENCY (报险)", text, emergency=True),
                    due("supervisor", "EMERGENCY (报险)", text),
                ]
            case complaint.DepartmentNotified():
                return [
                    due(
                        f"department:{event.department}",
                        f"Complaint {record.stream}",
                        "A valid complaint to handle; a reply time is committed",
                    )
                ]
            case ticket.ConsumablesRefused():
                return [
                    due(
                        f"department:{event.business_interface}",
                        "Consumables over quota",
                        f"{event.customer_number}: {event.quantity} × {event.item} refused "
                        f"({event.reason})",
                    )
                ]
        return []


def escalations_due(
    view: SlaView, directory: Directory, caller_phones: dict[str, str]
) -> list[Due]:
    """What the deadlines require as of the view's instant (domain.md §5 "deadlines"): a
    clock at risk is reported to the supervisor; a breached clock still running is reported
    to the supervisor (emergencies also to leadership) and the caller is told about the
    delay. One notification per clock instance and level, so each is sent once."""
    leadership = _department(directory, DepartmentRole.LEADERSHIP)
    out: list[Due] = []
    for row in view.clocks:
        if row.stopped_at is not None:
            continue
        key = f"escalation.{row.clock}.{row.subject}.{row.instance}"
        source = f"{row.subject}#{row.clock}.{row.instance}"
        if row.state is ClockStatus.AT_RISK and row.warning is not None:
            level = f"{int(row.warning * 100)}"
            out.append(
                Due(
                    f"{key}.{level}.supervisor",
                    "supervisor",
                    "sms",
                    f"At risk ({level} %): {row.clock}",
                    f"{row.subject} is due {row.due_at:%m-%d %H:%M}",
                    source,
                )
            )
        elif row.state is ClockStatus.BREACHED:
            text = f"{row.subject} was due {row.due_at:%m-%d %H:%M}"
            out.append(
                Due(
                    f"{key}.breached.supervisor",
                    "supervisor",
                    "sms",
                    f"Overdue: {row.clock}",
                    text,
                    source,
                )
            )
            if row.priority == "emergency":
                out.append(
                    Due(
                        f"{key}.breached.leadership",
                        f"department:{leadership}",
                        "sms",
                        f"Emergency overdue: {row.clock}",
                        text,
                        source,
                    )
                )
            phone = caller_phones.get(row.subject)
            if phone and row.clock.startswith(("inquiry-", "complaint-", "voicemail-")):
                out.append(
                    Due(
                        f"{key}.breached.caller",
                        f"customer:{phone}",
                        "sms",
                        "About your request",
                        "We are sorry for the delay; we are on it and will call you.",
                        source,
                    )
                )
    return out
