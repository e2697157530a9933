"""``world-f0-warp-classes``: the warp method plus per-sound-class envelope corrections.

Piper reads the sample's words (up to ALIGN_MAX_CHARS); the converted reading is aligned with
the sample by DTW on mel-cepstral shape and voicing, every 5 ms frame (subsequence DTW when
the words were cut short); each aligned frame gives a correction (the sample's mel-cepstrum
minus the converted reading's). The reading's frames, keyed with their neighbours in the
*base* voice, are grouped into CLASS_COUNT k-means classes per voicing, each keeping its mean
correction (speech.dsp.classes). Converting a frame adds the blended correction of its
nearest classes, times the strength: chosen per voice on all three judges
(speech.judging.choose_strength), or the request's ``similarity``.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np

from speech.dsp import world as w
from speech.dsp.classes import (
    aligned_corrections,
    class_corrections,
    context_keys,
    decode_rows,
    encode_rows,
    fit_classes,
)
from speech.judging import SELECTION_TEXTS, choose_strength
from speech.tts import PIPER_RATE, synthesize
from speech.voice_methods.base import Check, Progress
from speech.voice_methods.world import Fitting, WorldArtefact, WorldMethod, converted_envelope, first_chars

CLASS_KEY = slice(1, 25)  # mel-cepstral coefficients that describe a frame's sound
CLASS_CONTEXT = (-3, 0, 3)  # a key is the frame and its neighbours 15 ms either side
CLASS_KEY_WIDTH = len(CLASS_CONTEXT) * (CLASS_KEY.stop - CLASS_KEY.start)
CLASS_ROW_WIDTH = 1 + CLASS_KEY_WIDTH + w.MCEP_ORDER  # voiced, key, correction
CLASS_COUNT = 16  # sound classes per voicing
CLASS_MIN_FRAMES = 20  # aligned frames per class, at least
CLASS_NEIGHBOURS = 3  # classes blended per converted frame
CLASS_SMOOTHING = 5  # frames (25 ms) over which the correction is averaged
CLASS_STRENGTHS = (1.0, 0.6, 0.3)
ALIGN_MAX_SECONDS = 25.0  # of the sample, aligned with Piper reading its words
ALIGN_MAX_CHARS = 350  # of the sample's words (about 25 s of speech)


def class_keys(coded: w.Floats) -> w.Floats:
    return context_keys(coded, CLASS_KEY, CLASS_CONTEXT)


def aligned_pairs(
    reference: w.World, converted_sp: w.Floats, target: w.World, *, partial: bool
) -> tuple[w.Floats, w.Floats, np.ndarray]:
    """Per aligned reference frame: its key in the base voice, the correction that turns its
    converted envelope into the speaker's, and its voicing."""
    rate = reference.rate
    raw, converted = w.mcep(reference.sp, rate), w.mcep(converted_sp, rate)
    limit = int(ALIGN_MAX_SECONDS * 1000 / w.FRAME_PERIOD_MS)
    speaker = w.mcep(target.sp[:limit], rate)
    ours, theirs = w.speech_frames(raw), w.speech_frames(speaker)
    ours_voiced, theirs_voiced = reference.f0[ours] > 0, target.f0[: len(speaker)][theirs] > 0
    rows, corrections = aligned_corrections(
        converted[ours],
        speaker[theirs],
        CLASS_KEY,
        partial=partial,
        extra=(3.0 * ours_voiced[:, None].astype(np.float64), 3.0 * theirs_voiced[:, None].astype(np.float64)),
    )
    return class_keys(raw)[ours[rows]], corrections, ours_voiced[rows]


class ClassesMethod(WorldMethod):
    name = "world-f0-warp-classes"

    def frame_envelope(
        self, world: w.World, envelope: w.Floats, artefact: WorldArtefact, similarity: float | None
    ) -> w.Floats:
        strength = artefact.class_strength if similarity is None else similarity
        if not artefact.classes or strength <= 0:
            return envelope
        rows = decode_rows(artefact.classes, CLASS_ROW_WIDTH).astype(np.float64)
        correction = class_corrections(
            class_keys(w.mcep(world.sp, world.rate)),
            world.f0 > 0,
            rows,
            neighbours=CLASS_NEIGHBOURS,
            smoothing=CLASS_SMOOTHING,
        )
        return w.envelope_from_mcep(w.mcep(envelope, world.rate) + strength * correction, world.rate)

    def extend(
        self, artefact: WorldArtefact, fitting: Fitting, progress: Progress, check: Check
    ) -> tuple[WorldArtefact, dict[str, Any]]:
        progress(0.81, "Aligning the sample with its reference")
        words = fitting.sample.words
        spoken = first_chars(words, ALIGN_MAX_CHARS)
        whole = fitting.reference if spoken == fitting.reference_text else w.analyse(synthesize(spoken)[0], PIPER_RATE)
        pairs = aligned_pairs(whole, converted_envelope(whole, artefact), fitting.target, partial=spoken != words)
        classes = fit_classes(*pairs, count=CLASS_COUNT, min_frames=CLASS_MIN_FRAMES)
        check()
        if not len(classes):
            return artefact, {"class_strength": 0.0}
        artefact = replace(artefact, classes=encode_rows(classes))
        sentences = [synthesize(text)[0] for text in SELECTION_TEXTS]
        analysed = [w.analyse(audio, PIPER_RATE) for audio in sentences]  # once, rendered per strength

        def render(strength: float) -> tuple[list[Any], int]:
            check()
            trial = replace(artefact, class_strength=strength)
            audio = [w.same_length(self.render(a, trial), len(s)) for a, s in zip(analysed, sentences, strict=True)]
            return audio, PIPER_RATE

        chosen, trials = choose_strength(
            CLASS_STRENGTHS,
            render,
            fitting.sample,
            progress=lambda n, s, r: progress(
                0.81 + 0.03 * n / len(CLASS_STRENGTHS), f"Class strength {s}: similarity {r.similarity:.3f}"
            ),
        )
        summary = {"class_strength": chosen, "class_selection": trials}
        return replace(artefact, class_strength=chosen), summary


METHOD = ClassesMethod()
