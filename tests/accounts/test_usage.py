"""GET /api/v1/auth/usage: the caller's use of the daily quotas, storage and samples against
the live limits, and the limits on single requests."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from accounts.models import User
from tests.support.speech_data import recording
from tests.support.uploads import upload

pytestmark = pytest.mark.django_db


def usage(client: APIClient) -> dict[str, Any]:
    response = client.get("/api/v1/auth/usage")
    assert response.status_code == 200, response.json()
    data: dict[str, Any] = response.json()["data"]
    return data


def test_usage_counts_what_succeeded_against_the_live_limits(
    alice: tuple[User, APIClient], make_user: Any, limits: Any
) -> None:
    _, client = alice
    limits(syntheses_per_day=7, uploads_per_day=5, max_upload_mb=3, storage_mb_per_user=20)
    before = usage(client)
    assert before["syntheses"] == {"used": 0, "in_flight": 0, "limit": 7}
    assert before["uploads"] == {"used": 0, "limit": 5}
    assert before["storage_bytes"] == {"used": 0, "limit": 20 * 1024 * 1024}
    assert before["limits"]["max_upload_bytes"] == 3 * 1024 * 1024

    clip = recording("LJ001-0006.wav")
    assert upload(client, clip.path).status_code == 201
    assert upload(client, b"not audio" * 100, filename="x.wav").status_code == 415  # refused: not counted
    spoken = client.post("/api/v1/tts/synthesize", {"text": "Counted once."}, format="json")
    assert spoken.status_code == 200

    after = usage(client)
    assert after["uploads"]["used"] == 1
    assert after["syntheses"]["used"] == 1
    assert after["voice_samples"] == {"used": 1, "limit": before["voice_samples"]["limit"]}
    assert after["storage_bytes"]["used"] > clip.path.stat().st_size  # the sample and the output
    _, bob = make_user("bob@example.com")
    assert usage(bob)["uploads"]["used"] == 0  # per user
    assert APIClient().get("/api/v1/auth/usage").status_code == 401
