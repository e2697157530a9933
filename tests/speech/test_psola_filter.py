"""The PSOLA + filter method: pitch and formants by PSOLA, a per-sound filter on Piper's waveform."""

from __future__ import annotations

import numpy as np
import pytest

from speech.dsp import world as w
from speech.dsp.classes import encode_rows, fit_classes
from speech.tts import PIPER_RATE, synthesize
from speech.voice_methods import load_artefact
from speech.voice_methods.psola_filter import (
    CEPSTRA,
    CONTEXT,
    KEY,
    MAX_STRENGTH,
    METHOD,
    PsolaArtefact,
    _keys,
    _stft,
    cepstra,
)

TEXT = "Every Tuesday the market opens early, so the farmers arrive before dawn."


@pytest.fixture(scope="module")
def audio() -> np.ndarray:
    return synthesize(TEXT)[0]


def median_f0(samples: np.ndarray) -> float:
    f0 = w.analyse(samples, PIPER_RATE).f0
    return float(np.median(f0[f0 > 0]))


def artefact_with(audio: np.ndarray, shift: float) -> PsolaArtefact:
    """Classes whose correction raises the first shape cepstrum by ``shift`` everywhere."""
    keys = _keys(audio)
    corrections = np.zeros((len(keys), CEPSTRA))
    corrections[:, 1] = shift
    rows = fit_classes(keys, corrections, np.ones(len(keys), bool), count=8, min_frames=20)
    return PsolaArtefact(f0_median=110.0, pitch_range=1.0, formant_ratio=1.0, classes=encode_rows(rows))


def test_psola_moves_the_median_pitch_and_keeps_the_duration(audio: np.ndarray) -> None:
    artefact = PsolaArtefact(f0_median=200.0, pitch_range=1.0, formant_ratio=1.1)

    converted = METHOD.convert(audio, PIPER_RATE, artefact)
    higher = METHOD.convert(audio, PIPER_RATE, artefact, pitch=1.2)
    longer = METHOD.convert(audio, PIPER_RATE, artefact, stretch=1.25)

    assert len(converted) == len(audio)
    assert median_f0(converted) == pytest.approx(200.0, rel=0.08)
    assert median_f0(higher) == pytest.approx(240.0, rel=0.08)
    assert len(longer) == round(len(audio) * 1.25)


def test_the_filter_changes_the_spectrum_in_proportion_to_the_strength(audio: np.ndarray) -> None:
    artefact = artefact_with(audio, 0.6)
    base = METHOD.convert(audio, PIPER_RATE, artefact, similarity=0.0)

    # A request's similarity s applies the correction at strength s * MAX_STRENGTH.
    shifts = {
        strength: shape_shift(METHOD.convert(audio, PIPER_RATE, artefact, similarity=strength / MAX_STRENGTH), base)
        for strength in (0.5, 1.0)
    }

    assert shifts[0.5] == pytest.approx(0.3, abs=0.1)
    assert shifts[1.0] == pytest.approx(0.6, abs=0.15)


def shape_shift(filtered: np.ndarray, reference: np.ndarray) -> float:
    """The median change of the first shape cepstrum over the louder half of the frames."""
    a, b = cepstra(_stft(filtered)), cepstra(_stft(reference))
    frames = min(len(a), len(b))
    loud = b[:frames, 0] > np.percentile(b[:frames, 0], 50)
    return float(np.median(a[:frames][loud, 1] - b[:frames][loud, 1]))


def test_the_voice_strength_is_the_default_and_similarity_overrides_it(audio: np.ndarray) -> None:
    artefact = PsolaArtefact(**{**artefact_with(audio, 0.6).__dict__, "class_strength": 1.0})

    default = METHOD.convert(audio, PIPER_RATE, artefact)
    same = METHOD.convert(audio, PIPER_RATE, artefact, similarity=artefact.default_similarity)
    none = METHOD.convert(audio, PIPER_RATE, artefact, similarity=0.0)
    full = METHOD.convert(audio, PIPER_RATE, artefact, similarity=1.0)

    # Praat's PSOLA places its pitch marks slightly differently from run to run, so the
    # waveforms differ a little; the spectra say which filter was applied.
    assert artefact.default_similarity == pytest.approx(1.0 / MAX_STRENGTH, abs=1e-4)
    assert abs(shape_shift(default, same)) < 0.25  # measured up to 0.15 between runs; 0.6 apart from "none"
    assert shape_shift(default, none) == pytest.approx(0.6, abs=0.15)
    assert shape_shift(full, default) == pytest.approx(0.6 * (MAX_STRENGTH - 1.0), abs=0.15)


def test_the_artefact_round_trips_and_keys_describe_the_base_voice(audio: np.ndarray) -> None:
    artefact = artefact_with(audio, 0.2)

    assert load_artefact(artefact.to_json()) == artefact
    assert _keys(audio).shape[1] == len(CONTEXT) * (KEY.stop - KEY.start)
    assert len(_keys(audio, 1.5)) == round(len(_keys(audio)) * 1.5)


@pytest.mark.parametrize(
    "change",
    [{"format": 2}, {"method": "world-f0-warp"}, {"unknown_field": 1}],
    ids=["newer-format", "other-method", "unknown-field"],
)
def test_an_artefact_this_method_cannot_read_is_a_value_error(audio: np.ndarray, change: dict[str, object]) -> None:
    import json

    raw = {**json.loads(artefact_with(audio, 0.2).to_json()), **change}

    with pytest.raises(ValueError):
        METHOD.load(raw)
