"""Analysis and scoring of real and synthetic recordings."""

from __future__ import annotations

import numpy as np
import pytest
import soundfile as sf

from speech.analysis import analyse
from speech.errors import NO_SPEECH_DETECTED, AudioRejected
from tests.support.speech_data import recording

RATE = 16000


def test_real_speech_scores_well() -> None:
    samples, rate = sf.read(recording("1089-134686-0000.wav").path, dtype="float32")

    result = analyse(samples, rate)

    assert result.speech_ratio > 0.5
    assert 7.0 <= result.quality_score <= 10.0
    assert result.clipping_ratio == 0.0
    assert -35 < result.loudness_dbfs < -10
    assert result.snr_db > 15


@pytest.mark.parametrize("kind", ["silence", "white_noise", "tone"])
def test_no_speech_is_refused(kind: str) -> None:
    rng = np.random.default_rng(7)
    t = np.arange(10 * RATE) / RATE
    signal = {
        "silence": np.zeros(10 * RATE),
        "white_noise": rng.standard_normal(10 * RATE) * 0.3,
        "tone": 0.3 * np.sin(2 * np.pi * 220 * t),
    }[kind].astype(np.float32)

    with pytest.raises(AudioRejected) as caught:
        analyse(signal, RATE)

    assert caught.value.code == NO_SPEECH_DETECTED
    assert caught.value.details is not None and caught.value.details["speech_ratio"] < 0.2


def test_defects_lower_the_score_with_reasons() -> None:
    samples, rate = sf.read(recording("1089-134686-0000.wav").path, dtype="float32")
    clean = analyse(samples, rate)
    rng = np.random.default_rng(1)
    noisy = (samples + rng.standard_normal(len(samples)).astype(np.float32) * 0.03).astype(np.float32)
    clipped = np.clip(samples * 20, -1, 1).astype(np.float32)

    noisy_result = analyse(noisy, rate)
    clipped_result = analyse(clipped, rate)

    assert noisy_result.quality_score < clean.quality_score
    assert "NOISY" in {issue.code for issue in noisy_result.issues}
    assert clipped_result.quality_score < clean.quality_score
    assert "CLIPPING" in {issue.code for issue in clipped_result.issues}
