"""Helpers for upload tests: multipart uploads, storage listings, "nothing stored" checks."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from accounts.models import DailyUsage, User
from files.models import StoredFile
from files.storage import file_storage
from voices import vectors
from voices.models import VoiceSample

UPLOAD_URL = "/api/v1/voice/samples"


def upload(
    client: APIClient,
    content: bytes | Path,
    *,
    filename: str = "sample.wav",
    content_type: str = "audio/wav",
    name: str = "My voice",
    language: str = "en-US",
    **fields: str,
) -> Any:
    data = content.read_bytes() if isinstance(content, Path) else content
    return client.post(
        UPLOAD_URL,
        {"name": name, "language": language, "file": SimpleUploadedFile(filename, data, content_type), **fields},
        format="multipart",
    )


def stored_keys(path: str = "") -> set[str]:
    """Every object in the file storage (local folder or S3 bucket prefix)."""
    storage = file_storage()
    try:
        directories, files = storage.listdir(path)
    except FileNotFoundError:
        return set()
    keys = {f"{path}/{name}".lstrip("/") for name in files}
    for directory in directories:
        keys |= stored_keys(f"{path}/{directory}".lstrip("/"))
    return keys


def assert_nothing_stored(user: User, keys_before: set[str]) -> None:
    assert VoiceSample.objects.filter(owner=user).count() == 0
    assert StoredFile.objects.filter(owner=user).count() == 0
    assert stored_keys() == keys_before
    assert vectors.vector_count(owner_id=user.public_id) == 0
    assert sum(DailyUsage.objects.filter(user=user).values_list("count", flat=True)) == 0
