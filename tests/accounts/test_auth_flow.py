"""Accounts and JWT: the whole token life cycle and every way a token can be bad."""

from __future__ import annotations

import base64
import json
import time
from typing import Any

import jwt
import pytest
from django.conf import settings
from rest_framework.test import APIClient

from accounts.models import User
from tests.support.api import STRONG_PASSWORD, bearer, login, register

pytestmark = pytest.mark.django_db

ME = "/api/v1/auth/me"
REFRESH = "/api/v1/auth/refresh"
LOGOUT = "/api/v1/auth/logout"


def error_code(response: Any) -> str:
    body = response.json()
    assert body["success"] is False
    assert body["data"] is None
    return str(body["error"]["code"])


def test_register_returns_the_document_shape(api_client: APIClient) -> None:
    response = register(api_client, "John.Doe@Example.com", first_name="John", last_name="Doe")

    assert response.status_code == 201
    body = response.json()
    assert body["success"] is True
    assert body["message"] == "User registration successful"
    assert body["error"] is None
    data = body["data"]
    assert set(data) == {"user_id", "email", "first_name", "last_name", "created_at"}
    assert data["user_id"].startswith("usr_") and len(data["user_id"]) == 24
    assert data["email"] == "john.doe@example.com"
    assert (data["first_name"], data["last_name"]) == ("John", "Doe")
    assert data["created_at"].endswith("Z")
    assert "password" not in json.dumps(body)


def test_full_token_life_cycle(api_client: APIClient) -> None:
    # register -> login
    register(api_client, "cycle@example.com", first_name="Cy")
    response = login(api_client, "cycle@example.com")
    assert response.status_code == 200
    tokens = response.json()["data"]
    assert set(tokens) == {"access_token", "refresh_token", "expires_in", "user"}
    assert tokens["expires_in"] == 3600
    assert set(tokens["user"]) == {"user_id", "email", "first_name", "last_name"}
    assert tokens["user"]["email"] == "cycle@example.com"

    # me
    me = api_client.get(ME, headers=bearer(tokens["access_token"]))
    assert me.status_code == 200
    assert me.json()["data"]["user_id"] == tokens["user"]["user_id"]

    # refresh rotates: new pair, and the old refresh token is dead
    first_refresh = tokens["refresh_token"]
    refreshed = api_client.post(REFRESH, {"refresh_token": first_refresh}, format="json")
    assert refreshed.status_code == 200
    new = refreshed.json()["data"]
    assert new["refresh_token"] != first_refresh
    assert api_client.get(ME, headers=bearer(new["access_token"])).status_code == 200
    reused = api_client.post(REFRESH, {"refresh_token": first_refresh}, format="json")
    assert reused.status_code == 401
    assert error_code(reused) == "INVALID_TOKEN"

    # logout kills the current refresh token
    out = api_client.post(LOGOUT, {"refresh_token": new["refresh_token"]}, format="json")
    assert out.status_code == 200
    assert out.json()["success"] is True
    after = api_client.post(REFRESH, {"refresh_token": new["refresh_token"]}, format="json")
    assert after.status_code == 401
    assert error_code(after) == "INVALID_TOKEN"
    # logging out again is harmless
    assert api_client.post(LOGOUT, {"refresh_token": new["refresh_token"]}, format="json").status_code == 200


def test_refresh_accepts_the_token_as_bearer(api_client: APIClient, user_tokens: dict[str, Any]) -> None:
    response = api_client.post(REFRESH, format="json", headers=bearer(user_tokens["refresh_token"]))

    assert response.status_code == 200
    assert response.json()["data"]["access_token"]


def test_refresh_without_any_token_is_401(api_client: APIClient) -> None:
    response = api_client.post(REFRESH, {}, format="json")

    assert response.status_code == 401
    assert error_code(response) == "INVALID_TOKEN"


def test_access_token_cannot_refresh(api_client: APIClient, user_tokens: dict[str, Any]) -> None:
    response = api_client.post(REFRESH, {"refresh_token": user_tokens["access_token"]}, format="json")

    assert response.status_code == 401


def test_refresh_token_is_not_an_access_token(api_client: APIClient, user_tokens: dict[str, Any]) -> None:
    response = api_client.get(ME, headers=bearer(user_tokens["refresh_token"]))

    assert response.status_code == 401
    assert error_code(response) == "INVALID_TOKEN"
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_me_without_token_is_401(api_client: APIClient) -> None:
    response = api_client.get(ME)

    assert response.status_code == 401
    assert error_code(response) == "NOT_AUTHENTICATED"


def _claims(token: str) -> dict[str, Any]:
    return dict(jwt.decode(token, options={"verify_signature": False}))


def _b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


@pytest.mark.parametrize("forgery", ["tampered", "alg_none", "wrong_key", "expired", "garbage"])
def test_forged_or_expired_access_tokens_are_401(
    api_client: APIClient, user_tokens: dict[str, Any], forgery: str
) -> None:
    access = user_tokens["access_token"]
    claims = _claims(access)
    if forgery == "tampered":
        header, _, signature = access.split(".")
        other = User.objects.create_user("victim@example.com", STRONG_PASSWORD)
        token = ".".join([header, _b64({**claims, "sub": other.public_id}), signature])
    elif forgery == "alg_none":
        token = _b64({"alg": "none", "typ": "JWT"}) + "." + _b64(claims) + "."
    elif forgery == "wrong_key":
        token = jwt.encode(claims, "another-key-that-is-long-enough-0123456789", algorithm="HS256")
    elif forgery == "expired":
        now = int(time.time())
        token = jwt.encode({**claims, "iat": now - 7200, "exp": now - 60}, settings.JWT_SIGNING_KEY, algorithm="HS256")
    else:
        token = "not-a-jwt"

    response = api_client.get(ME, headers=bearer(token))

    assert response.status_code == 401
    assert error_code(response) == "INVALID_TOKEN"


def test_a_correctly_signed_token_is_accepted(api_client: APIClient, user_tokens: dict[str, Any]) -> None:
    # The control for the forgery cases: re-signing the same claims with the real key works.
    claims = _claims(user_tokens["access_token"])
    token = jwt.encode(claims, settings.JWT_SIGNING_KEY, algorithm="HS256")

    assert api_client.get(ME, headers=bearer(token)).status_code == 200


def test_deactivated_user_is_locked_out(api_client: APIClient, user_tokens: dict[str, Any]) -> None:
    User.objects.filter(email="ada@example.com").update(is_active=False)

    assert api_client.get(ME, headers=bearer(user_tokens["access_token"])).status_code == 401
    refresh = api_client.post(REFRESH, {"refresh_token": user_tokens["refresh_token"]}, format="json")
    assert refresh.status_code == 401
    relogin = login(api_client, "ada@example.com")
    assert relogin.status_code == 401
    assert error_code(relogin) == "INVALID_CREDENTIALS"


def test_bad_login_does_not_reveal_whether_the_email_exists(api_client: APIClient) -> None:
    register(api_client, "known@example.com")

    wrong_password = login(api_client, "known@example.com", "Wrong-password-99")
    unknown_email = login(api_client, "nobody@example.com")

    assert wrong_password.status_code == unknown_email.status_code == 401
    assert wrong_password.json() == unknown_email.json()
    assert error_code(wrong_password) == "INVALID_CREDENTIALS"


def test_login_email_is_case_insensitive(api_client: APIClient) -> None:
    register(api_client, "mixed@example.com")

    assert login(api_client, "  MIXED@Example.COM ").status_code == 200


def test_duplicate_email_is_409(api_client: APIClient) -> None:
    register(api_client, "dup@example.com")

    response = register(api_client, "DUP@example.com")

    assert response.status_code == 409
    assert error_code(response) == "EMAIL_ALREADY_REGISTERED"
    assert User.objects.filter(email="dup@example.com").count() == 1


@pytest.mark.parametrize(
    ("password", "fragment"),
    [
        ("short1!", "too short"),
        ("1234567890123", "entirely numeric"),
        ("password1234", "too common"),
        ("abcdefghijklmnop", "at least one digit or symbol"),
        ("weak.user@example.com", "too similar"),
    ],
)
def test_weak_passwords_are_refused_with_a_clear_message(api_client: APIClient, password: str, fragment: str) -> None:
    response = register(api_client, "weak.user@example.com", password)

    assert response.status_code == 400
    assert error_code(response) == "VALIDATION_ERROR"
    messages = response.json()["error"]["details"]["password"]
    assert any(fragment in message for message in messages), messages
    assert not User.objects.filter(email="weak.user@example.com").exists()


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"password": STRONG_PASSWORD}, "email"),
        ({"email": "not-an-email", "password": STRONG_PASSWORD}, "email"),
        ({"email": "x@example.com"}, "password"),
        ({"email": "x@example.com", "password": STRONG_PASSWORD, "first_name": "a" * 151}, "first_name"),
    ],
)
def test_register_validation_names_the_field(api_client: APIClient, payload: dict[str, str], field: str) -> None:
    response = api_client.post("/api/v1/auth/register", payload, format="json")

    assert response.status_code == 400
    assert error_code(response) == "VALIDATION_ERROR"
    assert field in response.json()["error"]["details"]
    assert User.objects.count() == 0


def test_login_is_throttled_per_email(api_client: APIClient, settings: Any) -> None:
    settings.LOGIN_RATE_PER_EMAIL = "3/m"
    register(api_client, "target@example.com")
    for i in range(3):
        # Different client addresses: only the per-email limit applies.
        assert login(api_client, "target@example.com", "Wrong-1", REMOTE_ADDR=f"10.0.0.{i}").status_code == 401

    blocked = login(api_client, "target@example.com", REMOTE_ADDR="10.0.0.99")

    assert blocked.status_code == 429
    assert error_code(blocked) == "RATE_LIMITED"
    assert 1 <= int(blocked["Retry-After"]) <= 61
    # Another account is not affected.
    register(api_client, "other@example.com")
    assert login(api_client, "other@example.com", REMOTE_ADDR="10.0.0.99").status_code == 200


def test_login_is_throttled_per_ip(api_client: APIClient, settings: Any) -> None:
    settings.LOGIN_RATE_PER_IP = "4/m"
    for i in range(4):
        assert login(api_client, f"probe{i}@example.com", REMOTE_ADDR="192.0.2.7").status_code == 401

    blocked = login(api_client, "probe9@example.com", REMOTE_ADDR="192.0.2.7")

    assert blocked.status_code == 429
    assert error_code(blocked) == "RATE_LIMITED"
    assert login(api_client, "probe9@example.com", REMOTE_ADDR="192.0.2.8").status_code == 401
