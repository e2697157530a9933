"""Word error rate: the one measure of intelligibility used by training, tests and benchmarks."""

from __future__ import annotations

import jiwer

_TRANSFORM = jiwer.Compose(
    [
        jiwer.ToLowerCase(),
        jiwer.RemovePunctuation(),  # type: ignore[no-untyped-call]
        jiwer.RemoveMultipleSpaces(),
        jiwer.Strip(),
        jiwer.ReduceToListOfListOfWords(),
    ]
)


def word_error_rate(reference: str, hypothesis: str) -> float:
    """Word-level edit distance over the reference's length, after lower-casing and removing
    punctuation (LibriSpeech references are upper case). An empty hypothesis is 1.0."""
    if not hypothesis.strip():
        return 1.0 if reference.strip() else 0.0
    return float(jiwer.wer(reference, hypothesis, reference_transform=_TRANSFORM, hypothesis_transform=_TRANSFORM))
