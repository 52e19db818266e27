"""The example adapter passes callcore's published contract suite for its port, against
a loopback fake of the gateway that speaks the gateway's real wire format."""

from __future__ import annotations

import json
import threading
import urllib.parse
from collections.abc import Iterator, Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from callcore_sms_gateway import SmsGatewayNotifier

from callcore.ports import Notifier
from callcore.testing.contracts import NotifierContract


class FakeGateway:
    """An SMS gateway on 127.0.0.1: keeps each accepted form, or refuses when told to."""

    def __init__(self) -> None:
        self.forms: list[dict[str, str]] = []
        self.refusing = False
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                form = dict(urllib.parse.parse_qsl(self.rfile.read(length).decode()))
                if gateway.refusing:
                    body = {"code": 40301, "message": "balance exhausted"}
                else:
                    gateway.forms.append(form)
                    body = {"code": 0}
                data = json.dumps(body).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/send"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def gateway() -> Iterator[FakeGateway]:
    fake = FakeGateway()
    yield fake
    fake.close()


class TestSmsGatewayNotifier(NotifierContract):
    @pytest.fixture(autouse=True)
    def _gateway(self, gateway: FakeGateway) -> None:
        self.gateway = gateway

    def make_notifier(self) -> Notifier:
        return SmsGatewayNotifier(self.gateway.url, {"department:TECH": "+8613900000001"})

    def delivered(self, notifier: Notifier) -> Sequence[str]:
        return [form["msgid"] for form in self.gateway.forms]

    def break_transport(self, notifier: Notifier) -> None:
        self.gateway.refusing = True


def test_the_text_goes_to_the_recipients_phone(gateway: FakeGateway) -> None:
    from callcore.testing.contracts import notification

    SmsGatewayNotifier(gateway.url, {"department:TECH": "+8613900000001"}).send(notification())
    (form,) = gateway.forms
    assert form["to"] == "+8613900000001"
    assert form["text"].startswith("Complaint Q-1 needs your answer within 2 hours: 客户投诉")
