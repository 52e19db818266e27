"""Hostile input and the headers of every page (issue 19, deliverable 5).

Most checks drive the real ASGI app through Litestar's test client (the same app that
``callcore serve`` runs, every middleware and guard included); the size and depth limits
are also checked over HTTP against uvicorn on 127.0.0.1, where a real HTTP parser and a
chunked body are involved.
"""

from __future__ import annotations

import json
import logging
import re
import socket
import threading
import time
from collections.abc import Iterator
from html.parser import HTMLParser
from typing import Any

import httpx
import pytest
import uvicorn
from litestar.testing import TestClient

from callcore import CallCenter
from callcore.adapters.telephony.twilio import TwilioSettings
from callcore.adapters.web import Principal, TokenBook, WebRole, create_app, wallboard_page

from .conftest import MORNING, TOKEN_OF, TOKENS, auth

ACCOUNT = {"name": "Wang Xiuying", "phone": "139 1234 5678", "address": "3 East Gate Road",
           "area": "DONGMEN"}
WINDOW = {"start": MORNING.replace(hour=11).isoformat(),
          "end": MORNING.replace(hour=13).isoformat()}


def stored(center: CallCenter) -> int:
    return sum(1 for _ in center.store.read_all(0))


def post(client: TestClient[Any], name: str, content: bytes | str, content_type: str | None,
         role: WebRole = WebRole.SUPERVISOR) -> httpx.Response:
    headers = auth(role)
    if content_type is not None:
        headers["Content-Type"] = content_type
    return client.post(f"/commands/{name}", content=content, headers=headers)


# --------------------------------------------------------------------------- content types


@pytest.mark.parametrize("content_type", [
    "text/plain", "text/plain; charset=utf-8", "application/x-www-form-urlencoded",
    "multipart/form-data; boundary=x", "application/xml", "text/xml", "text/html",
    "application/jsonp", "application/json-seq", "application/json; charset=latin-1",
    "application/x-json", None,
])
def test_valid_json_under_another_content_type_is_refused_415(client, center, content_type):
    # Given a body that is valid JSON for open-account
    before = stored(center)
    # When it is sent as something other than application/json
    response = post(client, "open-account", json.dumps(ACCOUNT), content_type)
    # Then 415 names the type, and nothing is stored
    assert response.status_code == 415, response.text
    problem = response.json()
    assert problem["rule"] == "unsupported-media-type"
    assert (content_type or "untyped").split(";")[0] in problem["detail"]
    assert stored(center) == before


@pytest.mark.parametrize("content_type", [
    "application/json", "application/json; charset=utf-8", "Application/JSON; charset=UTF-8",
])
def test_application_json_is_taken(client, content_type):
    response = post(client, "open-account", json.dumps(ACCOUNT), content_type)
    assert response.status_code == 200, response.text


# --------------------------------------------------------------------------- depth


@pytest.mark.parametrize("body", [
    "[" * 10_000 + "]" * 10_000,
    '{"a":' * 10_000 + "1" + "}" * 10_000,
    json.dumps({**ACCOUNT, "name": {"deep": json.loads("[" * 40 + "]" * 40)}}),
    "[" * 60_000,  # not even JSON, within the size limit
])
def test_deep_nesting_is_400_never_500(client, center, body):
    before = stored(center)
    response = post(client, "open-account", body, "application/json")
    assert response.status_code == 400, response.text[:300]
    assert response.json()["rule"] == "valid-input"
    assert stored(center) == before


def test_brackets_inside_strings_are_text_not_nesting(client):
    name = "[" * 50 + "{" * 50 + '\\"[' + "Wang"
    response = post(client, "open-account", json.dumps({**ACCOUNT, "name": name}),
                     "application/json")
    assert response.status_code == 200, response.text


# --------------------------------------------------------------------------- size


def test_a_body_over_the_limit_is_413(client, center):
    before = stored(center)
    padding = "x" * (64 * 1024)
    response = post(client, "open-account", json.dumps({**ACCOUNT, "address": padding}),
                    "application/json")
    assert response.status_code == 413, response.text[:300]
    assert response.json()["rule"] == "too-large"
    assert stored(center) == before


# --------------------------------------------------------------------------- unknown fields


@pytest.mark.parametrize(("name", "body", "path"), [
    ("open-ticket", {"category": "inquiry", "description": "When?",
                     "caller": {"name": "Wang", "phone": "139 1234 5678", "email": "w@x.cn"}},
     "caller.email"),
    ("place-order", {"registered": False, "name": "Wang", "phone": "139 1234 5678",
                     "address": "3 East Gate Road", "area": "DONGMEN",
                     "lines": [{"product": "LPG-15", "quantity": 1},
                               {"product": "LPG-15", "quantity": 1, "colour": "red"}],
                     "delivery_window": WINDOW},
     "lines[1].colour"),
    ("place-order", {"registered": False, "name": "Wang", "phone": "139 1234 5678",
                     "address": "3 East Gate Road", "area": "DONGMEN",
                     "lines": [{"product": "LPG-15", "quantity": 1}],
                     "delivery_window": {**WINDOW, "timezone": "UTC"}},
     "delivery_window.timezone"),
    ("lodge-complaint", {"complainant": {"name": "Wang", "phone": "139 1234 5678"},
                         "about": {"kind": "field-worker", "id": "W002", "name": "Li"},
                         "what": "Late", "wanted_outcome": "Sorry"},
     "about.name"),
    ("open-account", {**ACCOUNT, "emial": "w@x.cn"}, "emial"),
])
def test_an_unknown_field_at_any_depth_is_refused_by_its_path(client, center, name, body, path):
    before = stored(center)
    response = client.post(f"/commands/{name}", json=body, headers=auth(WebRole.SUPERVISOR))
    assert response.status_code == 400, response.text
    problem = response.json()
    assert problem["rule"] == "valid-input"
    assert problem["detail"].startswith(f"{path}: not a field")
    assert stored(center) == before


def test_the_same_bodies_without_the_unknown_field_are_taken(client):
    body = {"category": "inquiry", "description": "When?",
            "caller": {"name": "Wang", "phone": "139 1234 5678"}}
    response = client.post("/commands/open-ticket", json=body, headers=auth(WebRole.SUPERVISOR))
    assert response.status_code == 200, response.text


# --------------------------------------------------------------------------- over HTTP


@pytest.fixture
def served(center: CallCenter) -> Iterator[str]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(center, TokenBook.of_tokens(TOKENS)),
                                           host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)


def test_over_http_depth_size_and_chunked_bodies_get_4xx(served, center):
    before = stored(center)
    headers = {**auth(WebRole.SUPERVISOR), "Content-Type": "application/json"}
    with httpx.Client(base_url=served, headers=headers, timeout=30) as http:
        deep = http.post("/commands/open-account", content="[" * 10_000 + "]" * 10_000)
        big = http.post("/commands/open-account", content=b"[" + b"1," * 600_000 + b"1]")

        def chunks() -> Iterator[bytes]:  # no Content-Length: the server counts
            for _ in range(200):
                yield b" " * 1024

        chunked = http.post("/commands/open-account", content=chunks())
    assert (deep.status_code, big.status_code, chunked.status_code) == (400, 413, 413)
    assert stored(center) == before


# --------------------------------------------------------------------------- headers


def route_table(app: Any) -> list[tuple[str, str, Any]]:
    """Every (method, path, handler) of the app's own route table — not a hand list, not
    the OpenAPI document (which leaves out the wallboard, the schema and Twilio's
    webhooks) — path parameters filled in. A route added tomorrow is in it."""
    found = []
    for route in app.routes:
        for handler in getattr(route, "route_handlers", ()):
            for method in sorted(handler.http_methods):
                found.append((method, re.sub(r"\{[^}]+\}", "X-1", route.path), handler))
    return found


def every_route(client: TestClient[Any]) -> list[tuple[str, str]]:
    routes = [(method, path) for method, path, _ in route_table(client.app)]
    assert ("GET", "/wallboard") in routes and ("POST", "/commands/place-order") in routes
    return [*routes, ("GET", "/no-such-page"), ("DELETE", "/health"), ("GET", "/schema/swagger")]


@pytest.fixture
def twilio_client(center: CallCenter) -> Iterator[TestClient[Any]]:
    """The app with every optional route switched on (Twilio's webhooks)."""
    app = create_app(center, TokenBook.of_tokens(TOKENS),
                     twilio=TwilioSettings(auth_token="t" * 32, public_url="https://x.test"))
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


def test_the_route_table_holds_the_optional_routes(twilio_client):
    paths = {path for _, path in every_route(twilio_client)}
    assert "/telephony/twilio/voice" in paths


@pytest.mark.parametrize("role", [None, WebRole.SUPERVISOR, WebRole.FIELD_WORKER])
def test_every_route_answers_with_the_security_headers(twilio_client, role):
    client = twilio_client
    for method, path in every_route(client):
        headers = auth(role) if role is not None else {}
        response = client.request(method, path, headers=headers,
                                  json={} if method == "POST" else None)
        got = response.headers
        where = (method, path, response.status_code)
        csp = got.get("content-security-policy", "")
        assert "frame-ancestors 'none'" in csp, where
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp, where
        assert "default-src 'none'" in csp, where
        assert got.get("x-content-type-options") == "nosniff", where
        assert got.get("x-frame-options") == "DENY", where
        assert got.get("referrer-policy") == "no-referrer", where
        assert got.get("cache-control") == "no-store", where


class Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, dict(attrs)))


def tags(html: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = Tags()
    parser.feed(html)
    return parser.found


def test_the_wallboard_page_has_no_inline_script_or_style(client):
    page = client.get("/wallboard")
    assert page.status_code == 200
    found = tags(page.text)
    scripts = [attrs for tag, attrs in found if tag == "script"]
    # every script is a file of this server, or a data block that is never run
    assert all(a.get("src", "").startswith("/") or a.get("type") == "application/json"
               for a in scripts), scripts
    assert not [tag for tag, _ in found if tag == "style"]
    assert not [a for _, a in found if "style" in a or any(k.startswith("on") for k in a)]
    for asset, media in (("/wallboard/wallboard.js", "text/javascript"),
                         ("/wallboard/wallboard.css", "text/css")):
        assert asset in page.text
        served = client.get(asset)
        assert served.status_code == 200 and served.headers["content-type"].startswith(media)
    # no script or font from elsewhere
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page.text)


def test_the_static_report_carries_its_script_and_style_inline():
    page = wallboard_page(picture={"centre": "Demo"})
    assert "/wallboard/wallboard.js" not in page and "/wallboard/wallboard.css" not in page
    assert "function render(p)" in page and "--breach" in page
    assert '<script id="embedded" type="application/json">{"centre": "Demo"}</script>' in page


def test_the_interactive_schema_pages_are_off_and_the_document_stays(client):
    assert client.get("/schema/openapi.json").status_code == 200
    for page in ("swagger", "redoc", "elements", "rapidoc", "scalar", "openapi.yaml"):
        response = client.get(f"/schema/{page}")
        assert response.status_code == 404, page
        assert "cdn" not in response.text.lower() and "unpkg" not in response.text.lower()


# --------------------------------------------------------------------------- access log


def test_one_access_line_per_request_without_token_or_body(client, caplog):
    secret_text = "Secret address 99"
    with caplog.at_level(logging.INFO, logger="callcore.access"):
        client.post("/commands/open-account", json={**ACCOUNT, "address": secret_text},
                    headers=auth(WebRole.AGENT))
        client.get("/views/daily", headers=auth(WebRole.AGENT))  # 403 for agents
        client.get("/me")  # 401
    lines = [json.loads(r.getMessage()) for r in caplog.records if r.name == "callcore.access"]
    assert [(x["method"], x["path"], x["status"], x["principal"]) for x in lines] == [
        ("POST", "/commands/open-account", 200, "agent:A07"),
        ("GET", "/views/daily", 403, "agent:A07"),
        ("GET", "/me", 401, None),
    ]
    assert all(isinstance(x["duration_ms"], float) and x["duration_ms"] >= 0 for x in lines)
    text = caplog.text
    assert TOKEN_OF[WebRole.AGENT] not in text and secret_text not in text


def test_a_custom_access_log_is_used(center):
    logger = logging.getLogger("test.access.custom")
    records: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    logger.addHandler(Keep())
    logger.setLevel(logging.INFO)
    app = create_app(center, TokenBook.of_tokens({"t": Principal(WebRole.QA, "Q1")}),
                     access_log=logger)
    with TestClient(app) as http:
        http.get("/health")
    assert [json.loads(r.getMessage())["path"] for r in records] == ["/health"]


# --------------------------------------------------------------------------- every route


HOSTILE_BODIES: dict[str, bytes] = {
    "not UTF-8": b'{"name": "\xff\xfe Wang"}',
    "a duplicate key": b'{"note": "a", "note": "b"}',
    "a duplicate key, nested": b'{"caller": {"name": "a", "name": "b"}}',
    "a duplicate key in a list": b'{"lines": [{"product": "LPG-15", "quantity": 1, '
                                 b'"quantity": 2}]}',
    "NaN": b'{"waited_seconds": NaN}',
    "Infinity": b'{"waited_seconds": -Infinity}',
    "1e400": b'{"waited_seconds": 1e400}',
    "10**30": b'{"quantity": 1000000000000000000000000000000}',
    "an epoch occurred_at": b'{"occurred_at": 1793700000}',
    "a float occurred_at": b'{"occurred_at": 1793700000.5}',
    "a date occurred_at": b'{"occurred_at": "2026-11-03"}',
    "a local occurred_at": b'{"occurred_at": "2026-11-03T09:00:00"}',
    "a true occurred_at": b'{"occurred_at": true}',
}
NAMED = {"a duplicate key": "note", "a duplicate key, nested": "name",
         "a duplicate key in a list": "quantity", "NaN": "NaN", "Infinity": "Infinity",
         "1e400": "1e400", "10**30": "1000000000000000000000000000000",
         "not UTF-8": "UTF-8"}


@pytest.mark.parametrize("case", sorted(HOSTILE_BODIES))
def test_every_command_route_refuses_a_hostile_body_with_a_400(client, center, case):
    before = stored(center)
    posted = [(path, handler) for method, path, handler in route_table(client.app)
              if method == "POST" and path.startswith("/commands/")]
    assert len(posted) > 60
    for path, _ in posted:
        response = client.post(path, content=HOSTILE_BODIES[case], headers={
            **auth(WebRole.SUPERVISOR), "Content-Type": "application/json"})
        assert response.status_code == 400, (path, response.text)
        detail = response.json()["detail"]
        assert NAMED.get(case, "occurred_at") in detail, (path, detail)
    assert stored(center) == before


QUERY_VALUES = ["9999-12-31", "9999-12-31T23:59:59-12:00", "0001-01-01", "0000-01-01",
                "garbage", "1e308", "NaN", "2026-13-45", "-1"]
TIME_PARAMETERS = ("at", "day", "since", "until")


@pytest.mark.parametrize("value", QUERY_VALUES)
def test_every_time_parameter_of_every_route_refuses_an_extreme_value_naming_it(
    twilio_client, value
):
    client = twilio_client
    asked = 0
    for method, path, handler in route_table(client.app):
        if method != "GET":
            continue
        for name in set(handler.parsed_fn_signature.parameters) & set(TIME_PARAMETERS):
            asked += 1
            response = client.get(path, params={name: value}, headers=auth(WebRole.SUPERVISOR))
            assert response.status_code == 400, (path, name, response.text)
            assert response.json()["detail"].startswith(f"{name}:"), (path, response.text)
    assert asked >= 10


@pytest.mark.parametrize("role", [None, WebRole.SUPERVISOR, WebRole.FIELD_WORKER,
                                  WebRole.INTEGRATOR])
def test_no_route_answers_a_boundary_value_with_a_5xx(twilio_client, role):
    """Whatever the route: every time parameter and a body of boundary values."""
    client = twilio_client
    headers = auth(role) if role is not None else {}
    bodies = [*HOSTILE_BODIES.values(), b"[" * 40 + b"]" * 40, b"", b"null", b"{}",
              b'{"delivery_window": {"start": "9999-12-31T00:00:00+00:00", '
              b'"end": "9999-12-31T23:59:59+00:00"}}']
    for method, path, _ in route_table(client.app):
        if method == "GET":
            for name in TIME_PARAMETERS:
                for value in ("9999-12-31", "0000-01-01", "garbage"):
                    response = client.get(path, params={name: value}, headers=headers)
                    assert response.status_code < 500, (path, name, value, response.text)
        elif method == "POST":
            for body in bodies:
                response = client.post(path, content=body, headers={
                    **headers, "Content-Type": "application/json"})
                assert response.status_code < 500, (path, body[:40], response.text)
