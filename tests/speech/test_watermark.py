"""The watermark on real speech and on the engine's output: found after lossy coding, a lower
rate and noise, absent from unmarked speech, small, and below 2 kHz."""

from __future__ import annotations

import sys

import numpy as np
import pytest
import soundfile as sf
from scipy.signal import welch

from speech.engine import RenderOptions, render_text
from speech.watermark import apply_watermark, detect_watermark
from tests.support.audio_attacks import ATTACKS
from tests.support.speech_data import recording

# Three data sets, three rates, women and men.
RECORDINGS = ["LJ001-0004.wav", "1089-134691-0000.wav", "p260_00000.wav"]


def read(name: str) -> tuple[np.ndarray, int]:
    samples, rate = sf.read(recording(name).path, dtype="float32")
    return samples, int(rate)


@pytest.fixture(scope="module")
def pairs() -> list[tuple[np.ndarray, np.ndarray, int]]:
    result = []
    for name in RECORDINGS:
        samples, rate = read(name)
        result.append((samples, apply_watermark(samples, rate), rate))
    return result


@pytest.mark.parametrize("attack", list(ATTACKS))
def test_marked_speech_is_found_and_unmarked_speech_is_not(
    pairs: list[tuple[np.ndarray, np.ndarray, int]], attack: str
) -> None:
    for original, marked, rate in pairs:
        found = detect_watermark(*ATTACKS[attack](marked, rate))
        clean = detect_watermark(*ATTACKS[attack](original, rate))
        assert found.watermarked and found.confidence > 0.5, (attack, found)
        assert not clean.watermarked and clean.confidence < 0.5, (attack, clean)


def test_the_mark_is_quiet_and_below_two_kilohertz(pairs: list[tuple[np.ndarray, np.ndarray, int]]) -> None:
    for original, marked, rate in pairs:
        assert marked.shape == original.shape and marked.dtype == np.float32
        added = marked - original
        level_db = 10 * np.log10(np.mean(added**2) / np.mean(original**2))
        assert level_db < -10, level_db
        freqs, power = welch(added, fs=rate, nperseg=2048)
        assert power[freqs > 2500].sum() < 0.02 * power.sum()


def test_silence_and_short_audio_carry_nothing() -> None:
    silence = np.zeros(16000, dtype=np.float32)
    assert np.array_equal(apply_watermark(silence, 16000), silence)
    assert detect_watermark(silence, 16000).confidence == 0.0
    samples, rate = read("LJ001-0004.wav")
    short = detect_watermark(apply_watermark(samples[: rate // 4], rate)[: rate // 4], rate)
    assert not short.watermarked and short.seconds == 0.25


def test_every_engine_output_is_marked_unless_measuring() -> None:
    marked = render_text(["Every piece the engine speaks carries the mark."], options=RenderOptions())
    unmarked = render_text(["Every piece the engine speaks carries the mark."], options=RenderOptions(watermark=False))
    assert detect_watermark(marked, 22050).watermarked
    assert not detect_watermark(unmarked, 22050).watermarked


def test_perthnet_loads_on_the_stft_transforms_without_torchaudio() -> None:
    import torch

    from speech.watermark import _network

    with _network.use() as network:
        assert type(network.ap.spectrogram).__name__ == "_Spectrogram"
        signal = torch.from_numpy(read("LJ001-0004.wav")[0][:32000].copy())
        back = network.ap.inv_spectrogram(network.ap.spectrogram(signal), length=len(signal))
        assert torch.allclose(back, signal, atol=1e-5)
    assert "torchaudio" not in sys.modules
