"""Notifications sent (domain.md §5): "a notification is sent at least once and recorded
once". The notifier may deliver twice (a crash between sending and recording); the record
cannot be made twice, because each notification has its own stream whose version 1 can
be taken only once.

Stream: ``notification-<notification id>``; the id names the event that caused it and the
recipient, so a replay of the same log sends (and records) the same notifications.
"""

from __future__ import annotations

from attrs import field, frozen

from callcore.domain.common import Command, Context, Fold, events_in, non_blank, unknown_event
from callcore.domain.common import Event as DomainEvent

KIND = "notification"


def stream_id(notification_id: str) -> str:
    return f"{KIND}-{notification_id}"


@frozen(kw_only=True)
class NotificationSent(DomainEvent):
    notification_id: str
    recipient: str
    channel: str
    subject: str
    source: str
    """The stream and version of the event that required it: ``ticket-T-1@1``."""


@frozen
class State:
    sent: bool = False


initial = State()


def evolve(state: State, event: Event) -> State:
    match event:
        case NotificationSent():
            return State(sent=True)
        case _:
            raise unknown_event(KIND, event)


Event = NotificationSent
"""The notification module's events, as stored (their class names are the stored type names)."""
EVENTS = events_in(Event)
FOLD = Fold(kind=KIND, initial=initial, evolve=evolve, events=EVENTS)


@frozen(kw_only=True)
class RecordNotificationSent(Command):
    """A notification was sent (by the notification process, or by hand): recorded once,
    so it is never sent again. ``source`` is the stream it is about."""

    notification_id: str = field(validator=non_blank)
    recipient: str = field(validator=non_blank)
    channel: str = field(validator=non_blank)
    subject: str = field(validator=non_blank)
    source: str = field(validator=non_blank)


def record_notification_sent(
    state: State, command: RecordNotificationSent, context: Context
) -> tuple[Event, ...]:
    if state.sent:
        return ()  # delivered again after a crash: recorded once
    return (
        NotificationSent(
            at=context.now,
            actor=context.actor,
            notification_id=command.notification_id,
            recipient=command.recipient,
            channel=command.channel,
            subject=command.subject,
            source=command.source,
        ),
    )
