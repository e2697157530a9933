"""Fixtures for synthesis tests: the session's trained voice (tests/conftest.py) attached to a sample."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import transaction
from rest_framework.test import APIClient

from accounts.models import User
from speech.voice_methods.base import Artefact as VoiceArtefact
from tests.conftest import VOICE_RECORDING
from tests.support.speech_data import recording
from tests.support.uploads import upload
from voices.models import VoiceSample
from voices.services import voice_model_create


def attach_voice(sample_id: str, artefact: VoiceArtefact) -> VoiceSample:
    """Give an uploaded sample a trained voice, as a finished training job does."""
    sample = VoiceSample.objects.get(public_id=sample_id)
    with transaction.atomic():
        voice_model_create(sample=sample, artefact=artefact)
    sample.refresh_from_db()
    return sample


@pytest.fixture
def uploaded_sample(alice: tuple[User, APIClient]) -> str:
    _, client = alice
    response = upload(client, recording(VOICE_RECORDING).path, name="LJ voice")
    assert response.status_code == 201
    sample_id: str = response.json()["data"]["sample_id"]
    return sample_id


@pytest.fixture
def cloned_voice(uploaded_sample: str, trained_artefact: VoiceArtefact) -> str:
    """The vs_ id of one of alice's samples with a trained voice."""
    attach_voice(uploaded_sample, trained_artefact)
    return uploaded_sample


def download(client: APIClient, url: str) -> bytes:
    response: Any = client.get(url.replace("http://testserver", ""))
    assert response.status_code == 200, response.content
    return b"".join(response.streaming_content) if response.streaming else bytes(response.content)
