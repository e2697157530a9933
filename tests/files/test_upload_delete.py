"""POST /api/v1/files and DELETE /api/v1/files/{file_id} (the REST side of gRPC's UploadFile
and DeleteFile)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from accounts.models import User
from files.models import StoredFile
from tests.support.speech_data import recording
from tests.support.uploads import stored_keys, upload

pytestmark = pytest.mark.django_db


def post_file(client: APIClient, data: bytes, name: str = "clip.wav") -> Any:
    return client.post("/api/v1/files", {"file": SimpleUploadedFile(name, data, "audio/wav")}, format="multipart")


def test_upload_stores_audio_that_expires_and_delete_removes_it(
    alice: tuple[User, APIClient], django_capture_on_commit_callbacks: Any, limits: Any
) -> None:
    _, client = alice
    limits(file_ttl_hours=3)
    rec = recording("LJ001-0006.wav")
    keys = stored_keys()

    response = post_file(client, rec.path.read_bytes())

    assert response.status_code == 201, response.json()
    info = response.json()["data"]
    assert (info["content_type"], info["size"], info["sample_rate"]) == ("audio/wav", rec.path.stat().st_size, 22050)
    assert info["duration"] == pytest.approx(rec.duration, abs=0.02)
    stored = StoredFile.objects.get(public_id=info["file_id"])
    assert stored.kind == "upload"
    assert stored.expires_at is not None
    assert (stored.expires_at - stored.created_at).total_seconds() == pytest.approx(3 * 3600, abs=1)
    assert client.get(f"/api/v1/files/audio/{info['file_id']}").status_code == 200

    with django_capture_on_commit_callbacks(execute=True):
        deleted = client.delete(f"/api/v1/files/{info['file_id']}")

    assert deleted.status_code == 200
    assert deleted.json()["data"]["file_id"] == info["file_id"]
    assert client.get(f"/api/v1/files/{info['file_id']}/info").status_code == 404
    assert stored_keys() == keys


@pytest.mark.parametrize(
    ("data", "status", "code"),
    [(b"", 400, "EMPTY_FILE"), (b"plain text, not audio" * 20, 415, "UNSUPPORTED_FORMAT")],
)
def test_upload_refuses_what_is_not_audio(alice: tuple[User, APIClient], data: bytes, status: int, code: str) -> None:
    _, client = alice
    keys = stored_keys()

    response = post_file(client, data)

    assert (response.status_code, response.json()["error"]["code"]) == (status, code)
    assert stored_keys() == keys


def test_upload_over_the_size_limit_is_refused(alice: tuple[User, APIClient], limits: Any) -> None:
    _, client = alice
    limits(max_upload_mb=1)

    response = post_file(client, recording("LJ001-0006.wav").path.read_bytes()[:44] + b"\0" * (1024 * 1024))

    assert (response.status_code, response.json()["error"]["code"]) == (413, "FILE_TOO_LARGE")


def test_a_voice_samples_file_is_deleted_with_its_sample_only(
    alice: tuple[User, APIClient], make_user: Callable[[str], tuple[User, APIClient]]
) -> None:
    _, client = alice
    _, bob = make_user("bob@example.com")
    sample = upload(client, recording("LJ001-0006.wav").path).json()["data"]

    refused = client.delete(f"/api/v1/files/{sample['file_id']}")
    foreign = bob.delete(f"/api/v1/files/{sample['file_id']}")

    assert (refused.status_code, refused.json()["error"]["code"]) == (409, "FILE_IN_USE")
    assert foreign.status_code == 404
    assert client.get(f"/api/v1/files/{sample['file_id']}/info").status_code == 200
