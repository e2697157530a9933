"""Piper with the bundled en_US "joe" voice (speech.tts) as an engine."""

from __future__ import annotations

from speech import tts
from speech.engines.base import BaseVoice, EngineVoice, Spoken

VOICES = (EngineVoice(tts.BUILTIN_VOICE_ID, "Joe", "male", "American English", ("en-US",)),)


class PiperEngine:
    name = "piper"
    sample_rate = tts.PIPER_RATE
    linear_speed = False  # length_scale 0.5 gives about 0.63 of the duration
    characters_per_second = 14.0  # of English at speed 1.0 (the request budget's estimate)
    native_speed_share = 1.0
    blends = False
    languages: tuple[str, ...] = ("en",)
    realtime_factor = 0.07

    def voices(self) -> tuple[EngineVoice, ...]:
        return VOICES

    def speak(
        self, text: str, voice: BaseVoice, *, speed: float = 1.0, aligned: bool = False, language: str = "en"
    ) -> Spoken:
        if language not in self.languages:
            raise ValueError(f"The piper engine does not read {language!r}.")
        if aligned:
            audio, rate, words = tts.synthesize_aligned(text, length_scale=1.0 / speed)
            return Spoken(audio, rate, words)
        audio, rate = tts.synthesize(text, length_scale=1.0 / speed)
        return Spoken(audio, rate)

    def unknown_phonemes(self, ipa: str) -> str | None:
        return tts.unknown_phonemes(ipa)


ENGINE = PiperEngine()
