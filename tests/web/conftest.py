"""A centre behind the web adapter, one bearer token per role, a clock moved by hand."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from litestar.testing import TestClient

from callcore import CallCenter
from callcore.adapters.clock import ManualClock
from callcore.adapters.web import Principal, TokenBook, WebRole, create_app

CST = timezone(timedelta(hours=8))
MORNING = datetime(2026, 11, 3, 9, 0, tzinfo=CST)  # a Tuesday, a working day

TOKENS = {
    "agent-token": Principal(WebRole.AGENT, "A07"),
    "supervisor-token": Principal(WebRole.SUPERVISOR, "S01"),
    "field-token": Principal(WebRole.FIELD_WORKER, "W002"),
    "qa-token": Principal(WebRole.QA, "Q1"),
    "integrator-token": Principal(WebRole.INTEGRATOR, "pbx"),
}
TOKEN_OF = {principal.role: token for token, principal in TOKENS.items()}


def auth(role: WebRole, key: str | None = None) -> dict[str, str]:
    headers = {"Authorization": f"Bearer {TOKEN_OF[role]}"}
    if key is not None:
        headers["Idempotency-Key"] = key
    return headers


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(MORNING)


@pytest.fixture
def center(clock: ManualClock) -> Iterator[CallCenter]:
    with CallCenter.open("memory://", clock=clock) as centre:
        yield centre


@pytest.fixture
def client(center: CallCenter) -> Iterator[TestClient[Any]]:
    app = create_app(center, TokenBook.of_tokens(TOKENS))
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client
