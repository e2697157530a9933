"""Talking to the API in tests and benches: the suite's password, sign-up and sign-in calls,
clients carrying a real access token."""

from __future__ import annotations

from typing import Any

from rest_framework.test import APIClient

from accounts.models import User
from accounts.services import token_pair_issue

STRONG_PASSWORD = "Correct-Horse-42-battery"
SUITE_REQUESTS_PER_MINUTE = 100_000


def register(client: APIClient, email: str, password: str = STRONG_PASSWORD, **names: str) -> Any:
    return client.post("/api/v1/auth/register", {"email": email, "password": password, **names}, format="json")


def login(client: APIClient, email: str, password: str = STRONG_PASSWORD, **extra: Any) -> Any:
    return client.post("/api/v1/auth/login", {"email": email, "password": password}, format="json", **extra)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def client_for(user: User) -> APIClient:
    """An API client carrying a real access token of ``user``."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token_pair_issue(user=user).access_token}")
    return client
