"""Sessions end when they should: logout, refresh-token reuse (the whole family), a password
change or staff reset and deactivation; access tokens are refused from that moment; expired
records are purged."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.hashers import make_password
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient
from rest_framework_simplejwt.token_blacklist.models import OutstandingToken

from accounts.models import AuthSession, User
from accounts.tasks import purge_expired_tokens
from tests.support.api import STRONG_PASSWORD, bearer, login
from tests.support.concurrency import all_at_once

ME = "/api/v1/auth/me"
REFRESH = "/api/v1/auth/refresh"
NEW_PASSWORD = "An0ther-Str0ng-Passphrase!"


def sign_in(email: str) -> dict[str, Any]:
    data: dict[str, Any] = login(APIClient(), email).json()["data"]
    return data


def refresh(token: str) -> Any:
    return APIClient().post(REFRESH, {"refresh_token": token}, format="json")


def me(access: str) -> int:
    return int(APIClient().get(ME, headers=bearer(access)).status_code)


@pytest.fixture
def member(db: None) -> User:
    return User.objects.create_user("member@example.com", STRONG_PASSWORD)


def test_logout_refuses_the_sessions_access_token_and_nothing_else(member: User) -> None:
    ending, other = sign_in(member.email), sign_in(member.email)
    assert me(ending["access_token"]) == 200

    out = APIClient().post("/api/v1/auth/logout", {"refresh_token": ending["refresh_token"]}, format="json")

    assert out.status_code == 200
    refused = APIClient().get(ME, headers=bearer(ending["access_token"]))
    assert refused.status_code == 401
    assert refused.json()["error"]["code"] == "INVALID_TOKEN"
    assert refresh(ending["refresh_token"]).status_code == 401
    assert me(other["access_token"]) == 200  # another sign-in of the same user is untouched
    assert refresh(other["refresh_token"]).status_code == 200


def test_a_replayed_refresh_token_ends_its_whole_family(member: User) -> None:
    first, bystander = sign_in(member.email), sign_in(member.email)
    rotated = refresh(first["refresh_token"]).json()["data"]
    assert me(rotated["access_token"]) == 200

    replay = refresh(first["refresh_token"])

    assert replay.status_code == 401
    assert replay.json()["error"]["code"] == "INVALID_TOKEN"
    # The newer tokens of the family die with it...
    assert refresh(rotated["refresh_token"]).status_code == 401
    assert me(rotated["access_token"]) == 401
    # ...and the user's other session does not.
    assert refresh(bystander["refresh_token"]).status_code == 200
    assert AuthSession.objects.get(revoked_reason="refresh_reuse").user == member


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_refreshes_of_one_token_exactly_one_wins_then_the_family_ends() -> None:
    User.objects.create_user("racer@example.com", STRONG_PASSWORD)
    pair = sign_in("racer@example.com")
    parallel = 8
    answers = all_at_once(lambda i: refresh(pair["refresh_token"]), parallel, timeout=120)

    codes = sorted(answer.status_code for answer in answers)
    assert codes == [200] + [401] * (parallel - 1)
    winner = next(answer for answer in answers if answer.status_code == 200).json()["data"]
    # The token was presented more than once: a replay, so the family (the winner's pair too) ends.
    assert refresh(winner["refresh_token"]).status_code == 401
    assert me(winner["access_token"]) == 401


def test_changing_the_password_ends_every_session_and_opens_a_new_one(member: User) -> None:
    sessions = [sign_in(member.email) for _ in range(2)]
    caller = APIClient()
    wrong = caller.post(
        "/api/v1/auth/password",
        {"current_password": "not-it", "new_password": NEW_PASSWORD},
        format="json",
        headers=bearer(sessions[0]["access_token"]),
    )
    assert wrong.status_code == 400
    assert "current_password" in wrong.json()["error"]["details"]
    assert me(sessions[0]["access_token"]) == 200  # a refused change ends nothing

    changed = caller.post(
        "/api/v1/auth/password",
        {"current_password": STRONG_PASSWORD, "new_password": NEW_PASSWORD},
        format="json",
        headers=bearer(sessions[0]["access_token"]),
    )

    assert changed.status_code == 200
    for old in sessions:
        assert me(old["access_token"]) == 401
        assert refresh(old["refresh_token"]).status_code == 401
    fresh = changed.json()["data"]
    assert me(fresh["access_token"]) == 200
    assert refresh(fresh["refresh_token"]).status_code == 200
    assert login(APIClient(), member.email, NEW_PASSWORD).status_code == 200


def test_a_weak_new_password_is_refused_and_changes_nothing(member: User) -> None:
    pair = sign_in(member.email)
    weak = APIClient().post(
        "/api/v1/auth/password",
        {"current_password": STRONG_PASSWORD, "new_password": "password"},
        format="json",
        headers=bearer(pair["access_token"]),
    )
    assert weak.status_code == 400
    assert "new_password" in weak.json()["error"]["details"]
    assert me(pair["access_token"]) == 200
    assert login(APIClient(), member.email).status_code == 200


def test_a_staff_password_reset_in_the_admin_ends_every_session(member: User, client: Client) -> None:
    User.objects.create_superuser("staff@example.com", STRONG_PASSWORD)
    pair = sign_in(member.email)
    client.post("/admin/login/?next=/admin/", {"username": "staff@example.com", "password": STRONG_PASSWORD})

    reset = client.post(
        f"/admin/accounts/user/{member.pk}/password/",
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"},
    )

    assert reset.status_code == 302, reset.content[:2000]
    assert me(pair["access_token"]) == 401
    assert refresh(pair["refresh_token"]).status_code == 401


@pytest.mark.parametrize("how", ["save", "admin_action"])
def test_deactivation_ends_every_session_and_reactivation_does_not_revive_them(
    member: User, client: Client, how: str
) -> None:
    pair = sign_in(member.email)
    if how == "save":
        member.is_active = False
        member.save()
    else:
        User.objects.create_superuser("staff@example.com", STRONG_PASSWORD)
        client.post("/admin/login/?next=/admin/", {"username": "staff@example.com", "password": STRONG_PASSWORD})
        answer = client.post("/admin/accounts/user/", {"action": "deactivate_users", "_selected_action": [member.pk]})
        assert answer.status_code == 302
    assert me(pair["access_token"]) == 401

    User.objects.filter(pk=member.pk).update(is_active=True)

    assert me(pair["access_token"]) == 401
    assert refresh(pair["refresh_token"]).status_code == 401
    assert me(sign_in(member.email)["access_token"]) == 200


def test_rehashing_a_correct_password_at_sign_in_ends_nothing(member: User, settings: Any) -> None:
    """Django re-hashes a password stored with an older hasher when it is checked; that is not
    a password change."""
    pair = sign_in(member.email)
    User.objects.filter(pk=member.pk).update(password=make_password(STRONG_PASSWORD, hasher="md5"))
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
        "django.contrib.auth.hashers.MD5PasswordHasher",
    ]

    assert login(APIClient(), member.email).status_code == 200

    assert User.objects.get(pk=member.pk).password.startswith("pbkdf2_")  # it was re-hashed
    assert me(pair["access_token"]) == 200


def test_tokens_without_a_session_are_refused(member: User) -> None:
    from rest_framework_simplejwt.tokens import RefreshToken

    bare = RefreshToken.for_user(member)  # signed with the right key, but of no session

    assert me(str(bare.access_token)) == 401
    assert refresh(str(bare)).status_code == 401


def test_the_purge_deletes_only_what_expired_more_than_a_day_ago(member: User) -> None:
    live, stale = sign_in(member.email), sign_in(member.email)
    long_ago = timezone.now() - timedelta(days=3)
    stale_session = AuthSession.objects.order_by("-created_at", "-pk").first()
    assert stale_session is not None
    AuthSession.objects.filter(pk=stale_session.pk).update(expires_at=long_ago)
    OutstandingToken.objects.filter(token=stale["refresh_token"]).update(expires_at=long_ago)
    recently = timezone.now() - timedelta(hours=2)  # expired, but within the day of grace
    OutstandingToken.objects.filter(token=live["refresh_token"]).update(expires_at=recently)

    purged = purge_expired_tokens()

    assert purged == {"tokens": 1, "sessions": 1}
    assert not AuthSession.objects.filter(pk=stale_session.pk).exists()
    assert OutstandingToken.objects.filter(token=live["refresh_token"]).exists()
    assert me(live["access_token"]) == 200
