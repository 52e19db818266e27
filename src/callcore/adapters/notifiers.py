"""Built-in notifiers: a recording fake for tests and a log notifier."""

from __future__ import annotations

import logging

from callcore.ports import Notification


class RecordingNotifier:
    """Keeps what it was asked to send; can be told to fail, to test recovery."""

    def __init__(self) -> None:
        self.sent: list[Notification] = []
        self.failing = False

    def send(self, notification: Notification) -> None:
        if self.failing:
            raise ConnectionError("the notifier is down (RecordingNotifier.failing)")
        self.sent.append(notification)


class LogNotifier:
    """Writes every notification to the ``callcore.notifications`` logger."""

    def __init__(self, logger: logging.Logger | None = None) -> None:
        self.logger = logger or logging.getLogger("callcore.notifications")

    def send(self, notification: Notification) -> None:
        self.logger.info(
            "to %s via %s: %s — %s",
            notification.recipient,
            notification.channel,
            notification.subject,
            notification.body,
        )
