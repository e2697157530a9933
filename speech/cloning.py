"""Voice cloning by WORLD re-synthesis: make the Piper voice sound like a recorded speaker.

"Training" fits a small artefact to one recording:

1. analyse: the target's pitch (log-F0 mean and spread over voiced frames, WORLD ``dio`` +
   ``stonemask``) and its speaker embedding;
2. transcribe: the words of the sample (given, or Whisper), which Piper then reads aloud as
   the *reference*: the same content in the base voice;
3. fit: a search over a frequency warp of the reference's spectral envelope (a stand-in for
   vocal-tract length) that maximises the Resemblyzer similarity of the converted
   reference to the target. Each epoch evaluates ``batch_size`` warps around the best so
   far and halves the search radius; the search stops once the radius is below
   ``learning_rate`` (the resolution of the fit, in log-warp units) or after ``epochs``;
   then a smooth correction of the spectral envelope (the difference of the mean voiced
   log-envelopes of target and converted reference, kept to 24 DCT coefficients and
   +-12 dB) is applied at full or half strength if it raises the similarity further;
4. validate: a held-out sentence is synthesised, converted and scored (similarity to the
   sample, and Whisper's word error rate against the sentence).

Converting speech (``apply_voice``) then re-synthesises Piper's output with WORLD using the
target's pitch statistics, the fitted warp and the envelope correction. The artefact is a few hundred bytes of JSON.

``METHOD_KNN`` adds frame-level selection: the enrolment's speech frames (mel-cepstra, at
most 20 s) are stored in the artefact, and each converted frame's envelope moves toward the
mean of its nearest enrolment frames of the same voicing, weighted by how close they are
(``_knn_envelope``).

``METHOD_CLASSES`` learns how the speaker's envelopes differ from the converted base voice,
sound by sound: the reference (Piper reading the sample's words) is aligned with the sample
by dynamic time warping (``_aligned_pairs``); the base voice's frames, described with their
neighbours, are grouped into CLASS_COUNT sound classes per voicing (k-means), and each class
keeps the mean difference between the speaker's aligned frames and the converted reference
(``_fit_classes``). Converting a frame finds its nearest classes in the *base voice*, where
sounds are compared within one voice, and adds their blended correction, smoothed over
time (``_class_envelope``). How much of it is applied is chosen per voice: the strongest of
CLASS_STRENGTHS that raises the similarity on the SELECTION_TEXTS without raising their
Whisper word error rate by more than CLASS_WER_TOLERANCE.

bench/quality.py compares the methods; the VOICE_METHOD setting picks one.
"""

from __future__ import annotations

import base64
import functools
import json
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from typing import Any

import numpy as np
import numpy.typing as npt

from speech.audio_io import Samples, resample
from speech.embedding import cosine_similarity, speaker_embedding
from speech.methods import METHOD_CLASSES, METHOD_KNN, METHODS
from speech.transcription import transcribe
from speech.tts import PIPER_RATE, synthesize

ARTEFACT_FORMAT = 1
METHOD = METHOD_CLASSES
KNN_ORDER = 40  # mel-cepstral coefficients per stored enrolment frame
KNN_MATCH = slice(1, 21)  # coefficients compared when matching frames (no energy term)
KNN_K = 4
KNN_MAX_FRAMES = 4000  # 20 s of speech at 5 ms frames: bounds artefact size and matching cost
KNN_BLOCK = 512  # source frames matched at a time (bounds memory)
KNN_SPEECH_PERCENTILE = 30  # frames quieter than this share of the enrolment are not used
CLASS_KEY = slice(1, 25)  # mel-cepstral coefficients that describe a frame's sound
CLASS_CONTEXT = (-3, 0, 3)  # a key is the frame and its neighbours 15 ms either side
CLASS_KEY_WIDTH = len(CLASS_CONTEXT) * (CLASS_KEY.stop - CLASS_KEY.start)
CLASS_ROW_WIDTH = 1 + CLASS_KEY_WIDTH + KNN_ORDER  # voiced, key, correction
CLASS_COUNT = 16  # sound classes per voicing
CLASS_MIN_FRAMES = 20  # aligned frames per class, at least
CLASS_NEIGHBOURS = 3  # classes blended per converted frame
CLASS_SMOOTHING = 5  # frames (25 ms) over which the correction is averaged
CLASS_STRENGTHS = (1.0, 0.6, 0.3)
CLASS_WER_TOLERANCE = 0.05
ALIGN_MAX_SECONDS = 25.0  # of the sample, aligned with Piper reading its words
ALIGN_MAX_CHARS = 350  # of the sample's words (about 25 s of speech)
SELECTION_TEXTS = (
    "She poured a cup of tea and watched the snow settle on the garden wall.",
    "Every Tuesday the market opens early, so the farmers arrive before dawn.",
    "My brother fixed the broken bicycle with a piece of wire and some patience.",
)
FRAME_PERIOD_MS = 5.0
INITIAL_RADIUS = 0.2  # log-warp: alpha from about 0.82 to 1.22 in the first epoch
ENVELOPE_COEFFICIENTS = 24
ENVELOPE_STRENGTHS = (0.5, 1.0)
MAX_CORRECTION = 2.76  # natural log of power: +-12 dB
MAX_REFERENCE_CHARS = 220
REFERENCE_FALLBACK = (
    "The birch canoe slid on the smooth planks. Glue the sheet to the dark blue background. "
    "It is easy to tell the depth of a well."
)
VALIDATION_TEXT = "A quiet morning walk along the river helps me think clearly about the day ahead."

Progress = Callable[[float, str], None]
ShouldStop = Callable[[], bool]


class TrainingCancelled(Exception):
    """``should_stop`` said to stop; nothing was produced."""


class TrainingFailed(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class TrainingConfig:
    epochs: int = 12
    learning_rate: float = 0.01
    batch_size: int = 3


@dataclass(frozen=True)
class VoiceArtefact:
    f0_source_mean: float  # log Hz, the base voice
    f0_source_std: float
    f0_target_mean: float  # log Hz, the recorded speaker
    f0_target_std: float
    warp_alpha: float
    # Smoothed log-envelope correction (DCT coefficients over the frequency axis, no DC term).
    envelope: list[float] = field(default_factory=list)
    config: dict[str, Any] = field(default_factory=dict)
    validation: dict[str, Any] = field(default_factory=dict)
    fit: dict[str, Any] = field(default_factory=dict)
    method: str = METHOD
    format: int = ARTEFACT_FORMAT
    # METHOD_KNN: the enrolment's speech frames, base64 of float16 [voiced, mcep 0..KNN_ORDER-1].
    frames: str = ""
    # METHOD_CLASSES: base64 of float16 [class, voiced + key + correction], and its strength.
    classes: str = ""
    class_strength: float = 0.0

    def to_json(self) -> bytes:
        return json.dumps(asdict(self), sort_keys=True).encode()

    @classmethod
    def from_json(cls, data: bytes) -> VoiceArtefact:
        raw = json.loads(data)
        if raw.get("format") != ARTEFACT_FORMAT or raw.get("method") not in METHODS:
            raise ValueError(f"Unsupported voice artefact {raw.get('method')!r} v{raw.get('format')!r}")
        return cls(**raw)


@dataclass
class _World:
    f0: npt.NDArray[np.float64]
    sp: npt.NDArray[np.float64]
    ap: npt.NDArray[np.float64]
    rate: int


def _analyse_world(samples: Samples, rate: int) -> _World:
    import pyworld

    x = samples.astype(np.float64)
    f0, times = pyworld.dio(x, rate, frame_period=FRAME_PERIOD_MS)
    f0 = pyworld.stonemask(x, f0, times, rate)
    sp = pyworld.cheaptrick(x, f0, times, rate)
    ap = pyworld.d4c(x, f0, times, rate)
    return _World(f0, sp, ap, rate)


def _log_f0_stats(f0: npt.NDArray[np.float64]) -> tuple[float, float]:
    voiced = f0[f0 > 0]
    if len(voiced) < 20:
        raise TrainingFailed("NO_VOICED_SPEECH", "Too little voiced speech to measure the speaker's pitch.")
    logs = np.log(voiced)
    return float(np.mean(logs)), max(float(np.std(logs)), 1e-3)


def _warp_envelope(sp: npt.NDArray[np.float64], alpha: float) -> npt.NDArray[np.float64]:
    """Stretch the spectral envelope along frequency by ``alpha`` (> 1 raises the formants)."""
    bins = sp.shape[1]
    source = np.clip(np.arange(bins) / alpha, 0, bins - 1)
    low = np.floor(source).astype(int)
    high = np.minimum(low + 1, bins - 1)
    weight = source - low
    warped: npt.NDArray[np.float64] = np.ascontiguousarray(sp[:, low] * (1 - weight) + sp[:, high] * weight)
    return warped


def _correction_curve(coefficients: list[float], bins: int) -> npt.NDArray[np.float64]:
    from scipy.fft import idct

    full = np.zeros(bins)
    count = min(len(coefficients), bins)
    full[:count] = coefficients[:count]
    curve: npt.NDArray[np.float64] = np.clip(idct(full, type=2, norm="ortho"), -MAX_CORRECTION, MAX_CORRECTION)
    return curve


def _envelope_coefficients(target: npt.NDArray[np.float64], converted: npt.NDArray[np.float64]) -> list[float]:
    """The smooth difference of two mean log-envelopes, as its first DCT coefficients."""
    from scipy.fft import dct

    coefficients = dct(target - converted, type=2, norm="ortho")[:ENVELOPE_COEFFICIENTS]
    coefficients[0] = 0.0  # no overall gain change: loudness is the synthesiser's business
    return [round(float(c), 5) for c in coefficients]


def _mean_log_envelope(world: _World) -> npt.NDArray[np.float64]:
    voiced = world.f0 > 0
    frames = world.sp[voiced] if voiced.any() else world.sp
    mean: npt.NDArray[np.float64] = np.mean(np.log(frames + 1e-12), axis=0)
    return mean


def _map_f0(f0: npt.NDArray[np.float64], artefact: VoiceArtefact) -> npt.NDArray[np.float64]:
    mapped = f0.copy()
    voiced = f0 > 0
    z = (np.log(f0[voiced]) - artefact.f0_source_mean) / artefact.f0_source_std
    mapped[voiced] = np.exp(z * artefact.f0_target_std + artefact.f0_target_mean)
    return mapped


def _synthesize_world(
    f0: npt.NDArray[np.float64], sp: npt.NDArray[np.float64], ap: npt.NDArray[np.float64], rate: int
) -> Samples:
    import pyworld

    y = pyworld.synthesize(f0, sp, ap, rate, frame_period=FRAME_PERIOD_MS)
    peak = float(np.max(np.abs(y))) if len(y) else 0.0
    if peak > 0.99:
        y = y * (0.99 / peak)
    return np.asarray(y, dtype=np.float32)


def _encode_rows(rows: npt.NDArray[np.float64]) -> str:
    """Rows of floats for the artefact's JSON: base64 of float16."""
    return base64.b64encode(rows.astype(np.float16).tobytes()).decode("ascii")


@functools.lru_cache(maxsize=16)
def _decode_rows(encoded: str, width: int) -> npt.NDArray[np.float32]:
    flat = np.frombuffer(base64.b64decode(encoded), dtype=np.float16).astype(np.float32)
    rows: npt.NDArray[np.float32] = flat.reshape(-1, width)
    return rows


def _squared_distances(query: npt.NDArray[np.float64], keys: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """Squared Euclidean distances, [query row, key row]."""
    distance: npt.NDArray[np.float64] = np.maximum(
        np.sum(query**2, axis=1)[:, None] + np.sum(keys**2, axis=1)[None, :] - 2 * query @ keys.T, 0.0
    )
    return distance


def _enrolment_frames(world: _World) -> npt.NDArray[np.float64]:
    """The enrolment's speech frames as [voiced, mel-cepstrum], at most KNN_MAX_FRAMES."""
    mcep = _mcep(world.sp, world.rate)
    chosen = _speech_frames(mcep)
    if len(chosen) > KNN_MAX_FRAMES:
        chosen = chosen[np.linspace(0, len(chosen) - 1, KNN_MAX_FRAMES).astype(int)]
    voiced = (world.f0[chosen] > 0).astype(np.float64)[:, None]
    frames: npt.NDArray[np.float64] = np.hstack([voiced, mcep[chosen]])
    return frames


def _knn_envelope(
    sp: npt.NDArray[np.float64], voiced: npt.NDArray[np.bool_], rate: int, encoded: str
) -> npt.NDArray[np.float64]:
    """Move each frame's envelope toward the mean of its KNN_K nearest enrolment frames (same
    voicing, nearest by mel-cepstral shape), by a weight that falls with the match distance:
    close matches take the speaker's own envelopes, poor ones keep the converted envelope, so
    identity is gained where the enrolment has the sound and intelligibility kept where not.
    The frame energy (c0) is kept."""
    frames = _decode_rows(encoded, KNN_ORDER + 1)
    mcep = _mcep(sp, rate)
    out = mcep.copy()
    for flag in (True, False):
        source = np.flatnonzero(voiced == flag)
        pool = frames[(frames[:, 0] > 0.5) == flag, 1:].astype(np.float64)
        if len(source) == 0 or len(pool) <= KNN_K:
            continue
        keys = pool[:, KNN_MATCH]
        for start in range(0, len(source), KNN_BLOCK):
            block = source[start : start + KNN_BLOCK]
            distance = _squared_distances(mcep[block][:, KNN_MATCH], keys)
            nearest = np.argpartition(distance, KNN_K, axis=1)[:, :KNN_K]
            spread = np.take_along_axis(distance, nearest, axis=1).mean(axis=1)
            weight = np.exp(-spread / max(float(np.median(spread)), 1e-9))[:, None]
            chosen = pool[nearest].mean(axis=1)
            out[block, 1:] = (1 - weight) * mcep[block, 1:] + weight * chosen[:, 1:]
    return _envelope_from_mcep(out, rate)


def _mcep(sp: npt.NDArray[np.float64], rate: int) -> npt.NDArray[np.float64]:
    import pyworld

    coded: npt.NDArray[np.float64] = pyworld.code_spectral_envelope(np.ascontiguousarray(sp), rate, KNN_ORDER)
    return coded


def _envelope_from_mcep(mcep: npt.NDArray[np.float64], rate: int) -> npt.NDArray[np.float64]:
    import pyworld

    fft_size = pyworld.get_cheaptrick_fft_size(rate)
    envelope = pyworld.decode_spectral_envelope(np.ascontiguousarray(mcep), rate, fft_size)
    return np.ascontiguousarray(envelope)


def _class_keys(mcep: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """Each frame's sound: its shape coefficients and those of its neighbours."""
    count = len(mcep)
    parts = [mcep[np.clip(np.arange(count) + offset, 0, count - 1), CLASS_KEY] for offset in CLASS_CONTEXT]
    return np.hstack(parts)


def _speech_frames(mcep: npt.NDArray[np.float64]) -> npt.NDArray[np.intp]:
    speech: npt.NDArray[np.intp] = np.flatnonzero(mcep[:, 0] > np.percentile(mcep[:, 0], KNN_SPEECH_PERCENTILE))
    return speech


def _first_chars(text: str, limit: int) -> str:
    return text[:limit].rsplit(" ", 1)[0] if len(text) > limit else text


def _aligned_pairs(
    reference: _World, converted_sp: npt.NDArray[np.float64], target: _World, *, partial: bool
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64], npt.NDArray[np.bool_]]:
    """Align the converted reference with the sample (DTW on envelope shape and voicing; a
    subsequence DTW when the reference reads only part of the sample's words) and
    return, per aligned reference frame, its key in the base voice, the correction that
    turns its converted envelope into the speaker's (mean of the aligned sample frames; the
    energy term only relative to the sample's mean, so sounds keep the speaker's balance of
    loudness but the overall level is left alone) and its voicing."""
    import librosa

    rate = reference.rate
    raw, converted = _mcep(reference.sp, rate), _mcep(converted_sp, rate)
    limit = int(ALIGN_MAX_SECONDS * 1000 / FRAME_PERIOD_MS)
    speaker = _mcep(target.sp[:limit], rate)
    ours, theirs = _speech_frames(raw), _speech_frames(speaker)
    ours_voiced, theirs_voiced = reference.f0[ours] > 0, target.f0[: len(speaker)][theirs] > 0
    x = np.hstack([converted[ours, CLASS_KEY], 3.0 * ours_voiced[:, None]])
    y = np.hstack([speaker[theirs, CLASS_KEY], 3.0 * theirs_voiced[:, None]])
    _, path = librosa.sequence.dtw(X=x.T, Y=y.T, metric="euclidean", subseq=partial and len(ours) <= len(theirs))
    matched: dict[int, list[int]] = {}
    for i, j in path[::-1]:
        matched.setdefault(int(i), []).append(int(j))
    rows = np.array(sorted(matched))
    frames = ours[rows]
    corrections = np.array([speaker[theirs[matched[i]]].mean(axis=0) for i in rows]) - converted[frames]
    corrections[:, 0] -= corrections[:, 0].mean()  # relative loudness of sounds, not overall gain
    return _class_keys(raw)[frames], corrections, ours_voiced[rows]


def _fit_classes(
    keys: npt.NDArray[np.float64], corrections: npt.NDArray[np.float64], voiced: npt.NDArray[np.bool_]
) -> npt.NDArray[np.float64]:
    """Sound classes per voicing: rows of [voiced, centroid key, mean correction]."""
    from sklearn.cluster import KMeans

    rows = []
    for flag in (True, False):
        pool = np.flatnonzero(voiced == flag)
        count = min(CLASS_COUNT, len(pool) // CLASS_MIN_FRAMES)
        if count < 2:
            continue
        labels = KMeans(n_clusters=count, n_init=2, random_state=0).fit(keys[pool]).labels_
        for label in range(count):
            members = pool[labels == label]
            if len(members):
                rows.append(np.hstack([[float(flag)], keys[members].mean(axis=0), corrections[members].mean(axis=0)]))
    return np.array(rows).reshape(len(rows), -1)


def _class_envelope(
    raw_sp: npt.NDArray[np.float64],
    converted_sp: npt.NDArray[np.float64],
    voiced: npt.NDArray[np.bool_],
    rate: int,
    encoded: str,
    strength: float,
) -> npt.NDArray[np.float64]:
    """Add to each converted frame the corrections of its CLASS_NEIGHBOURS nearest sound
    classes (same voicing, nearest by the base voice's key, weighted by inverse distance),
    smoothed over CLASS_SMOOTHING frames and scaled by ``strength``."""
    from scipy.ndimage import uniform_filter1d

    classes = _decode_rows(encoded, CLASS_ROW_WIDTH).astype(np.float64)
    keys = _class_keys(_mcep(raw_sp, rate))
    converted = _mcep(converted_sp, rate)
    correction = np.zeros_like(converted)
    for flag in (True, False):
        source = np.flatnonzero(voiced == flag)
        pool = classes[(classes[:, 0] > 0.5) == flag]
        if len(source) == 0 or len(pool) < 2:
            continue
        centroids, shifts = pool[:, 1 : 1 + CLASS_KEY_WIDTH], pool[:, 1 + CLASS_KEY_WIDTH :]
        distance = _squared_distances(keys[source], centroids)
        nearest = np.argsort(distance, axis=1)[:, :CLASS_NEIGHBOURS]
        spread = np.take_along_axis(distance, nearest, axis=1)
        weight = 1.0 / (spread + 1e-3 * max(float(np.median(spread)), 1e-9))
        weight /= weight.sum(axis=1, keepdims=True)
        correction[source] = np.einsum("fk,fkc->fc", weight, shifts[nearest])
    correction = uniform_filter1d(correction, size=CLASS_SMOOTHING, axis=0)
    return _envelope_from_mcep(converted + strength * correction, rate)


def _converted_envelope(world: _World, artefact: VoiceArtefact) -> npt.NDArray[np.float64]:
    envelope = _warp_envelope(world.sp, artefact.warp_alpha)
    if artefact.envelope:
        envelope = np.ascontiguousarray(envelope * np.exp(_correction_curve(artefact.envelope, envelope.shape[1])))
    return envelope


def _render(world: _World, artefact: VoiceArtefact, pitch: float = 1.0) -> Samples:
    envelope = _converted_envelope(world, artefact)
    if artefact.frames and world.rate == PIPER_RATE:
        envelope = _knn_envelope(envelope, world.f0 > 0, world.rate, artefact.frames)
    if artefact.classes and artefact.class_strength > 0 and world.rate == PIPER_RATE:
        envelope = _class_envelope(
            world.sp, envelope, world.f0 > 0, world.rate, artefact.classes, artefact.class_strength
        )
    return _synthesize_world(_map_f0(world.f0, artefact) * pitch, envelope, world.ap, world.rate)


def _same_length(y: Samples, length: int) -> Samples:
    if len(y) >= length:
        return y[:length]
    return np.concatenate([y, np.zeros(length - len(y), dtype=np.float32)])


def _stretch_frames(world: _World, ratio: float) -> _World:
    """The same speech ``ratio`` times as long: WORLD frames resampled along time (F0 by
    nearest frame, so voicing boundaries stay sharp; envelopes interpolated in log)."""
    frames = len(world.f0)
    count = max(2, round(frames * ratio))
    position = np.linspace(0.0, frames - 1, count)
    nearest = np.rint(position).astype(int)
    low = np.floor(position).astype(int)
    high = np.minimum(low + 1, frames - 1)
    weight = (position - low)[:, None]

    def interpolate(values: npt.NDArray[np.float64], *, log: bool) -> npt.NDArray[np.float64]:
        v = np.log(values + 1e-16) if log else values
        out = v[low] * (1 - weight) + v[high] * weight
        return np.ascontiguousarray(np.exp(out) if log else out)

    return _World(
        world.f0[nearest].copy(), interpolate(world.sp, log=True), interpolate(world.ap, log=False), world.rate
    )


def transform(
    samples: Samples,
    rate: int,
    *,
    artefact: VoiceArtefact | None = None,
    pitch: float = 1.0,
    stretch: float = 1.0,
) -> Samples:
    """One WORLD analysis and re-synthesis: convert to the artefact's speaker (if any),
    multiply F0 by ``pitch`` and make the speech ``stretch`` times as long."""
    if len(samples) < rate // 20 or (artefact is None and pitch == 1.0 and stretch == 1.0):
        return samples
    world = _analyse_world(samples, rate)
    if stretch != 1.0:
        world = _stretch_frames(world, stretch)
    if artefact is not None:
        y = _render(world, artefact, pitch)
    else:
        y = _synthesize_world(world.f0 * pitch, world.sp, world.ap, rate)
    return _same_length(y, round(len(samples) * stretch))


def apply_voice(samples: Samples, rate: int, artefact: VoiceArtefact, *, pitch: float = 1.0) -> Samples:
    """Make base-voice speech sound like the artefact's speaker (same rate and length);
    ``pitch`` further multiplies the speaker's F0."""
    return transform(samples, rate, artefact=artefact, pitch=pitch)


def train_voice(
    samples: Samples,
    rate: int,
    *,
    config: TrainingConfig,
    progress: Progress,
    should_stop: ShouldStop,
    transcript: str | None = None,
    method: str = METHOD,
) -> VoiceArtefact:
    """Fit a voice artefact to one recording with ``method`` (one of METHODS). Raises
    TrainingCancelled or TrainingFailed."""
    if method not in METHODS:
        raise ValueError(f"Unknown voice method {method!r}; expected one of {METHODS}.")
    started = time.monotonic()

    def check() -> None:
        if should_stop():
            raise TrainingCancelled

    progress(0.0, "Analysing the sample")
    target = resample(samples, rate, PIPER_RATE)
    target_world = _analyse_world(target, PIPER_RATE)
    target_mean, target_std = _log_f0_stats(target_world.f0)
    target_embedding = speaker_embedding(samples, rate)
    check()

    progress(0.1, "Transcribing the sample")
    words = (transcript or "").strip() or transcribe(samples, rate).strip() or REFERENCE_FALLBACK
    text = _first_chars(words, MAX_REFERENCE_CHARS)
    reference_audio, _ = synthesize(text)
    reference = _analyse_world(reference_audio, PIPER_RATE)
    source_mean, source_std = _log_f0_stats(reference.f0)
    check()

    def candidate(alpha: float, envelope: list[float] | None = None) -> VoiceArtefact:
        return VoiceArtefact(source_mean, source_std, target_mean, target_std, alpha, envelope=envelope or [])

    def fit_score(artefact: VoiceArtefact) -> float:
        check()
        converted = _render(reference, artefact)
        return cosine_similarity(speaker_embedding(converted, PIPER_RATE), target_embedding)

    scores: dict[float, float] = {}

    def score(log_alpha: float) -> float:
        key = round(log_alpha, 4)
        if key not in scores:
            scores[key] = fit_score(candidate(float(np.exp(key))))
        return scores[key]

    center, radius = 0.0, INITIAL_RADIUS
    score(center)
    epochs_run = 0
    for epoch in range(1, config.epochs + 1):
        offsets = np.linspace(-radius, radius, max(config.batch_size, 2))
        for offset in offsets:
            score(center + float(offset))
        center = max(scores, key=lambda k: scores[k])
        epochs_run = epoch
        progress(0.2 + 0.6 * epoch / config.epochs, f"Epoch {epoch}/{config.epochs}: similarity {scores[center]:.3f}")
        radius /= 2
        if radius < config.learning_rate:
            break

    progress(0.8, "Fitting the spectral envelope")
    alpha = float(np.exp(center))
    warped = _World(reference.f0, _warp_envelope(reference.sp, alpha), reference.ap, PIPER_RATE)
    full = _envelope_coefficients(_mean_log_envelope(target_world), _mean_log_envelope(warped))
    best_envelope: list[float] = []
    best_score = scores[center]
    for strength in ENVELOPE_STRENGTHS:
        envelope = [round(c * strength, 5) for c in full]
        value = fit_score(candidate(alpha, envelope))
        if value > best_score:
            best_envelope, best_score = envelope, value

    frames = ""
    if method == METHOD_KNN:
        progress(0.83, "Indexing the speaker's frames")
        frames = _encode_rows(_enrolment_frames(target_world))
    artefact = replace(candidate(alpha, best_envelope), method=method, frames=frames)
    selection: dict[str, Any] = {}
    if method == METHOD_CLASSES:
        progress(0.81, "Aligning the sample with its reference")
        spoken = _first_chars(words, ALIGN_MAX_CHARS)
        whole = reference if spoken == text else _analyse_world(synthesize(spoken)[0], PIPER_RATE)
        pairs = _aligned_pairs(whole, _converted_envelope(whole, artefact), target_world, partial=spoken != words)
        classes = _fit_classes(*pairs)
        check()
        if len(classes):
            artefact = replace(artefact, classes=_encode_rows(classes))
            artefact, selection = _choose_class_strength(artefact, target_embedding, progress, check)
    progress(0.85, "Validating the voice")
    validation_audio, _ = synthesize(VALIDATION_TEXT)
    check()
    converted = apply_voice(validation_audio, PIPER_RATE, artefact)
    similarity = cosine_similarity(speaker_embedding(converted, PIPER_RATE), target_embedding)
    baseline = cosine_similarity(speaker_embedding(validation_audio, PIPER_RATE), target_embedding)
    heard = transcribe(converted, PIPER_RATE)
    wer = _word_error_rate(VALIDATION_TEXT, heard)
    check()
    progress(1.0, "Done")
    return replace(
        artefact,
        warp_alpha=round(alpha, 5),
        config=asdict(config),
        validation={
            "similarity": round(similarity, 4),
            "baseline_similarity": round(baseline, 4),
            "better_than_builtin": similarity > baseline,
            "wer": round(wer, 4),
            "test_sentence": VALIDATION_TEXT,
            "transcript": heard,
        },
        fit={
            "evaluations": len(scores),
            "epochs_run": epochs_run,
            "fit_similarity": round(best_score, 4),
            "envelope_corrected": bool(best_envelope),
            **selection,
            "seconds": round(time.monotonic() - started, 2),
        },
    )


def _choose_class_strength(
    artefact: VoiceArtefact, target_embedding: npt.NDArray[np.float32], progress: Progress, check: Callable[[], None]
) -> tuple[VoiceArtefact, dict[str, Any]]:
    """The strongest class correction that raises the similarity on SELECTION_TEXTS without
    raising their word error rate by more than CLASS_WER_TOLERANCE (0 when none does)."""
    sentences = [synthesize(text)[0] for text in SELECTION_TEXTS]
    analysed = [_analyse_world(audio, PIPER_RATE) for audio in sentences]  # once, rendered per strength

    def measure(strength: float) -> tuple[float, float]:
        check()
        trial = replace(artefact, class_strength=strength)
        converted = [
            _same_length(_render(world, trial), len(audio)) for world, audio in zip(analysed, sentences, strict=True)
        ]
        similarity = float(
            np.mean([cosine_similarity(speaker_embedding(c, PIPER_RATE), target_embedding) for c in converted])
        )
        wer = float(
            np.mean(
                [
                    _word_error_rate(t, transcribe(c, PIPER_RATE))
                    for t, c in zip(SELECTION_TEXTS, converted, strict=True)
                ]
            )
        )
        return similarity, wer

    base_similarity, base_wer = measure(0.0)
    chosen, trials = 0.0, {}
    for number, strength in enumerate(CLASS_STRENGTHS, 1):
        similarity, wer = measure(strength)
        trials[str(strength)] = {"similarity": round(similarity, 4), "wer": round(wer, 4)}
        progress(0.81 + 0.03 * number / len(CLASS_STRENGTHS), f"Class strength {strength}: similarity {similarity:.3f}")
        if similarity > base_similarity and wer <= base_wer + CLASS_WER_TOLERANCE:
            chosen = strength
            break
    summary = {
        "class_strength": chosen,
        "class_selection": {"0.0": {"similarity": round(base_similarity, 4), "wer": round(base_wer, 4)}, **trials},
    }
    return replace(artefact, class_strength=chosen, classes=artefact.classes if chosen else ""), summary


def _words(text: str) -> list[str]:
    cleaned = "".join(ch.lower() if ch.isalnum() or ch == "'" else " " for ch in text)
    return cleaned.split()


def _word_error_rate(reference: str, hypothesis: str) -> float:
    """Levenshtein distance over words divided by the reference length."""
    ref, hyp = _words(reference), _words(hypothesis)
    row = list(range(len(hyp) + 1))
    for i, word in enumerate(ref, 1):
        previous, row[0] = row[0], i
        for j, other in enumerate(hyp, 1):
            previous, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, previous + (word != other))
    return row[len(hyp)] / max(len(ref), 1)
