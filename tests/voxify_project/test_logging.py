"""Production logs are one JSON object per line, each with the request id."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from django.conf import settings
from rest_framework.test import APIClient

from voxify_project.logging_setup import configure_logging


@pytest.fixture
def restore_logging() -> Iterator[None]:
    yield
    configure_logging(fmt=settings.LOG_FORMAT, level=settings.LOG_LEVEL)


@pytest.mark.django_db
def test_json_log_lines_carry_the_request_id(
    capsys: pytest.CaptureFixture[str], restore_logging: None, api_client: APIClient
) -> None:
    # Configured inside the test so the handler writes to the stream capsys captures.
    configure_logging(fmt="json", level="INFO")

    api_client.get("/api/v1/auth/me", headers={"X-Request-ID": "trace-json-0001"})

    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines() if line.startswith("{")]
    access = [line for line in lines if line.get("event") == "request"]
    assert access, lines
    assert access[0]["request_id"] == "trace-json-0001"
    assert access[0]["status"] == 401
    assert access[0]["path"] == "/api/v1/auth/me"
    assert access[0]["level"] == "info"
    assert "timestamp" in access[0]
