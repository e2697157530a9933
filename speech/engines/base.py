"""The interface every speech engine implements, and the voices engines speak with.

An engine turns a piece of text into speech with one of its voices: its own phonemizer, its
own rate, its built-in voices and its phoneme durations (word timestamps come from them).
Everything after that (the voice method's conversion, levelling, the watermark, resampling,
every output format) is the same for every engine (speech.engine).

A voice is named by a string, the ``voice_id`` of the API: a built-in voice's id, or for an
engine that mixes styles (Kokoro) a blend of them, ``"jf_alpha(2)+jm_kumo(1)"``.
``speech.engines.parse_voice`` reads it into a ``BaseVoice``: the engine and the weighted
styles, normalised to sum to 1.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from speech.alignment import WordTime
from speech.audio_io import Samples


@dataclass(frozen=True)
class EngineVoice:
    """A built-in voice: how the catalogues describe it."""

    voice_id: str
    name: str
    gender: str  # "female" or "male"
    accent: str  # words: "American English", "Japanese"
    languages: tuple[str, ...]  # the languages it speaks (BCP 47), the first its own


@dataclass(frozen=True)
class BaseVoice:
    """What an engine speaks with: its name and the weighted styles (weights sum to 1)."""

    engine: str
    styles: tuple[tuple[str, float], ...]

    @property
    def spec(self) -> str:
        """The canonical voice string: one style's id, or the blend with its weights."""
        if len(self.styles) == 1:
            return self.styles[0][0]
        return "+".join(f"{name}({weight:g})" for name, weight in self.styles)


@dataclass(frozen=True)
class Spoken:
    audio: Samples
    rate: int
    words: list[WordTime] = field(default_factory=list)  # when asked for (``aligned``)
    # Samples the same text makes at speed 1.0, where the engine knows without speaking it
    # again (Kokoro); None: speech.engine reads it again to measure the stretch still needed.
    length_at_one: int | None = None


class SpeechEngine(Protocol):
    name: str
    sample_rate: int
    # True when the engine's own speed control scales durations in proportion; False when a
    # stretch must make up the difference (Piper, Kokoro: speech.engine measures it).
    linear_speed: bool
    # How much of a request's speed the engine's own control takes (speed ** share); a time
    # stretch makes up the rest.
    native_speed_share: float
    blends: bool  # whether its voices can be mixed
    languages: tuple[str, ...]  # what it reads (primary subtags: "en", "ja"), English first
    characters_per_second: float  # of English at speed 1.0: the request budget's audio estimate
    realtime_factor: float  # seconds of work per second of speech, one request (docs/synthesis.md)

    def voices(self) -> tuple[EngineVoice, ...]: ...

    def speak(
        self, text: str, voice: BaseVoice, *, speed: float = 1.0, aligned: bool = False, language: str = "en"
    ) -> Spoken:
        """``text`` in ``language`` (one of ``languages``) as speech: English with ``[[ … ]]``
        blocks of raw eSpeak phonemes; with ``aligned``, when each of its words is spoken
        (speech.alignment)."""
        ...

    def unknown_phonemes(self, ipa: str) -> str | None:
        """What in ``ipa`` the engine has no sound for, as a sentence; None when it can say all of it."""
        ...
