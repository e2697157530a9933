"""The run mode's storage and vector backends are the ones configured, with safe options."""

from __future__ import annotations

import io
from typing import Any

import chromadb
import pytest
from chromadb.config import Settings as ChromaSettings
from django.conf import settings
from django.core.files.storage import FileSystemStorage
from rest_framework.test import APIClient

from accounts.models import User
from files.models import StoredFile
from files.services import stored_file_save_content
from files.storage import file_storage
from tests.support.speech_data import recording
from tests.support.uploads import upload
from voices.vectors import COLLECTION

pytestmark = pytest.mark.django_db


def test_storage_backend_and_its_safety_options() -> None:
    storage: Any = file_storage()
    if settings.STORAGE_BACKEND == "s3":
        from storages.backends.s3 import S3Storage

        assert isinstance(storage, S3Storage)
        assert storage.file_overwrite is False
        assert storage.default_acl == "private"
        assert storage.location == "voxify"
    else:
        assert isinstance(storage, FileSystemStorage)
        assert str(storage.location) == str(settings.MEDIA_ROOT)


def test_a_key_is_never_overwritten() -> None:
    first = stored_file_save_content(public_id="file_same", kind="test", extension=".bin", content=io.BytesIO(b"one"))
    second = stored_file_save_content(public_id="file_same", kind="test", extension=".bin", content=io.BytesIO(b"two"))
    storage = file_storage()
    try:
        assert first != second
        with storage.open(first, "rb") as fh:
            assert fh.read() == b"one"
        with storage.open(second, "rb") as fh:
            assert fh.read() == b"two"
    finally:
        storage.delete(first)
        storage.delete(second)


def test_uploaded_object_is_private_when_on_s3(alice: tuple[User, APIClient]) -> None:
    _, client = alice
    response = upload(client, recording("1089-134686-0000.wav").path)
    stored = StoredFile.objects.get(public_id=response.json()["data"]["file_id"])
    storage: Any = file_storage()
    if settings.STORAGE_BACKEND != "s3":
        assert (settings.MEDIA_ROOT / stored.storage_key).is_file()
        return
    s3_object = storage.bucket.Object(f"{storage.location}/{stored.storage_key}")
    grants = s3_object.Acl().grants
    assert [g["Permission"] for g in grants] == ["FULL_CONTROL"]
    assert all(g["Grantee"].get("URI") is None for g in grants)  # no AllUsers / AuthenticatedUsers grant


def test_vector_lands_in_the_configured_chroma(alice: tuple[User, APIClient]) -> None:
    _, client = alice
    sample_id = upload(client, recording("1089-134686-0000.wav").path).json()["data"]["sample_id"]
    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    if settings.CHROMA_URL:
        host, port = settings.CHROMA_URL.removeprefix("http://").split(":")
        independent = chromadb.HttpClient(host=host, port=int(port), settings=chroma_settings)
    else:
        independent = chromadb.PersistentClient(path=str(settings.VAR_DIR / "chroma"), settings=chroma_settings)

    found = independent.get_collection(COLLECTION).get(ids=[sample_id], include=["embeddings"])

    assert found["ids"] == [sample_id]
    embeddings = found["embeddings"]
    assert embeddings is not None
    assert len(embeddings[0]) == 256
