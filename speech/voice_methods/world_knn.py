"""``world-f0-warp-knn``: the warp method plus frame-level envelope selection from the enrolment.

The enrolment's speech frames (mel-cepstra, at most 20 s) are stored in the artefact; each
converted frame's envelope moves toward the mean of its KNN_K nearest enrolment frames of the
same voicing, by a weight that falls with the match distance: close matches take the
speaker's own envelopes, poor ones keep the converted envelope. The frame energy is kept.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np

from speech.dsp import world as w
from speech.dsp.classes import decode_rows, encode_rows, squared_distances
from speech.voice_methods.base import Check, Progress
from speech.voice_methods.world import Fitting, WorldArtefact, WorldMethod

KNN_MATCH = slice(1, 21)  # coefficients compared when matching frames (no energy term)
KNN_K = 4
KNN_MAX_FRAMES = 4000  # 20 s of speech at 5 ms frames: bounds artefact size and matching cost
KNN_BLOCK = 512  # source frames matched at a time (bounds memory)


def enrolment_frames(world: w.World) -> w.Floats:
    """The enrolment's speech frames as [voiced, mel-cepstrum], at most KNN_MAX_FRAMES."""
    coded = w.mcep(world.sp, world.rate)
    chosen = w.speech_frames(coded)
    if len(chosen) > KNN_MAX_FRAMES:
        chosen = chosen[np.linspace(0, len(chosen) - 1, KNN_MAX_FRAMES).astype(int)]
    voiced = (world.f0[chosen] > 0).astype(np.float64)[:, None]
    frames: w.Floats = np.hstack([voiced, coded[chosen]])
    return frames


class KnnMethod(WorldMethod):
    name = "world-f0-warp-knn"

    def extend(
        self, artefact: WorldArtefact, fitting: Fitting, progress: Progress, check: Check
    ) -> tuple[WorldArtefact, dict[str, Any]]:
        progress(0.83, "Indexing the speaker's frames")
        return replace(artefact, frames=encode_rows(enrolment_frames(fitting.target))), {}

    def frame_envelope(
        self, world: w.World, envelope: w.Floats, artefact: WorldArtefact, similarity: float | None
    ) -> w.Floats:
        if not artefact.frames:
            return envelope
        frames = decode_rows(artefact.frames, w.MCEP_ORDER + 1)
        voiced = world.f0 > 0
        coded = w.mcep(envelope, world.rate)
        out = coded.copy()
        for flag in (True, False):
            source = np.flatnonzero(voiced == flag)
            pool = frames[(frames[:, 0] > 0.5) == flag, 1:].astype(np.float64)
            if len(source) == 0 or len(pool) <= KNN_K:
                continue
            keys = pool[:, KNN_MATCH]
            for start in range(0, len(source), KNN_BLOCK):
                block = source[start : start + KNN_BLOCK]
                distance = squared_distances(coded[block][:, KNN_MATCH], keys)
                nearest = np.argpartition(distance, KNN_K, axis=1)[:, :KNN_K]
                spread = np.take_along_axis(distance, nearest, axis=1).mean(axis=1)
                weight = np.exp(-spread / max(float(np.median(spread)), 1e-9))[:, None]
                chosen = pool[nearest].mean(axis=1)
                out[block, 1:] = (1 - weight) * coded[block, 1:] + weight * chosen[:, 1:]
        return w.envelope_from_mcep(out, world.rate)


METHOD = KnnMethod()
