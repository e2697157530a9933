"""Daily quotas under concurrency: 20 requests at once with one unit left, exactly one
succeeds (run on SQLite in the embedded mode and on PostgreSQL in the real-services mode)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import DailyUsage, User
from synthesis.models import Synthesis
from tests.support.api import client_for
from tests.support.concurrency import all_at_once
from tests.support.speech_data import recording
from tests.support.uploads import stored_keys, upload
from voices.models import VoiceSample

pytestmark = pytest.mark.django_db(transaction=True)
PARALLEL = 20


def all_clients_at_once(request: Callable[[APIClient], Any], user: User) -> list[Any]:
    """``PARALLEL`` requests, each with its own client and database connection, released together."""
    clients = [client_for(user) for _ in range(PARALLEL)]
    return all_at_once(lambda i: request(clients[i]), PARALLEL)


def test_parallel_syntheses_with_one_left_exactly_one_succeeds(make_user: Any, limits: Callable[..., Any]) -> None:
    user, _ = make_user("racer@example.com")
    limits(syntheses_per_day=5)
    DailyUsage.objects.create(user=user, day=timezone.now().date(), kind="syntheses", count=4)
    keys = stored_keys()

    responses = all_clients_at_once(
        lambda client: client.post("/api/v1/tts/synthesize", {"text": "One left."}, format="json"), user
    )

    statuses = sorted(response.status_code for response in responses)
    assert statuses == [200] + [429] * (PARALLEL - 1)
    assert {r.json()["error"]["code"] for r in responses if r.status_code == 429} == {"QUOTA_EXCEEDED"}
    assert DailyUsage.objects.get(user=user, kind="syntheses").count == 5
    assert Synthesis.objects.filter(owner=user).count() == 1
    assert len(stored_keys() - keys) == 1  # refused work left no file behind


def test_parallel_uploads_with_one_left_exactly_one_succeeds(make_user: Any, limits: Callable[..., Any]) -> None:
    user, _ = make_user("uploader@example.com")
    limits(uploads_per_day=3)
    DailyUsage.objects.create(user=user, day=timezone.now().date(), kind="uploads", count=2)
    clip = recording("LJ001-0007.wav").path.read_bytes()
    keys = stored_keys()

    responses = all_clients_at_once(lambda client: upload(client, clip), user)

    statuses = sorted(response.status_code for response in responses)
    assert statuses == [201] + [429] * (PARALLEL - 1)
    assert {r.json()["error"]["code"] for r in responses if r.status_code == 429} == {"QUOTA_EXCEEDED"}
    assert DailyUsage.objects.get(user=user, kind="uploads").count == 3
    assert VoiceSample.objects.filter(owner=user).count() == 1
    assert len(stored_keys() - keys) == 1
