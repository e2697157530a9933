"""The watermark through the API: every output format and voice carries it, the detector at
POST /api/v1/tools/detect finds it and does not find it in real speech, and bad uploads get
their 4xx with nothing stored and nothing charged."""

from __future__ import annotations

import io
from typing import Any

import av
import numpy as np
import pytest
import soundfile as sf
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from accounts.models import DailyUsage, User
from files.models import StoredFile
from speech.watermark import DETECTOR, WATERMARK_THRESHOLD
from synthesis.models import Synthesis
from tests.support.speech_data import recording

SYNTHESIZE = "/api/v1/tts/synthesize"
DETECT = "/api/v1/tools/detect"
TEXT = "Every output of the service carries a quiet mark that a detector can find."


def detect(client: APIClient, data: bytes, filename: str = "audio.bin") -> Any:
    return client.post(DETECT, {"file": SimpleUploadedFile(filename, data)}, format="multipart")


def spoken(client: APIClient, **config: Any) -> tuple[bytes, Synthesis]:
    response = client.post(SYNTHESIZE, {"text": TEXT, "config": config}, format="json", HTTP_ACCEPT="audio/*")
    assert response.status_code == 200, response.content
    audio = b"".join(response.streaming_content)  # type: ignore[attr-defined]
    return audio, Synthesis.objects.get(public_id=response["X-Synthesis-Id"])


@pytest.mark.parametrize(
    "config",
    [
        {"output_format": "wav"},
        {"output_format": "mp3", "sample_rate": 44100},
        {"output_format": "opus", "sample_rate": 48000},
        {"output_format": "flac", "speed": 1.4, "pitch": 0.8},
        {"output_format": "ulaw", "sample_rate": 8000},
    ],
    ids=lambda c: c["output_format"],
)
def test_every_format_carries_the_mark_and_the_detector_finds_it(
    alice: tuple[User, APIClient], config: dict[str, Any]
) -> None:
    _, client = alice
    audio, synthesis = spoken(client, **config)
    if config["output_format"] == "ulaw":  # headerless: sent to the detector as a WAV of the same samples
        container = av.open(
            io.BytesIO(audio), mode="r", format="mulaw", options={"sample_rate": "8000", "ch_layout": "mono"}
        )
        pcm = np.concatenate([f.to_ndarray().reshape(-1) for f in container.decode(audio=0)])
        samples = pcm.astype(np.float32) / 32768  # FFmpeg decodes G.711 to 16-bit integers
        buffer = io.BytesIO()
        sf.write(buffer, samples, 8000, format="WAV")
        audio = buffer.getvalue()

    response = detect(client, audio)

    assert response.status_code == 200, response.json()
    answer = response.json()["data"]
    assert answer["watermarked"] is True and answer["confidence"] >= WATERMARK_THRESHOLD
    assert answer["threshold"] == WATERMARK_THRESHOLD and answer["detector"] == DETECTOR
    assert answer["duration"] == pytest.approx(synthesis.duration, abs=0.1)
    assert synthesis.watermark == DETECTOR


def test_a_cloned_voice_carries_the_mark(alice: tuple[User, APIClient], cloned_voice: str) -> None:
    _, client = alice
    response = client.post(
        SYNTHESIZE, {"text": TEXT, "voice_id": cloned_voice, "config": {"output_format": "mp3"}}, format="json"
    )
    assert response.status_code == 200, response.json()
    file_url = response.json()["data"]["audio_url"].replace("http://testserver", "")
    audio = b"".join(client.get(file_url).streaming_content)  # type: ignore[attr-defined]

    assert detect(client, audio).json()["data"]["watermarked"] is True


@pytest.mark.parametrize("name", ["LJ001-0001.wav", "1089-134691-0000.wav", "jfk_part2.wav"])
def test_real_speech_is_not_marked(alice: tuple[User, APIClient], name: str) -> None:
    _, client = alice
    response = detect(client, recording(name).path.read_bytes(), name)
    assert response.status_code == 200
    answer = response.json()["data"]
    assert answer["watermarked"] is False and answer["confidence"] < WATERMARK_THRESHOLD


def _wav(seconds: float) -> bytes:
    samples, rate = sf.read(recording("LJ001-0001.wav").path, dtype="float32")
    buffer = io.BytesIO()
    sf.write(buffer, samples[: int(seconds * rate)], rate, format="WAV")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("content", "status", "code"),
    [
        (b"", 400, "EMPTY_FILE"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 200, 415, "UNSUPPORTED_FORMAT"),
        (_wav(0.5), 400, "AUDIO_TOO_SHORT"),
    ],
    ids=["empty", "not-audio", "too-short"],
)
def test_bad_uploads_are_refused_and_nothing_is_kept(
    alice: tuple[User, APIClient], content: bytes, status: int, code: str
) -> None:
    user, client = alice
    response = detect(client, content)
    assert response.status_code == status, response.json()
    assert response.json()["error"]["code"] == code
    assert not StoredFile.objects.exists() and not DailyUsage.objects.filter(user=user).exists()


def test_detect_needs_a_file_and_credentials(alice: tuple[User, APIClient]) -> None:
    _, client = alice
    missing = client.post(DETECT, {}, format="multipart")
    assert missing.status_code == 400 and missing.json()["error"]["code"] == "VALIDATION_ERROR"
    anonymous = APIClient().post(DETECT, {"file": SimpleUploadedFile("a.wav", _wav(2))}, format="multipart")
    assert anonymous.status_code == 401


def test_a_successful_detection_keeps_nothing_either(alice: tuple[User, APIClient]) -> None:
    user, client = alice
    assert detect(client, _wav(2.0)).status_code == 200
    assert not StoredFile.objects.exists() and not DailyUsage.objects.filter(user=user).exists()


def test_detector_work_is_bounded_per_user(alice: tuple[User, APIClient], make_user: Any, settings: Any) -> None:
    _, client = alice
    settings.DETECTIONS_PER_USER = "2/h"  # an hour's window: a minute's could end between the calls
    samples, rate = sf.read(recording("LJ001-0001.wav").path, dtype="float32")
    long = np.tile(samples, int(np.ceil(90 * rate / len(samples))))[: 90 * rate]  # 90 s
    buffer = io.BytesIO()
    sf.write(buffer, long, rate, format="WAV")

    answers = [detect(client, buffer.getvalue(), "long.wav") for _ in range(3)]
    _, bob = make_user("bob@example.com")

    assert [a.status_code for a in answers] == [200, 200, 429]
    assert answers[0].json()["data"]["duration"] == 60.0  # the first minute is read, not the hour
    assert answers[2].json()["error"]["code"] == "RATE_LIMITED"
    assert detect(bob, _wav(2.0), "short.wav").status_code == 200  # another account is not held up
