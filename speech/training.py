"""Training a voice: analyse the sample once, let the voice method fit it, validate the result.

The method is chosen by name (speech.voice_methods); whatever it is, the sample is analysed
the same way (its words, from the caller or Whisper, and both speaker embeddings) and the
trained voice is validated the same way: the built-in voice and the clone speak
VALIDATION_TEXT, and the three judges (speech.judging) measure both.

When the method can start from any engine's voice (``bases``) and the training's ``base``
names one (or ``auto``: speech.bases.choose_base), the base is judged first and recorded in
the artefact and in ``validation.base``; otherwise the method converts Piper's voice.

Progress: "Analysing the sample" (0), "Transcribing the sample" (0.05), "Choosing the
starting voice" (0.06 to 0.1), the method's own stages (0.1 up to below 0.85), "Validating
the voice" (0.85), "Done" (1).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import asdict, replace
from typing import Any

from speech.audio_io import Samples
from speech.bases import AUTO_BASE, choose_base, judged_base, speak
from speech.dvector import dvector_embedding
from speech.embedding import speaker_embedding
from speech.engines import DEFAULT_VOICE, parse_voice
from speech.judging import judge
from speech.transcription import transcribe
from speech.tts import PIPER_RATE, synthesize
from speech.voice_methods import DEFAULT_METHOD, get_method
from speech.voice_methods.base import AnalysedSample, TrainingCancelled, TrainingConfig

REFERENCE_FALLBACK = (
    "The birch canoe slid on the smooth planks. Glue the sheet to the dark blue background. "
    "It is easy to tell the depth of a well."
)
VALIDATION_TEXT = "A quiet morning walk along the river helps me think clearly about the day ahead."

Progress = Callable[[float, str], None]
ShouldStop = Callable[[], bool]


def analyse_sample(samples: Samples, rate: int, transcript: str | None = None) -> AnalysedSample:
    words = (transcript or "").strip() or transcribe(samples, rate).strip() or REFERENCE_FALLBACK
    return AnalysedSample(samples, rate, words, speaker_embedding(samples, rate), dvector_embedding(samples, rate))


def validate(method_name: str, artefact: Any, sample: AnalysedSample) -> dict[str, Any]:
    """The three judges on VALIDATION_TEXT, cloned and built-in, against the sample."""
    builtin = synthesize(VALIDATION_TEXT)[0]
    base = getattr(artefact, "base", "") or DEFAULT_VOICE
    reading = builtin if base == DEFAULT_VOICE else speak(parse_voice(base), VALIDATION_TEXT, PIPER_RATE)
    cloned = get_method(method_name).convert(reading, PIPER_RATE, artefact)
    clone = judge([cloned], PIPER_RATE, [VALIDATION_TEXT], sample)
    base = judge([builtin], PIPER_RATE, [VALIDATION_TEXT], sample)
    return {
        **clone.rounded(),
        "baseline_similarity": round(base.similarity, 4),
        "baseline_dvec_similarity": round(base.dvec_similarity, 4),
        "baseline_naturalness": round(base.naturalness, 4),
        "better_than_builtin": clone.identity > base.identity,
        "similarity_setting": artefact.default_similarity,
        "test_sentence": VALIDATION_TEXT,
        "transcript": transcribe(cloned, PIPER_RATE),
    }


def train_voice(
    samples: Samples,
    rate: int,
    *,
    config: TrainingConfig,
    progress: Progress,
    should_stop: ShouldStop,
    transcript: str | None = None,
    method: str = DEFAULT_METHOD,
) -> Any:
    """Fit a voice artefact to one recording with ``method``. Raises TrainingCancelled or
    TrainingFailed (ValueError for an unknown method)."""
    voice_method = get_method(method)
    started = time.monotonic()

    def check() -> None:
        if should_stop():
            raise TrainingCancelled

    progress(0.0, "Analysing the sample")
    check()
    progress(0.05, "Transcribing the sample")
    sample = analyse_sample(samples, rate, transcript)
    check()
    chosen: dict[str, Any] = {}
    if config.base and getattr(voice_method, "bases", False):
        progress(0.06, "Choosing the starting voice")
        if config.base == AUTO_BASE:
            choice = choose_base(sample, progress=lambda share, text: progress(0.06 + 0.04 * share, text), check=check)
        else:
            choice = judged_base(parse_voice(config.base), sample)
        chosen = choice.report()
        sample = replace(sample, base=choice.base.spec if choice.base.spec != DEFAULT_VOICE else "")
        check()
    artefact = voice_method.fit(sample, config=config, progress=progress, check=check)
    progress(0.85, "Validating the voice")
    check()
    validation = validate(method, artefact, sample)
    if chosen:
        validation["base"] = chosen
    check()
    progress(1.0, "Done")
    return replace(
        artefact,
        config=asdict(replace(config, base=config.base or "")),  # not given: Piper's, as stored before
        validation=validation,
        fit={**artefact.fit, "seconds": round(time.monotonic() - started, 2)},
    )
