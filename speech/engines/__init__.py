"""Speech engines (plug-ins) and the voices they speak with.

``ENGINES`` holds each engine by name (speech.engines.base.SpeechEngine): Piper (the
bundled American voice) and Kokoro-82M (five styles and their blends). ``parse_voice``
reads a voice string (a built-in voice's id or a blend such as ``"jf_alpha(2)+jm_kumo(1)"``)
into the engine and its weighted styles; ``engine_of`` gives the engine that speaks it.
"""

from __future__ import annotations

import re

from speech.engines import kokoro, piper
from speech.engines.base import BaseVoice, EngineVoice, SpeechEngine, Spoken

ENGINES: dict[str, SpeechEngine] = {piper.ENGINE.name: piper.ENGINE, kokoro.ENGINE.name: kokoro.ENGINE}
DEFAULT_VOICE = piper.VOICES[0].voice_id

MAX_BLEND_PARTS = 5
MAX_BLEND_WEIGHT = 100.0
_PART = re.compile(r"([a-z][a-zA-Z0-9_-]{0,40})(?:\(([0-9]{1,3}(?:\.[0-9]{1,4})?)\))?")
MIN_SHARE = 0.001  # of the whole blend, after normalising: below it a voice would not be heard


# The languages the engines read, by primary subtag, and the tag the API writes for each.
LANGUAGE_TAGS = {"en": "en-US", "ja": "ja-JP"}


def language_of(tag: str) -> str | None:
    """The language a BCP 47 tag names among LANGUAGE_TAGS ("en-GB" is "en"), or None."""
    primary = tag.strip().lower().split("-")[0]
    return primary if primary in LANGUAGE_TAGS else None


def speakers_of(language: str) -> list[str]:
    """The built-in voices whose engine reads ``language`` (a primary subtag)."""
    return [voice.voice_id for engine, voice in builtin_voices() if language in engine.languages]


def builtin_voices() -> list[tuple[SpeechEngine, EngineVoice]]:
    """Every engine's built-in voices, the default first."""
    return [(engine, voice) for engine in ENGINES.values() for voice in engine.voices()]


_OWNERS = {voice.voice_id: engine.name for engine, voice in builtin_voices()}


def is_builtin(voice_id: str) -> bool:
    return voice_id in _OWNERS


def looks_like_blend(voice_id: str) -> bool:
    """Whether ``voice_id`` is written as a blend of styles (``+`` or a weight in brackets)."""
    return "+" in voice_id or "(" in voice_id


def parse_voice(spec: str) -> BaseVoice:
    """The engine and weighted styles ``spec`` names; ValueError (a sentence) when it names none.

    A blend is ``name(weight)+name(weight)+…`` (a missing weight is 1) of one engine's styles,
    at most MAX_BLEND_PARTS, each named once, weights above 0 and at most MAX_BLEND_WEIGHT;
    they are normalised to sum to 1.
    """
    if spec in _OWNERS:
        return BaseVoice(_OWNERS[spec], ((spec, 1.0),))
    parts = spec.split("+")
    if len(parts) > MAX_BLEND_PARTS:
        raise ValueError(f"A blend takes at most {MAX_BLEND_PARTS} voices.")
    weighted: list[tuple[str, float]] = []
    for part in parts:
        match = _PART.fullmatch(part.strip())
        if match is None:
            raise ValueError(f"{part.strip()!r} is not a voice or voice(weight), for example jf_alpha(2).")
        name, weight_text = match.group(1), match.group(2)
        if name not in _OWNERS:
            raise ValueError(f"Unknown voice {name!r} in the blend.")
        weight = float(weight_text) if weight_text is not None else 1.0
        if not 0.0 < weight <= MAX_BLEND_WEIGHT:
            raise ValueError(f"The weight of {name!r} must be above 0 and at most {MAX_BLEND_WEIGHT:g}.")
        if any(name == seen for seen, _ in weighted):
            raise ValueError(f"{name!r} appears twice in the blend.")
        weighted.append((name, weight))
    engines = {_OWNERS[name] for name, _ in weighted}
    if len(engines) > 1:
        raise ValueError(
            "A blend mixes the voices of one engine: " + " and ".join(sorted(engines)) + " voices cannot be mixed."
        )
    engine = engines.pop()
    if len(weighted) > 1 and not ENGINES[engine].blends:
        raise ValueError(f"The {engine} engine's voices cannot be blended.")
    total = sum(weight for _, weight in weighted)
    for name, weight in weighted:
        if weight / total < MIN_SHARE:
            raise ValueError(f"{name!r} would be less than {MIN_SHARE:g} of the blend; leave it out.")
    styles = tuple((name, round(weight / total, 4)) for name, weight in weighted)
    if len(styles) == 1:
        styles = ((styles[0][0], 1.0),)
    return BaseVoice(engine, styles)


def engine_of(voice: BaseVoice) -> SpeechEngine:
    return ENGINES[voice.engine]


__all__ = [
    "DEFAULT_VOICE",
    "ENGINES",
    "LANGUAGE_TAGS",
    "BaseVoice",
    "EngineVoice",
    "SpeechEngine",
    "Spoken",
    "builtin_voices",
    "engine_of",
    "is_builtin",
    "language_of",
    "looks_like_blend",
    "parse_voice",
    "speakers_of",
]
