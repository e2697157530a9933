"""Quotas cover every way to store bytes: file uploads count as uploads, and every stored
byte counts against the per-user storage cap (storage_mb_per_user). Refused work is never
charged and leaves nothing stored."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import DailyUsage, User
from accounts.quotas import UPLOADS, quota_consume
from files.models import StoredFile
from files.quotas import storage_charge, storage_used
from synthesis.models import Synthesis
from tests.support.speech_data import recording
from tests.support.uploads import stored_keys, upload
from voxify_project.errors import QuotaExceeded

pytestmark = pytest.mark.django_db
CLIP = recording("1089-134686-0000.wav")  # 333,964 bytes
MB = 1024 * 1024


def post_file(client: APIClient, data: bytes) -> Any:
    return client.post("/api/v1/files", {"file": SimpleUploadedFile("a.wav", data, "audio/wav")}, format="multipart")


def uploads_today(user: User) -> int:
    row = DailyUsage.objects.filter(user=user, day=timezone.now().date(), kind=UPLOADS).first()
    return row.count if row else 0


def test_file_uploads_share_the_daily_upload_quota_with_voice_samples(
    alice: tuple[User, APIClient], limits: Callable[..., Any]
) -> None:
    user, client = alice
    limits(uploads_per_day=2)
    assert upload(client, CLIP.path).status_code == 201
    assert post_file(client, b"not audio at all").status_code in (400, 415)  # refused: not charged
    assert post_file(client, CLIP.path.read_bytes()).status_code == 201
    keys = stored_keys()

    refused = post_file(client, CLIP.path.read_bytes())

    assert refused.status_code == 429
    assert refused.json()["error"]["code"] == "QUOTA_EXCEEDED"
    assert refused.json()["error"]["details"] == {"kind": "uploads", "limit": 2, "used": 2}
    assert uploads_today(user) == 2
    assert stored_keys() == keys


def test_the_storage_cap_counts_every_stored_byte_and_deleting_frees_it(
    alice: tuple[User, APIClient], limits: Callable[..., Any]
) -> None:
    user, client = alice
    limits(storage_mb_per_user=1)
    first = upload(client, CLIP.path)  # a voice sample: 333,964 bytes
    second = post_file(client, CLIP.path.read_bytes())
    third = post_file(client, CLIP.path.read_bytes())
    assert [r.status_code for r in (first, second, third)] == [201, 201, 201]
    used = storage_used(user=user)
    assert used == 3 * CLIP.path.stat().st_size
    keys, charged = stored_keys(), uploads_today(user)

    refused = post_file(client, CLIP.path.read_bytes())

    assert refused.status_code == 429
    details = refused.json()["error"]["details"]
    assert details == {"kind": "storage", "limit": MB, "used": used, "requested": CLIP.path.stat().st_size}
    assert stored_keys() == keys
    assert uploads_today(user) == charged  # a refused upload is not counted
    assert upload(client, CLIP.path).status_code == 429  # voice samples too

    assert client.delete(f"/api/v1/files/{second.json()['data']['file_id']}").status_code == 200
    assert post_file(client, CLIP.path.read_bytes()).status_code == 201


def test_a_synthesis_whose_output_does_not_fit_is_refused_and_not_charged(
    alice: tuple[User, APIClient], limits: Callable[..., Any]
) -> None:
    user, client = alice
    limits(storage_mb_per_user=1)
    for _ in range(3):
        assert post_file(client, CLIP.path.read_bytes()).status_code == 201
    keys = stored_keys()

    # 1,001,892 of 1,048,576 bytes used: the request is let in, its ~1 s of audio does not fit.
    answer = client.post("/api/v1/tts/synthesize", {"text": "This sentence will not fit."}, format="json")

    assert answer.status_code == 429
    assert answer.json()["error"]["details"]["kind"] == "storage"
    assert stored_keys() == keys
    assert not DailyUsage.objects.filter(user=user, kind="syntheses", count__gt=0).exists()
    assert not Synthesis.objects.filter(owner=user, status="completed").exists()

    # Full to the byte: refused before any work.
    StoredFile.objects.filter(owner=user).update(size=MB // 3 + 1)
    early = client.post("/api/v1/tts/synthesize", {"text": "Hello."}, format="json")
    assert early.status_code == 429
    assert early.json()["error"]["details"]["kind"] == "storage"


@pytest.mark.django_db(transaction=True)  # outside any transaction, to see the guard
def test_quota_consume_counts_up_to_the_limit_and_not_one_more(alice: tuple[User, APIClient]) -> None:
    user, _ = alice
    with transaction.atomic():
        assert quota_consume(user=user, kind=UPLOADS, limit=3) == 1
        assert quota_consume(user=user, kind=UPLOADS, limit=3, amount=2) == 3
    with pytest.raises(QuotaExceeded) as full, transaction.atomic():
        quota_consume(user=user, kind=UPLOADS, limit=3)
    assert full.value.details == {"kind": UPLOADS, "limit": 3, "used": 3}
    with pytest.raises(QuotaExceeded), transaction.atomic():
        quota_consume(user=user, kind=UPLOADS, limit=4, amount=2)  # 3 + 2 > 4: nothing is taken
    assert uploads_today(user) == 3
    with pytest.raises(RuntimeError):
        quota_consume(user=user, kind=UPLOADS, limit=10)  # only inside the transaction of the work


@pytest.mark.django_db(transaction=True)
def test_storage_charge_admits_exactly_up_to_the_cap(alice: tuple[User, APIClient], limits: Callable[..., Any]) -> None:
    user, _ = alice
    limits(storage_mb_per_user=1)
    with transaction.atomic():
        storage_charge(user=user, adding=MB)  # exactly the cap fits
    StoredFile.objects.create(
        owner=user, kind="upload", storage_key="k", filename="f", content_type="audio/wav", size=MB - 1, sha256="0"
    )
    with transaction.atomic():
        storage_charge(user=user, adding=1)
    with pytest.raises(QuotaExceeded) as full, transaction.atomic():
        storage_charge(user=user, adding=2)
    assert full.value.details == {"kind": "storage", "limit": MB, "used": MB - 1, "requested": 2}
    with pytest.raises(RuntimeError):
        storage_charge(user=user, adding=1)
