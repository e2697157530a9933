"""The voice a clone starts from: the engines' built-in voices, blends of Kokoro's styles and
a style fitted to the speaker, judged on how much they already sound like the sample.

A voice method bends a base voice towards the speaker; the less it has to bend, the more
natural the clone stays (docs/adr/0021). ``choose_base`` speaks BASE_TEXTS (sentences that
are neither the sample's own words nor the strength-selection or validation sentences) with
every candidate and ranks them by identity: the mean of the Resemblyzer and d-vector cosines
to the sample.

1. Every built-in voice (Piper's Joe and Kokoro's five styles); their embeddings are the same
   for every sample, so they are computed once per process.
2. Blends of the nearest Kokoro styles: the best two half and half, the best three equally.
3. A fitted style: from the best Kokoro candidate, steps of STEP of the weight towards each
   other style, kept while identity rises, for ROUNDS rounds. Each candidate pays PULL per
   unit of weight away from its strongest style, so a blend must win clearly to be chosen
   over a voice that exists (the search judges on two sentences; without the pull it learns
   them, not the speaker).
4. The winner is judged by all three judges against its strongest style alone; a blend that
   costs intelligibility or naturalness beyond ``speech.judging.admissible`` gives way to it.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from speech.audio_io import Samples, resample
from speech.dvector import dvector_embedding
from speech.embedding import cosine_similarity, speaker_embedding
from speech.engines import BaseVoice, builtin_voices, engine_of, parse_voice
from speech.engines.kokoro import STYLE_NAMES
from speech.judging import Judgement, admissible, judge
from speech.voice_methods.base import AnalysedSample

BASE_TEXTS = (
    "The library stays open late on Thursdays, and the reading room is always quiet.",
    "Could you carry these boxes upstairs before the delivery van comes back at noon?",
)
AUTO_BASE = "auto"  # a training's ``base`` that asks for the choice
STEP = 0.25
ROUNDS = 1
PULL = 0.03  # identity a candidate gives up per unit of weight away from its strongest style

Progress = Callable[[float, str], None]
Check = Callable[[], None]
Vector = npt.NDArray[np.float32]


@dataclass(frozen=True)
class BaseChoice:
    base: BaseVoice
    judgement: Judgement  # the chosen base itself, unconverted, on BASE_TEXTS
    tried: dict[str, float] = field(default_factory=dict)  # voice string -> identity

    def report(self) -> dict[str, Any]:
        return {
            "voice": self.base.spec,
            "engine": self.base.engine,
            **self.judgement.rounded(),
            "tried": {spec: round(score, 4) for spec, score in self.tried.items()},
        }


def speak(base: BaseVoice, text: str, rate: int) -> Samples:
    """``text`` in ``base``'s voice at ``rate``."""
    spoken = engine_of(base).speak(text, base)
    return resample(spoken.audio, spoken.rate, rate)


Heard = tuple[list[Samples], int]  # BASE_TEXTS spoken by a candidate, at the engine's rate


def _hear(base: BaseVoice) -> Heard:
    spoken = [engine_of(base).speak(text, base) for text in BASE_TEXTS]
    return [s.audio for s in spoken], spoken[0].rate


def _embeddings(heard: Heard) -> tuple[Vector, Vector]:
    audio = np.concatenate(heard[0])
    return speaker_embedding(audio, heard[1]), dvector_embedding(audio, heard[1])


@functools.cache
def _builtin(spec: str) -> tuple[Heard, tuple[Vector, Vector]]:
    """A built-in voice's reading of BASE_TEXTS and its embeddings: the same for every sample."""
    heard = _hear(parse_voice(spec))
    return heard, _embeddings(heard)


def _identity(vectors: tuple[Vector, Vector], sample: AnalysedSample) -> float:
    return (cosine_similarity(vectors[0], sample.embedding) + cosine_similarity(vectors[1], sample.dvector)) / 2


def _blend(weights: dict[str, float]) -> BaseVoice:
    kept = {name: w for name, w in weights.items() if w > 1e-3}
    total = sum(kept.values())
    return BaseVoice("kokoro", tuple((name, round(w / total, 4)) for name, w in sorted(kept.items())))


def _pull(base: BaseVoice) -> float:
    return PULL * (1.0 - max(weight for _, weight in base.styles))


def judged_base(
    base: BaseVoice, sample: AnalysedSample, tried: dict[str, float] | None = None, heard: Heard | None = None
) -> BaseChoice:
    """``base`` judged by the three judges on BASE_TEXTS against ``sample``, unconverted
    (``heard``: its reading of them, where the search already has it)."""
    audio, rate = heard or _hear(base)
    judgement = judge(audio, rate, list(BASE_TEXTS), sample)
    return BaseChoice(base, judgement, tried or {base.spec: judgement.identity})


def choose_base(sample: AnalysedSample, *, progress: Progress, check: Check) -> BaseChoice:
    """The base voice for ``sample`` (progress from 0 to 1 of its own share)."""
    tried: dict[str, float] = {}
    heard: dict[str, Heard] = {}

    def score(base: BaseVoice) -> float:
        check()
        if base.spec not in tried:
            if len(base.styles) == 1:
                heard[base.spec], vectors = _builtin(base.spec)
            else:
                heard[base.spec] = _hear(base)
                vectors = _embeddings(heard[base.spec])
            tried[base.spec] = _identity(vectors, sample)
            progress(min(0.9, len(tried) / 20), f"Trying the voice {base.spec}: identity {tried[base.spec]:.3f}")
        return tried[base.spec] - _pull(base)

    for _, voice in builtin_voices():
        score(parse_voice(voice.voice_id))
    ranked = sorted(STYLE_NAMES, key=lambda name: tried[name], reverse=True)
    best = parse_voice(ranked[0])
    for names in (ranked[:2], ranked[:3]):
        candidate = _blend(dict.fromkeys(names, 1.0))
        if score(candidate) > score(best):
            best = candidate
    for _ in range(ROUNDS):
        weights = dict(best.styles)
        improved = best
        for name in STYLE_NAMES:
            moved = {n: (1 - STEP) * weights.get(n, 0.0) for n in STYLE_NAMES}
            moved[name] += STEP
            candidate = _blend(moved)
            if candidate.spec != best.spec and score(candidate) > score(improved):
                improved = candidate
        if improved == best:
            break
        best = improved
    piper = parse_voice(builtin_voices()[0][1].voice_id)
    if score(piper) >= score(best):
        best = piper
    progress(0.9, f"Judging the voice {best.spec}")
    chosen = judged_base(best, sample, tried, heard[best.spec])
    if len(best.styles) > 1:
        strongest = parse_voice(max(best.styles, key=lambda style: style[1])[0])
        alone = judged_base(strongest, sample, tried, _builtin(strongest.spec)[0])
        if not admissible(chosen.judgement, alone.judgement):
            return alone
    return chosen
