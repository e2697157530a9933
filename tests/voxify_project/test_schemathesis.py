"""Property-based tests of the whole REST API against the committed schema (docs/openapi.yaml):
schemathesis generates requests for every operation, valid and invalid, signed in as a real
user; no answer may be a 5xx, and every answer must match the documented status codes,
content types and response schemas."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.conf import settings
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from accounts.models import User
from accounts.services import token_pair_issue
from tests.support.api import STRONG_PASSWORD

SCHEMA = schemathesis.openapi.from_path(settings.BASE_DIR / "docs" / "openapi.yaml")
APP = get_wsgi_application()
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
# Examples per operation: bounded so that the whole run takes a few minutes on 2 cores.
EXAMPLES = 12


@pytest.fixture(autouse=True)
def _keep_the_test_connection() -> Iterator[None]:
    """As Django's test client does: the WSGI handler must not close the test's database
    connection (and its transaction) at the end of each request."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def signed_in(db: None, limits: Any) -> dict[str, str]:
    limits(max_synthesis_length=200, max_stream_synthesis_length=200)  # keep generated speech short
    user = User.objects.create_user("schema@example.com", STRONG_PASSWORD, is_staff=True)
    return {"Authorization": f"Bearer {token_pair_issue(user=user).access_token}"}


@SCHEMA.parametrize()
@hypothesis_settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_every_operation_answers_as_documented(case: schemathesis.Case[Any], signed_in: dict[str, str]) -> None:
    response = case.call(app=APP, headers=signed_in)
    case.validate_response(response, checks=CHECKS)
