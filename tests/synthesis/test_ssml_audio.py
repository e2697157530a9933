"""Each SSML element's effect, measured on the audio: a break's silence, spelled characters
and substitutions as Whisper hears them, phonemes that change what is said, and prosody that
changes the duration, pitch or level of its span and of nothing else."""

from __future__ import annotations

import re

import numpy as np
import pytest
import pyworld
from django.conf import settings

from speech.alignment import WordTime
from speech.audio_io import Samples
from speech.engine import RenderOptions, render_text_timed
from speech.script import PARAGRAPH_PAUSE_S, compose
from speech.ssml import parse
from speech.transcription import transcribe_words
from speech.tts import unknown_phonemes

pytestmark = pytest.mark.skipif(not settings.EMBEDDED, reason="engine only: measured in the embedded run")
RATE = 22050


def render(markup: str) -> tuple[Samples, list[WordTime]]:
    pieces = compose(parse(markup, phonemes_check=unknown_phonemes)).pieces
    return render_text_timed(pieces, options=RenderOptions(sample_rate=RATE))


def heard(audio: Samples) -> list[str]:
    """Whisper's words, lower case, split at anything that is not a letter or digit."""
    words = " ".join(w.word for w in transcribe_words(audio, RATE))
    return re.findall(r"[a-z0-9]+", words.lower())


def letters_heard(audio: Samples) -> str:
    """Whisper's text with everything but letters removed, case kept."""
    return re.sub(r"[^A-Za-z]", "", " ".join(w.word for w in transcribe_words(audio, RATE)))


def silences(audio: Samples, floor_db: float = -45.0) -> list[float]:
    """Lengths of the silent stretches between sounds (10 ms frames below ``floor_db`` of the loudest)."""
    frame = RATE // 100
    count = len(audio) // frame
    energy = np.mean(audio[: count * frame].reshape(count, frame).astype(np.float64) ** 2, axis=1)
    quiet = energy < energy.max() * 10 ** (floor_db / 10)
    lengths, run, started = [], 0, False
    for is_quiet in quiet:
        if not is_quiet:
            if started and run:
                lengths.append(run * frame / RATE)
            started, run = True, 0
        elif started:
            run += 1
    return lengths


@pytest.mark.parametrize("seconds", [0.25, 1.2])
def test_a_break_is_that_much_silence(seconds: float) -> None:
    audio, _ = render(f'<speak>The first part<break time="{int(seconds * 1000)}ms"/>and the second part.</speak>')
    longest = max(silences(audio))
    assert abs(longest - seconds) <= 0.03, (longest, seconds)


def test_sentences_and_paragraphs_pause_as_documented() -> None:
    audio, _ = render("<speak><p><s>The first one</s><s>the second one</s></p><p>A new paragraph.</p></speak>")
    sentence, paragraph = sorted(silences(audio))[-2:]
    assert 0.15 < sentence < 0.45, sentence  # the ordinary pause between pieces and Piper's own edges
    assert abs(paragraph - PARAGRAPH_PAUSE_S) <= 0.03, paragraph


def test_say_as_characters_is_spelled() -> None:
    plain, plain_words = render("<speak>The word hello is short.</speak>")
    spelled, spelled_words = render(
        '<speak>The word <say-as interpret-as="characters">hello</say-as> is short.</speak>'
    )
    # Whisper writes letters it hears spelled as capitals ("H-E-L-L-O", now and then "HELLO"),
    # and the spoken word in lower case.
    assert "hello" in heard(plain) and "HELLO" not in letters_heard(plain)
    assert "HELLO" in letters_heard(spelled), letters_heard(spelled)
    # The engine says five letters, each a little pause apart, in over twice the word's time.
    assert len(spelled_words) == len(plain_words) + 4
    assert spelled_words[6].end - spelled_words[2].start > 2 * (plain_words[2].end - plain_words[2].start)


def test_sub_speaks_its_alias() -> None:
    audio, _ = render('<speak>Open the <sub alias="World Wide Web">WWW</sub> today.</speak>')
    # Whisper tiny now and then hears the last word of the alias as "what": the alias is spoken
    # when its first two words are, and the letters are not.
    words = heard(audio)
    assert words[2:4] == ["world", "wide"] and "www" not in words and "w" not in words, words


def test_phoneme_changes_what_is_said() -> None:
    written, _ = render("<speak>I am Bruce tonight.</speak>")
    phonemes, _ = render('<speak>I am <phoneme alphabet="ipa" ph="bˈætmæn">Bruce</phoneme> tonight.</speak>')
    assert "bruce" in heard(written)
    assert "batman" in heard(phonemes) and "bruce" not in heard(phonemes)


SENTENCE = "<speak>The quick brown fox <prosody {}>jumps over the lazy</prosody> dog in the yard.</speak>"
SPAN = slice(4, 8)  # jumps over the lazy


def span_and_rest(words: list[WordTime]) -> tuple[tuple[float, float], list[float]]:
    span = words[SPAN]
    rest = [w.end - w.start for k, w in enumerate(words) if not SPAN.start <= k < SPAN.stop]
    return (span[0].start, span[-1].end), rest


def test_prosody_rate_changes_the_duration_of_its_span_only() -> None:
    _, slow = render(SENTENCE.format('rate="x-slow"'))
    _, fast = render(SENTENCE.format('rate="x-fast"'))
    (slow_start, slow_end), slow_rest = span_and_rest(slow)
    (fast_start, fast_end), fast_rest = span_and_rest(fast)
    assert (slow_end - slow_start) / (fast_end - fast_start) > 2.0  # 1.6 / 0.6 asked: 2.67
    assert np.allclose(slow_rest, fast_rest, atol=0.02), (slow_rest, fast_rest)


def f0_frames(audio: Samples, start: float, end: float) -> np.ndarray:
    """Voiced F0 values (Hz, Harvest) of a stretch of the audio."""
    stretch = audio[int(start * RATE) : int(end * RATE)].astype(np.float64)
    f0, _ = pyworld.harvest(stretch, RATE, f0_floor=60.0, f0_ceil=500.0, frame_period=5.0)
    voiced: np.ndarray = np.asarray(f0)[np.asarray(f0) > 0]
    return voiced


def test_prosody_pitch_changes_the_pitch_of_its_span_only() -> None:
    # Piper's generator noise moves the pitch of the same words from one render to the next
    # (a stretch's median F0 by up to a third, even pooled over renders), so the words outside
    # the span are the reference: the span must move against them. A pitch change that leaked
    # to the whole sentence would move both alike (a relative ratio near 1).
    span: dict[str, list[np.ndarray]] = {"high": [], "low": []}
    outside: dict[str, list[np.ndarray]] = {"high": [], "low": []}
    for name, change in (("high", "+6st"), ("low", "-6st")):
        for _ in range(3):
            audio, words = render(SENTENCE.format(f'pitch="{change}"'))
            span[name].append(f0_frames(audio, words[4].start, words[7].end))
            outside[name] += [f0_frames(audio, 0, words[3].end), f0_frames(audio, words[8].start, words[-1].end)]

    def ratio(frames: dict[str, list[np.ndarray]]) -> float:
        return float(np.median(np.concatenate(frames["high"])) / np.median(np.concatenate(frames["low"])))

    assert 1.6 < ratio(span) < 2.5, ratio(span)  # 12 semitones apart: 2.0
    assert ratio(span) / ratio(outside) > 1.5, (ratio(span), ratio(outside))


def rms(audio: Samples, start: float, end: float) -> float:
    return float(np.sqrt(np.mean(audio[int(start * RATE) : int(end * RATE)].astype(np.float64) ** 2)))


def test_prosody_volume_changes_the_level_of_its_span_only() -> None:
    loud, loud_words = render(SENTENCE.format('volume="+6dB"'))
    soft, soft_words = render(SENTENCE.format('volume="-6dB"'))
    (loud_start, loud_end), _ = span_and_rest(loud_words)
    (soft_start, soft_end), _ = span_and_rest(soft_words)
    decibels = 20 * np.log10(rms(loud, loud_start, loud_end) / rms(soft, soft_start, soft_end))
    assert 10.0 < decibels < 13.0, decibels  # 12 dB asked; the limiter may take a little off the top
    outside = 20 * np.log10(rms(loud, 0, loud_words[3].end) / rms(soft, 0, soft_words[3].end))
    assert abs(outside) < 1.0, outside
