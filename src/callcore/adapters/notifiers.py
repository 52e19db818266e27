"""Built-in notifiers: a recording fake for tests, a log notifier, and an HTTP webhook
that an integrator can point at an SMS or WeChat gateway (or copy for their own)."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import urllib.error
import urllib.request

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
            "[%s] to %s via %s: %s — %s",
            notification.notification_id,
            notification.recipient,
            notification.channel,
            notification.subject,
            notification.body,
        )


class NotifierError(ConnectionError):
    """The transport refused or failed: the process will try again later."""


class WebhookNotifier:
    """POSTs each notification as JSON to a URL.

    The body is ``{"id", "recipient", "channel", "subject", "body"}``; the header
    ``X-Callcore-Signature: sha256=<hex>`` is the HMAC-SHA256 of the body with the shared
    secret, so the gateway can refuse forgeries; ``Idempotency-Key`` is the notification
    id, so a gateway can drop the repeat of a notification sent twice. Any non-2xx answer
    or network failure raises :class:`NotifierError`."""

    def __init__(self, url: str, secret: str, *, timeout: float = 5.0) -> None:
        if not url.startswith(("http://", "https://")):
            raise ValueError(f"a webhook URL starts with http:// or https://, got {url!r}")
        self.url = url
        self.secret = secret.encode()
        self.timeout = timeout

    def sign(self, body: bytes) -> str:
        return "sha256=" + hmac.new(self.secret, body, hashlib.sha256).hexdigest()

    def send(self, notification: Notification) -> None:
        body = json.dumps(
            {
                "id": notification.notification_id,
                "recipient": notification.recipient,
                "channel": notification.channel,
                "subject": notification.subject,
                "body": notification.body,
            },
            ensure_ascii=False,
            sort_keys=True,
        ).encode()
        request = urllib.request.Request(  # noqa: S310 (the URL's scheme is checked above)
            self.url,
            data=body,
            method="POST",
            headers={
                "Content-Type": "application/json; charset=utf-8",
                "X-Callcore-Signature": self.sign(body),
                "Idempotency-Key": notification.notification_id,
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                if not 200 <= response.status < 300:
                    raise NotifierError(f"{self.url} answered {response.status}")
        except urllib.error.HTTPError as error:
            raise NotifierError(f"{self.url} answered {error.code}") from None
        except (urllib.error.URLError, TimeoutError, OSError) as error:
            raise NotifierError(f"{self.url} cannot be reached: {error}") from None
