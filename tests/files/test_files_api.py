"""File info and downloads: headers, ETag, HTTP Range, expiry, and the cleanup task."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import User
from files.models import StoredFile
from files.storage import file_storage
from files.tasks import delete_expired_files
from tests.support.speech_data import recording
from tests.support.uploads import upload

pytestmark = pytest.mark.django_db
CLIP = recording("1089-134686-0000.wav")


@pytest.fixture
def sample_file(alice: tuple[User, APIClient]) -> tuple[APIClient, StoredFile]:
    _, client = alice
    response = upload(client, CLIP.path, filename="reading.wav")
    assert response.status_code == 201
    return client, StoredFile.objects.get(public_id=response.json()["data"]["file_id"])


def body(response: Any) -> bytes:
    return b"".join(response.streaming_content)


def test_info_has_the_document_shape(sample_file: tuple[APIClient, StoredFile]) -> None:
    client, stored = sample_file

    data = client.get(f"/api/v1/files/{stored.public_id}/info").json()["data"]

    assert data == {
        "file_id": stored.public_id,
        "filename": "reading.wav",
        "content_type": "audio/wav",
        "size": CLIP.path.stat().st_size,
        "duration": pytest.approx(10.435, abs=0.001),
        "sample_rate": 16000,
        "created_at": data["created_at"],
        "expires_at": None,
    }


def test_full_download(sample_file: tuple[APIClient, StoredFile]) -> None:
    client, stored = sample_file
    original = CLIP.path.read_bytes()

    response = client.get(f"/api/v1/files/audio/{stored.public_id}")

    assert response.status_code == 200
    assert body(response) == original
    assert response["Content-Type"] == "audio/wav"
    assert response["Content-Length"] == str(len(original))
    assert response["Content-Disposition"] == 'attachment; filename="reading.wav"'
    assert response["ETag"] == f'"{hashlib.sha256(original).hexdigest()}"'
    assert response["Accept-Ranges"] == "bytes"
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize(
    ("header", "start", "end"),
    [("bytes=0-99", 0, 99), ("bytes=100-", 100, None), ("bytes=-500", -500, None), ("bytes=10-10", 10, 10)],
)
def test_range_requests(sample_file: tuple[APIClient, StoredFile], header: str, start: int, end: int | None) -> None:
    client, stored = sample_file
    original = CLIP.path.read_bytes()
    expected = original[start : (end + 1 if end is not None else None)]
    first = start if start >= 0 else len(original) + start
    last = end if end is not None else len(original) - 1

    response = client.get(f"/api/v1/files/audio/{stored.public_id}", headers={"Range": header})

    assert response.status_code == 206
    assert body(response) == expected
    assert response["Content-Range"] == f"bytes {first}-{last}/{len(original)}"
    assert response["Content-Length"] == str(len(expected))


def test_unsatisfiable_range_is_416(sample_file: tuple[APIClient, StoredFile]) -> None:
    client, stored = sample_file

    response = client.get(f"/api/v1/files/audio/{stored.public_id}", headers={"Range": f"bytes={stored.size}-"})

    assert response.status_code == 416
    assert response["Content-Range"] == f"bytes */{stored.size}"
    assert response.json()["error"]["code"] == "RANGE_NOT_SATISFIABLE"


def test_range_numbers_of_any_length_are_read_without_error(sample_file: tuple[APIClient, StoredFile]) -> None:
    client, stored = sample_file
    url = f"/api/v1/files/audio/{stored.public_id}"
    huge = "9" * 5000

    beyond = client.get(url, headers={"Range": f"bytes={huge}-"})
    suffix = client.get(url, headers={"Range": f"bytes=-{huge}"})
    open_end = client.get(url, headers={"Range": f"bytes=10-{huge}"})
    padded = client.get(url, headers={"Range": "bytes=" + "0" * 5000 + "5-9"})

    assert (beyond.status_code, beyond.json()["error"]["code"]) == (416, "RANGE_NOT_SATISFIABLE")
    assert (suffix.status_code, suffix["Content-Range"]) == (206, f"bytes 0-{stored.size - 1}/{stored.size}")
    assert (open_end.status_code, open_end["Content-Range"]) == (206, f"bytes 10-{stored.size - 1}/{stored.size}")
    assert (padded.status_code, padded["Content-Range"]) == (206, f"bytes 5-9/{stored.size}")


def test_etag_revalidation_and_if_range(sample_file: tuple[APIClient, StoredFile]) -> None:
    client, stored = sample_file
    url = f"/api/v1/files/audio/{stored.public_id}"

    not_modified = client.get(url, headers={"If-None-Match": stored.etag})
    stale_range = client.get(url, headers={"Range": "bytes=0-9", "If-Range": '"some-old-etag"'})
    fresh_range = client.get(url, headers={"Range": "bytes=0-9", "If-Range": stored.etag})

    assert not_modified.status_code == 304
    assert stale_range.status_code == 200
    assert len(body(stale_range)) == stored.size
    assert fresh_range.status_code == 206


def test_expired_file_is_410(sample_file: tuple[APIClient, StoredFile]) -> None:
    client, stored = sample_file
    StoredFile.objects.filter(pk=stored.pk).update(expires_at=timezone.now() - timedelta(seconds=1))

    for url in (f"/api/v1/files/{stored.public_id}/info", f"/api/v1/files/audio/{stored.public_id}"):
        response = client.get(url)
        assert response.status_code == 410
        assert response.json()["error"]["code"] == "FILE_EXPIRED"


def test_unknown_file_is_404(alice: tuple[User, APIClient]) -> None:
    _, client = alice

    response = client.get("/api/v1/files/audio/file_doesnotexist")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "FILE_NOT_FOUND"


def test_cleanup_task_deletes_only_expired_files(
    alice: tuple[User, APIClient], django_capture_on_commit_callbacks: Any
) -> None:
    user, _ = alice
    from files.services import stored_file_create

    def make(name: str, expires_in: timedelta | None) -> StoredFile:
        with CLIP.path.open("rb") as content:
            return stored_file_create(
                owner=user,
                kind=StoredFile.Kind.SYNTHESIS,
                content=content,
                filename=name,
                extension=".wav",
                content_type="audio/wav",
                expires_at=timezone.now() + expires_in if expires_in else None,
            )

    expired = make("old.wav", timedelta(hours=-1))
    live = make("new.wav", timedelta(hours=1))
    kept = make("kept.wav", None)

    with django_capture_on_commit_callbacks(execute=True):
        deleted = delete_expired_files.apply().get()

    assert deleted == 1
    assert not StoredFile.objects.filter(pk=expired.pk).exists()
    assert not file_storage().exists(expired.storage_key)
    for survivor in (live, kept):
        assert StoredFile.objects.filter(pk=survivor.pk).exists()
        assert file_storage().exists(survivor.storage_key)
