"""Every API response, errors included, is the envelope with a stable code."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from rest_framework.test import APIClient

from tests.support.api import bearer
from voxify_project.errors import ERROR_CODES

pytestmark = pytest.mark.django_db


def assert_error(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status
    assert response["Content-Type"].startswith("application/json")
    body: dict[str, Any] = response.json()
    assert set(body) == {"success", "data", "message", "error"}
    assert body["success"] is False
    assert body["data"] is None
    assert body["error"]["code"] == code
    assert body["error"]["message"] == body["message"]
    assert code in ERROR_CODES
    assert ERROR_CODES[code] == status
    return body


def test_validation_error_has_field_details(api_client: APIClient) -> None:
    response = api_client.post("/api/v1/auth/login", {"email": "x@example.com"}, format="json")

    body = assert_error(response, 400, "VALIDATION_ERROR")
    assert body["error"]["details"] == {"password": ["This field is required."]}


def test_malformed_json_is_400(api_client: APIClient) -> None:
    response = api_client.post("/api/v1/auth/login", "{not json", content_type="application/json")

    assert_error(response, 400, "MALFORMED_REQUEST")


@pytest.mark.parametrize("depth", [1000, 100_000])
def test_json_nested_too_deep_is_400_not_500(api_client: APIClient, depth: int) -> None:
    body = "[" * depth + "]" * depth

    response = api_client.post("/api/v1/auth/login", body, content_type="application/json")

    assert_error(response, 400, "MALFORMED_REQUEST")


def test_unauthenticated_is_401(api_client: APIClient) -> None:
    assert_error(api_client.get("/api/v1/auth/me"), 401, "NOT_AUTHENTICATED")


@pytest.mark.urls("tests.voxify_project.urls")
def test_authenticated_but_not_allowed_is_403(api_client: APIClient, user_tokens: dict[str, Any]) -> None:
    response = api_client.get("/api/v1/probe/staff", headers=bearer(user_tokens["access_token"]))

    assert_error(response, 403, "FORBIDDEN")


@pytest.mark.parametrize("method", ["get", "post", "put", "delete", "patch"])
def test_unknown_api_url_is_404_for_every_method(api_client: APIClient, method: str) -> None:
    response = getattr(api_client, method)("/api/v1/no/such/thing")

    body = assert_error(response, 404, "NOT_FOUND")
    assert "/api/v1/no/such/thing" in body["message"]


def test_wrong_method_is_405(api_client: APIClient, user_tokens: dict[str, Any]) -> None:
    response = api_client.delete("/api/v1/auth/me", headers=bearer(user_tokens["access_token"]))

    assert_error(response, 405, "METHOD_NOT_ALLOWED")


def test_unsupported_media_type_is_415(api_client: APIClient) -> None:
    response = api_client.post("/api/v1/auth/login", "<xml/>", content_type="application/xml")

    assert_error(response, 415, "UNSUPPORTED_MEDIA_TYPE")


def test_oversized_json_body_is_413(api_client: APIClient) -> None:
    padding = "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)
    response = api_client.post("/api/v1/auth/login", {"email": padding, "password": "p"}, format="json")

    assert_error(response, 413, "PAYLOAD_TOO_LARGE")


@pytest.mark.urls("tests.voxify_project.urls")
def test_unexpected_error_is_500_without_internals(api_client: APIClient, caplog: pytest.LogCaptureFixture) -> None:
    response = api_client.get("/api/v1/probe/boom", headers={"X-Request-ID": "trace-abc-12345"})

    body = assert_error(response, 500, "INTERNAL_ERROR")
    assert body["error"]["details"] == {"request_id": "trace-abc-12345"}
    assert response["X-Request-ID"] == "trace-abc-12345"
    assert "secret internal detail" not in response.content.decode()
    assert "Traceback" not in response.content.decode()
    # The log has what the body hides, under the same request id.
    logged = [r for r in caplog.records if "unhandled_error" in r.getMessage()]
    assert logged and logged[0].exc_info is not None


def test_request_id_is_generated_when_absent_or_malformed(api_client: APIClient) -> None:
    generated = api_client.get("/healthz")
    spoofed = api_client.get("/healthz", headers={"X-Request-ID": "bad id with spaces"})

    assert re.fullmatch(r"req_[0-9a-f]{32}", generated["X-Request-ID"])
    assert re.fullmatch(r"req_[0-9a-f]{32}", spoofed["X-Request-ID"])


def test_success_envelope(api_client: APIClient, user_tokens: dict[str, Any]) -> None:
    body = api_client.get("/api/v1/auth/me", headers=bearer(user_tokens["access_token"])).json()

    assert set(body) == {"success", "data", "message", "error"}
    assert body["success"] is True
    assert body["error"] is None


def test_every_error_code_is_documented() -> None:
    doc = (Path(settings.BASE_DIR) / "docs" / "errors.md").read_text()
    documented = dict(re.findall(r"^\| `([A-Z_]+)` \| (\d{3}) \|", doc, flags=re.MULTILINE))

    assert documented == {code: str(status) for code, status in ERROR_CODES.items()}
