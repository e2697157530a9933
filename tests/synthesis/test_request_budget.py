"""The request budget on what will really be spoken (after dictionaries, SSML, say-as and
normalisation), the bounded parts the engine speaks, and text algorithms that stay linear:
in process, through the REST API. The same attacks on the live web server, with its memory
and /healthz watched from outside, are in test_request_budget_live.py."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from rest_framework.test import APIClient

from accounts.models import User
from speech import alignment
from speech.lexicon import Entry
from speech.script import PHONEME_WORD_MAX, Run, compose
from speech.text import PIECE_MAX_CHARS, normalize
from speech.tts import MAX_PHONEMES_PER_CALL, bounded_sentences
from synthesis.models import Synthesis
from synthesis.requests import SynthesisRequest, script_for

pytestmark = pytest.mark.django_db
SYNC = "/api/v1/tts/synthesize"


def refused(answer: Any, code: str, limit: str) -> dict[str, Any]:
    assert answer.status_code == 400, answer.json()
    error: dict[str, Any] = answer.json()["error"]
    assert error["code"] == code
    assert error["details"]["limit"] == limit
    assert error["details"]["value"] > error["details"]["maximum"]
    return error


def dictionary(client: APIClient, *entries: dict[str, Any]) -> str:
    made = client.post(
        "/api/v1/tts/dictionaries", {"name": "d", "is_default": True, "entries": list(entries)}, format="json"
    )
    assert made.status_code == 201, made.json()
    return str(made.json()["data"]["dictionary_id"])


def test_an_alias_that_multiplies_the_text_is_refused_on_what_it_would_speak(
    alice: tuple[User, APIClient],
) -> None:
    user, client = alice
    twelve_numbers = " ".join(str(123_456_789_012_345 + k) for k in range(12))
    dictionary(client, {"term": "a", "alias": twelve_numbers})

    error = refused(
        client.post(SYNC, {"text": "a " * 10}, format="json"), "SPOKEN_TEXT_TOO_LONG", "max_spoken_text_ratio"
    )
    stream = client.get("/api/v1/tts/synthesize/stream", {"text": "a " * 2500})
    queued = client.post("/api/v1/tts/synthesize/async", {"text": "a " * 50_000}, format="json")

    assert error["details"]["mode"] == "sync" and error["details"]["maximum"] == 4000
    refused(stream, "SPOKEN_TEXT_TOO_LONG", "max_spoken_text_ratio")
    refused(queued, "SPOKEN_TEXT_TOO_LONG", "max_spoken_text_ratio")
    assert not Synthesis.objects.filter(owner=user).exists()
    assert client.get("/api/v1/auth/usage").json()["data"]["syntheses"]["used"] == 0
    # Without the dictionary the same words are ordinary requests.
    plain = client.post(SYNC, {"text": "a " * 10, "config": {"dictionary_id": "none"}}, format="json")
    assert plain.status_code == 200, plain.json()


def test_an_alias_that_makes_many_pieces_is_refused(alice: tuple[User, APIClient]) -> None:
    _, client = alice
    dictionary(client, {"term": "x", "alias": "One. Two. Three. Four. Five."})

    refused(client.post(SYNC, {"text": "x " * 60}, format="json"), "TOO_MANY_PIECES", "max_pieces_ratio")


def test_ssml_breaks_count_as_the_audio_they_make(alice: tuple[User, APIClient]) -> None:
    _, client = alice
    markup = "<speak>" + 'a<break time="10s"/>' * 40 + "</speak>"  # 807 characters, 400 s of silence

    error = refused(
        client.post(SYNC, {"text": markup}, format="json"), "SPEECH_TOO_LONG", "max_synthesis_audio_seconds"
    )

    assert error["details"]["value"] >= 400 and error["details"]["maximum"] == 300
    assert "max_synthesis_audio_seconds" in error["message"]


def test_the_budget_follows_the_live_configuration(alice: tuple[User, APIClient], limits: Callable[..., Any]) -> None:
    _, client = alice
    text = "The museum will be closed on Monday for maintenance."
    assert client.post(SYNC, {"text": text}, format="json").status_code == 200

    limits(max_synthesis_audio_seconds=2)
    refused(client.post(SYNC, {"text": text}, format="json"), "SPEECH_TOO_LONG", "max_synthesis_audio_seconds")
    limits(max_synthesis_audio_seconds=300, max_spoken_text_ratio=1.0, max_synthesis_length=30)
    # 30 typed characters at most, and what they become too: "$1,000,000" is 11 characters
    # typed and 19 spoken.
    refused(
        client.post(SYNC, {"text": "$1,000,000 and $2,000,000"}, format="json"),
        "SPOKEN_TEXT_TOO_LONG",
        "max_spoken_text_ratio",
    )
    limits_shown = client.get("/api/v1/auth/usage").json()["data"]["limits"]
    assert limits_shown["max_synthesis_audio_seconds"] == 300
    assert limits_shown["max_spoken_text_ratio"] == 1.0


def test_a_word_shaped_like_the_phoneme_stand_in_is_spoken_as_a_word(alice: tuple[User, APIClient]) -> None:
    _, client = alice
    dictionary(client, {"term": "Bruce", "phonemes": "bˈætmæn"})

    for text in ("Say Qxzazxq now.", "Ask Bruce about Qxzklmnoazxq and Qxzazxq."):
        answer = client.post(SYNC, {"text": text, "config": {"timestamps": "word"}}, format="json")
        assert answer.status_code == 200, answer.json()
        assert any(w["word"].startswith("Qxz") for w in answer.json()["data"]["timestamps"])


def test_raw_phonemes_reach_the_engine_in_bounded_parts() -> None:
    word = "həlˈoʊ"
    script = compose(
        [Run("text", "Say"), Run("phonemes", " ".join([word] * 500), written="hello"), Run("text", "and stop.")]
    )
    blocks = [block for piece in script.pieces for block in alignment.PHONEME_BLOCK.findall(piece.text)]

    assert all(len(piece.text) <= PIECE_MAX_CHARS for piece in script.pieces)
    assert all(len(block) - 6 <= PHONEME_WORD_MAX for block in blocks)
    assert " ".join(" ".join(block[3:-3].split()) for block in blocks) == " ".join([word] * 500)
    # One word longer than any real one is cut, not passed whole.
    long = compose([Run("phonemes", "a" * 1000)])
    assert max(len(piece.text) for piece in long.pieces) <= PIECE_MAX_CHARS


def test_sentences_longer_than_one_call_are_cut_between_words() -> None:
    sentence = list(" ".join(["hɛlˈoʊ"] * 200))
    parts = bounded_sentences([sentence, list("ab")])

    assert all(len(part) <= MAX_PHONEMES_PER_CALL for part in parts)
    assert [p for part in parts for p in part] == sentence + list("ab")
    assert all(part[-1] == " " for part in parts[:-2])  # cut after a word
    unbroken = bounded_sentences([list("x" * 1000)])
    assert [len(part) for part in unbroken] == [400, 400, 200]


def test_matching_written_words_grows_linearly_with_one_long_token(monkeypatch: pytest.MonkeyPatch) -> None:
    compared = [0]
    original = alignment._distance

    def counted(a: str, b: str) -> int:
        compared[0] += len(a) + len(b)
        return original(a, b)

    monkeypatch.setattr(alignment, "_distance", counted)

    def work(repeats: int) -> int:
        compared[0] = 0
        text = "1+" * repeats + "1"
        spoken = [w for piece in compose([Run("text", text)]).pieces for w in alignment.text_words(piece.text)]
        alignment.match_written(alignment.input_words(text), spoken, normalize)
        return compared[0]

    small, large = work(400), work(1600)

    # Four times the text: about four times the characters compared (sixteen when quadratic).
    assert large < 6 * max(small, 1)


def test_the_daily_audio_quota_counts_the_budgets_estimate(
    alice: tuple[User, APIClient], limits: Callable[..., Any]
) -> None:
    user, client = alice
    text = "The museum will be closed on Monday for maintenance."

    made = client.post(SYNC, {"text": text}, format="json")
    assert made.status_code == 200, made.json()
    row = Synthesis.objects.get(public_id=made.json()["data"]["synthesis_id"])
    usage = client.get("/api/v1/auth/usage").json()["data"]["audio_seconds"]

    assert usage == {"used": row.budget_seconds, "in_flight": 0, "limit": 36_000}
    assert row.duration is not None and row.duration / 2 < row.budget_seconds < row.duration * 2 + 1
    limits(audio_seconds_per_day=row.budget_seconds * 2 - 1)  # room for less than the same again
    refused = client.post(SYNC, {"text": text}, format="json")
    assert (refused.status_code, refused.json()["error"]["code"]) == (429, "QUOTA_EXCEEDED")
    assert refused.json()["error"]["details"]["kind"] == "audio_seconds"
    assert Synthesis.objects.filter(owner=user).count() == 1
    assert client.get("/api/v1/auth/usage").json()["data"]["audio_seconds"]["used"] == row.budget_seconds


@pytest.mark.parametrize("symbols", [10, 60, 100, PHONEME_WORD_MAX])
def test_a_piece_counts_its_dictionary_phonemes_whole(symbols: int) -> None:
    """A dictionary's phonemes stand in as ``[[ … ]]`` blocks: the split into pieces counts the
    whole block, so no piece is longer than PIECE_MAX_CHARS once they are in (a case the
    SSML fuzz test found: 238 characters)."""
    text = "<speak>aaDr.999999999999999St.a>a>the--aaaaaathe</speak>"
    entries = [Entry("the", phonemes="ð" * symbols), Entry("a", phonemes="ə" * symbols)]

    request = SynthesisRequest(text=text, voice_id="piper-en_US-joe-medium", output_format="wav", sample_rate=22050)

    script = script_for(request, entries, phonemes_check=lambda ipa: None)

    assert all(len(piece.text) <= PIECE_MAX_CHARS for piece in script.pieces), [len(p.text) for p in script.pieces]
    blocks = [block for piece in script.pieces for block in piece.text.split("[[ ")[1:]]
    assert len(blocks) >= 3 and all(block.split(" ]]")[0].strip("ðə ") == "" for block in blocks)
