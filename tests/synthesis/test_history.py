"""The synthesis history: list, detail, keep, delete, expiry; another user's are not found."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import User
from files.models import StoredFile
from files.services import stored_files_delete_expired
from synthesis.models import Synthesis
from synthesis.services import syntheses_reap
from tests.support.uploads import stored_keys

pytestmark = pytest.mark.django_db
LIST = "/api/v1/tts/syntheses"


def make(client: APIClient, text: str = "Good morning, and welcome.", **fields: Any) -> dict[str, Any]:
    response = client.post("/api/v1/tts/synthesize", {"text": text, **fields}, format="json")
    assert response.status_code == 200, response.json()
    data: dict[str, Any] = response.json()["data"]
    return data


def test_the_history_lists_the_callers_syntheses_newest_first_with_pagination(
    alice: tuple[User, APIClient], make_user: Callable[[str], tuple[User, APIClient]]
) -> None:
    _, client = alice
    _, bob_client = make_user("bob@example.com")
    made = [make(client, f"Number {word}.")["synthesis_id"] for word in ("one", "two", "three")]
    make(bob_client)
    client.post("/api/v1/tts/synthesize/async", {"text": "Later, please."}, format="json")

    first = client.get(LIST, {"page_size": "2", "mode": "sync"}).json()
    second = client.get(LIST, {"page_size": "2", "page": "2", "mode": "sync"}).json()
    everything = client.get(LIST).json()["data"]

    assert [s["synthesis_id"] for s in first["data"]["syntheses"]] == made[::-1][:2]
    assert [s["synthesis_id"] for s in second["data"]["syntheses"]] == made[:1]
    assert first["data"]["pagination"]["total_count"] == 3
    assert everything["pagination"]["total_count"] == 4
    assert everything["syntheses"][0]["mode"] == "async"
    assert everything["syntheses"][0]["status"] == "pending"
    item = first["data"]["syntheses"][0]
    assert item["text_preview"] == "Number three."
    assert item["audio_url"].startswith("http://testserver/api/v1/files/audio/file_")
    assert client.get(LIST, {"mode": "sideways"}).status_code == 400


def test_detail_and_another_users_synthesis_is_not_found(
    alice: tuple[User, APIClient], make_user: Callable[[str], tuple[User, APIClient]]
) -> None:
    _, client = alice
    _, bob_client = make_user("bob@example.com")
    made = make(client, config={"speed": 1.25, "output_format": "flac"})

    detail = client.get(f"{LIST}/{made['synthesis_id']}").json()["data"]

    assert detail["status"] == "completed"
    assert detail["speed"] == 1.25
    assert (detail["format"], detail["sample_rate"]) == ("flac", 22050)
    assert detail["duration"] == made["duration"]
    assert detail["progress"] == 1.0
    assert detail["text"] == "Good morning, and welcome."
    assert detail["error"] is None
    for response in (
        bob_client.get(f"{LIST}/{made['synthesis_id']}"),
        bob_client.patch(f"{LIST}/{made['synthesis_id']}", {"keep": True}, format="json"),
        bob_client.delete(f"{LIST}/{made['synthesis_id']}"),
        bob_client.get(f"/api/v1/files/audio/{made['file_id']}"),
    ):
        assert response.status_code == 404
    assert bob_client.get(f"{LIST}/{made['synthesis_id']}").json()["error"]["code"] == "SYNTHESIS_NOT_FOUND"
    assert client.get(f"{LIST}/syn_unknown").status_code == 404


def test_keep_removes_the_expiry_and_unkeep_restores_it(alice: tuple[User, APIClient]) -> None:
    _, client = alice
    made = make(client)
    url = f"{LIST}/{made['synthesis_id']}"

    kept = client.patch(url, {"keep": True}, format="json").json()["data"]
    assert kept["keep"] is True
    assert kept["expires_at"] is None
    assert StoredFile.objects.get(public_id=made["file_id"]).expires_at is None

    unkept = client.patch(url, {"keep": False}, format="json").json()["data"]
    stored = StoredFile.objects.get(public_id=made["file_id"])
    assert unkept["keep"] is False
    assert stored.expires_at == stored.created_at + timedelta(hours=24)
    assert client.patch(url, {"keep": "perhaps"}, format="json").status_code == 400


def test_expired_outputs_are_gone_from_the_history_and_cannot_be_kept(alice: tuple[User, APIClient]) -> None:
    _, client = alice
    made = make(client)
    StoredFile.objects.filter(public_id=made["file_id"]).update(expires_at=timezone.now() - timedelta(seconds=1))
    url = f"{LIST}/{made['synthesis_id']}"

    assert client.get(url).json()["data"]["audio_url"] is None
    assert client.get(f"/api/v1/files/audio/{made['file_id']}").status_code == 410
    refused = client.patch(url, {"keep": True}, format="json")
    assert (refused.status_code, refused.json()["error"]["code"]) == (410, "FILE_EXPIRED")

    assert stored_files_delete_expired() == 1
    detail = client.get(url).json()["data"]
    assert (detail["status"], detail["file_id"], detail["audio_url"]) == ("completed", None, None)


def test_delete_removes_the_record_and_its_file(
    alice: tuple[User, APIClient], django_capture_on_commit_callbacks: Any
) -> None:
    _, client = alice
    keys = stored_keys()
    made = make(client)
    assert len(stored_keys() - keys) == 1

    with django_capture_on_commit_callbacks(execute=True):
        response = client.delete(f"{LIST}/{made['synthesis_id']}")

    assert response.status_code == 200
    assert response.json()["data"]["synthesis_id"] == made["synthesis_id"]
    assert client.get(f"{LIST}/{made['synthesis_id']}").status_code == 404
    assert client.get(f"/api/v1/files/audio/{made['file_id']}").status_code == 404
    assert stored_keys() == keys


def test_deleting_an_unfinished_async_synthesis_cancels_its_job(alice: tuple[User, APIClient]) -> None:
    _, client = alice
    data = client.post("/api/v1/tts/synthesize/async", {"text": "Later, please."}, format="json").json()["data"]

    assert client.delete(f"{LIST}/{data['synthesis_id']}").status_code == 200

    assert client.get(f"/api/v1/jobs/{data['job_id']}").json()["data"]["status"] == "cancelled"


def test_the_reaper_closes_syntheses_whose_job_ended_and_lost_streams(alice: tuple[User, APIClient]) -> None:
    user, client = alice
    queued = client.post("/api/v1/tts/synthesize/async", {"text": "Later, please."}, format="json").json()["data"]
    assert client.post(f"/api/v1/jobs/{queued['job_id']}/cancel").status_code == 200
    stale, fresh = (
        Synthesis.objects.create(
            owner=user,
            mode="stream",
            status="running",
            voice_id="v",
            text="t",
            characters=1,
            output_format="wav",
            sample_rate=22050,
        )
        for _ in range(2)
    )
    Synthesis.objects.filter(pk=stale.pk).update(created_at=timezone.now() - timedelta(minutes=31))

    assert syntheses_reap() == {"from_jobs": 1, "lost_streams": 1}

    assert Synthesis.objects.get(public_id=queued["synthesis_id"]).status == "cancelled"
    stale.refresh_from_db()
    fresh.refresh_from_db()
    assert (stale.status, stale.error_code) == ("failed", "STREAM_LOST")
    assert fresh.status == "running"
    assert syntheses_reap() == {"from_jobs": 0, "lost_streams": 0}
