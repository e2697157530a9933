"""The synthesis engine, measured: speed, pitch, volume, joins, intelligibility."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
import pyworld

from speech.audio_io import Samples
from speech.dsp.world import modify
from speech.engine import LIMITER_CEILING, RenderOptions, level, limit, render_piece, render_text
from speech.text import prepare
from speech.transcription import transcribe
from speech.tts import synthesize
from speech.wer import word_error_rate

TEXT = "The birch canoe slid on the smooth planks, and the sun rose over the quiet lake."
# Everyday sentences, plus three Harvard sentences (IEEE 1969); none needs normalising.
SENTENCES = [
    "A quiet morning walk along the river helps me think clearly about the day ahead.",
    "Please call me back when you have a moment this afternoon.",
    "The weather today is sunny with a light breeze from the west.",
    "Our new library opens next week with a large collection of books for children.",
    "She packed her bags, locked the door, and caught the early train to the city.",
    "The museum will be closed on Monday for maintenance.",
    "Thank you for your patience while we look into this problem.",
    "Glue the sheet to the dark blue background.",
    "It is easy to tell the depth of a well.",
    "The birch canoe slid on the smooth planks.",
]


def f0_track(samples: Samples, rate: int) -> np.ndarray[Any, Any]:
    x = samples.astype(np.float64)
    f0, times = pyworld.dio(x, rate, f0_floor=60.0, f0_ceil=600.0, frame_period=5.0)
    return np.asarray(pyworld.stonemask(x, f0, times, rate))


def f0_ratio(shifted: Samples, reference: Samples, rate: int = 22050) -> float:
    """Median frame-by-frame F0 ratio over frames voiced in both. Durations are
    deterministic, so the frames of two renders of one text line up."""
    a, b = f0_track(shifted, rate), f0_track(reference, rate)
    n = min(len(a), len(b))
    both = (a[:n] > 0) & (b[:n] > 0)
    assert both.sum() > 50, "too little voiced speech to measure"
    return float(np.median(a[:n][both] / b[:n][both]))


def rms(samples: Samples) -> float:
    return float(np.sqrt(np.mean(samples.astype(np.float64) ** 2)))


@pytest.fixture(scope="module")
def plain() -> Samples:
    return render_piece(TEXT, options=RenderOptions())


def test_speed_two_halves_the_duration(plain: Samples) -> None:
    fast = render_piece(TEXT, options=RenderOptions(speed=2.0))
    slow = render_piece(TEXT, options=RenderOptions(speed=0.5))

    assert 0.42 <= len(fast) / len(plain) <= 0.58
    assert 1.7 <= len(slow) / len(plain) <= 2.3


@pytest.fixture(scope="module")
def piper_output() -> Samples:
    audio, _ = synthesize(TEXT)
    return audio


@pytest.mark.parametrize("pitch", [0.5, 0.8, 1.25, 1.5, 2.0])
def test_pitch_moves_f0_by_the_ratio_and_keeps_the_duration(piper_output: Samples, pitch: float) -> None:
    # The same Piper output shifted by ``pitch`` and by (almost) 1: the reference has been
    # through the same WORLD analysis and re-synthesis, and the generator noise of a second
    # Piper run cannot blur the comparison. (Raw Piper output also has creaky stretches
    # where F0 trackers find sub-harmonics.)
    reference = modify(piper_output, 22050, pitch=1.001)
    shifted = modify(piper_output, 22050, pitch=pitch)

    assert f0_ratio(shifted, reference) == pytest.approx(pitch, rel=0.02)
    assert len(shifted) == len(piper_output)


def test_pitch_through_the_whole_engine(plain: Samples) -> None:
    high = render_piece(TEXT, options=RenderOptions(pitch=1.5))

    assert len(high) == len(plain)
    reference = render_piece(TEXT, options=RenderOptions(pitch=1.001))
    assert f0_ratio(high, reference) == pytest.approx(1.5, rel=0.03)


def test_volume_scales_loudness_and_never_clips(plain: Samples) -> None:
    half = render_piece(TEXT, options=RenderOptions(volume=0.5))
    double = render_piece(TEXT, options=RenderOptions(volume=2.0))
    silent = render_piece(TEXT, options=RenderOptions(volume=0.0))

    # Each render differs slightly (Piper's noise), so speech levels are compared, +-5 %.
    assert _active(half) / _active(plain) == pytest.approx(0.5, rel=0.05)
    # +6 dB asked; the limiter takes a little off the peaks only.
    assert 1.6 <= _active(double) / _active(plain) <= 2.1
    assert float(np.abs(double).max()) <= LIMITER_CEILING + 1e-6
    assert int(np.sum(np.abs(double) >= 0.999)) == 0
    assert float(np.abs(silent).max()) == 0.0


def test_limiter_leaves_quiet_audio_alone_and_caps_loud_audio() -> None:
    rate = 22050
    t = np.arange(rate) / rate
    quiet = (0.5 * np.sin(2 * np.pi * 220 * t)).astype(np.float32)
    loud = (1.8 * np.sin(2 * np.pi * 220 * t)).astype(np.float32)

    assert np.array_equal(limit(quiet, rate), quiet)
    limited = limit(loud, rate)
    assert float(np.abs(limited).max()) <= LIMITER_CEILING + 1e-6
    assert float(np.abs(limited).max()) >= 0.9 * LIMITER_CEILING


def test_levelling_brings_quiet_and_loud_speech_to_the_same_loudness(plain: Samples) -> None:
    quiet = level((plain * 0.3).astype(np.float32), 22050)  # -10 dB
    loud = level((plain * 1.5).astype(np.float32), 22050)  # +3.5 dB

    assert rms(quiet) == pytest.approx(rms(loud), rel=0.01)


def test_output_rate_is_the_requested_one(plain: Samples) -> None:
    for rate in (8000, 16000, 44100, 48000):
        audio = render_piece(TEXT, options=RenderOptions(sample_rate=rate))
        assert len(audio) / rate == pytest.approx(len(plain) / 22050, rel=0.001)


def test_pieces_join_without_clicks_or_loudness_jumps() -> None:
    pieces = prepare(" ".join(SENTENCES[:4]))
    rendered = [render_piece(piece, options=RenderOptions()) for piece in pieces]
    joined = np.concatenate(rendered)
    rate = 22050
    window = int(0.01 * rate)
    typical_step = float(np.percentile(np.abs(np.diff(joined)), 99.9))

    boundary = 0
    for audio in rendered[:-1]:
        boundary += len(audio)
        # Both sides of the joint are faded to silence: no step, so no click.
        assert float(np.abs(joined[boundary - 2 : boundary + 2]).max()) < 1e-3
        around = joined[boundary - window : boundary + window]
        assert float(np.abs(np.diff(around)).max()) < typical_step
    loudness_db = [20 * np.log10(_active(audio)) for audio in rendered]
    assert max(loudness_db) - min(loudness_db) < 1.5


def _active(audio: Samples) -> float:
    frame = 441
    count = len(audio) // frame
    energies = np.mean(audio[: count * frame].reshape(count, frame).astype(np.float64) ** 2, axis=1)
    active = energies[energies >= energies.max() * 1e-3]
    return float(np.sqrt(active.mean()))


def test_pieces_of_four_sentences_are_in_order() -> None:
    assert prepare(" ".join(SENTENCES[:4])) == SENTENCES[:4]


def test_whisper_understands_the_builtin_voice() -> None:
    """Corpus WER (word errors over all words) of Whisper tiny.en on the engine's output."""
    errors = words = 0.0
    worst = []
    for sentence in SENTENCES:
        audio = render_text(prepare(sentence), options=RenderOptions())
        heard = transcribe(audio, 22050)
        count = len(sentence.split())
        errors += word_error_rate(sentence, heard) * count
        words += count
        worst.append((word_error_rate(sentence, heard), heard))
    wer = errors / words
    print(f"built-in voice: corpus WER {wer:.1%} over {len(SENTENCES)} sentences; worst {max(worst)}")
    assert wer <= 0.10
