"""Word timestamps from the engine's own phoneme lengths, checked against Whisper's word
timestamps on the same audio (an independent measurement), for both engines' built-in voices
(Piper, Kokoro) and a cloned voice."""

from __future__ import annotations

import re
import statistics

import pytest
from django.conf import settings

from speech.alignment import (
    SpokenGroup,
    WordTime,
    attribute,
    input_words,
    match_written,
    spoken_groups,
    text_words,
    word_times,
)
from speech.engine import RenderOptions, render_text_timed
from speech.text import normalize, prepare
from speech.transcription import transcribe_words
from speech.voice_methods.base import Artefact

# The engine alone: no database, broker or storage, so the same in both run modes; it runs once.
pytestmark = pytest.mark.skipif(not settings.EMBEDDED, reason="engine only: measured in the embedded run")

TEXTS = [
    "The quick brown fox jumps over the lazy dog in the morning. It was one of those days.",
    "Please call Stella and ask her to bring these things with her from the store.",
    "Dr. Smith paid $5.50 on 3 May 2021, twice as much as last year.",
]


def _key(word: str) -> str:
    return re.sub(r"[^a-z0-9]", "", word.lower())


def start_distances(words: list[WordTime], heard: list[WordTime]) -> list[float]:
    """|start - Whisper's start| for each spoken word Whisper also heard, matched in order."""
    distances = []
    position = 0
    for word in words:
        for k in range(position, min(position + 4, len(heard))):
            if _key(heard[k].word) == _key(word.word):
                distances.append(abs(heard[k].start - word.start))
                position = k + 1
                break
    return distances


Speaker = tuple[Artefact | None, str | None]  # a trained voice, or a built-in voice's id


def timed(text: str, voice: Speaker, speed: float = 1.0) -> tuple[list[WordTime], list[WordTime], float]:
    options = RenderOptions(sample_rate=22050, speed=speed)
    audio, spoken = render_text_timed(prepare(text), options=options, voice=voice[0], base=voice[1])
    return spoken, transcribe_words(audio, 22050), len(audio) / 22050


@pytest.fixture(scope="module", params=["piper", "kokoro", "cloned"])
def voice(request: pytest.FixtureRequest, trained_artefact: Artefact) -> Speaker:
    return {"piper": (None, None), "kokoro": (None, "jf_alpha"), "cloned": (trained_artefact, None)}[request.param]


def test_word_starts_agree_with_whisper_and_every_input_word_is_there_once(voice: Speaker) -> None:
    distances = []
    for text in TEXTS:
        spoken, heard, seconds = timed(text, voice)
        distances += start_distances(spoken, heard)
        attributed = attribute(input_words(text), spoken, normalize)
        assert [w.word for w in attributed] == input_words(text)
        starts = [w.start for w in attributed]
        assert starts == sorted(starts) and all(w.start < w.end <= seconds for w in attributed), attributed
    assert len(distances) >= 30, distances
    assert statistics.median(distances) <= 0.08, sorted(distances)


def test_at_speed_one_and_a_half_the_times_scale(voice: Speaker) -> None:
    text = TEXTS[1]
    normal, _, normal_seconds = timed(text, voice)
    fast, heard, fast_seconds = timed(text, voice, speed=1.5)
    assert [w.word for w in fast] == [w.word for w in normal]
    ratios = [f.end / n.end for f, n in zip(fast, normal, strict=True)]
    assert statistics.median(ratios) == pytest.approx(1 / 1.5, abs=0.05), ratios
    assert fast[-1].end <= fast_seconds < normal_seconds
    assert statistics.median(start_distances(fast, heard)) <= 0.08


def test_joined_words_share_their_group_and_split_words_join() -> None:
    # eSpeak says "in the" as one group; "it's" stays one word.
    groups = [SpokenGroup("ɪnðə", 0, 2205), SpokenGroup("mɔːɹnɪŋ", 2205, 11025)]
    own = {"in": "ˈɪn", "the": "ðə", "morning": "mˈɔːɹnɪŋ"}
    times = word_times(["in", "the", "morning"], groups, 22050, lambda word: own[word])
    assert [w.word for w in times] == ["in", "the", "morning"]
    assert times[0].start == 0.0 and times[1].end == pytest.approx(0.1) and times[0].end == pytest.approx(0.05)
    assert times[2].start == pytest.approx(0.1) and times[2].end == pytest.approx(0.5)


def test_pauses_and_markers_are_not_inside_a_words_time() -> None:
    phonemes = ["^", "h", "ˈɛ", "l", "oʊ", ",", " ", "w", "ˈɜː", "l", "d", ".", "$"]
    samples = [100, 10, 10, 10, 10, 500, 5, 10, 10, 10, 10, 300, 100]
    groups = spoken_groups(phonemes, samples)
    assert groups == [SpokenGroup("hɛloʊ", 100, 140), SpokenGroup("wɜːld", 645, 685)]


def test_written_words_keep_their_form_and_get_the_time_of_what_they_became() -> None:
    text = "It costs $5.50 - or 25% of R&D's budget."
    spoken_text = normalize(text)
    spoken = [WordTime(word, k * 0.5, k * 0.5 + 0.4) for k, word in enumerate(spoken_text.replace("-", " ").split())]
    attributed = attribute(input_words(text), spoken, normalize)
    assert [w.word for w in attributed] == ["It", "costs", "$5.50", "or", "25%", "of", "R&D's", "budget"]
    money = attributed[2]
    assert (money.start, money.end) == (1.0, spoken[[w.word for w in spoken].index("cents")].end)


def test_a_long_text_matches_each_repetition_the_same_way() -> None:
    # The match is banded around where each word is expected; a long text must still come out
    # word for word as its first sentence does, shifted.
    sentence = "Dr. Smith paid $5.50 on 3 May 2021 at 10:30 pm - and then he rested! "
    text = sentence * 60
    said = [word for piece in prepare(text) for word in text_words(piece)]
    runs = match_written(input_words(text), said, normalize)
    per, spoken = len(input_words(sentence)), len(text_words(normalize(sentence)))
    first = runs[:per]
    for r in range(60):
        assert runs[r * per : (r + 1) * per] == [(a + r * spoken, b + r * spoken) for a, b in first]
    assert first[3] == (3, 8)  # "$5.50": five dollars and fifty cents
