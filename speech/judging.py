"""The three judges of a voice, in one place: identity (Resemblyzer and the d-vector encoder),
naturalness (DistillMOS) and intelligibility (Whisper word error rate).

Training validation, the strength choice of the methods and bench/quality.py all judge
through ``judge``; ``choose_strength`` is the rule that picks how much of a learned
correction a voice applies.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass

from speech.audio_io import Samples
from speech.dvector import dvector_embedding
from speech.embedding import cosine_similarity, speaker_embedding
from speech.naturalness import naturalness
from speech.transcription import transcribe
from speech.voice_methods.base import AnalysedSample
from speech.wer import word_error_rate

# Selection sentences: never the validation sentence nor the benchmark's. Six rather than
# three, because Piper's prosody varies from call to call and single sentences' DistillMOS
# spreads widely (under 3 to over 4 for one voice); the chosen strength still varies between
# trainings of one voice (docs/adr/0009).
SELECTION_TEXTS = (
    "She poured a cup of tea and watched the snow settle on the garden wall.",
    "Every Tuesday the market opens early, so the farmers arrive before dawn.",
    "My brother fixed the broken bicycle with a piece of wire and some patience.",
    "A young fisherman rowed across the lake while the thunder rolled in the distance.",
    "Which of these two jackets would you choose for a long journey north?",
    "Seven zebras grazed quietly beside the shallow pool under the evening sky.",
)
WER_TOLERANCE = 0.05  # a strength may raise the selection WER by at most this much,
NATURALNESS_TOLERANCE = 0.5  # lower the mean DistillMOS by at most this much,
NATURALNESS_FLOOR = 3.5  # and never below this (nor at all where strength 0 is already below it)


@dataclass(frozen=True)
class Judgement:
    similarity: float  # Resemblyzer cosine to the sample, mean over the utterances
    dvec_similarity: float  # d-vector cosine to the sample
    naturalness: float  # DistillMOS, 1-5
    wer: float  # Whisper tiny.en word error rate against the texts

    @property
    def identity(self) -> float:
        return (self.similarity + self.dvec_similarity) / 2

    def rounded(self) -> dict[str, float]:
        return {key: round(value, 4) for key, value in asdict(self).items()}


def judge(audio: Sequence[Samples], rate: int, texts: Sequence[str], sample: AnalysedSample) -> Judgement:
    """Judge utterances of ``texts`` spoken in a voice fitted to ``sample``."""
    pairs = list(zip(audio, texts, strict=True))
    return Judgement(
        similarity=statistics.mean(cosine_similarity(speaker_embedding(a, rate), sample.embedding) for a, _ in pairs),
        dvec_similarity=statistics.mean(
            cosine_similarity(dvector_embedding(a, rate), sample.dvector) for a, _ in pairs
        ),
        naturalness=statistics.mean(naturalness(a, rate) for a, _ in pairs),
        wer=statistics.mean(word_error_rate(t, transcribe(a, rate)) for a, t in pairs),
    )


def admissible(result: Judgement, base: Judgement) -> bool:
    """Whether a change judged ``result`` may replace the unchanged ``base``: the WER raised by
    at most WER_TOLERANCE, the naturalness lowered by at most NATURALNESS_TOLERANCE and not
    below NATURALNESS_FLOOR (nor below the base's own, where that is lower)."""
    min_naturalness = max(base.naturalness - NATURALNESS_TOLERANCE, min(base.naturalness, NATURALNESS_FLOOR))
    return result.wer <= base.wer + WER_TOLERANCE and result.naturalness >= min_naturalness


def choose_strength(
    strengths: Sequence[float],
    render: Callable[[float], tuple[list[Samples], int]],
    sample: AnalysedSample,
    *,
    progress: Callable[[int, float, Judgement], None],
    texts: Sequence[str] = SELECTION_TEXTS,
) -> tuple[float, dict[str, dict[str, float]]]:
    """The strength (of ``strengths``, or 0) with the best identity (mean of both encoders'
    similarities) among those that raise it over strength 0 without raising the WER by more
    than WER_TOLERANCE or lowering the naturalness by more than NATURALNESS_TOLERANCE or
    below NATURALNESS_FLOOR (below strength 0's own, where that is lower).
    ``render(strength)`` speaks ``texts``. Returns it and every judgement, by strength."""
    base = judge(*render(0.0), texts, sample)
    trials = {"0.0": base.rounded()}
    chosen, best = 0.0, base.identity
    for number, strength in enumerate(strengths, 1):
        result = judge(*render(strength), texts, sample)
        trials[str(strength)] = result.rounded()
        progress(number, strength, result)
        if admissible(result, base) and result.identity > best:
            chosen, best = strength, result.identity
    return chosen, trials
