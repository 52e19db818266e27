"""An integrator's notifier: callcore's notifications as text messages, through the HTTP
API of an SMS gateway (the kind Chinese carriers' bulk-SMS services offer).

The gateway takes ``POST <url>`` with a form: ``to`` (a phone number), ``text``, and
``msgid`` (ours: the notification id, which the gateway uses to drop a repeat). It
answers ``{"code": 0}`` when it accepted the message and another code when it did not.
Recipients are callcore addresses (``department:TECH``, ``field-worker:W007``…); the
notifier looks their phone numbers up in a table it is given (a centre would build it
from its directory file).

Registered in ``pyproject.toml`` under the ``callcore.adapters`` entry-point group as
``notifier.sms-gateway``, so ``callcore worker --notify sms-gateway:<url>`` uses it.
"""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping

from callcore.ports import Notification

__all__ = ["SmsGatewayError", "SmsGatewayNotifier", "make_notifier"]

MAX_TEXT = 500  # characters the gateway accepts in one (long) message


class SmsGatewayError(ConnectionError):
    """The gateway refused the message or could not be reached: callcore retries."""


class SmsGatewayNotifier:
    def __init__(
        self, url: str, phones: Mapping[str, str] | None = None, *, timeout: float = 5.0
    ) -> None:
        if not url.startswith(("http://", "https://")):
            raise ValueError(f"the gateway URL starts with http:// or https://, got {url!r}")
        self.url = url
        self.phones = dict(phones or {})
        self.timeout = timeout

    def phone_of(self, recipient: str) -> str:
        # a recipient without a known phone goes to the duty supervisor's phone
        return self.phones.get(recipient) or self.phones.get("supervisor", "")

    def send(self, notification: Notification) -> None:
        text = f"{notification.subject}: {notification.body}"[:MAX_TEXT]
        form = urllib.parse.urlencode(
            {
                "to": self.phone_of(notification.recipient),
                "text": text,
                "msgid": notification.notification_id,
            }
        ).encode()
        request = urllib.request.Request(self.url, data=form, method="POST")  # noqa: S310
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                answer = json.loads(response.read() or b"{}")
        except (urllib.error.URLError, TimeoutError, OSError, ValueError) as error:
            raise SmsGatewayError(f"{self.url}: {error}") from None
        if answer.get("code") != 0:
            raise SmsGatewayError(f"{self.url} refused the message: {answer}")


def make_notifier(argument: str) -> SmsGatewayNotifier:
    """The entry point: ``sms-gateway:<url>``; phones come from CALLCORE_SMS_PHONES, a
    JSON object of recipient → phone number."""
    phones = json.loads(os.environ.get("CALLCORE_SMS_PHONES", "{}"))
    return SmsGatewayNotifier(argument, phones)
