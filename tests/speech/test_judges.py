"""The speech judges on real recordings: the d-vector encoder and DistillMOS."""

from __future__ import annotations

import numpy as np
import soundfile as sf

from speech.dvector import dvector_embedding
from speech.embedding import cosine_similarity
from speech.naturalness import naturalness
from tests.speech_data import recording


def read(name: str) -> tuple[np.ndarray, int]:
    samples, rate = sf.read(recording(name).path, dtype="float32")
    return samples, int(rate)


def test_the_dvector_tells_speakers_apart() -> None:
    same_a, same_b = dvector_embedding(*read("LJ001-0001.wav")), dvector_embedding(*read("LJ001-0003.wav"))
    other = dvector_embedding(*read("1688-142285-0000.wav"))

    assert same_a.shape == (256,) and abs(float(np.linalg.norm(same_a)) - 1.0) < 1e-4
    assert cosine_similarity(same_a, same_b) > 0.7
    assert cosine_similarity(same_a, other) < cosine_similarity(same_a, same_b) - 0.3


def test_distillmos_scores_real_speech_above_the_same_speech_degraded() -> None:
    samples, rate = read("LJ001-0001.wav")
    noisy = samples + np.random.default_rng(0).normal(0, 0.05, len(samples)).astype(np.float32)

    clean_score = naturalness(samples, rate)

    assert 3.5 < clean_score <= 5.0
    assert naturalness(noisy, rate) < clean_score - 1.0
    assert naturalness(np.zeros(rate, np.float32), rate) == 1.0


def test_distillmos_loads_without_torchaudio() -> None:
    import sys

    naturalness(*read("LJ001-0004.wav"))

    assert "torchaudio" not in sys.modules
