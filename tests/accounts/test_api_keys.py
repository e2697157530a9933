"""Personal API keys in-process: what a key may do, and when it stops working."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.api_keys import key_hash
from accounts.models import ApiKey, User
from tests.support.api import STRONG_PASSWORD

pytestmark = pytest.mark.django_db
KEYS = "/api/v1/auth/api-keys"


def key_client(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client


def new_key(client: APIClient, **fields: Any) -> dict[str, Any]:
    response = client.post(KEYS, {"name": "tests", "password": STRONG_PASSWORD, **fields}, format="json")
    assert response.status_code == 201, response.json()
    data: dict[str, Any] = response.json()["data"]
    return data


def test_a_key_is_shown_once_and_stored_as_a_hash(alice: tuple[User, APIClient]) -> None:
    user, client = alice
    created = new_key(client)

    row = ApiKey.objects.get(public_id=created["key_id"])
    listed = client.get(KEYS).json()["data"]["api_keys"]

    assert row.key_hash == key_hash(created["key"]) and created["key"] not in {row.key_hash, row.prefix, row.name}
    assert row.prefix == created["key"][:10]
    assert [item["key_id"] for item in listed] == [created["key_id"]] and "key" not in listed[0]
    assert key_client(created["key"]).get("/api/v1/auth/me").json()["data"]["email"] == user.email
    assert ApiKey.objects.get(pk=row.pk).last_used_at is not None


def test_what_a_key_may_not_do(alice: tuple[User, APIClient]) -> None:
    _, client = alice
    as_key = key_client(new_key(client)["key"])

    child = as_key.post(KEYS, {"name": "child", "password": STRONG_PASSWORD}, format="json")
    password = as_key.post(
        "/api/v1/auth/password",
        {"current_password": STRONG_PASSWORD, "new_password": "Another-Horse-77"},
        format="json",
    )
    staff = as_key.get("/api/v1/admin/stats")

    assert (child.status_code, child.json()["error"]["code"]) == (403, "FORBIDDEN")
    assert (password.status_code, password.json()["error"]["code"]) == (403, "FORBIDDEN")
    assert staff.status_code == 403
    assert ApiKey.objects.count() == 1


def test_a_staff_users_key_reaches_the_staff_api(make_user: Any) -> None:
    staff, client = make_user("staff@example.com")
    User.objects.filter(pk=staff.pk).update(is_staff=True)

    assert key_client(new_key(client)["key"]).get("/api/v1/admin/stats").status_code == 200


def test_an_expired_key_a_revoked_key_and_an_inactive_users_key_are_refused(
    alice: tuple[User, APIClient], make_user: Any
) -> None:
    _, client = alice
    expiring = new_key(client, expires_at=(timezone.now() + timedelta(hours=1)).isoformat())
    revoked = new_key(client)
    other, other_client = make_user("bob@example.com")
    inactive = new_key(other_client)

    ApiKey.objects.filter(public_id=expiring["key_id"]).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert client.delete(f"{KEYS}/{revoked['key_id']}").status_code == 200
    other.is_active = False
    other.save(update_fields=["is_active"])

    for key in (expiring, revoked, inactive):
        response = key_client(key["key"]).get("/api/v1/auth/me")
        assert (response.status_code, response.json()["error"]["code"]) == (401, "INVALID_TOKEN")
    assert key_client("vx_made-up").get("/api/v1/auth/me").status_code == 401


def test_bad_key_requests(alice: tuple[User, APIClient], make_user: Any) -> None:
    _, client = alice
    _, bob = make_user("bob@example.com")
    bobs = new_key(bob)

    past = client.post(
        KEYS, {"name": "old", "password": STRONG_PASSWORD, "expires_at": "2020-01-01T00:00:00Z"}, format="json"
    )
    nameless = client.post(KEYS, {"name": "  ", "password": STRONG_PASSWORD}, format="json")
    others = client.delete(f"{KEYS}/{bobs['key_id']}")

    assert past.status_code == 400 and "expires_at" in past.json()["error"]["details"]
    assert nameless.status_code == 400
    assert (others.status_code, others.json()["error"]["code"]) == (404, "API_KEY_NOT_FOUND")
    assert ApiKey.objects.get(public_id=bobs["key_id"]).revoked_at is None


def test_an_access_token_alone_cannot_mint_a_key(alice: tuple[User, APIClient]) -> None:
    user, client = alice

    without = client.post(KEYS, {"name": "stolen"}, format="json")
    wrong = client.post(KEYS, {"name": "stolen", "password": "Guessed-Horse-1"}, format="json")

    assert (without.status_code, without.json()["error"]["code"]) == (400, "VALIDATION_ERROR")
    assert "password" in without.json()["error"]["details"]
    assert (wrong.status_code, wrong.json()["error"]["details"]["password"]) == (400, ["The password is not correct."])
    assert not ApiKey.objects.filter(user=user).exists()


def test_guessing_the_password_through_key_creation_is_throttled(alice: tuple[User, APIClient], settings: Any) -> None:
    _, client = alice
    settings.LOGIN_RATE_PER_EMAIL = "3/h"  # an hour's window: a minute's could end between the calls

    answers = [client.post(KEYS, {"name": "k", "password": f"Guess-{n}-horse"}, format="json") for n in range(4)]
    right = client.post(KEYS, {"name": "k", "password": STRONG_PASSWORD}, format="json")

    assert [a.status_code for a in answers] == [400, 400, 400, 429]
    assert right.status_code == 429


@pytest.mark.parametrize("how", ["password change", "staff reset", "deactivation"])
def test_a_password_change_a_staff_reset_and_deactivation_revoke_every_key(
    alice: tuple[User, APIClient], how: str
) -> None:
    user, client = alice
    keys = [new_key(client)["key"], new_key(client)["key"]]

    if how == "password change":
        changed = client.post(
            "/api/v1/auth/password",
            {"current_password": STRONG_PASSWORD, "new_password": "Another-Horse-77"},
            format="json",
        )
        assert changed.status_code == 200, changed.json()
    elif how == "staff reset":
        user.set_password("Reset-By-Staff-42")
        user.save()
    else:
        user.is_active = False
        user.save(update_fields=["is_active"])
        user.is_active = True  # reactivated: the keys stay revoked
        user.save(update_fields=["is_active"])

    assert all(row.revoked_at is not None for row in ApiKey.objects.filter(user=user))
    for key in keys:
        assert key_client(key).get("/api/v1/auth/me").status_code == 401
