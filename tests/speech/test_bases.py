"""Where a clone starts from: a trained voice records its base; voices trained before there was
a choice speak exactly as before (Piper's voice); a named base is judged and spoken."""

from __future__ import annotations

import json
from dataclasses import replace

import numpy as np
import pytest

from speech.audio_io import decode, probe
from speech.bases import BASE_TEXTS, judged_base
from speech.embedding import cosine_similarity, speaker_embedding
from speech.engine import RenderOptions, base_voice, render_text_timed
from speech.engines import parse_voice
from speech.text import prepare
from speech.training import analyse_sample
from speech.voice_methods import load_artefact
from speech.voice_methods.base import AnalysedSample, Artefact
from speech.voice_methods.psola_filter import PsolaArtefact
from tests.conftest import VOICE_RECORDING
from tests.support.speech_data import recording

TEXT = "Every voice trained before speaks exactly as it did."


@pytest.fixture(scope="module")
def trained_sample() -> AnalysedSample:
    """The recording the session's voice was trained on, analysed as training does."""
    rec = recording(VOICE_RECORDING)
    audio = decode(rec.path, probe(rec.path))
    return analyse_sample(audio.samples, audio.sample_rate, rec.transcript)


def test_an_artefact_without_a_base_is_piper_based_and_speaks_exactly_as_before(trained_artefact: Artefact) -> None:
    raw = json.loads(trained_artefact.to_json())
    raw.pop("base", None)  # as stored before bases existed
    old = load_artefact(json.dumps(raw).encode())
    assert isinstance(old, PsolaArtefact) and old.base == ""
    assert base_voice(old) == parse_voice("piper-en_US-joe-medium")
    options = RenderOptions(sample_rate=22050)
    audio, words = render_text_timed(prepare(TEXT), options=options, voice=old)
    same, same_words = render_text_timed(
        prepare(TEXT), options=options, voice=replace(old, base="piper-en_US-joe-medium")
    )
    # Piper's generator noise differs from call to call; its durations do not (noise_w 0), so
    # the same engine path gives the same length and word times and the same speaker (two
    # renders measured 0.97 apart; two speakers of the same sex are below 0.85).
    assert len(audio) == len(same) and words == same_words
    # And it is Piper speaking: the built-in voice's own render has the same length and times.
    builtin, builtin_words = render_text_timed(prepare(TEXT), options=options)
    assert len(builtin) == len(audio) and builtin_words == words
    assert cosine_similarity(speaker_embedding(audio, 22050), speaker_embedding(same, 22050)) > 0.93


def test_a_kokoro_based_voice_is_spoken_by_kokoro(trained_artefact: Artefact) -> None:
    assert isinstance(trained_artefact, PsolaArtefact)
    kokoro_based = replace(trained_artefact, base="jf_nezumi")
    assert base_voice(kokoro_based).engine == "kokoro"
    options = RenderOptions(sample_rate=24000)
    audio, words = render_text_timed(prepare(TEXT), options=options, voice=kokoro_based)
    piper, _ = render_text_timed(prepare(TEXT), options=options, voice=trained_artefact)
    assert [w.word for w in words] == TEXT.rstrip(".").split()
    assert len(audio) != len(piper) and float(np.abs(audio).max()) > 0.1


@pytest.mark.parametrize("spec", ["jf_nezumi", "jf_alpha(1)+jm_kumo(1)"])
def test_a_named_base_is_judged_by_the_three_judges(spec: str, trained_sample: AnalysedSample) -> None:
    choice = judged_base(parse_voice(spec), trained_sample)
    report = choice.report()
    assert report["voice"] == parse_voice(spec).spec and report["engine"] == "kokoro"
    assert -1 <= report["similarity"] <= 1 and -1 <= report["dvec_similarity"] <= 1
    assert 1 <= report["naturalness"] <= 5 and report["wer"] <= 0.5, report
    assert len(BASE_TEXTS) >= 2
