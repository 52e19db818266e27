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
from hypothesis import strategies as st
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

# Generated instants include the boundary values a hostile probe sent (issue 19): the end
# and the start of the calendar, offsets at both extremes, the epoch, and ordinary times.
BOUNDARY_INSTANTS = [
    "9999-12-31T23:59:59+00:00", "9999-12-31T23:59:59-12:00", "0001-01-01T00:00:00+14:00",
    "1970-01-01T00:00:00Z", "2100-01-01T00:00:00+08:00", "2026-11-03T09:00:00+08:00",
]
schemathesis.openapi.format(
    "date-time",
    st.sampled_from(BOUNDARY_INSTANTS)
    | st.datetimes(timezones=st.just(timezone(timedelta(hours=8)))).map(
        lambda instant: instant.isoformat()
    ),
)
schemathesis.openapi.format(
    "date", st.sampled_from(["9999-12-31", "0001-01-01", "1970-01-01", "2026-11-03"])
)

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
