"""WORLD analysis and re-synthesis (pyworld): F0, spectral envelope, aperiodicity.

``modify`` is the built-in voice's pitch and time-stretch path; the WORLD voice methods
(speech.voice_methods.world) use the pieces below for conversion.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from speech.audio_io import Samples

FRAME_PERIOD_MS = 5.0
MCEP_ORDER = 40  # mel-cepstral coefficients of an envelope
SPEECH_PERCENTILE = 30  # frames quieter than this share of a recording are not speech

Floats = npt.NDArray[np.float64]


@dataclass
class World:
    f0: Floats
    sp: Floats
    ap: Floats
    rate: int


def analyse(samples: Samples, rate: int) -> World:
    import pyworld

    x = samples.astype(np.float64)
    f0, times = pyworld.dio(x, rate, frame_period=FRAME_PERIOD_MS)
    f0 = pyworld.stonemask(x, f0, times, rate)
    sp = pyworld.cheaptrick(x, f0, times, rate)
    ap = pyworld.d4c(x, f0, times, rate)
    return World(f0, sp, ap, rate)


def synthesize(f0: Floats, sp: Floats, ap: Floats, rate: int) -> Samples:
    import pyworld

    y = pyworld.synthesize(f0, sp, ap, rate, frame_period=FRAME_PERIOD_MS)
    peak = float(np.max(np.abs(y))) if len(y) else 0.0
    if peak > 0.99:
        y = y * (0.99 / peak)
    return np.asarray(y, dtype=np.float32)


def mcep(sp: Floats, rate: int) -> Floats:
    import pyworld

    coded: Floats = pyworld.code_spectral_envelope(np.ascontiguousarray(sp), rate, MCEP_ORDER)
    return coded


def envelope_from_mcep(coded: Floats, rate: int) -> Floats:
    import pyworld

    fft_size = pyworld.get_cheaptrick_fft_size(rate)
    envelope = pyworld.decode_spectral_envelope(np.ascontiguousarray(coded), rate, fft_size)
    return np.ascontiguousarray(envelope)


def speech_frames(coded: Floats) -> npt.NDArray[np.intp]:
    """Frames louder than the SPEECH_PERCENTILE quietest (c0 is the log energy)."""
    speech: npt.NDArray[np.intp] = np.flatnonzero(coded[:, 0] > np.percentile(coded[:, 0], SPEECH_PERCENTILE))
    return speech


def warp_envelope(sp: Floats, alpha: float) -> Floats:
    """Stretch the spectral envelope along frequency by ``alpha`` (> 1 raises the formants)."""
    bins = sp.shape[1]
    source = np.clip(np.arange(bins) / alpha, 0, bins - 1)
    low = np.floor(source).astype(int)
    high = np.minimum(low + 1, bins - 1)
    weight = source - low
    warped: Floats = np.ascontiguousarray(sp[:, low] * (1 - weight) + sp[:, high] * weight)
    return warped


def stretch_frames(world: World, ratio: float) -> World:
    """The same speech ``ratio`` times as long: WORLD frames resampled along time (F0 by
    nearest frame, so voicing boundaries stay sharp; envelopes interpolated in log)."""
    frames = len(world.f0)
    count = max(2, round(frames * ratio))
    position = np.linspace(0.0, frames - 1, count)
    nearest = np.rint(position).astype(int)
    low = np.floor(position).astype(int)
    high = np.minimum(low + 1, frames - 1)
    weight = (position - low)[:, None]

    def interpolate(values: Floats, *, log: bool) -> Floats:
        v = np.log(values + 1e-16) if log else values
        out = v[low] * (1 - weight) + v[high] * weight
        return np.ascontiguousarray(np.exp(out) if log else out)

    return World(
        world.f0[nearest].copy(), interpolate(world.sp, log=True), interpolate(world.ap, log=False), world.rate
    )


def same_length(y: Samples, length: int) -> Samples:
    if len(y) >= length:
        return y[:length]
    return np.concatenate([y, np.zeros(length - len(y), dtype=np.float32)])


def is_too_short(samples: Samples, rate: int) -> bool:
    return len(samples) < rate // 20


def modify(samples: Samples, rate: int, *, pitch: float = 1.0, stretch: float = 1.0) -> Samples:
    """One WORLD analysis and re-synthesis: F0 times ``pitch``, ``stretch`` times as long."""
    if is_too_short(samples, rate) or (pitch == 1.0 and stretch == 1.0):
        return samples
    world = analyse(samples, rate)
    if stretch != 1.0:
        world = stretch_frames(world, stretch)
    y = synthesize(world.f0 * pitch, world.sp, world.ap, rate)
    return same_length(y, round(len(samples) * stretch))
