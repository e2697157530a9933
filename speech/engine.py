"""The synthesis engine: text in, finished audio out, one piece at a time.

For each piece of text (``speech.text.prepare``) the engine

1. speaks it with the voice's engine (speech.engines: Piper, Kokoro) at the engine's share
   of ``speed`` (Piper all of it, Kokoro its square root: Kokoro's own speed control costs
   intelligibility beyond about 1.25); the rest is a time stretch. Neither engine's durations
   scale linearly (Piper's length_scale 0.5 gives about 0.63 of the duration; Kokoro rounds
   each sound's frames after dividing by its speed), so the stretch still needed is measured
   on the length at speed 1.0: Kokoro reports it from its own predicted durations, Piper's
   piece is spoken again at 1.0;
2. converts it to the cloned voice with the voice's method (speech.voice_methods), which
   also applies ``pitch`` (F0 ratio, duration kept), the time stretch and the request's
   ``similarity``; the built-in voice only goes through WORLD for pitch or stretch
   (speech.dsp.world.modify);
3. levels it: the active-speech RMS of every piece is brought to the same target, so
   consecutive pieces do not jump in loudness;
4. applies ``volume`` as a plain gain, adds the watermark (speech.watermark: every piece
   carries it, so every stream chunk does too), resamples to the output rate, and runs a
   look-ahead peak limiter so that no gain ever clips;
5. fades its edges (10 ms) and appends the pause that separates it from the next piece.

Word times come from the engine's own phoneme lengths (speech.alignment) and follow the piece
through every step: the stretch and the voice conversion scale them with the audio's length;
levelling, gain and resampling keep them.

A piece is therefore playable on its own (a stream sends each one as a file), and pieces
concatenate into the whole without clicks: every boundary is faded silence.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

import numpy as np
from scipy.ndimage import minimum_filter1d, uniform_filter1d

from speech.alignment import WordTime
from speech.audio_io import Samples, resample
from speech.dsp.world import modify
from speech.engines import DEFAULT_VOICE, BaseVoice, engine_of, parse_voice
from speech.formats import OUTPUT_FORMATS
from speech.script import Piece, effective
from speech.tts import PIPER_RATE
from speech.voice_methods import get_method
from speech.voice_methods.base import Artefact
from speech.watermark import apply_watermark

TARGET_RMS_DB = -21.0  # active-speech level of every piece before ``volume``
MAX_LEVEL_GAIN_DB = 12.0
LIMITER_CEILING = 0.966  # -0.3 dBFS
LIMITER_WINDOW_S = 0.005
FADE_S = 0.01
PAUSE_S = 0.18  # between pieces, at speed 1.0
EDGE_FLOOR_DB = -40.0  # where speech starts and ends, below the loudest 5 ms of the piece
EDGE_MARGIN_S = 0.005

ShouldStop = Callable[[], bool]


class SynthesisCancelled(Exception):
    """``should_stop`` said to stop between pieces."""


@dataclass(frozen=True)
class RenderOptions:
    sample_rate: int = PIPER_RATE
    speed: float = 1.0
    pitch: float = 1.0
    volume: float = 1.0
    similarity: float | None = None  # of a cloned voice: None = the voice's own setting
    watermark: bool = True  # off only to measure the mark itself (bench/watermark.py)


def _frame_energies(samples: Samples, frame: int) -> np.ndarray:
    """Mean square of each whole frame of ``frame`` samples (a partial last frame is left out)."""
    count = len(samples) // frame
    energies: np.ndarray = np.mean(samples[: count * frame].reshape(count, frame).astype(np.float64) ** 2, axis=1)
    return energies


def _active_rms(samples: Samples, rate: int) -> float:
    """RMS over the 20 ms frames within 30 dB of the loudest one (speech, not pauses)."""
    frame = max(1, rate // 50)
    if len(samples) < frame:
        return float(np.sqrt(np.mean(samples**2))) if len(samples) else 0.0
    energies = _frame_energies(samples, frame)
    loudest = float(energies.max())
    if loudest <= 1e-12:
        return 0.0
    active = energies[energies >= loudest * 10 ** (-30 / 10)]
    return float(np.sqrt(active.mean()))


def level(samples: Samples, rate: int, target_db: float = TARGET_RMS_DB) -> Samples:
    rms = _active_rms(samples, rate)
    if rms <= 1e-6:
        return samples
    gain_db = np.clip(target_db - 20 * np.log10(rms), -MAX_LEVEL_GAIN_DB, MAX_LEVEL_GAIN_DB)
    return (samples * np.float32(10 ** (gain_db / 20))).astype(np.float32)


def limit(samples: Samples, rate: int, ceiling: float = LIMITER_CEILING) -> Samples:
    """Reduce gain smoothly around peaks above ``ceiling``; nothing else changes.

    The needed gain is spread by a minimum filter (+-window) and smoothed by a moving
    average (window), so the smoothed gain is never above what any sample needs.
    """
    peaks = np.abs(samples)
    if not len(samples) or float(peaks.max()) <= ceiling:
        return samples
    needed = np.minimum(1.0, ceiling / np.maximum(peaks, 1e-9))
    window = max(1, int(LIMITER_WINDOW_S * rate))
    gain = uniform_filter1d(minimum_filter1d(needed, size=2 * window + 1), size=window | 1)
    limited: Samples = (samples * np.minimum(gain, needed)).astype(np.float32)
    return limited


def _fade(samples: Samples, rate: int) -> Samples:
    n = min(int(FADE_S * rate), len(samples) // 2)
    if n <= 0:
        return samples
    ramp = (0.5 - 0.5 * np.cos(np.linspace(0.0, np.pi, n))).astype(np.float32)
    out = samples.copy()
    out[:n] *= ramp
    out[-n:] *= ramp[::-1]
    return out


def speech_edges(samples: Samples, rate: int, floor_db: float = EDGE_FLOOR_DB) -> tuple[int, int]:
    """The first and last sample of speech: the outermost 5 ms frames within ``floor_db`` of the loudest."""
    frame = max(1, rate // 200)
    if len(samples) < frame:
        return 0, len(samples)
    energies = _frame_energies(samples, frame)
    loudest = float(energies.max())
    if loudest <= 1e-12:
        return 0, 0
    loud = np.flatnonzero(energies >= loudest * 10 ** (floor_db / 10))
    return int(loud[0]) * frame, min(len(samples), (int(loud[-1]) + 1) * frame)


def _as_piece(piece: Piece | str) -> Piece:
    return Piece(piece) if isinstance(piece, str) else piece


Base = BaseVoice | str | None


def base_voice(voice: Artefact | None, base: Base = None) -> BaseVoice:
    """What speaks before any conversion: a trained voice's own base (voices trained before
    there was a choice have Piper's), else ``base`` (a voice string or BaseVoice), else Piper."""
    if voice is not None:
        base = getattr(voice, "base", None) or DEFAULT_VOICE
    if isinstance(base, BaseVoice):
        return base
    return parse_voice(base or DEFAULT_VOICE)


def render_piece(
    piece: Piece | str, *, options: RenderOptions, voice: Artefact | None = None, base: Base = None
) -> Samples:
    """One piece of text as finished audio at ``options.sample_rate``, pause included."""
    return render_piece_timed(piece, options=options, voice=voice, base=base)[0]


def render_piece_timed(
    piece: Piece | str,
    *,
    options: RenderOptions,
    voice: Artefact | None = None,
    base: Base = None,
    trim_start: bool = False,
) -> tuple[Samples, list[WordTime]]:
    """``render_piece`` and when each of the piece's words is spoken, in seconds from its start.

    The piece's own prosody multiplies the request's. A piece followed by an explicit pause
    (a break, a paragraph, a prosody join) ends at its last sound, so the silence after it is
    the pause itself; ``trim_start`` does the same for the start of the piece after one.
    """
    piece = _as_piece(piece)
    speed, pitch, volume = effective(piece, options.speed, options.pitch, options.volume)
    rate_out = options.sample_rate
    if piece.pause is not None:
        pause = np.zeros(round(rate_out * piece.pause), dtype=np.float32)
    else:
        pause = np.zeros(int(rate_out * PAUSE_S / options.speed), dtype=np.float32)
    if not piece.text:
        return pause, []
    speaker = base_voice(voice, base)
    engine = engine_of(speaker)
    native = speed**engine.native_speed_share  # the rest of the change is a time stretch
    spoken = engine.speak(piece.text, speaker, speed=native, aligned=True, language=piece.language)
    audio, rate, words = spoken.audio, spoken.rate, spoken.words
    spoken_length = len(audio)
    stretch = 1.0
    if speed != 1.0:
        if engine.linear_speed:
            stretch = native / speed
        else:
            reference = spoken.length_at_one
            if reference is None:
                reference = len(engine.speak(piece.text, speaker, language=piece.language).audio)
            stretch = reference / speed / max(len(audio), 1)
        if abs(stretch - 1.0) < 0.01:
            stretch = 1.0
    if voice is None:
        audio = modify(audio, rate, pitch=pitch, stretch=stretch)
    else:
        audio = get_method(voice.method).convert(
            audio, rate, voice, pitch=pitch, stretch=stretch, similarity=options.similarity
        )
    scale = len(audio) / max(spoken_length, 1)  # the stretch and the conversion, on the timeline
    audio = level(audio, rate) * np.float32(volume)
    if options.watermark:
        audio = apply_watermark(audio, rate)
    audio = limit(resample(audio, rate, rate_out), rate_out)
    first, last = 0, len(audio)
    if trim_start or piece.pause is not None:
        start, end = speech_edges(audio, rate_out)
        margin = int(EDGE_MARGIN_S * rate_out)
        if trim_start:
            first = max(0, min(start - margin, len(audio)))
        if piece.pause is not None:
            last = max(first, min(len(audio), end + margin))
        audio = audio[first:last]
    shift = first / rate_out
    words = [
        WordTime(w.word, round(max(0.0, w.start * scale - shift), 3), round(max(0.0, w.end * scale - shift), 3))
        for w in words
    ]
    audio = _fade(audio, rate_out)
    return np.concatenate([audio, pause]), words


def render_pieces(
    pieces: Sequence[Piece | str],
    *,
    options: RenderOptions,
    voice: Artefact | None = None,
    base: Base = None,
    should_stop: ShouldStop = lambda: False,
) -> Iterator[tuple[Samples, list[WordTime]]]:
    """Each piece's audio in order, with its words' times in the joined audio (pauses
    included); raises SynthesisCancelled between pieces when told."""
    offset = 0.0
    trim_start = False
    speaker = base_voice(voice, base)
    for item in pieces:
        if should_stop():
            raise SynthesisCancelled
        piece = _as_piece(item)
        audio, words = render_piece_timed(piece, options=options, voice=voice, base=speaker, trim_start=trim_start)
        yield audio, [WordTime(w.word, round(offset + w.start, 3), round(offset + w.end, 3)) for w in words]
        offset += len(audio) / options.sample_rate
        trim_start = piece.pause is not None


def render_text_timed(
    pieces: Sequence[Piece | str], *, options: RenderOptions, voice: Artefact | None = None, base: Base = None
) -> tuple[Samples, list[WordTime]]:
    """All pieces joined, and every spoken word's time in the joined audio."""
    parts: list[Samples] = []
    words: list[WordTime] = []
    for audio, piece_words in render_pieces(pieces, options=options, voice=voice, base=base):
        parts.append(audio)
        words += piece_words
    return (np.concatenate(parts) if parts else np.zeros(0, dtype=np.float32)), words


def render_text(
    pieces: Sequence[Piece | str], *, options: RenderOptions, voice: Artefact | None = None, base: Base = None
) -> Samples:
    """All pieces joined: what a synchronous synthesis returns."""
    return render_text_timed(pieces, options=options, voice=voice, base=base)[0]


CHARACTERS_PER_SECOND = 14.0  # of English as the engine reads it, at speed 1.0


def estimate_audio_seconds(characters: int, speed: float = 1.0) -> float:
    """About 14 characters of English per second of speech at speed 1.0."""
    return characters / CHARACTERS_PER_SECOND / speed


def estimate_pieces_seconds(
    pieces: Sequence[Piece], speed: float = 1.0, characters_per_second: float = CHARACTERS_PER_SECOND
) -> float:
    """The audio the pieces will make: each piece's text at its own effective speed (raw
    phonemes counted like letters) and the engine's pace, and every pause, a break's or the
    engine's own."""
    total = 0.0
    for piece in pieces:
        piece_speed = effective(piece, speed, 1.0, 1.0)[0]
        total += len(piece.text) / characters_per_second / piece_speed
        total += piece.pause if piece.pause is not None else PAUSE_S / speed
    return total


__all__ = [
    "OUTPUT_FORMATS",
    "Piece",
    "RenderOptions",
    "SynthesisCancelled",
    "base_voice",
    "estimate_audio_seconds",
    "estimate_pieces_seconds",
    "level",
    "limit",
    "render_piece",
    "render_piece_timed",
    "render_pieces",
    "render_text",
    "render_text_timed",
]
