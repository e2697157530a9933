"""config.timestamps "word" on sync and async syntheses, the synthesis record, and its
subtitles (SRT and WebVTT, parsed by the srt and webvtt-py libraries)."""

from __future__ import annotations

import io
from typing import Any

import pytest
import soundfile as sf
import srt
import webvtt
from rest_framework.test import APIClient

from accounts.models import User
from jobs.runner import run_job
from speech.alignment import input_words, written_tokens
from synthesis.work import synthesis_job_work
from tests.synthesis.conftest import download

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_heartbeat_thread_writes")]
TEXT = "Dr. Smith paid $5.50 on 3 May 2021. Then he went home, quite pleased with the price of the book!"


def synthesize(client: APIClient, text: str = TEXT, **config: Any) -> dict[str, Any]:
    response = client.post("/api/v1/tts/synthesize", {"text": text, "config": config}, format="json")
    assert response.status_code == 200, response.json()
    data: dict[str, Any] = response.json()["data"]
    return data


def check_timestamps(words: list[dict[str, Any]], text: str, duration: float) -> None:
    assert [w["word"] for w in words] == input_words(text)  # every written word, once, in order
    starts = [w["start"] for w in words]
    assert starts == sorted(starts) and starts[0] < 0.5
    assert all(0 <= w["start"] < w["end"] <= duration for w in words), words


def test_a_synthesis_with_word_timestamps_answers_and_keeps_them(alice: tuple[User, APIClient]) -> None:
    _, client = alice
    data = synthesize(client, timestamps="word", output_format="wav")
    audio, rate = sf.read(io.BytesIO(download(client, data["audio_url"])))
    check_timestamps(data["timestamps"], TEXT, len(audio) / rate)
    money = next(w for w in data["timestamps"] if w["word"] == "$5.50")
    assert money["end"] - money["start"] > 1.0  # "five dollars and fifty cents"
    record = client.get(f"/api/v1/tts/syntheses/{data['synthesis_id']}").json()["data"]
    assert record["timestamps"] == data["timestamps"]

    plain = synthesize(client, "No timestamps were asked for.")
    assert plain["timestamps"] is None
    assert client.get(f"/api/v1/tts/syntheses/{plain['synthesis_id']}").json()["data"]["timestamps"] is None


def test_at_speed_one_and_a_half_the_words_come_sooner(alice: tuple[User, APIClient]) -> None:
    _, client = alice
    text = "Please call Stella and ask her to bring these things with her from the store."
    normal = synthesize(client, text, timestamps="word")["timestamps"]
    fast = synthesize(client, text, timestamps="word", speed=1.5)["timestamps"]
    ratio = fast[-1]["end"] / normal[-1]["end"]
    assert ratio == pytest.approx(1 / 1.5, abs=0.06)


def test_an_async_synthesis_records_word_timestamps_in_the_whole_files_timeline(alice: tuple[User, APIClient]) -> None:
    _, client = alice
    text = " ".join([TEXT] * 2)
    accepted = client.post(
        "/api/v1/tts/synthesize/async", {"text": text, "config": {"timestamps": "word"}}, format="json"
    ).json()["data"]
    run_job(accepted["job_id"], 1, synthesis_job_work)
    record = client.get(f"/api/v1/tts/syntheses/{accepted['synthesis_id']}").json()["data"]
    assert record["status"] == "completed"
    check_timestamps(record["timestamps"], text, record["duration"])
    first_half = record["timestamps"][: len(input_words(TEXT))]
    second_half = record["timestamps"][len(input_words(TEXT)) :]
    assert second_half[0]["start"] > first_half[-1]["end"]  # the pieces follow one another


def test_subtitles_parse_and_cover_every_word(alice: tuple[User, APIClient]) -> None:
    _, client = alice
    data = synthesize(client, timestamps="word")
    words = data["timestamps"]
    url = f"/api/v1/tts/syntheses/{data['synthesis_id']}/subtitles"

    answer = client.get(url, {"format": "srt"})
    assert answer.status_code == 200 and answer["Content-Type"].startswith("application/x-subrip")
    cues = list(srt.parse(answer.content.decode()))
    assert " ".join(cue.content for cue in cues) == " ".join(written_tokens(TEXT))
    assert cues[0].start.total_seconds() == pytest.approx(words[0]["start"], abs=0.001)
    assert cues[-1].end.total_seconds() == pytest.approx(words[-1]["end"], abs=0.001)
    assert all(len(cue.content) <= 42 and cue.start < cue.end for cue in cues)
    assert cues[0].content.endswith("2021.")  # a cue ends with its sentence

    answer = client.get(url, {"format": "vtt"})
    assert answer.status_code == 200 and answer["Content-Type"].startswith("text/vtt")
    captions = webvtt.from_buffer(io.StringIO(answer.content.decode())).captions
    assert [c.text for c in captions] == [cue.content for cue in cues]
    for caption, cue in zip(captions, cues, strict=True):
        hours, minutes, seconds = caption.end.split(":")
        assert int(hours) * 3600 + int(minutes) * 60 + float(seconds) == pytest.approx(cue.end.total_seconds())

    assert client.get(url).content == client.get(url, {"format": "srt"}).content  # srt by default


def test_subtitle_text_is_escaped_so_words_cannot_make_cues_or_tags(alice: tuple[User, APIClient]) -> None:
    _, client = alice
    text = "Read <b>this</b> and 1-->99:59:59 now & then."
    data = synthesize(client, text, input_type="text", timestamps="word")
    url = f"/api/v1/tts/syntheses/{data['synthesis_id']}/subtitles"

    vtt = client.get(url, {"format": "vtt"}).content.decode()
    subrip = client.get(url, {"format": "srt"}).content.decode()

    captions = webvtt.from_buffer(io.StringIO(vtt)).captions
    cues = list(srt.parse(subrip))
    assert len(captions) == len(cues) == len({c.start for c in cues})  # one cue per line of words
    assert all(c.end.total_seconds() < 60 for c in cues)  # no cue made of a word
    assert vtt.count("-->") == len(captions) and subrip.count("-->") == len(cues)
    assert "&lt;b&gt;this&lt;/b&gt;" in vtt and "&amp;" in vtt and "<b>" not in vtt
    assert "\u2039b\u203athis\u2039/b\u203a" in subrip and "<b>" not in subrip
    assert " ".join(c.text for c in captions).replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&") == (
        " ".join(written_tokens(text))
    )


def test_subtitles_need_timestamps_and_belong_to_their_owner(alice: tuple[User, APIClient], make_user: Any) -> None:
    _, client = alice
    plain = synthesize(client, "Nothing to time here.")
    refused = client.get(f"/api/v1/tts/syntheses/{plain['synthesis_id']}/subtitles")
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "TIMESTAMPS_NOT_AVAILABLE"

    timed = synthesize(client, "Timed words.", timestamps="word")
    url = f"/api/v1/tts/syntheses/{timed['synthesis_id']}/subtitles"
    bad = client.get(url, {"format": "ass"})
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "VALIDATION_ERROR"
    _, mallory = make_user("mallory@example.com")
    other = mallory.get(url)
    assert other.status_code == 404 and other.json()["error"]["code"] == "SYNTHESIS_NOT_FOUND"
    wrong = client.post("/api/v1/tts/synthesize", {"text": "x y", "config": {"timestamps": "phoneme"}}, format="json")
    assert wrong.status_code == 400 and "timestamps" in wrong.json()["error"]["details"]["config"]
