"""Both engines through the API: the catalogue of built-in voices, a Kokoro voice in every
output format, with SSML, a dictionary and word timestamps, sync and async; blends in
``voice_id``, and bad blends refused before anything is written or counted."""

from __future__ import annotations

import io
import re
from typing import Any

import numpy as np
import pytest
import soundfile as sf
from rest_framework.test import APIClient

from accounts.models import DailyUsage, User
from jobs.runner import run_job
from speech.alignment import input_words
from speech.transcription import transcribe
from speech.watermark import detect_watermark
from synthesis.models import Synthesis
from synthesis.work import synthesis_job_work
from tests.synthesis.conftest import download

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_heartbeat_thread_writes")]
URL = "/api/v1/tts/synthesize"
TEXT = "Hello there. This is a short test of the second engine."
KOKORO = "jf_alpha"


def synthesize(client: APIClient, text: str = TEXT, voice_id: str = KOKORO, **config: Any) -> Any:
    return client.post(URL, {"text": text, "voice_id": voice_id, "config": config}, format="json")


def decoded(client: APIClient, data: dict[str, Any]) -> tuple[np.ndarray[Any, Any], Any]:
    raw = download(client, data["audio_url"])
    samples, _ = sf.read(io.BytesIO(raw), dtype="float32")
    return samples, sf.info(io.BytesIO(raw))


def test_the_catalogues_describe_every_builtin_voice(alice: tuple[User, APIClient]) -> None:
    _, client = alice
    voices = client.get("/api/v1/tts/voices").json()["data"]["voices"]
    builtin = {v["voice_id"]: v for v in voices if v["type"] == "builtin"}
    assert set(builtin) == {
        "piper-en_US-joe-medium",
        "jf_alpha",
        "jf_gongitsune",
        "jf_nezumi",
        "jf_tebukuro",
        "jm_kumo",
    }
    assert builtin["jf_alpha"] | {"description": ""} == {
        "voice_id": "jf_alpha",
        "name": "Alpha",
        "type": "builtin",
        "language": "ja-JP",
        "languages": ["ja-JP", "en-US"],
        "gender": "female",
        "accent": "Japanese",
        "description": "",
        "sample_rate": 24000,
        "engine": "kokoro",
        "model_version": None,
        "similarity": None,
    }
    assert builtin["jm_kumo"]["gender"] == builtin["piper-en_US-joe-medium"]["gender"] == "male"
    assert "Female" in builtin["jf_alpha"]["description"]

    openai = client.get("/v1/audio/voices").json()["data"]
    aliases = {v["id"]: v["voice_id"] for v in openai if v["type"] == "alias"}
    # OpenAI's voice names reach distinct voices, female and male.
    genders = {builtin[target]["gender"] for target in aliases.values()}
    assert genders == {"female", "male"} and len(set(aliases.values())) >= 4
    assert {v["id"]: v["gender"] for v in openai if v["type"] == "builtin"}["jf_nezumi"] == "female"


@pytest.mark.parametrize(
    ("output_format", "sample_rate", "sf_format"),
    [
        ("wav", 24000, "WAV"),
        ("flac", 44100, "FLAC"),
        ("ogg", 16000, "OGG"),
        ("mp3", 22050, "MP3"),
        ("opus", 48000, "OGG"),
    ],
)
def test_a_kokoro_voice_speaks_every_format(
    alice: tuple[User, APIClient], output_format: str, sample_rate: int, sf_format: str
) -> None:
    _, client = alice
    answer = synthesize(client, output_format=output_format, sample_rate=sample_rate)
    assert answer.status_code == 200, answer.json()
    data = answer.json()["data"]
    samples, info = decoded(client, data)
    assert (info.format, info.samplerate, info.channels) == (sf_format, sample_rate, 1)
    assert info.duration == pytest.approx(data["duration"], rel=0.05)
    assert float(np.abs(samples).max()) > 0.1
    if output_format == "wav":
        assert detect_watermark(samples, sample_rate).watermarked  # every output carries the mark
        heard = transcribe(samples, sample_rate).lower()
        assert "short test" in heard and "engine" in heard, heard


def test_ssml_a_dictionary_and_word_times_on_kokoro_sync_and_async(alice: tuple[User, APIClient]) -> None:
    _, client = alice
    made = client.post(
        "/api/v1/tts/dictionaries",
        {"name": "Names", "entries": [{"term": "Bruce", "phonemes": "bˈætmæn"}]},
        format="json",
    ).json()["data"]
    markup = '<speak><p>Ask Bruce for help.</p><break time="800ms"/><s>Then call him back.</s></speak>'
    written = "Ask Bruce for help. Then call him back."
    answer = synthesize(client, markup, dictionary_id=made["dictionary_id"], timestamps="word")
    assert answer.status_code == 200, answer.json()
    data = answer.json()["data"]
    words = data["timestamps"]
    assert [w["word"] for w in words] == input_words(written)
    assert all(0 <= w["start"] < w["end"] <= data["duration"] for w in words)
    assert words[4]["start"] - words[3]["end"] >= 0.8 - 0.03  # the break
    samples, info = decoded(client, data)
    heard = " ".join(re.findall(r"[a-z]+", transcribe(samples, info.samplerate).lower()))
    assert "batman" in heard and "bruce" not in heard, heard

    accepted = client.post(
        f"{URL}/async",
        {"text": markup, "voice_id": "jf_alpha(3)+jm_kumo(1)", "config": {"timestamps": "word"}},
        format="json",
    ).json()["data"]
    run_job(accepted["job_id"], 1, synthesis_job_work)
    record = client.get(f"/api/v1/tts/syntheses/{accepted['synthesis_id']}").json()["data"]
    assert record["status"] == "completed" and record["voice_id"] == "jf_alpha(3)+jm_kumo(1)"
    assert [w["word"] for w in record["timestamps"]] == input_words(written)


@pytest.mark.parametrize(
    ("voice_id", "says"),
    [
        ("jf_alpha(2)+nobody(1)", "Unknown voice 'nobody'"),
        ("jf_alpha(0)+jm_kumo(1)", "above 0"),
        ("jf_alpha(1)+jf_alpha(2)", "twice"),
        ("jf_alpha(1)+piper-en_US-joe-medium(1)", "cannot be mixed"),
    ],
)
def test_a_bad_blend_is_a_validation_error_naming_the_field_and_costs_nothing(
    alice: tuple[User, APIClient], voice_id: str, says: str
) -> None:
    user, client = alice
    for path in (URL, f"{URL}/async"):
        answer = client.post(path, {"text": TEXT, "voice_id": voice_id}, format="json")
        assert answer.status_code == 400, answer.json()
        error = answer.json()["error"]
        assert error["code"] == "VALIDATION_ERROR"
        assert says in error["details"]["voice_id"][0]
    assert not Synthesis.objects.filter(owner=user).exists()
    assert not DailyUsage.objects.filter(user=user).exists()


def test_the_piper_voice_and_a_blend_both_speak(alice: tuple[User, APIClient]) -> None:
    _, client = alice
    for voice_id in ("piper-en_US-joe-medium", "jf_nezumi(1)+jm_kumo(1)"):
        answer = synthesize(client, voice_id=voice_id, output_format="wav")
        assert answer.status_code == 200, answer.json()
        assert answer.json()["data"]["duration"] > 2.0


def test_an_async_synthesis_whose_cloned_voice_was_deleted_fails_as_not_found(
    alice: tuple[User, APIClient], cloned_voice: str
) -> None:
    _, client = alice
    accepted = client.post(f"{URL}/async", {"text": TEXT, "voice_id": cloned_voice}, format="json").json()["data"]
    # What deleting the sample does to a queued synthesis: both links set to null.
    Synthesis.objects.filter(public_id=accepted["synthesis_id"]).update(voice_sample=None, voice_model=None)
    run_job(accepted["job_id"], 1, synthesis_job_work)
    record = Synthesis.objects.get(public_id=accepted["synthesis_id"])
    assert (record.status, record.error_code) == (Synthesis.Status.FAILED, "VOICE_NOT_FOUND")
