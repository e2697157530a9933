"""Japanese through the API: ``config.language`` (or Japanese text on a voice that reads it)
on the Kokoro voices with word times, SSML breaks and the async path; what Japanese text
cannot use (another engine, a dictionary, say-as and phoneme) refused before anything is
written or counted; a Japanese sample refused at training."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from rest_framework.test import APIClient

from accounts.models import DailyUsage, User
from jobs.models import Job
from jobs.runner import run_job
from speech.engines import parse_voice
from synthesis.models import Synthesis
from synthesis.requests import SynthesisRequest, spoken_language
from synthesis.voices import ResolvedVoice
from synthesis.work import synthesis_job_work
from tests.support.speech_data import recording
from tests.support.uploads import upload

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_heartbeat_thread_writes")]
URL = "/api/v1/tts/synthesize"
TEXT = "今日は良い天気ですね。明日は雨でしょうか。"
WORDS = ["今日", "は", "良い", "天気", "です", "ね", "明日", "は", "雨", "でしょ", "うか"]


def synthesize(client: APIClient, text: str = TEXT, voice_id: str = "jf_alpha", **config: Any) -> Any:
    return client.post(URL, {"text": text, "voice_id": voice_id, "config": config}, format="json")


def test_a_kokoro_voice_reads_japanese_with_word_times(alice: tuple[User, APIClient]) -> None:
    _, client = alice
    for config in ({"language": "ja-JP"}, {}):  # named, or known from the text
        answer = synthesize(client, timestamps="word", **config)
        assert answer.status_code == 200, answer.json()
        data = answer.json()["data"]
        assert [w["word"] for w in data["timestamps"]] == WORDS
        assert all(0 <= w["start"] < w["end"] <= data["duration"] for w in data["timestamps"])
        assert 2.0 < data["duration"] < 8.0


def test_japanese_ssml_breaks_and_the_async_path(alice: tuple[User, APIClient]) -> None:
    _, client = alice
    markup = '<speak>今日は良い天気ですね。<break time="700ms"/>明日は雨でしょうか。</speak>'
    answer = synthesize(client, markup, voice_id="jf_nezumi(1)+jm_kumo(1)", language="ja", timestamps="word")
    assert answer.status_code == 200, answer.json()
    words = answer.json()["data"]["timestamps"]
    assert [w["word"] for w in words] == WORDS
    assert words[6]["start"] - words[5]["end"] >= 0.7 - 0.03

    accepted = client.post(
        f"{URL}/async",
        {"text": TEXT, "voice_id": "jm_kumo", "config": {"language": "ja-JP", "timestamps": "word"}},
        format="json",
    ).json()["data"]
    run_job(accepted["job_id"], 1, synthesis_job_work)
    record = client.get(f"/api/v1/tts/syntheses/{accepted['synthesis_id']}").json()["data"]
    assert record["status"] == "completed", record
    assert [w["word"] for w in record["timestamps"]] == WORDS


@pytest.mark.parametrize(
    ("body", "code", "field", "says"),
    [
        (
            {"voice_id": "piper-en_US-joe-medium", "config": {"language": "ja-JP"}},
            "VALIDATION_ERROR",
            "language",
            "jf_alpha",
        ),
        ({"config": {"language": "fr-FR"}}, "VALIDATION_ERROR", "config.language", "en-US or ja-JP"),
        ({"config": {"language": "ja", "dictionary_id": "dict_x"}}, "VALIDATION_ERROR", "dictionary_id", "Japanese"),
        (
            {"text": '<speak><say-as interpret-as="cardinal">12</say-as>個</speak>', "config": {"language": "ja"}},
            "INVALID_SSML",
            "reason",
            "say-as",
        ),
    ],
)
def test_what_japanese_text_cannot_use_is_refused_and_costs_nothing(
    alice: tuple[User, APIClient], body: dict[str, Any], code: str, field: str, says: str
) -> None:
    user, client = alice
    for path in (URL, f"{URL}/async"):
        answer = client.post(path, {"text": TEXT, "voice_id": "jf_alpha", **body}, format="json")
        assert answer.status_code == 400, answer.json()
        error = answer.json()["error"]
        assert error["code"] == code, error
        detail: Any = error["details"]
        for key in field.split("."):
            detail = detail[key]
        assert says in (detail if isinstance(detail, str) else detail[0]), error
    assert not Synthesis.objects.filter(owner=user).exists()
    assert not DailyUsage.objects.filter(user=user).exists()


def test_japanese_ssml_is_known_by_its_text_not_its_markup() -> None:
    markup = '<speak>今日は<break time="700ms"/>明日<prosody rate="slow">です</prosody></speak>'
    kokoro = ResolvedVoice("jf_alpha", base=parse_voice("jf_alpha"))
    request = SynthesisRequest(text=markup, voice_id="jf_alpha", output_format="wav", sample_rate=24000)
    assert spoken_language(request, kokoro) == "ja"
    english = '<speak>Call <break time="700ms"/> Tanaka-san (タナカ) today.</speak>'
    assert spoken_language(replace(request, text=english), kokoro) == "en"


def test_the_catalogue_says_who_speaks_japanese(alice: tuple[User, APIClient]) -> None:
    _, client = alice
    voices = {v["voice_id"]: v for v in client.get("/api/v1/tts/voices").json()["data"]["voices"]}
    assert voices["jf_alpha"]["language"] == "ja-JP" and voices["jf_alpha"]["languages"] == ["ja-JP", "en-US"]
    assert voices["piper-en_US-joe-medium"]["languages"] == ["en-US"]


def test_a_japanese_sample_uploads_but_is_refused_at_training(alice: tuple[User, APIClient]) -> None:
    user, client = alice
    uploaded = upload(client, recording("1089-134686-0000.wav").path, language="ja-JP")
    assert uploaded.status_code == 201
    sample_id = uploaded.json()["data"]["sample_id"]
    answer = client.post(f"/api/v1/voice/samples/{sample_id}/train", {}, format="json")
    assert answer.status_code == 400, answer.json()
    error = answer.json()["error"]
    assert error["code"] == "LANGUAGE_NOT_SUPPORTED" and error["details"]["language"] == "ja-JP"
    assert not Job.objects.filter(owner=user).exists()
    assert client.get(f"/api/v1/voice/samples/{sample_id}").json()["data"]["status"] == "uploaded"
