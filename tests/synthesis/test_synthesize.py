"""POST /api/v1/tts/synthesize and GET /api/v1/tts/voices: every output decoded and measured."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
import soundfile as sf
from rest_framework.test import APIClient

from accounts.models import DailyUsage, User
from files.models import StoredFile
from speech.embedding import cosine_similarity, speaker_embedding
from speech.tts import BUILTIN_VOICE_ID
from synthesis.models import Synthesis
from tests.conftest import VOICE_RECORDING
from tests.speech.test_engine import f0_ratio
from tests.support.speech_data import recording
from tests.support.uploads import stored_keys
from tests.synthesis.conftest import download

pytestmark = pytest.mark.django_db
URL = "/api/v1/tts/synthesize"
TEXT = "Hello there. This is a short test of the voice synthesis service."


def synthesize(client: APIClient, text: str = TEXT, **fields: Any) -> Any:
    return client.post(URL, {"text": text, **fields}, format="json")


def decoded(client: APIClient, data: dict[str, Any]) -> tuple[np.ndarray[Any, Any], Any]:
    raw = download(client, data["audio_url"])
    info = sf.info(io.BytesIO(raw))
    samples, _ = sf.read(io.BytesIO(raw), dtype="float32")
    return samples, info


def test_voices_lists_the_builtin_voices_and_only_the_callers_trained_samples(
    alice: tuple[User, APIClient],
    make_user: Callable[[str], tuple[User, APIClient]],
    cloned_voice: str,
) -> None:
    _, client = alice
    _, bob_client = make_user("bob@example.com")

    voices = client.get("/api/v1/tts/voices").json()["data"]["voices"]
    bobs = bob_client.get("/api/v1/tts/voices").json()["data"]["voices"]

    builtin = [v["voice_id"] for v in voices if v["type"] == "builtin"]
    assert builtin[0] == BUILTIN_VOICE_ID and len(builtin) == 6  # Piper's voice, then Kokoro's five
    assert voices[: len(builtin)] == bobs  # the built-in voices first, the same for everyone
    assert [v["voice_id"] for v in voices[len(builtin) :]] == [cloned_voice]
    assert voices[-1]["type"] == "cloned"
    assert voices[-1]["model_version"] == 1
    assert voices[-1]["description"] == "" and voices[-1]["languages"] == ["en-US"]


def test_the_documents_request_and_response(alice: tuple[User, APIClient]) -> None:
    _, client = alice
    config = {"output_format": "wav", "sample_rate": 22050, "speed": 1.0, "pitch": 1.0, "volume": 1.0}

    response = synthesize(client, voice_id=BUILTIN_VOICE_ID, config=config)

    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["message"] == "Speech synthesis completed"
    data = body["data"]
    assert {"synthesis_id", "audio_url", "duration", "format", "sample_rate", "file_id"} <= set(data)
    assert data["synthesis_id"].startswith("syn_")
    assert data["audio_url"].startswith(f"http://testserver/api/v1/files/audio/{data['file_id']}?token=")
    assert (data["format"], data["sample_rate"]) == ("wav", 22050)
    samples, info = decoded(client, data)
    assert info.duration == pytest.approx(data["duration"], rel=0.05)
    assert 2.0 < data["duration"] < 10.0
    assert float(np.abs(samples).max()) > 0.1, "the file holds audible speech"
    # The engine's share of the answer (render + encode), for clients and bench/tts.py.
    name, _, duration = response["Server-Timing"].partition(";dur=")
    assert name == "engine" and 0 < float(duration) < 60_000


@pytest.mark.parametrize(
    ("output_format", "sample_rate", "sf_format", "content_type"),
    [
        ("wav", 8000, "WAV", "audio/wav"),
        ("wav", 48000, "WAV", "audio/wav"),
        ("flac", 44100, "FLAC", "audio/flac"),
        ("flac", 16000, "FLAC", "audio/flac"),
        ("ogg", 16000, "OGG", "audio/ogg"),
        ("ogg", 32000, "OGG", "audio/ogg"),
        ("mp3", 44100, "MP3", "audio/mpeg"),
        ("mp3", 8000, "MP3", "audio/mpeg"),
        ("opus", 48000, "OGG", "audio/ogg; codecs=opus"),
        ("opus", 12000, "OGG", "audio/ogg; codecs=opus"),
    ],
)
def test_every_format_and_rate_is_really_that_format_and_rate(
    alice: tuple[User, APIClient], output_format: str, sample_rate: int, sf_format: str, content_type: str
) -> None:
    _, client = alice

    response = synthesize(client, config={"output_format": output_format, "sample_rate": sample_rate})

    assert response.status_code == 200, response.json()
    data = response.json()["data"]
    assert (data["format"], data["sample_rate"]) == (output_format, sample_rate)
    samples, info = decoded(client, data)
    assert info.format == sf_format
    if output_format == "opus":
        assert info.subtype == "OPUS"
    assert info.samplerate == sample_rate
    assert info.channels == 1
    assert info.duration == pytest.approx(data["duration"], rel=0.05)
    assert float(np.abs(samples).max()) > 0.1
    info_response = client.get(f"/api/v1/files/{data['file_id']}/info").json()["data"]
    assert info_response["content_type"] == content_type


def test_defaults_come_from_the_configuration_and_opus_gets_a_rate_it_takes(
    alice: tuple[User, APIClient], limits: Any
) -> None:
    _, client = alice
    limits(default_sample_rate=16000)
    limits(default_output_format="flac")

    plain = synthesize(client).json()["data"]
    limits(default_sample_rate=22050)
    opus = synthesize(client, config={"output_format": "opus"}).json()["data"]

    assert (plain["format"], plain["sample_rate"]) == ("flac", 16000)
    assert decoded(client, plain)[1].samplerate == 16000
    assert (opus["format"], opus["sample_rate"]) == ("opus", 24000)
    assert decoded(client, opus)[1].samplerate == 24000


def test_speed_pitch_and_volume_are_measurable_in_the_output(alice: tuple[User, APIClient]) -> None:
    _, client = alice
    text = "A quiet morning walk along the river helps me think clearly about the day ahead."

    def render(**config: float) -> tuple[np.ndarray[Any, Any], float]:
        data = synthesize(client, text, config=config).json()["data"]
        samples, info = decoded(client, data)
        return samples, info.duration

    plain, plain_duration = render()
    _, fast_duration = render(speed=2.0)
    # The pitch reference goes through the same WORLD re-synthesis (see tests/speech).
    reference, _ = render(pitch=1.001)
    high, high_duration = render(pitch=1.5)
    quiet, _ = render(volume=0.5)
    loud, _ = render(volume=2.0)

    assert fast_duration / plain_duration == pytest.approx(0.5, abs=0.05)
    assert high_duration == pytest.approx(plain_duration, rel=0.01)
    assert f0_ratio(high, reference) == pytest.approx(1.5, rel=0.03)
    level = [float(np.sqrt(np.mean(x.astype(np.float64) ** 2))) for x in (plain, quiet, loud)]
    assert level[1] / level[0] == pytest.approx(0.5, rel=0.08)
    assert level[2] / level[0] > 1.5
    assert float(np.abs(loud).max()) < 0.999, "volume 2.0 must not clip"


def test_a_cloned_voice_sounds_more_like_its_speaker_than_the_builtin_voice(
    alice: tuple[User, APIClient], cloned_voice: str
) -> None:
    """At full identity strength. The voice's default strength is chosen at training by the
    three judges on one sentence; this session fixture's short search puts its naturalness
    near the admissible edge (about 3.2-3.3 against 3.5), so that choice may go either way
    from run to run and is tested with the training, not here."""
    _, client = alice
    text = "A quiet morning walk along the river helps me think clearly about the day ahead."

    cloned = synthesize(client, text, voice_id=cloned_voice, config={"similarity": 1.0})
    builtin = synthesize(client, text)

    assert cloned.status_code == 200, cloned.json()
    cloned_audio, info = decoded(client, cloned.json()["data"])
    builtin_audio, _ = decoded(client, builtin.json()["data"])
    assert info.duration == pytest.approx(cloned.json()["data"]["duration"], rel=0.05)
    rec = recording(VOICE_RECORDING)
    target, rate = sf.read(rec.path, dtype="float32")
    target_embedding = speaker_embedding(target, rate)
    to_clone = cosine_similarity(speaker_embedding(cloned_audio, 22050), target_embedding)
    to_builtin = cosine_similarity(speaker_embedding(builtin_audio, 22050), target_embedding)
    print(f"similarity to the speaker: cloned {to_clone:.3f}, built-in {to_builtin:.3f}")
    assert to_clone > to_builtin + 0.03
    assert Synthesis.objects.get(public_id=cloned.json()["data"]["synthesis_id"]).voice_model is not None


def test_text_is_normalised_and_control_characters_are_stripped(alice: tuple[User, APIClient]) -> None:
    _, client = alice

    response = synthesize(client, "Hel\x00lo\x07 there,\u200b it is 10:30 am.")

    assert response.status_code == 200, response.json()
    synthesis = Synthesis.objects.get(public_id=response.json()["data"]["synthesis_id"])
    assert synthesis.text == "Hello there, it is 10:30 am."


@pytest.mark.parametrize("text", ["", "   ", "\x00\x07\x1b", "... !!! ???", "\u200b\u200b"])
def test_empty_text_is_refused(alice: tuple[User, APIClient], text: str) -> None:
    _, client = alice

    response = synthesize(client, text)

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "EMPTY_TEXT"


def test_text_over_the_limit_points_at_the_async_endpoint(alice: tuple[User, APIClient], limits: Any) -> None:
    _, client = alice
    limits(max_synthesis_length=60)
    keys = stored_keys()

    at_limit = synthesize(client, "word " * 11 + "word.")  # 59 characters
    over = synthesize(client, "x" * 61)

    assert at_limit.status_code == 200
    assert over.status_code == 400
    error = over.json()["error"]
    assert error["code"] == "TEXT_TOO_LONG"
    assert error["details"] == {"length": 61, "max_length": 60, "async_endpoint": "/api/v1/tts/synthesize/async"}
    assert "/api/v1/tts/synthesize/async" in error["message"]
    assert len(stored_keys() - keys) == 1
    assert Synthesis.objects.count() == 1


@pytest.mark.parametrize(
    ("config", "field"),
    [
        ({"output_format": "wma"}, "output_format"),
        ({"sample_rate": 7999}, "sample_rate"),
        ({"sample_rate": 48001}, "sample_rate"),
        ({"sample_rate": "fast"}, "sample_rate"),
        ({"speed": 0.49}, "speed"),
        ({"speed": 2.01}, "speed"),
        ({"pitch": 0.4}, "pitch"),
        ({"pitch": 2.5}, "pitch"),
        ({"volume": -0.1}, "volume"),
        ({"volume": 2.1}, "volume"),
        ({"output_format": "opus", "sample_rate": 22050}, "sample_rate"),
        ({"output_format": "mp3", "sample_rate": 30000}, "sample_rate"),
    ],
)
def test_bad_config_is_a_validation_error_naming_the_field(
    alice: tuple[User, APIClient], config: dict[str, Any], field: str
) -> None:
    _, client = alice

    response = synthesize(client, config=config)

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "VALIDATION_ERROR"
    assert field in str(error["details"])


def test_missing_text_is_a_validation_error(alice: tuple[User, APIClient]) -> None:
    _, client = alice

    response = client.post(URL, {"voice_id": BUILTIN_VOICE_ID}, format="json")

    assert response.status_code == 400
    assert "text" in response.json()["error"]["details"]


def test_an_untrained_voice_is_not_ready_and_unknown_or_foreign_voices_are_not_found(
    alice: tuple[User, APIClient],
    make_user: Callable[[str], tuple[User, APIClient]],
    uploaded_sample: str,
) -> None:
    _, client = alice
    _, bob_client = make_user("bob@example.com")

    untrained = synthesize(client, voice_id=uploaded_sample)
    unknown = synthesize(client, voice_id="vs_doesnotexist")
    foreign = synthesize(bob_client, voice_id=uploaded_sample)

    assert untrained.status_code == 409
    assert untrained.json()["error"]["code"] == "VOICE_NOT_READY"
    assert untrained.json()["error"]["details"]["status"] == "uploaded"
    assert (unknown.status_code, unknown.json()["error"]["code"]) == (404, "VOICE_NOT_FOUND")
    assert (foreign.status_code, foreign.json()["error"]["code"]) == (404, "VOICE_NOT_FOUND")
    assert not Synthesis.objects.exists()


def test_daily_quota_counts_only_finished_syntheses(alice: tuple[User, APIClient], limits: Any) -> None:
    user, client = alice
    limits(syntheses_per_day=2)

    refused = [synthesize(client, ""), synthesize(client, config={"speed": 9}), synthesize(client, "x" * 5000)]
    first, second = synthesize(client), synthesize(client)
    third = synthesize(client)

    assert [r.status_code for r in refused] == [400, 400, 400]
    assert (first.status_code, second.status_code) == (200, 200)
    assert third.status_code == 429
    error = third.json()["error"]
    assert error["code"] == "QUOTA_EXCEEDED"
    assert error["details"] == {"kind": "syntheses", "limit": 2, "used": 2}
    assert DailyUsage.objects.get(user=user, kind="syntheses").count == 2
    assert Synthesis.objects.filter(owner=user).count() == 2


def test_unfinished_async_syntheses_count_against_the_quota(alice: tuple[User, APIClient], limits: Any) -> None:
    _, client = alice
    limits(syntheses_per_day=2)

    pending = client.post(f"{URL}/async", {"text": TEXT}, format="json")
    done = synthesize(client)
    refused = synthesize(client)

    assert (pending.status_code, done.status_code) == (202, 200)
    assert refused.status_code == 429


def test_a_cancelled_async_synthesis_no_longer_counts(alice: tuple[User, APIClient], limits: Any) -> None:
    _, client = alice
    limits(syntheses_per_day=1)
    job_id = client.post(f"{URL}/async", {"text": TEXT}, format="json").json()["data"]["job_id"]

    assert synthesize(client).status_code == 429
    assert client.post(f"/api/v1/jobs/{job_id}/cancel").status_code == 200
    assert synthesize(client).status_code == 200


def test_outputs_expire_after_file_ttl_hours_unless_kept(alice: tuple[User, APIClient], limits: Any) -> None:
    _, client = alice
    limits(file_ttl_hours=2)

    temporary = synthesize(client).json()["data"]
    kept = synthesize(client, keep=True).json()["data"]

    temporary_file = StoredFile.objects.get(public_id=temporary["file_id"])
    assert temporary_file.expires_at is not None
    hours = (temporary_file.expires_at - temporary_file.created_at).total_seconds() / 3600
    assert hours == pytest.approx(2.0, abs=0.01)
    assert kept["expires_at"] is None
    assert StoredFile.objects.get(public_id=kept["file_id"]).expires_at is None
