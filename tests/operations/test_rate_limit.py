"""requests_per_minute: per user on the API, per IP for anonymous calls; REST and gRPC share it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from rest_framework.test import APIClient

from accounts.models import User
from tests.operations.ratelimits import fresh_window
from tests.support.api import STRONG_PASSWORD

pytestmark = pytest.mark.django_db
JOBS = "/api/v1/jobs"


def test_a_user_gets_requests_per_minute_then_429_with_retry_after(limits: Callable[..., Any], make_user: Any) -> None:
    limits(requests_per_minute=5)
    alice, client = make_user("alice@example.com")
    bob, other = make_user("bob@example.com")
    fresh_window(alice.public_id, bob.public_id)

    statuses = [client.get(JOBS).status_code for _ in range(5)]
    refused = client.get(JOBS)
    also_refused = client.post("/api/v1/tts/synthesize", {"text": "Hello."}, format="json")

    assert statuses == [200] * 5
    assert refused.status_code == 429
    error = refused.json()["error"]
    assert error["code"] == "RATE_LIMITED"
    retry_after = int(refused["Retry-After"])
    assert 1 <= retry_after <= 61
    assert error["details"] == {"retry_after": retry_after, "limit": "5/m"}
    assert also_refused.status_code == 429  # every endpoint counts, POSTs too
    assert other.get(JOBS).status_code == 200  # counted per user


def test_anonymous_auth_calls_are_counted_per_ip(limits: Callable[..., Any], make_user: Any) -> None:
    limits(requests_per_minute=3)
    make_user("carol@example.com")
    client = APIClient()
    fresh_window("10.0.0.1", "10.0.0.2")
    body = {"email": "carol@example.com", "password": STRONG_PASSWORD}

    first = [client.post("/api/v1/auth/login", body, format="json", REMOTE_ADDR="10.0.0.1") for _ in range(3)]
    refused = client.post("/api/v1/auth/register", {"email": "x@example.com"}, format="json", REMOTE_ADDR="10.0.0.1")
    elsewhere = client.post("/api/v1/auth/login", body, format="json", REMOTE_ADDR="10.0.0.2")

    assert [r.status_code for r in first] == [200, 200, 200]
    assert refused.status_code == 429 and refused.json()["error"]["code"] == "RATE_LIMITED"
    assert "Retry-After" in refused
    assert not User.objects.filter(email="x@example.com").exists()
    assert elsewhere.status_code == 200


def test_without_redis_the_api_answers_503_not_500(alice: tuple[User, APIClient]) -> None:
    from unittest import mock

    from django.core.cache import caches
    from redis.exceptions import ConnectionError as RedisConnectionError

    _, client = alice
    cache = caches["default"]
    with mock.patch.object(cache, "add", side_effect=RedisConnectionError("Connection refused")):
        response = client.get(JOBS)

    assert response.status_code == 503
    assert response.json()["error"]["code"] == "SERVICE_UNAVAILABLE"
    assert response.json()["error"]["details"] == {"unreachable": ["redis"]}
