"""Liveness, readiness against the configured services, and metrics."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


def test_healthz(api_client: APIClient) -> None:
    response = api_client.get("/healthz")

    assert response.status_code == 200
    assert response.json()["data"] == {"status": "alive"}


def test_readyz_checks_every_configured_service(api_client: APIClient) -> None:
    response = api_client.get("/readyz")

    assert response.status_code == 200, response.json()
    assert response.json()["data"]["checks"] == {"database": "ok", "redis": "ok", "broker": "ok"}


def test_readyz_names_what_is_unreachable(api_client: APIClient, settings: Any) -> None:
    settings.CELERY_BROKER_URL = "amqp://guest:guest@127.0.0.1:1//"
    settings.REDIS_URL = "redis://127.0.0.1:1/0"

    response = api_client.get("/readyz")

    assert response.status_code == 503
    body = response.json()
    assert body["error"]["code"] == "SERVICE_UNAVAILABLE"
    assert body["message"] == "Not ready: redis, broker unreachable."
    checks = body["error"]["details"]
    assert checks["database"] == "ok"
    assert checks["redis"].startswith("unavailable:")
    assert checks["broker"].startswith("unavailable:")


def test_metrics_count_requests_by_route(api_client: APIClient) -> None:
    api_client.get("/healthz")
    api_client.get("/api/v1/auth/me")

    response = api_client.get("/metrics")

    assert response.status_code == 200
    text = response.content.decode()
    assert 'voxify_http_requests_total{method="GET",route="/healthz",status="200"}' in text
    assert 'voxify_http_requests_total{method="GET",route="/api/v1/auth/me",status="401"}' in text
    assert "voxify_http_request_duration_seconds_bucket" in text
