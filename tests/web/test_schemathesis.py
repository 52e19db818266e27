"""R3 over HTTP: schemathesis generates requests from the OpenAPI document, valid and
invalid, for every operation. No server error, every response in the documented shape,
invalid input refused. Bounded: a few examples per operation, no deadline per example
(the machines are shared); the long run is ``CALLCORE_SCHEMATHESIS_EXAMPLES=200``."""

from __future__ import annotations

import os
from datetime import datetime, timedelta, timezone

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    content_type_conformance,
    negative_data_rejection,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from callcore import CallCenter
from callcore.adapters.clock import ManualClock
from callcore.adapters.web import TokenBook, create_app

from .conftest import TOKENS

EXAMPLES = int(os.environ.get("CALLCORE_SCHEMATHESIS_EXAMPLES", "6"))

_center = CallCenter.open(
    "memory://", clock=ManualClock(datetime(2026, 11, 3, 9, tzinfo=timezone(timedelta(hours=8))))
)
app = create_app(_center, TokenBook.of_tokens(TOKENS))
schema = schemathesis.openapi.from_asgi("/schema/openapi.json", app)

CHECKS = (
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    negative_data_rejection,
)


@pytest.mark.reliability
@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_the_api_as_its_openapi_document_describes_it(case):
    # A supervisor may use every operation, so the generated input reaches the handlers
    case.call_and_validate(
        headers={"Authorization": "Bearer supervisor-token"}, checks=CHECKS
    )
