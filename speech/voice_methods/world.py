"""The WORLD voice methods: Piper's speech analysed and re-synthesised with WORLD as the speaker.

Fitting (``WorldMethod.fit``):
1. the sample's pitch (log-F0 mean and spread over voiced frames, ``dio`` + ``stonemask``);
2. Piper reads the sample's words (the *reference*: the same content in the base voice);
3. a search over a frequency warp of the reference's spectral envelope (a stand-in for vocal
   tract length) that maximises the Resemblyzer similarity of the converted reference to
   the sample: each epoch evaluates ``batch_size`` warps around the best so far and halves
   the search radius, until it is below ``learning_rate`` or after ``epochs``; then a
   smooth correction of the mean envelope (24 DCT coefficients, +-12 dB) at full or half
   strength if it raises the similarity further;
4. what a subclass adds (``extend``: the knn frames, the sound classes).

Converting (``convert``) is one WORLD analysis and re-synthesis with the mapped F0, the warp,
the envelope correction and the subclass's frame corrections, pitch and time stretch
included. The artefact (``WorldArtefact``, format 1) is the one these methods have always
written, so voices trained before the methods became plug-ins load and speak unchanged.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, replace
from typing import Any

import numpy as np

from speech.audio_io import Samples, resample
from speech.dsp import world as w
from speech.embedding import cosine_similarity, speaker_embedding
from speech.tts import PIPER_RATE, synthesize
from speech.voice_methods.base import AnalysedSample, Check, Progress, TrainingConfig, TrainingFailed, read_artefact

ARTEFACT_FORMAT = 1
INITIAL_RADIUS = 0.2  # log-warp: alpha from about 0.82 to 1.22 in the first epoch
ENVELOPE_COEFFICIENTS = 24
ENVELOPE_STRENGTHS = (0.5, 1.0)
MAX_CORRECTION = 2.76  # natural log of power: +-12 dB
MAX_REFERENCE_CHARS = 220

Floats = w.Floats


@dataclass(frozen=True)
class WorldArtefact:
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
    method: str = "world-f0-warp"
    format: int = ARTEFACT_FORMAT
    # world-f0-warp-knn: the enrolment's speech frames, base64 of float16 [voiced, mcep].
    frames: str = ""
    # world-f0-warp-classes: base64 of float16 [class, voiced + key + correction], and its strength.
    classes: str = ""
    class_strength: float = 0.0

    @property
    def default_similarity(self) -> float:
        return self.class_strength

    def to_json(self) -> bytes:
        return json.dumps(asdict(self), sort_keys=True).encode()


def first_chars(text: str, limit: int) -> str:
    return text[:limit].rsplit(" ", 1)[0] if len(text) > limit else text


def log_f0_stats(f0: Floats) -> tuple[float, float]:
    voiced = f0[f0 > 0]
    if len(voiced) < 20:
        raise TrainingFailed("NO_VOICED_SPEECH", "Too little voiced speech to measure the speaker's pitch.")
    logs = np.log(voiced)
    return float(np.mean(logs)), max(float(np.std(logs)), 1e-3)


def _correction_curve(coefficients: list[float], bins: int) -> Floats:
    from scipy.fft import idct

    full = np.zeros(bins)
    count = min(len(coefficients), bins)
    full[:count] = coefficients[:count]
    curve: Floats = np.clip(idct(full, type=2, norm="ortho"), -MAX_CORRECTION, MAX_CORRECTION)
    return curve


def _envelope_coefficients(target: Floats, converted: Floats) -> list[float]:
    """The smooth difference of two mean log-envelopes, as its first DCT coefficients."""
    from scipy.fft import dct

    coefficients = dct(target - converted, type=2, norm="ortho")[:ENVELOPE_COEFFICIENTS]
    coefficients[0] = 0.0  # no overall gain change: loudness is the synthesiser's business
    return [round(float(c), 5) for c in coefficients]


def _mean_log_envelope(world: w.World) -> Floats:
    voiced = world.f0 > 0
    frames = world.sp[voiced] if voiced.any() else world.sp
    mean: Floats = np.mean(np.log(frames + 1e-12), axis=0)
    return mean


def _map_f0(f0: Floats, artefact: WorldArtefact) -> Floats:
    mapped = f0.copy()
    voiced = f0 > 0
    z = (np.log(f0[voiced]) - artefact.f0_source_mean) / artefact.f0_source_std
    mapped[voiced] = np.exp(z * artefact.f0_target_std + artefact.f0_target_mean)
    return mapped


def converted_envelope(world: w.World, artefact: WorldArtefact) -> Floats:
    """The warp and the smooth envelope correction: the converted voice before frame corrections."""
    envelope = w.warp_envelope(world.sp, artefact.warp_alpha)
    if artefact.envelope:
        envelope = np.ascontiguousarray(envelope * np.exp(_correction_curve(artefact.envelope, envelope.shape[1])))
    return envelope


@dataclass
class Fitting:
    """The state a subclass's ``extend`` works from."""

    sample: AnalysedSample
    target: w.World  # the sample at PIPER_RATE
    reference: w.World  # Piper reading the first MAX_REFERENCE_CHARS of the words
    reference_text: str


class WorldMethod:
    name = "world-f0-warp"
    schema_version = ARTEFACT_FORMAT

    def frame_envelope(
        self, world: w.World, envelope: Floats, artefact: WorldArtefact, similarity: float | None
    ) -> Floats:
        """The subclass's frame-level corrections of the converted envelope (none here)."""
        return envelope

    def extend(
        self, artefact: WorldArtefact, fitting: Fitting, progress: Progress, check: Check
    ) -> tuple[WorldArtefact, dict[str, Any]]:
        """What the subclass learns after the warp and the envelope (nothing here)."""
        return artefact, {}

    def render(
        self, world: w.World, artefact: WorldArtefact, pitch: float = 1.0, similarity: float | None = None
    ) -> Samples:
        envelope = converted_envelope(world, artefact)
        if world.rate == PIPER_RATE:
            envelope = self.frame_envelope(world, envelope, artefact, similarity)
        return w.synthesize(_map_f0(world.f0, artefact) * pitch, envelope, world.ap, world.rate)

    def convert(
        self,
        samples: Samples,
        rate: int,
        artefact: WorldArtefact,
        *,
        pitch: float = 1.0,
        stretch: float = 1.0,
        similarity: float | None = None,
    ) -> Samples:
        if w.is_too_short(samples, rate):
            return samples
        world = w.analyse(samples, rate)
        if stretch != 1.0:
            world = w.stretch_frames(world, stretch)
        y = self.render(world, artefact, pitch, similarity)
        return w.same_length(y, round(len(samples) * stretch))

    def load(self, raw: dict[str, Any]) -> WorldArtefact:
        artefact: WorldArtefact = read_artefact(raw, WorldArtefact, method=self.name, version=ARTEFACT_FORMAT)
        return artefact

    def fit(self, sample: AnalysedSample, *, config: TrainingConfig, progress: Progress, check: Check) -> WorldArtefact:
        target = w.analyse(resample(sample.samples, sample.rate, PIPER_RATE), PIPER_RATE)
        target_mean, target_std = log_f0_stats(target.f0)
        text = first_chars(sample.words, MAX_REFERENCE_CHARS)
        reference = w.analyse(synthesize(text)[0], PIPER_RATE)
        source_mean, source_std = log_f0_stats(reference.f0)
        check()

        def candidate(alpha: float, envelope: list[float] | None = None) -> WorldArtefact:
            return WorldArtefact(
                source_mean, source_std, target_mean, target_std, alpha, envelope=envelope or [], method=self.name
            )

        def fit_score(artefact: WorldArtefact) -> float:
            check()
            converted = self.render(reference, artefact)  # no frame corrections yet
            return cosine_similarity(speaker_embedding(converted, PIPER_RATE), sample.embedding)

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
            for offset in np.linspace(-radius, radius, max(config.batch_size, 2)):
                score(center + float(offset))
            center = max(scores, key=lambda k: scores[k])
            epochs_run = epoch
            progress(
                0.1 + 0.7 * epoch / config.epochs, f"Epoch {epoch}/{config.epochs}: similarity {scores[center]:.3f}"
            )
            radius /= 2
            if radius < config.learning_rate:
                break

        progress(0.8, "Fitting the spectral envelope")
        alpha = float(np.exp(center))
        warped = w.World(reference.f0, w.warp_envelope(reference.sp, alpha), reference.ap, PIPER_RATE)
        full = _envelope_coefficients(_mean_log_envelope(target), _mean_log_envelope(warped))
        best_envelope: list[float] = []
        best_score = scores[center]
        for strength in ENVELOPE_STRENGTHS:
            envelope = [round(c * strength, 5) for c in full]
            value = fit_score(candidate(alpha, envelope))
            if value > best_score:
                best_envelope, best_score = envelope, value
        artefact = candidate(round(alpha, 5), best_envelope)
        artefact, extra = self.extend(artefact, Fitting(sample, target, reference, text), progress, check)
        fit = {
            "evaluations": len(scores),
            "epochs_run": epochs_run,
            "fit_similarity": round(best_score, 4),
            "envelope_corrected": bool(best_envelope),
            **extra,
        }
        return replace(artefact, fit=fit)
