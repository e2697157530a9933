"""A voice method is one module and one registry entry: a toy method, registered only here,
is trained and spoken through the API, with the request's similarity reaching it."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import pytest
import soundfile as sf
from rest_framework.test import APIClient

from accounts.models import User
from jobs.runner import run_job
from speech import voice_methods
from speech.audio_io import Samples
from speech.voice_methods.base import AnalysedSample, Check, Progress, TrainingConfig
from tests.support.speech_data import recording
from tests.support.uploads import upload
from tests.synthesis.conftest import download
from voices.training import train_sample_work

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_heartbeat_thread_writes")]


@dataclass(frozen=True)
class ToneArtefact:
    """The toy voice: a sine tone whose frequency comes from the sample, scaled by similarity."""

    frequency: float
    config: dict[str, Any] = field(default_factory=dict)
    validation: dict[str, Any] = field(default_factory=dict)
    fit: dict[str, Any] = field(default_factory=dict)
    method: str = "toy-tone"
    format: int = 1

    @property
    def default_similarity(self) -> float:
        return 1.0

    def to_json(self) -> bytes:
        return json.dumps(asdict(self)).encode()


class ToneMethod:
    name = "toy-tone"
    schema_version = 1
    similarities: list[float | None] = []

    def fit(self, sample: AnalysedSample, *, config: TrainingConfig, progress: Progress, check: Check) -> ToneArtefact:
        progress(0.5, "Tuning the tone")
        check()
        return ToneArtefact(frequency=400.0 + 10 * len(sample.words.split()), fit={"words": len(sample.words.split())})

    def convert(
        self,
        samples: Samples,
        rate: int,
        artefact: ToneArtefact,
        *,
        pitch: float = 1.0,
        stretch: float = 1.0,
        similarity: float | None = None,
    ) -> Samples:
        self.similarities.append(similarity)
        scale = 1.0 if similarity is None else 0.5 + similarity
        t = np.arange(round(len(samples) * stretch)) / rate
        return (0.3 * np.sin(2 * np.pi * artefact.frequency * scale * pitch * t)).astype(np.float32)

    def load(self, raw: dict[str, Any]) -> ToneArtefact:
        return ToneArtefact(**raw)


@pytest.fixture
def tone_method(settings: Any) -> Iterator[ToneMethod]:
    method = ToneMethod()
    voice_methods.register(method)
    settings.VOICE_METHOD = method.name
    yield method
    voice_methods.unregister(method.name)


def dominant_frequency(data: bytes) -> float:
    samples, rate = sf.read(io.BytesIO(data), dtype="float32")
    middle = samples[len(samples) // 4 : len(samples) // 2]
    spectrum = np.abs(np.fft.rfft(middle * np.hanning(len(middle))))
    return float(np.fft.rfftfreq(len(middle), 1 / rate)[int(np.argmax(spectrum))])


def test_a_registered_method_is_trained_and_spoken_through_the_api(
    alice: tuple[User, APIClient], tone_method: ToneMethod
) -> None:
    _, client = alice
    sample_id = upload(client, recording("LJ001-0006.wav").path).json()["data"]["sample_id"]
    job_id = client.post(f"/api/v1/voice/samples/{sample_id}/train", {}, format="json").json()["data"][
        "training_job_id"
    ]

    run_job(job_id, 1, train_sample_work)

    job = client.get(f"/api/v1/jobs/{job_id}").json()["data"]
    assert job["status"] == "completed" and job["result"]["method"] == "toy-tone"
    validation = job["result"]["validation"]
    assert {"similarity", "dvec_similarity", "naturalness", "wer"} <= set(validation)
    assert validation["similarity_setting"] == 1.0

    tone_method.similarities.clear()
    spoken = {}
    for similarity in (None, 0.1):
        config: dict[str, Any] = {"output_format": "wav"}
        if similarity is not None:
            config["similarity"] = similarity
        response = client.post(
            "/api/v1/tts/synthesize",
            {"text": "A short test sentence.", "voice_id": sample_id, "config": config},
            format="json",
        )
        assert response.status_code == 200, response.json()
        spoken[similarity] = dominant_frequency(download(client, response.json()["data"]["audio_url"]))

    assert tone_method.similarities == [None, 0.1]
    # The tone came from the trained artefact: its frequency, scaled by the request's similarity.
    assert spoken[0.1] == pytest.approx(spoken[None] * 0.6, rel=0.03)
    assert 400 < spoken[None] < 1000


@pytest.mark.parametrize("similarity", [-0.1, 1.5, "high"])
def test_similarity_is_validated(alice: tuple[User, APIClient], similarity: Any) -> None:
    _, client = alice

    response = client.post(
        "/api/v1/tts/synthesize", {"text": "Hello.", "config": {"similarity": similarity}}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "VALIDATION_ERROR"
    assert "similarity" in response.json()["error"]["details"]["config"]
