"""Speaker embeddings and transcripts from the bundled models."""

from __future__ import annotations

import soundfile as sf

from speech.embedding import EMBEDDING_DIM, cosine_similarity, speaker_embedding
from speech.transcription import transcribe
from speech.wer import word_error_rate
from tests.support.speech_data import recording, recordings


def _embed(name: str):  # type: ignore[no-untyped-def]
    samples, rate = sf.read(recording(name).path, dtype="float32")
    return speaker_embedding(samples, rate)


def test_embeddings_separate_speakers() -> None:
    a1, a2 = _embed("1089-134686-0000.wav"), _embed("1089-134686-0001.wav")
    other = _embed("1998-15444-0000.wav")

    assert a1.shape == (EMBEDDING_DIM,)
    assert abs(float((a1**2).sum()) - 1.0) < 1e-4
    assert cosine_similarity(a1, a2) > 0.8
    assert cosine_similarity(a1, other) < cosine_similarity(a1, a2) - 0.1


def test_transcript_of_a_known_sentence() -> None:
    clip = next(r for r in recordings() if r.transcript and r.speaker == "1089")
    samples, rate = sf.read(clip.path, dtype="float32")

    text = transcribe(samples, rate)

    assert clip.transcript is not None
    wer = word_error_rate(clip.transcript, text)
    assert wer < 0.25, (text, wer)
