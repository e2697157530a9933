"""Uploading voice samples: the happy path, the corpus, transcodes, and the document's shape."""

from __future__ import annotations

import io
import statistics
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import soundfile as sf
from rest_framework.test import APIClient

from accounts.models import DailyUsage, User
from files.models import StoredFile
from files.storage import file_storage
from speech.wer import word_error_rate
from tests.support.speech_data import Recording, browser_recording, recording, recordings
from tests.support.uploads import UPLOAD_URL, upload
from voices import vectors
from voices.models import VoiceSample

pytestmark = pytest.mark.django_db
DURATION_TOLERANCE_S = 0.020


def true_duration(path: Path) -> float:
    info = sf.info(str(path))
    return float(info.frames / info.samplerate)


def test_upload_returns_the_document_shape(alice: tuple[User, APIClient]) -> None:
    user, client = alice
    clip = recording("1089-134686-0000.wav")

    response = upload(client, clip.path, name="Reading", description="Chapter one", filename="reading.wav")

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["success"] is True
    assert body["message"] == "Voice sample uploaded successfully"
    data = body["data"]
    assert {
        "sample_id",
        "name",
        "description",
        "status",
        "format",
        "duration",
        "language",
        "file_size",
        "created_at",
        "quality_score",
        "sample_rate",
        "transcript",
    } <= set(data)
    assert data["sample_id"].startswith("vs_")
    assert (data["name"], data["description"], data["status"], data["format"]) == (
        "Reading",
        "Chapter one",
        "uploaded",
        "wav",
    )
    assert data["language"] == "en-US"
    assert data["file_size"] == clip.path.stat().st_size
    assert data["sample_rate"] == 16000
    assert abs(data["duration"] - true_duration(clip.path)) <= DURATION_TOLERANCE_S
    assert 0 <= data["quality_score"] <= 10
    assert "stew for dinner" in data["transcript"].lower()
    # Everything was written: row, file in storage, vector, daily usage.
    sample = VoiceSample.objects.get(public_id=data["sample_id"])
    assert sample.source_file.public_id == data["file_id"]
    assert file_storage().exists(sample.source_file.storage_key)
    assert vectors.vector_count(owner_id=user.public_id) == 1
    assert DailyUsage.objects.get(user=user, kind="uploads").count == 1


def test_every_recording_in_the_corpus_uploads(make_user: Any, limits: Any, capsys: pytest.CaptureFixture[str]) -> None:
    limits(max_voice_samples_per_user=100)
    user, client = make_user("corpus@example.com")
    wers: list[tuple[str, float]] = []
    for clip in recordings():
        response = upload(client, clip.path, name=clip.path.stem[:100], filename=clip.path.name)

        assert response.status_code == 201, (clip.id, response.json())
        data = response.json()["data"]
        assert abs(data["duration"] - true_duration(clip.path)) <= DURATION_TOLERANCE_S, clip.id
        assert 0 <= data["quality_score"] <= 10
        assert data["transcript"], clip.id  # every clip is English speech
        if clip.transcript:
            wers.append((clip.id, word_error_rate(clip.transcript, data["transcript"])))

    assert VoiceSample.objects.filter(owner=user).count() == len(recordings())
    with capsys.disabled():
        print(f"\nWhisper tiny.en WER on {len(wers)} transcribed uploads:")
        for clip_id, wer in wers:
            print(f"  {wer:6.1%}  {clip_id}")
        print(f"  mean {statistics.mean(w for _, w in wers):.1%}")
    assert len(wers) == 15
    assert statistics.mean(w for _, w in wers) < 0.25


TRANSCODES = [
    ("FLAC", "PCM_16", "flac"),
    ("MP3", "MPEG_LAYER_III", "mp3"),
    ("OGG", "VORBIS", "ogg"),
    ("OGG", "OPUS", "opus"),
]


@pytest.mark.parametrize("clip_name", ["1089-134686-0000.wav", "LJ001-0001.wav", "p240_00000.wav", "jfk_part1.wav"])
@pytest.mark.parametrize(("container", "subtype", "expected_format"), TRANSCODES)
def test_transcoded_recordings_upload(
    alice: tuple[User, APIClient], clip_name: str, container: str, subtype: str, expected_format: str
) -> None:
    _, client = alice
    clip = recording(clip_name)
    samples, rate = sf.read(clip.path, dtype="float32")
    if subtype == "OPUS" and rate not in (8000, 12000, 16000, 24000, 48000):
        from speech.audio_io import resample

        samples, rate = resample(samples, rate, 24000), 24000
    buffer = io.BytesIO()
    sf.write(buffer, samples, rate, format=container, subtype=subtype)
    # A wrong extension and content type: the content decides.
    response = upload(client, buffer.getvalue(), filename="voice.bin", content_type="application/octet-stream")

    assert response.status_code == 201, response.json()
    data = response.json()["data"]
    assert data["format"] == expected_format
    assert abs(data["duration"] - true_duration(clip.path)) <= DURATION_TOLERANCE_S, data["duration"]
    stored = StoredFile.objects.get(public_id=data["file_id"])
    assert stored.content_type.startswith({"flac": "audio/flac", "mp3": "audio/mpeg"}.get(expected_format, "audio/ogg"))


def test_non_english_sample_gets_no_transcript(alice: tuple[User, APIClient]) -> None:
    _, client = alice

    response = upload(client, recording("1089-134686-0000.wav").path, language="fr-FR")

    assert response.status_code == 201
    assert response.json()["data"]["transcript"] == ""
    assert response.json()["data"]["language"] == "fr-FR"


def test_embedding_is_kept_with_the_row(alice: tuple[User, APIClient]) -> None:
    _, client = alice
    response = upload(client, recording("1089-134686-0000.wav").path)

    sample = VoiceSample.objects.get(public_id=response.json()["data"]["sample_id"])
    embedding = np.frombuffer(bytes(sample.embedding), dtype="<f4")

    assert embedding.shape == (256,)
    assert abs(float(np.linalg.norm(embedding)) - 1) < 1e-4


@pytest.mark.parametrize(
    ("fields", "field"),
    [({"name": ""}, "name"), ({"name": "x" * 101}, "name"), ({"language": "not a language!"}, "language")],
)
def test_upload_field_validation(alice: tuple[User, APIClient], fields: dict[str, str], field: str) -> None:
    _, client = alice

    response = upload(client, recording("1089-134686-0000.wav").path, **fields)

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "VALIDATION_ERROR"
    assert field in response.json()["error"]["details"]


def test_upload_without_file_is_400(alice: tuple[User, APIClient]) -> None:
    _, client = alice

    response = client.post(UPLOAD_URL, {"name": "x"}, format="multipart")

    assert response.status_code == 400
    assert "file" in response.json()["error"]["details"]


def test_clip_helper_sees_all_speakers() -> None:
    speakers = {clip.speaker for clip in recordings()}
    assert len(speakers) == 20
    assert all(isinstance(clip, Recording) for clip in recordings())


@pytest.mark.parametrize(
    ("container", "filename", "declared", "content_type"),
    [
        ("webm", "recording.webm", "audio/webm;codecs=opus", "audio/webm"),  # Chromium, Firefox
        ("ogg", "recording.ogg", "audio/ogg;codecs=opus", "audio/ogg; codecs=opus"),  # Firefox
        ("mp4", "recording.m4a", "audio/mp4", "audio/mp4"),  # Safari
    ],
)
def test_browser_recordings_are_accepted(
    alice: tuple[User, APIClient], tmp_path: Path, container: str, filename: str, declared: str, content_type: str
) -> None:
    """What MediaRecorder produces is accepted like any recording: analysed, transcribed, stored."""
    _, client = alice
    clip = recording("1089-134686-0000.wav")
    data = browser_recording(clip.path, container)

    response = upload(client, data, filename=filename, content_type=declared, name="Recorded in a browser")

    assert response.status_code == 201, response.json()
    sample = response.json()["data"]
    assert abs(sample["duration"] - clip.duration) < 0.06
    assert sample["quality_score"] >= 5.0
    assert clip.transcript is None or word_error_rate(clip.transcript, sample["transcript"]) < 0.3
    stored = StoredFile.objects.get(public_id=sample["file_id"])
    assert stored.content_type == content_type
    assert stored.size == len(data)
    with file_storage().open(stored.storage_key) as fh:
        assert fh.read() == data  # the original bytes are kept, not a transcode
