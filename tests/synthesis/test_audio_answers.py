"""The native synthesis API: the audio itself on request, every output format, and unknown
fields refused rather than ignored."""

from __future__ import annotations

import io

import av
import pytest
from rest_framework.test import APIClient

from accounts.models import User
from synthesis.models import Synthesis

URL = "/api/v1/tts/synthesize"
TEXT = "Hello there, how are you today?"


def _decoded(data: bytes, fmt: str | None = None, rate: int | None = None) -> tuple[float, int]:
    options = {"sample_rate": str(rate), "ch_layout": "mono"} if fmt else {}
    container = av.open(io.BytesIO(data), mode="r", format=fmt, options=options)
    frames, found = 0, 0
    for frame in container.decode(audio=0):
        frames += frame.samples
        found = frame.sample_rate
    return frames / found, found


def test_accept_audio_answers_the_audio_itself(alice: tuple[User, APIClient]) -> None:
    _, client = alice

    response = client.post(
        URL, {"text": TEXT, "config": {"output_format": "mp3"}}, format="json", HTTP_ACCEPT="audio/*"
    )

    assert response.status_code == 200
    assert response["Content-Type"] == "audio/mpeg"
    body = b"".join(response.streaming_content)  # type: ignore[attr-defined]
    seconds, _ = _decoded(body)
    synthesis = Synthesis.objects.get(public_id=response["X-Synthesis-Id"])
    assert seconds == pytest.approx(synthesis.duration, abs=0.1)


@pytest.mark.parametrize(
    ("fmt", "container", "rate"),
    [("aac", None, 24000), ("pcm", "s16le", 24000), ("ulaw", "mulaw", 8000), ("alaw", "alaw", 8000)],
)
def test_the_new_output_formats(alice: tuple[User, APIClient], fmt: str, container: str | None, rate: int) -> None:
    _, client = alice

    response = client.post(
        URL, {"text": TEXT, "config": {"output_format": fmt, "sample_rate": rate}}, format="json", HTTP_ACCEPT="audio/*"
    )

    assert response.status_code == 200, response.content
    body = b"".join(response.streaming_content)  # type: ignore[attr-defined]
    seconds, found = _decoded(body, container, rate if container else None)
    assert found == rate
    assert seconds == pytest.approx(Synthesis.objects.get(public_id=response["X-Synthesis-Id"]).duration, abs=0.1)


def test_telephony_formats_default_to_8_khz(alice: tuple[User, APIClient]) -> None:
    _, client = alice

    response = client.post(URL, {"text": TEXT, "config": {"output_format": "ulaw"}}, format="json")

    assert response.status_code == 200, response.json()
    assert response.json()["data"]["sample_rate"] == 8000


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"text": TEXT, "voice": "alloy"}, "voice"),
        ({"text": TEXT, "format": "mp3"}, "format"),
        ({"text": TEXT, "config": {"speeed": 1.5}}, "config"),
    ],
)
def test_unknown_fields_are_refused(alice: tuple[User, APIClient], body: dict[str, object], field: str) -> None:
    _, client = alice
    before = Synthesis.objects.count()

    response = client.post(URL, body, format="json")

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "VALIDATION_ERROR"
    assert field in error["details"]
    assert Synthesis.objects.count() == before
