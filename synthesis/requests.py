"""A synthesis request and its validation, the same for every mode (sync, async, stream).

Before any work: the output settings (format and rate, live defaults filled in), the voice
(404 / 409 VOICE_NOT_READY), the text (EMPTY_TEXT, TEXT_TOO_LONG) and the daily quota
(429 QUOTA_EXCEEDED, counting accepted syntheses that have not finished yet) and the
storage cap. Nothing here writes.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace

from accounts.models import User
from accounts.quotas import SYNTHESES, quota_check
from configuration.config import system_config
from files.quotas import storage_check
from speech import lexicon
from speech.engine import RenderOptions, estimate_audio_seconds
from speech.formats import ENCODER_RATES, encoder_accepts
from speech.lexicon import Entry
from speech.script import Piece, Run, Script, compose
from speech.ssml import SSMLError, looks_like_ssml, parse
from speech.text import PIECE_MAX_CHARS, clean
from speech.tts import unknown_phonemes
from synthesis.dictionaries import dictionary_for_synthesis
from synthesis.selectors import syntheses_in_flight
from synthesis.voices import ResolvedVoice, voice_resolve
from voxify_project.errors import ApplicationError, InvalidInput

# Named in TEXT_TOO_LONG's message and details: where a longer text can go.
ASYNC_ENDPOINT = "/api/v1/tts/synthesize/async"
# Measured single-core real-time factors (bench/tts.py), rounded up, for estimates only.
RTF_BUILTIN = 0.1
RTF_CLONED = 0.3


class TextTooLong(ApplicationError):
    code = "TEXT_TOO_LONG"
    status = 400


class InvalidSSML(ApplicationError):
    code = "INVALID_SSML"
    status = 400


class EmptyText(InvalidInput):
    code = "EMPTY_TEXT"
    default_message = "The text is empty: there is nothing to speak."


@dataclass(frozen=True)
class SynthesisRequest:
    text: str
    voice_id: str
    output_format: str
    sample_rate: int
    speed: float = 1.0
    pitch: float = 1.0
    volume: float = 1.0
    similarity: float | None = None
    keep: bool = False
    timestamps: str = "none"  # or "word": when each written word is spoken
    input_type: str = "auto"  # "text", "ssml", or "auto": SSML when the text's root is <speak>
    normalize: bool = True  # False: numbers, dates and abbreviations are read as written
    dictionary_id: str | None = None  # None: the user's default; "none": no dictionary

    @property
    def is_ssml(self) -> bool:
        return self.input_type == "ssml" or (self.input_type == "auto" and looks_like_ssml(self.text))

    @property
    def options(self) -> RenderOptions:
        return RenderOptions(self.sample_rate, self.speed, self.pitch, self.volume, self.similarity)


@dataclass(frozen=True)
class Prepared:
    """A validated request: its voice and the pieces of text to speak."""

    request: SynthesisRequest
    voice: ResolvedVoice
    script: Script
    dictionary_id: str = ""  # the pronunciation dictionary applied, if any

    @property
    def text(self) -> str:
        """What the listener hears, as written (SSML's markup removed): timestamps name its words."""
        return self.script.written

    @property
    def pieces(self) -> list[Piece]:
        return self.script.pieces

    @property
    def estimated_seconds(self) -> int:
        """Wall time, estimated from the text length and the voice's real-time factor."""
        audio = estimate_audio_seconds(len(self.text), self.request.speed)
        rtf = RTF_CLONED if self.voice.model is not None or self.request.pitch != 1.0 else RTF_BUILTIN
        return max(1, math.ceil(1 + audio * rtf))


def output_settings(fmt: str | None, rate: int | None) -> tuple[str, int]:
    """The output format and rate, the live defaults filled in.

    An explicit rate the codec cannot take is an error (VALIDATION_ERROR on sample_rate);
    when the rate was left out and the default does not suit the codec (Opus has no
    22.05 kHz), the nearest higher rate the codec takes is used, and the response says which.
    """
    fmt = fmt or system_config().default_output_format
    if rate is not None:
        if not encoder_accepts(fmt, rate):
            allowed = ", ".join(str(r) for r in ENCODER_RATES[fmt])
            raise InvalidInput(details={"sample_rate": [f"{fmt} takes only these sample rates: {allowed}."]})
        return fmt, rate
    rate = system_config().default_sample_rate
    if not encoder_accepts(fmt, rate):
        rates = ENCODER_RATES[fmt]
        rate = min((r for r in rates if r >= rate), default=rates[-1])
    return fmt, rate


def synthesis_prepare(
    *, user: User, request: SynthesisRequest, max_length: int, first_piece_chars: int = PIECE_MAX_CHARS
) -> Prepared:
    """Validate voice, text, quota and storage; nothing is written."""
    voice = voice_resolve(user=user, voice_id=request.voice_id)
    text = request.text if request.is_ssml else clean(request.text)
    config = system_config()
    if len(text) > max_length:
        hint = f" Use POST {ASYNC_ENDPOINT} for texts up to {config.max_async_text_length} characters."
        raise TextTooLong(
            f"The text has {len(text)} characters; the maximum here is {max_length}."
            + (hint if max_length < config.max_async_text_length else ""),
            details={"length": len(text), "max_length": max_length, "async_endpoint": ASYNC_ENDPOINT},
        )
    dictionary_id, entries = dictionary_for_synthesis(user=user, dictionary_id=request.dictionary_id)
    script = script_for(request, entries, first_piece_chars=first_piece_chars)
    if not any(piece.text for piece in script.pieces):
        raise EmptyText(details={"length": len(text)})
    quota_check(user=user, kind=SYNTHESES, limit=config.syntheses_per_day, in_flight=syntheses_in_flight(user=user))
    storage_check(user=user)  # outputs are stored: refuse now, not after the work, when nothing fits
    return Prepared(request, voice, script, dictionary_id)


def script_for(
    request: SynthesisRequest, entries: Sequence[Entry] = (), *, first_piece_chars: int = PIECE_MAX_CHARS
) -> Script:
    """The pieces the engine reads: plain text or SSML's runs (400 INVALID_SSML when the markup
    is wrong), with the dictionary's entries applied to the text as written."""
    if request.is_ssml:
        try:
            runs = parse(request.text, phonemes_check=unknown_phonemes)
        except SSMLError as exc:
            raise InvalidSSML(
                str(exc),
                details={
                    "line": exc.line,
                    "column": exc.column,
                    "position": exc.position,
                    "element": exc.element,
                    "reason": exc.reason,
                },
            ) from None
        if not request.normalize:
            runs = [replace(run, normalize=False) for run in runs]
    else:
        runs = [Run("text", request.text, normalize=request.normalize)]
    return compose(lexicon.apply(runs, entries), first_max_chars=first_piece_chars)
