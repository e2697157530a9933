"""Signed download links: every ``audio_url`` carries ``?token=`` (the file and its owner,
signed, valid DOWNLOAD_LINK_TTL_S seconds) so that ``<audio src>`` and download links work
without an Authorization header; the header form keeps working on the same URL."""

from __future__ import annotations

import time
from typing import Any
from unittest import mock
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core import signing
from rest_framework.test import APIClient

from accounts.models import User
from files.links import download_url, link_token
from tests.support.api import STRONG_PASSWORD

pytestmark = pytest.mark.django_db


def spoken(client: APIClient, text: str = "A short sentence to keep.") -> dict[str, Any]:
    response = client.post("/api/v1/tts/synthesize", {"text": text, "config": {"output_format": "wav"}}, format="json")
    assert response.status_code == 200, response.json()
    data: dict[str, Any] = response.json()["data"]
    return data


def path_and_token(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parts.path, parse_qs(parts.query)["token"][0]


def test_audio_urls_are_signed_and_work_without_a_header(alice: tuple[User, APIClient]) -> None:
    _, client = alice
    data = spoken(client)
    path, token = path_and_token(data["audio_url"])
    anonymous = APIClient()

    response = anonymous.get(path, {"token": token})
    assert response.status_code == 200
    assert response["Content-Type"] == "audio/wav"
    assert response.getvalue()[:4] == b"RIFF"
    ranged = anonymous.get(path, {"token": token}, HTTP_RANGE="bytes=0-99")  # <audio> seeks with ranges
    assert ranged.status_code == 206
    assert anonymous.get(path).status_code == 401  # neither a token nor a header
    assert client.get(path).status_code == 200  # the header form, without the token
    history = client.get("/api/v1/tts/syntheses").json()["data"]["syntheses"]
    assert anonymous.get(*_split(history[0]["audio_url"])).status_code == 200  # history links too


def _split(url: str) -> tuple[str, dict[str, str]]:
    path, token = path_and_token(url)
    return path, {"token": token}


def test_tampered_expired_and_other_users_links_are_refused(
    alice: tuple[User, APIClient], make_user: Any, settings: Any
) -> None:
    alice_user, alice_client = alice
    bob_user, bob_client = make_user("bob@example.com")
    alices = spoken(alice_client, "Alice speaks.")
    bobs = spoken(bob_client, "Bob speaks.")
    path, token = path_and_token(alices["audio_url"])
    bob_path, bob_token = path_and_token(bobs["audio_url"])
    anonymous = APIClient()

    def refused(url_path: str, query_token: str) -> tuple[int, str]:
        response = anonymous.get(url_path, {"token": query_token})
        return response.status_code, response.json()["error"]["code"]

    # Tampered: a changed signature, payload or timestamp.
    assert refused(path, token[:-2] + ("AA" if not token.endswith("AA") else "BB")) == (403, "LINK_INVALID")
    assert refused(path, "x" + token) == (403, "LINK_INVALID")
    assert refused(path, "not-a-token") == (403, "LINK_INVALID")
    # Another file: Bob's token on Alice's file, and a token signed for Bob naming Alice's file.
    assert refused(path, bob_token) == (403, "LINK_INVALID")
    forged = link_token(file_id=alices["file_id"], user_id=bob_user.public_id)
    assert anonymous.get(path, {"token": forged}).status_code == 404  # Bob owns no such file
    # Bearer of another user on Alice's signed link: the header wins, and it is not Bob's file.
    assert bob_client.get(path, {"token": token}).status_code == 404
    # Expired: older than DOWNLOAD_LINK_TTL_S.
    settings.DOWNLOAD_LINK_TTL_S = 60
    later = time.time() + 61
    with mock.patch("django.core.signing.time.time", return_value=later):
        assert refused(path, token) == (403, "LINK_EXPIRED")
        assert alice_client.get(path, {"token": token}).status_code == 200  # the header still works
    # A disabled account's links stop working.
    alice_user.is_active = False
    alice_user.save()
    assert refused(path, token) == (403, "LINK_INVALID")
    assert anonymous.get(bob_path, {"token": bob_token}).status_code == 200


def test_links_name_their_file_and_owner(alice: tuple[User, APIClient]) -> None:
    user, _ = alice
    url = download_url("http://testserver/", "file_x", user_id=user.public_id)
    assert url.startswith("http://testserver/api/v1/files/audio/file_x?token=")
    claims = signing.TimestampSigner(salt="voxify.files.download-link").unsign_object(path_and_token(url)[1])
    assert claims == {"f": "file_x", "u": user.public_id, "i": claims["i"]}
    assert abs(claims["i"] / 1000 - time.time()) < 60  # when it was signed, in ms


@pytest.mark.parametrize("how", ["password change", "deactivation and reactivation"])
def test_links_signed_before_a_password_change_or_deactivation_are_refused(
    alice: tuple[User, APIClient], how: str
) -> None:
    user, client = alice
    data = spoken(client)
    path, token = path_and_token(data["audio_url"])
    anonymous = APIClient()
    assert anonymous.get(path, {"token": token}).status_code == 200

    if how == "password change":
        changed = client.post(
            "/api/v1/auth/password",
            {"current_password": STRONG_PASSWORD, "new_password": "Another-Horse-77"},
            format="json",
        )
        assert changed.status_code == 200
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {changed.json()['data']['access_token']}")
    else:
        user.is_active = False
        user.save(update_fields=["is_active"])
        user.is_active = True
        user.save(update_fields=["is_active"])
        login = client.post("/api/v1/auth/login", {"email": user.email, "password": STRONG_PASSWORD}, format="json")
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {login.json()['data']['access_token']}")

    refused = anonymous.get(path, {"token": token})
    assert (refused.status_code, refused.json()["error"]["code"]) == (403, "LINK_INVALID")
    # A link signed now works, and so does the owner's Bearer header on the old one.
    fresh = client.get("/api/v1/tts/syntheses").json()["data"]["syntheses"][0]["audio_url"]
    assert anonymous.get(*_split(fresh)).status_code == 200
    assert client.get(path, {"token": token}).status_code == 200
