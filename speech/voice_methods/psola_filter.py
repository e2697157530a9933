"""``psola-filter-classes``: the base voice's own waveform, re-pitched by PSOLA and filtered per sound.

WORLD re-synthesis costs Piper's speech about 1.5 DistillMOS points before any conversion
(docs/adr/0009). This method never re-synthesises: it keeps the engine's excitation and phase.
The base is the voice training chose for the sample (speech.bases: Piper's or a Kokoro
style, blend or fitted style), recorded in the artefact; "" is Piper's, as for every voice
trained before there was a choice.

Fitting:
1. the sample's median F0 and log-F0 spread (Praat's autocorrelation pitch);
2. the base voice reads the sample's words (up to ALIGN_MAX_CHARS); Praat's "Change gender" (PSOLA)
   moves the reading to the sample's median F0 and pitch range, with the formant shift
   ratio that makes it most similar to the sample (both speaker encoders; a coarse grid,
   then a finer one around the best) among the ratios the other two judges admit against
   ratio 1 (speech.judging.admissible: a large formant shift can cost naturalness and
   intelligibility). On a base other than Piper's (chosen for being near already) the
   reference is the base's own unmoved reading instead, and the pitch moves none, half or
   all of the way (PITCH_SHARES), whichever is most similar among those admitted against it;
3. the re-pitched reading is aligned with the sample by DTW on cepstra of the log-mel
   spectrum (5 ms frames; subsequence DTW when the words were cut short); each aligned frame
   gives a correction, the sample's cepstrum minus the reading's (the energy term left out:
   loudness is the engine's business); the reading's frames, keyed by the *base* voice's
   cepstra with their neighbours, are grouped into CLASS_COUNT k-means classes, each keeping
   its mean correction (speech.dsp.classes);
4. the strength of the correction is chosen on all three judges
   (speech.judging.choose_strength).

Converting: PSOLA (pitch, formants, the request's pitch and the time stretch in one pass),
then each STFT frame of the result is multiplied by the gain curve of its blended class
correction (a time-varying filter, +-12 dB, smoothed over 50 ms), phase kept. The artefact
is a few KB of JSON.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, replace
from typing import Any

import numpy as np
import numpy.typing as npt

from speech.audio_io import Samples, resample
from speech.bases import speak
from speech.dsp.classes import (
    aligned_corrections,
    class_corrections,
    context_keys,
    decode_rows,
    encode_rows,
    fit_classes,
)
from speech.dsp.world import speech_frames
from speech.engines import DEFAULT_VOICE, parse_voice
from speech.judging import SELECTION_TEXTS, Judgement, admissible, choose_strength, judge
from speech.tts import PIPER_RATE
from speech.voice_methods.base import AnalysedSample, Check, Progress, TrainingConfig, TrainingFailed, read_artefact
from speech.voice_methods.world import first_chars

NAME = "psola-filter-classes"
ARTEFACT_FORMAT = 1
FFT = 1024
HOP = 110  # 5 ms at 22.05 kHz
MELS = 64
CEPSTRA = 25  # c0 (energy) .. c24: the smooth shape of the log-mel spectrum
KEY = slice(1, CEPSTRA)
CONTEXT = (-3, 0, 3)
CLASS_COUNT = 32
CLASS_MIN_FRAMES = 20
CLASS_NEIGHBOURS = 3
CLASS_SMOOTHING = 10  # frames (50 ms): smoother gains cost less naturalness at the same identity
STRENGTHS = (0.5, 1.0, 1.5)  # of the learned correction, tried at training
MAX_STRENGTH = STRENGTHS[-1]  # what a request's similarity 1 applies (similarity = strength / this)
MAX_GAIN = 2.76  # natural log of power: +-12 dB
FORMANT_GRID = (0.86, 0.93, 1.0, 1.07, 1.14, 1.21)
FORMANT_REFINE = (-0.035, 0.035)
PITCH_FLOOR, PITCH_CEILING = 60.0, 500.0
BASE_PITCH_FLOOR, BASE_PITCH_CEILING = 60.0, 400.0  # the base voice (men's and women's)
PITCH_SHARES = (0.0, 0.5, 1.0)  # of the move from a chosen base's pitch to the speaker's, tried
ALIGN_MAX_CHARS = 350
ALIGN_MAX_SECONDS = 25.0

Floats = npt.NDArray[np.float64]


@dataclass(frozen=True)
class PsolaArtefact:
    f0_median: float  # Hz: the speaker's (on a chosen base, the share of the way there)
    pitch_range: float  # the speaker's log-F0 spread over the base voice's (likewise)
    formant_ratio: float
    classes: str = ""  # base64 of float16 rows [voiced, key, correction]
    class_strength: float = 0.0
    base: str = ""  # the voice it converts (a voice string); "" for Piper's, as every voice before bases
    config: dict[str, Any] = field(default_factory=dict)
    validation: dict[str, Any] = field(default_factory=dict)
    fit: dict[str, Any] = field(default_factory=dict)
    method: str = NAME
    format: int = ARTEFACT_FORMAT

    @property
    def default_similarity(self) -> float:
        return round(self.class_strength / MAX_STRENGTH, 4)

    def to_json(self) -> bytes:
        raw = asdict(self)
        if not raw["base"]:
            del raw["base"]  # Piper's: written as before bases, so an older release still reads it
        return json.dumps(raw, sort_keys=True).encode()


def _mel_basis() -> Floats:
    import librosa

    basis: Floats = librosa.filters.mel(sr=PIPER_RATE, n_fft=FFT, n_mels=MELS, fmin=50.0, fmax=PIPER_RATE / 2)
    return basis


_MEL = _mel_basis()
_MEL_TO_BINS = _MEL / (_MEL.sum(axis=0, keepdims=True) + 1e-9)  # each bin: the mean of its bands


def _stft(samples: Samples) -> npt.NDArray[np.complex64]:
    import librosa

    spectrum: npt.NDArray[np.complex64] = librosa.stft(samples, n_fft=FFT, hop_length=HOP, window="hann")
    return spectrum


def cepstra(spectrum: npt.NDArray[np.complex64]) -> Floats:
    """[frames, CEPSTRA]: the DCT of each frame's log-mel power spectrum, first coefficients."""
    from scipy.fft import dct

    log_mel = np.log(_MEL @ (np.abs(spectrum) ** 2) + 1e-8)
    coefficients: Floats = dct(log_mel, type=2, norm="ortho", axis=0)[:CEPSTRA].T
    return coefficients


def _pitch_stats(samples: Samples, floor: float, ceiling: float) -> tuple[float, float]:
    import parselmouth

    pitch = parselmouth.Sound(samples.astype(np.float64), PIPER_RATE).to_pitch(
        time_step=0.01, pitch_floor=floor, pitch_ceiling=ceiling
    )
    f0 = pitch.selected_array["frequency"]
    voiced = f0[f0 > 0]
    if len(voiced) < 20:
        raise TrainingFailed("NO_VOICED_SPEECH", "Too little voiced speech to measure the speaker's pitch.")
    return float(np.median(voiced)), max(float(np.std(np.log(voiced))), 1e-3)


def change_gender(
    samples: Samples, *, formant_ratio: float, f0_median: float, pitch_range: float, duration: float = 1.0
) -> Samples:
    """Praat's "Change gender" (PSOLA): formants times ``formant_ratio``, median F0 to
    ``f0_median``, F0 range times ``pitch_range``, duration times ``duration``."""
    import parselmouth
    from parselmouth.praat import call

    sound = parselmouth.Sound(samples.astype(np.float64), PIPER_RATE)
    changed = call(
        sound,
        "Change gender",
        BASE_PITCH_FLOOR,
        BASE_PITCH_CEILING,
        formant_ratio,
        f0_median,
        pitch_range,
        duration,
    )
    y = np.asarray(changed.values[0], dtype=np.float32)
    length = round(len(samples) * duration)
    return y[:length] if len(y) >= length else np.concatenate([y, np.zeros(length - len(y), np.float32)])


def _filter(changed: Samples, keys: Floats, rows: Floats, strength: float) -> Samples:
    """Multiply each STFT frame of ``changed`` by its class correction's gain, phase kept."""
    import librosa
    from scipy.fft import idct

    spectrum = _stft(changed)
    frames = min(len(keys), spectrum.shape[1])
    correction = class_corrections(
        keys[:frames], np.ones(frames, bool), rows, neighbours=CLASS_NEIGHBOURS, smoothing=CLASS_SMOOTHING
    )
    correction[:, 0] = 0.0
    full = np.zeros((frames, MELS))
    full[:, :CEPSTRA] = strength * correction
    log_gain = np.clip(idct(full, type=2, norm="ortho", axis=1) @ _MEL_TO_BINS, -MAX_GAIN, MAX_GAIN)
    spectrum[:, :frames] *= np.exp(log_gain.T / 2)
    y = librosa.istft(spectrum, hop_length=HOP, window="hann", length=len(changed)).astype(np.float32)
    peak = float(np.max(np.abs(y))) if len(y) else 0.0
    return y * np.float32(0.99 / peak) if peak > 0.99 else y


def _keys(samples: Samples, stretch: float = 1.0) -> Floats:
    """The base voice's frame keys, resampled in time to a ``stretch`` times longer output."""
    keys = context_keys(cepstra(_stft(samples)), KEY, CONTEXT)
    if stretch == 1.0:
        return keys
    count = max(1, round(len(keys) * stretch))
    nearest = np.clip(np.rint(np.arange(count) / stretch).astype(int), 0, len(keys) - 1)
    stretched: Floats = keys[nearest]
    return stretched


class PsolaFilterMethod:
    name = NAME
    schema_version = ARTEFACT_FORMAT
    bases = True  # fits any engine's voice (speech.bases); the WORLD methods convert Piper's only

    def load(self, raw: dict[str, Any]) -> PsolaArtefact:
        artefact: PsolaArtefact = read_artefact(raw, PsolaArtefact, method=NAME, version=ARTEFACT_FORMAT)
        if artefact.base:
            parse_voice(artefact.base)  # ValueError for a base this release cannot speak
        return artefact

    def convert(
        self,
        samples: Samples,
        rate: int,
        artefact: PsolaArtefact,
        *,
        pitch: float = 1.0,
        stretch: float = 1.0,
        similarity: float | None = None,
    ) -> Samples:
        if len(samples) < rate // 20:
            return samples
        audio = resample(samples, rate, PIPER_RATE)
        changed = change_gender(
            audio,
            formant_ratio=artefact.formant_ratio,
            f0_median=artefact.f0_median * pitch,
            pitch_range=artefact.pitch_range,
            duration=stretch,
        )
        strength = artefact.class_strength if similarity is None else similarity * MAX_STRENGTH
        if artefact.classes and strength > 0:
            rows = decode_rows(artefact.classes, 1 + len(CONTEXT) * (KEY.stop - KEY.start) + CEPSTRA)
            changed = _filter(changed, _keys(audio, stretch), rows.astype(np.float64), strength)
        return resample(changed, PIPER_RATE, rate)

    def fit(self, sample: AnalysedSample, *, config: TrainingConfig, progress: Progress, check: Check) -> PsolaArtefact:
        import parselmouth

        target = resample(sample.samples, sample.rate, PIPER_RATE)[: int(ALIGN_MAX_SECONDS * PIPER_RATE)]
        f0_median, target_spread = _pitch_stats(target, PITCH_FLOOR, PITCH_CEILING)
        words = sample.words
        spoken = first_chars(words, ALIGN_MAX_CHARS)
        voice = parse_voice(sample.base or DEFAULT_VOICE)
        reading = speak(voice, spoken, PIPER_RATE)
        base_f0, base_spread = _pitch_stats(reading, BASE_PITCH_FLOOR, BASE_PITCH_CEILING)
        spread = target_spread / base_spread if base_spread > 0 else 1.0
        pitch_range = float(np.clip(spread, 0.5, 2.0)) if np.isfinite(spread) else 1.0
        check()

        Key = tuple[float, float]  # (formant ratio, share of the pitch move)
        trials: dict[Key, Judgement] = {}
        renders: dict[Key, Samples] = {}  # the judged audio, so the chosen one is not rendered again

        def pitch(share: float) -> tuple[float, float]:
            """Median F0 and range ``share`` of the way from the base's to the speaker's."""
            if share == 1.0:
                return f0_median, pitch_range
            return base_f0 * (f0_median / base_f0) ** share, pitch_range**share

        def label(key: Key) -> str:
            return str(key[0]) if key[1] == 1.0 else f"{key[0]} pitch {key[1]}"

        def score(ratio: float, share: float = 1.0) -> Judgement:
            check()
            key = (round(ratio, 3), share)
            if key not in trials:
                f0, spread = pitch(share)
                try:
                    renders[key] = change_gender(reading, formant_ratio=key[0], f0_median=f0, pitch_range=spread)
                except parselmouth.PraatError:  # Praat could not manipulate this reading: never chosen
                    trials[key] = Judgement(-1.0, -1.0, 0.0, 1.0)
                    return trials[key]
                trials[key] = result = judge([renders[key]], PIPER_RATE, [spoken], sample)
                progress(
                    0.1 + (0.03 if sample.base else 0.04) * len(trials),
                    f"Formant ratio {label(key)}: similarity {result.similarity:.3f}, "
                    f"naturalness {result.naturalness:.2f}",
                )
            return trials[key]

        # Piper's voice always moves all the way to the speaker's pitch, judged from there, as
        # before there were bases. A chosen base was chosen for being near already: its own
        # unmoved voice is the reference that the pitch and formant moves must not spoil.
        shares = PITCH_SHARES if sample.base else (1.0,)
        reference = score(1.0, shares[0])
        if (1.0, shares[0]) not in renders:
            raise TrainingFailed(
                "NO_VOICED_SPEECH", "The starting voice's reading could not be re-pitched (PSOLA) for this speaker."
            )

        def allowed(key: Key, share: float) -> bool:
            return key[1] == share and (key == (1.0, share) or admissible(trials[key], reference))

        share = max(
            (s for s in shares if s == shares[0] or admissible(score(1.0, s), reference)),
            key=lambda s: trials[(1.0, s)].identity,
        )

        def best() -> float:
            return max((k for k in trials if allowed(k, share)), key=lambda k: trials[k].identity)[0]

        for ratio in FORMANT_GRID:
            score(ratio, share)
        coarse = best()
        for offset in FORMANT_REFINE:
            score(coarse + offset, share)
        formant_ratio = best()
        f0_target, range_target = pitch(share)
        artefact = PsolaArtefact(round(f0_target, 2), round(range_target, 4), formant_ratio, base=sample.base)

        progress(0.5, "Aligning the sample with its reference")
        changed = renders[(formant_ratio, share)]
        renders.clear()
        raw, converted, speaker = cepstra(_stft(reading)), cepstra(_stft(changed)), cepstra(_stft(target))
        frames = min(len(raw), len(converted))
        ours, theirs = speech_frames(raw[:frames]), speech_frames(speaker)
        rows, corrections = aligned_corrections(converted[ours], speaker[theirs], KEY, partial=spoken != words)
        keys = context_keys(raw, KEY, CONTEXT)[ours[rows]]
        classes = fit_classes(
            keys, corrections, np.ones(len(keys), bool), count=CLASS_COUNT, min_frames=CLASS_MIN_FRAMES
        )
        check()
        search = {label(k): t.rounded() for k, t in sorted(trials.items())}
        if not len(classes):
            return replace(artefact, fit={"formant_search": search, "class_strength": 0.0})
        artefact = replace(artefact, classes=encode_rows(classes))
        sentences = [speak(voice, text, PIPER_RATE) for text in SELECTION_TEXTS]

        def render(strength: float) -> tuple[list[Samples], int]:
            check()
            similarity = strength / MAX_STRENGTH
            return [self.convert(s, PIPER_RATE, artefact, similarity=similarity) for s in sentences], PIPER_RATE

        chosen, selection = choose_strength(
            STRENGTHS,
            render,
            sample,
            progress=lambda n, s, r: progress(
                0.55 + 0.28 * n / len(STRENGTHS),
                f"Class strength {s}: similarity {r.similarity:.3f}, naturalness {r.naturalness:.2f}",
            ),
        )
        fit = {
            "formant_search": search,
            "class_strength": chosen,
            "class_selection": selection,
        }
        return replace(artefact, class_strength=chosen, fit=fit)


METHOD = PsolaFilterMethod()
