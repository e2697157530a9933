"""Bad uploads: each gets its specific 4xx code, nothing is stored, no quota is charged."""

from __future__ import annotations

import io
import struct
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
import soundfile as sf
from rest_framework.test import APIClient

from accounts.models import User
from files.models import StoredFile
from tests.support.speech_data import recording
from tests.support.uploads import assert_nothing_stored, stored_keys, upload

pytestmark = pytest.mark.django_db
SPEECH = recording("1089-134686-0000.wav")
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00\x90wS\xde" + b"\0" * 64


def wav_bytes(samples: np.ndarray, rate: int = 16000) -> bytes:
    buffer = io.BytesIO()
    sf.write(buffer, samples.astype(np.float32), rate, format="WAV", subtype="PCM_16")
    return buffer.getvalue()


def lying_wav() -> bytes:
    fmt = struct.pack("<HHIIHH", 1, 1, 16000, 32000, 2, 16)
    header = b"RIFF" + struct.pack("<I", 0xFFFFFF24) + b"WAVE" + b"fmt " + struct.pack("<I", 16) + fmt
    return header + b"data" + struct.pack("<I", 0xFFFFFF00) + b"\x10\x00" * 512


def hour_of_silence_flac() -> bytes:
    buffer = io.BytesIO()
    with sf.SoundFile(buffer, "w", samplerate=8000, channels=1, format="FLAC", subtype="PCM_16") as out:
        block = np.zeros(8000 * 60, dtype=np.float32)
        for _ in range(60):
            out.write(block)
    data = buffer.getvalue()
    assert len(data) < 5 * 1024 * 1024
    return data


rng = np.random.default_rng(3)
CASES: dict[str, tuple[Callable[[], bytes], str, str, int, str]] = {
    # name: (content, filename, content type, status, code)
    "zero_bytes": (lambda: b"", "empty.wav", "audio/wav", 400, "EMPTY_FILE"),
    "text_named_wav": (
        lambda: b"just some text, not audio\n" * 40,
        "notes.wav",
        "audio/wav",
        415,
        "UNSUPPORTED_FORMAT",
    ),
    "png": (lambda: PNG, "picture.png", "image/png", 415, "UNSUPPORTED_FORMAT"),
    "png_spoofed_as_wav": (lambda: PNG, "voice.wav", "audio/wav", 415, "UNSUPPORTED_FORMAT"),
    "truncated_wav": (
        lambda: SPEECH.path.read_bytes()[: SPEECH.path.stat().st_size // 2],
        "cut.wav",
        "audio/wav",
        400,
        "INVALID_AUDIO",
    ),
    "wav_claiming_4gb": (lying_wav, "huge.wav", "audio/wav", 400, "INVALID_AUDIO"),
    "silence_10s": (lambda: wav_bytes(np.zeros(160000)), "silence.wav", "audio/wav", 422, "NO_SPEECH_DETECTED"),
    "white_noise_10s": (
        lambda: wav_bytes(rng.standard_normal(160000) * 0.3),
        "noise.wav",
        "audio/wav",
        422,
        "NO_SPEECH_DETECTED",
    ),
    "flac_hour_of_silence": (hour_of_silence_flac, "hour.flac", "audio/flac", 400, "AUDIO_TOO_LONG"),
    "one_second": (
        lambda: wav_bytes(sf.read(SPEECH.path, dtype="float32")[0][:16000]),
        "short.wav",
        "audio/wav",
        400,
        "AUDIO_TOO_SHORT",
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_bad_upload_is_refused_and_leaves_nothing(alice: tuple[User, APIClient], case: str) -> None:
    user, client = alice
    make, filename, content_type, status, code = CASES[case]
    before = stored_keys()

    response = upload(client, make(), filename=filename, content_type=content_type)

    assert response.status_code == status, response.json()
    body = response.json()
    assert body["success"] is False
    assert body["error"]["code"] == code
    assert body["error"]["message"]
    assert_nothing_stored(user, before)


def test_file_over_50_mb_is_413_and_leaves_nothing(alice: tuple[User, APIClient]) -> None:
    user, client = alice
    before = stored_keys()
    content = SPEECH.path.read_bytes()
    content += b"\0" * (50 * 1024 * 1024 + 1 - len(content))

    response = upload(client, content)

    assert response.status_code == 413
    assert response.json()["error"]["code"] == "FILE_TOO_LARGE"
    assert_nothing_stored(user, before)


def test_hostile_filename_is_sanitised_and_never_used_as_a_key(alice: tuple[User, APIClient]) -> None:
    # Django's multipart parser already drops path components and non-printable characters
    # (so "../" and NUL never reach the service); the display name is then cut to 255 characters.
    _, client = alice
    hostile = "../../etc/" + "a\x00b" + "c" * 300 + ".wav"

    response = upload(client, SPEECH.path, filename=hostile)

    assert response.status_code == 201, response.json()
    stored = StoredFile.objects.get(public_id=response.json()["data"]["file_id"])
    assert "/" not in stored.filename and "\x00" not in stored.filename and ".." not in stored.filename
    assert len(stored.filename) <= 255
    assert stored.filename.endswith(".wav")
    assert stored.storage_key.startswith("voice_sample/")
    assert stored.storage_key.endswith(f"{stored.public_id}.wav")
    info = client.get(f"/api/v1/files/{stored.public_id}/info").json()["data"]
    assert info["filename"] == stored.filename


def test_upload_with_json_instead_of_multipart_is_400(alice: tuple[User, APIClient]) -> None:
    _, client = alice

    response = client.post("/api/v1/voice/samples", {"name": "x", "file": "not a file"}, format="json")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "VALIDATION_ERROR"


def test_unauthenticated_upload_is_401(api_client: APIClient, db: Any) -> None:
    response = upload(api_client, SPEECH.path)

    assert response.status_code == 401


def test_the_live_max_upload_mb_is_the_limit(alice: tuple[User, APIClient], limits: Callable[..., Any]) -> None:
    """One byte over a lowered live limit is refused by the upload itself (the body-size
    middleware leaves 1 MB of room for the form, so this reaches the service)."""
    user, client = alice
    limits(max_upload_mb=1)
    before = stored_keys()
    content = SPEECH.path.read_bytes()
    content += b"\0" * (1024 * 1024 + 1 - len(content))

    response = upload(client, content)

    assert response.status_code == 413
    assert response.json()["error"]["code"] == "FILE_TOO_LARGE"
    assert "limit is 1 MB" in response.json()["error"]["message"]
    assert_nothing_stored(user, before)
