"""Sample count and daily upload quotas: counted only for uploads that succeed."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from accounts.models import DailyUsage, User
from tests.support.speech_data import recording
from tests.support.uploads import stored_keys, upload
from voices.models import VoiceSample

pytestmark = pytest.mark.django_db
SPEECH = recording("1089-134686-0000.wav")


def test_sample_count_limit(alice: tuple[User, APIClient], limits: Any) -> None:
    limits(max_voice_samples_per_user=2)
    user, client = alice
    assert upload(client, SPEECH.path).status_code == 201
    assert upload(client, SPEECH.path).status_code == 201
    before = stored_keys()

    response = upload(client, SPEECH.path)

    assert response.status_code == 429
    assert response.json()["error"]["code"] == "QUOTA_EXCEEDED"
    assert response.json()["error"]["details"] == {"kind": "voice_samples", "limit": 2, "used": 2}
    assert VoiceSample.objects.filter(owner=user).count() == 2
    assert stored_keys() == before
    assert DailyUsage.objects.get(user=user, kind="uploads").count == 2


def test_daily_upload_quota_counts_deleted_samples_but_not_refused_uploads(
    alice: tuple[User, APIClient], limits: Any, django_capture_on_commit_callbacks: Any
) -> None:
    limits(uploads_per_day=2)
    user, client = alice
    refused = upload(client, b"")  # refused: not counted
    assert refused.status_code == 400
    first = upload(client, SPEECH.path).json()["data"]["sample_id"]
    with django_capture_on_commit_callbacks(execute=True):
        assert client.delete(f"/api/v1/voice/samples/{first}").status_code == 200
    assert upload(client, SPEECH.path).status_code == 201

    response = upload(client, SPEECH.path)

    assert response.status_code == 429
    assert response.json()["error"]["code"] == "QUOTA_EXCEEDED"
    assert response.json()["error"]["details"]["kind"] == "uploads"
    assert DailyUsage.objects.get(user=user, kind="uploads").count == 2
    assert VoiceSample.objects.filter(owner=user).count() == 1
