"""The speech judges on real recordings: the d-vector encoder and DistillMOS."""

from __future__ import annotations

import numpy as np
import soundfile as sf

from speech.dvector import dvector_embedding
from speech.embedding import cosine_similarity
from speech.naturalness import naturalness
from tests.support.speech_data import recording


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


def test_a_change_is_admitted_only_within_the_naturalness_and_wer_tolerances() -> None:
    from speech.judging import NATURALNESS_FLOOR, NATURALNESS_TOLERANCE, WER_TOLERANCE, Judgement, admissible

    base = Judgement(similarity=0.5, dvec_similarity=0.3, naturalness=4.2, wer=0.02)
    near = Judgement(0.7, 0.6, base.naturalness - NATURALNESS_TOLERANCE + 0.01, base.wer + WER_TOLERANCE)
    assert admissible(near, base)
    assert not admissible(Judgement(0.7, 0.6, base.naturalness - NATURALNESS_TOLERANCE - 0.01, base.wer), base)
    assert not admissible(Judgement(0.7, 0.6, base.naturalness, base.wer + WER_TOLERANCE + 0.01), base)
    # Never below the floor, however natural the unchanged speech is...
    low = Judgement(0.5, 0.3, NATURALNESS_FLOOR + 0.2, 0.0)
    assert not admissible(Judgement(0.7, 0.6, NATURALNESS_FLOOR - 0.1, 0.0), low)
    # ...nor below the unchanged speech where that is already under the floor.
    poor = Judgement(0.5, 0.3, NATURALNESS_FLOOR - 0.5, 0.0)
    assert admissible(Judgement(0.7, 0.6, poor.naturalness, 0.0), poor)
    assert not admissible(Judgement(0.7, 0.6, poor.naturalness - 0.05, 0.0), poor)
