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
