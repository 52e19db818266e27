"""The webhook notifier against a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import pytest

from callcore.adapters.notifiers import NotifierError, WebhookNotifier
from callcore.ports import Notification, Notifier

SECRET = "s3cret"


class Gateway(BaseHTTPRequestHandler):
    received: ClassVar[list[tuple[dict[str, str], dict[str, str]]]] = []
    status = 200

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        expected = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected, self.headers.get("X-Callcore-Signature", "")):
            self.send_response(401)
            self.end_headers()
            return
        Gateway.received.append((dict(self.headers), json.loads(body)))
        self.send_response(Gateway.status)
        self.end_headers()

    def log_message(self, *_: object) -> None:
        pass


@pytest.fixture
def gateway() -> Iterator[str]:
    Gateway.received = []
    Gateway.status = 200
    server = ThreadingHTTPServer(("127.0.0.1", 0), Gateway)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/notify"
    server.shutdown()


NOTE = Notification(
    "ticket-T-1.1.department-REPAIR",
    "department:REPAIR",
    "sms",
    "EMERGENCY (报险)",
    "gas smell at Block 4",
)


def test_a_signed_notification_reaches_the_gateway(gateway: str) -> None:
    notifier = WebhookNotifier(gateway, SECRET)
    assert isinstance(notifier, Notifier)
    notifier.send(NOTE)
    ((headers, body),) = Gateway.received
    assert body == {
        "id": NOTE.notification_id,
        "recipient": "department:REPAIR",
        "channel": "sms",
        "subject": "EMERGENCY (报险)",
        "body": "gas smell at Block 4",
    }
    assert headers["Idempotency-Key"] == NOTE.notification_id


def test_a_wrong_secret_or_a_failing_gateway_raises(gateway: str) -> None:
    with pytest.raises(NotifierError, match="401"):
        WebhookNotifier(gateway, "wrong").send(NOTE)
    Gateway.status = 503
    with pytest.raises(NotifierError, match="503"):
        WebhookNotifier(gateway, SECRET).send(NOTE)
    with pytest.raises(NotifierError, match="cannot be reached"):
        WebhookNotifier("http://127.0.0.1:9/notify", SECRET, timeout=1).send(NOTE)
    with pytest.raises(ValueError, match="http"):
        WebhookNotifier("ftp://x", SECRET)
