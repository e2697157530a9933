"""Listing, reading, deleting and comparing voice samples; another user's ids are 404."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from rest_framework.test import APIClient

from accounts.models import User
from files.models import StoredFile
from files.storage import file_storage
from tests.support.speech_data import recording
from tests.support.uploads import upload
from voices import vectors
from voices.models import VoiceSample

pytestmark = pytest.mark.django_db
SAMPLES = "/api/v1/voice/samples"


def uploaded(client: APIClient, clip: str, **fields: str) -> dict[str, Any]:
    response = upload(client, recording(clip).path, **fields)
    assert response.status_code == 201, response.json()
    data: dict[str, Any] = response.json()["data"]
    return data


def test_list_with_filters_and_pagination(alice: tuple[User, APIClient]) -> None:
    _user, client = alice
    first = uploaded(client, "1089-134686-0000.wav", name="one")
    second = uploaded(client, "1998-15444-0000.wav", name="two", language="en-GB")
    third = uploaded(client, "LJ001-0001.wav", name="three")
    VoiceSample.objects.filter(public_id=second["sample_id"]).update(status="ready")

    everything = client.get(SAMPLES).json()["data"]
    ready = client.get(SAMPLES, {"status": "ready"}).json()["data"]
    british = client.get(SAMPLES, {"language": "en-GB"}).json()["data"]
    page2 = client.get(SAMPLES, {"page": 2, "page_size": 2}).json()["data"]

    assert [s["sample_id"] for s in everything["samples"]] == [
        third["sample_id"],
        second["sample_id"],
        first["sample_id"],
    ]
    assert set(everything["samples"][0]) == {
        "sample_id",
        "name",
        "status",
        "duration",
        "language",
        "quality_score",
        "created_at",
    }
    assert everything["pagination"] == {
        "page": 1,
        "page_size": 20,
        "total_count": 3,
        "total_pages": 1,
        "has_next": False,
        "has_prev": False,
    }
    assert [s["sample_id"] for s in ready["samples"]] == [second["sample_id"]]
    assert [s["sample_id"] for s in british["samples"]] == [second["sample_id"]]
    assert [s["sample_id"] for s in page2["samples"]] == [first["sample_id"]]
    assert page2["pagination"]["has_prev"] is True


@pytest.mark.parametrize(("params", "field"), [({"status": "bogus"}, "status"), ({"page": 0}, "page")])
def test_bad_list_parameters(alice: tuple[User, APIClient], params: dict[str, Any], field: str) -> None:
    _, client = alice

    response = client.get(SAMPLES, params)

    assert response.status_code == 400
    assert field in response.json()["error"]["details"]


def test_get_one(alice: tuple[User, APIClient]) -> None:
    _, client = alice
    created = uploaded(client, "1089-134686-0000.wav")

    response = client.get(f"{SAMPLES}/{created['sample_id']}")

    assert response.status_code == 200
    assert response.json()["data"] == created


def test_delete_removes_file_vector_and_row(
    alice: tuple[User, APIClient], django_capture_on_commit_callbacks: Any
) -> None:
    user, client = alice
    created = uploaded(client, "1089-134686-0000.wav")
    key = StoredFile.objects.get(public_id=created["file_id"]).storage_key
    assert file_storage().exists(key)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.delete(f"{SAMPLES}/{created['sample_id']}")

    assert response.status_code == 200
    assert response.json()["data"]["sample_id"] == created["sample_id"]
    assert not VoiceSample.objects.filter(public_id=created["sample_id"]).exists()
    assert not StoredFile.objects.filter(public_id=created["file_id"]).exists()
    assert not file_storage().exists(key)
    assert vectors.vector_count(owner_id=user.public_id) == 0
    assert client.get(f"{SAMPLES}/{created['sample_id']}").status_code == 404
    assert client.get(f"/api/v1/files/{created['file_id']}/info").status_code == 404


def test_similar_ranks_the_same_speaker_first(alice: tuple[User, APIClient], limits: Any) -> None:
    limits(max_voice_samples_per_user=20)
    _, client = alice
    anchor = uploaded(client, "1089-134686-0000.wav", name="anchor")
    same = uploaded(client, "1089-134691-0000.wav", name="same speaker")
    others = [uploaded(client, clip, name=clip) for clip in ("1998-15444-0000.wav", "LJ001-0001.wav", "p260_00000.wav")]

    response = client.get(f"{SAMPLES}/{anchor['sample_id']}/similar", {"limit": 3})

    assert response.status_code == 200
    data = response.json()["data"]
    assert data["sample_id"] == anchor["sample_id"]
    ranked = data["similar"]
    assert len(ranked) == 3
    assert ranked[0]["sample_id"] == same["sample_id"]
    assert ranked[0]["name"] == "same speaker"
    assert anchor["sample_id"] not in {r["sample_id"] for r in ranked}
    assert {r["sample_id"] for r in ranked[1:]} <= {o["sample_id"] for o in others}
    scores = [r["score"] for r in ranked]
    assert scores == sorted(scores, reverse=True)
    assert scores[0] > 0.75
    assert client.get(f"{SAMPLES}/{anchor['sample_id']}/similar", {"limit": 0}).status_code == 400


def test_similar_never_returns_another_users_samples(make_user: Callable[[str], tuple[User, APIClient]]) -> None:
    _, alice = make_user("a@example.com")
    _, bob = make_user("b@example.com")
    mine = uploaded(alice, "1089-134686-0000.wav")
    uploaded(bob, "1089-134686-0001.wav")  # the same speaker, but Bob's

    ranked = alice.get(f"{SAMPLES}/{mine['sample_id']}/similar").json()["data"]["similar"]

    assert ranked == []


def test_another_users_ids_are_404_everywhere(make_user: Callable[[str], tuple[User, APIClient]]) -> None:
    _, alice = make_user("a@example.com")
    _, bob = make_user("b@example.com")
    sample = uploaded(alice, "1089-134686-0000.wav")
    sample_id, file_id = sample["sample_id"], sample["file_id"]

    requests = [
        bob.get(f"{SAMPLES}/{sample_id}"),
        bob.delete(f"{SAMPLES}/{sample_id}"),
        bob.get(f"{SAMPLES}/{sample_id}/similar"),
        bob.get(f"/api/v1/files/{file_id}/info"),
        bob.get(f"/api/v1/files/audio/{file_id}"),
    ]

    for response in requests:
        assert response.status_code == 404, response
        assert response.json()["error"]["code"] in {"VOICE_SAMPLE_NOT_FOUND", "FILE_NOT_FOUND"}
    assert bob.get(SAMPLES).json()["data"]["samples"] == []
    assert VoiceSample.objects.filter(public_id=sample_id).exists()
    assert alice.get(f"{SAMPLES}/{sample_id}").status_code == 200
