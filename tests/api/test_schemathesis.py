"""Property-based tests of every endpoint against the app's own OpenAPI document.

Schemathesis reads ``/api/v1/openapi.json`` through the WSGI app, generates requests (valid and
invalid) for each operation and checks every answer: never a 5xx, a documented status code and
content type, a body conforming to the documented schema. Three callers: a visitor, a member
signed in with a browser session, and a token carrying every scope (programme staff).
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]


@pytest.fixture
def app_config(app_config):
    app_config["API_RATE_LIMIT"] = "100000 per minute"
    return app_config


@pytest.fixture
def api_schema(app, world):
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)


schema = schemathesis.pytest.from_fixture("api_schema")


@pytest.fixture
def callers(world, bearer, login):
    member = login(world.outsider)
    session_cookie = member.get_cookie("session")
    return {
        "visitor": {},
        "member": {"cookies": {"session": session_cookie.value}},
        "token": {"headers": bearer(world.admin, "read write followup")},
    }


@schema.parametrize()
@settings(max_examples=6, deadline=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
def test_every_answer_conforms_to_the_document(case, callers):
    for extra in callers.values():
        headers = {**(case.headers or {}), **extra.get("headers", {})}
        case.call_and_validate(headers=headers, cookies=extra.get("cookies"), checks=CHECKS)
