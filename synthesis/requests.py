"""A synthesis request and its validation, the same for every mode (sync, async, stream).

Before any work: the output settings (format and rate, live defaults filled in), the voice
(404 / 409 VOICE_NOT_READY), the text (EMPTY_TEXT, TEXT_TOO_LONG), the request budget on what
will really be spoken (SPOKEN_TEXT_TOO_LONG, TOO_MANY_PIECES, SPEECH_TOO_LONG; ADR 0020), the
daily quota (429 QUOTA_EXCEEDED, counting accepted syntheses that have not finished yet) and
the storage cap. Nothing here writes.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from accounts.models import User
from accounts.quotas import AUDIO_SECONDS, SYNTHESES, quota_check
from configuration.config import system_config
from files.quotas import storage_check
from speech import japanese, lexicon
from speech.engine import CHARACTERS_PER_SECOND, RenderOptions, estimate_pieces_seconds
from speech.engines import LANGUAGE_TAGS, speakers_of
from speech.formats import ENCODER_RATES, encoder_accepts
from speech.lexicon import Entry
from speech.script import Piece, Run, Script, SpokenTextOverflow, compose
from speech.ssml import SSMLError, looks_like_ssml, parse
from speech.text import PIECE_MAX_CHARS, clean
from speech.tts import unknown_phonemes
from synthesis.dictionaries import NO_DICTIONARY, dictionary_for_synthesis
from synthesis.selectors import audio_seconds_in_flight, syntheses_in_flight
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


class BudgetExceeded(ApplicationError):
    """A request whose spoken form is over one of the budget's limits (``details.limit`` names
    the live configuration field)."""

    status = 400


class SpokenTextTooLong(BudgetExceeded):
    code = "SPOKEN_TEXT_TOO_LONG"


class TooManyPieces(BudgetExceeded):
    code = "TOO_MANY_PIECES"


class SpeechTooLong(BudgetExceeded):
    code = "SPEECH_TOO_LONG"


# The three modes' limits: the typed text's field, the estimated audio's field.
MODE_LIMITS = {
    "sync": ("max_synthesis_length", "max_synthesis_audio_seconds"),
    "stream": ("max_stream_synthesis_length", "max_stream_audio_seconds"),
    "async": ("max_async_text_length", "max_async_audio_seconds"),
}


@dataclass(frozen=True)
class Budget:
    """What a request will really cause, measured on its script: the characters the engine
    reads (dictionaries, SSML, say-as and normalisation applied), its pieces, and the audio
    they make (text at its speed, breaks and pauses)."""

    spoken_characters: int
    pieces: int
    audio_seconds: float

    @property
    def charged_seconds(self) -> int:
        """What the daily audio quota counts for it."""
        return max(1, math.ceil(self.audio_seconds))

    @classmethod
    def of(cls, script: Script, speed: float, characters_per_second: float = CHARACTERS_PER_SECOND) -> Budget:
        return cls(
            sum(len(piece.text) for piece in script.pieces),
            len(script.pieces),
            estimate_pieces_seconds(script.pieces, speed, characters_per_second),
        )


def budget_check(budget: Budget, *, mode: str) -> None:
    """400 with the code of the first limit the request is over, naming the live field."""
    config = system_config()
    length_field, audio_field = MODE_LIMITS[mode]
    typed = int(getattr(config, length_field))
    limits: list[tuple[type[BudgetExceeded], str, float, float, str]] = [
        (
            SpokenTextTooLong,
            "max_spoken_text_ratio",
            budget.spoken_characters,
            math.floor(typed * config.max_spoken_text_ratio),
            "characters to speak (after dictionaries, SSML and normalisation)",
        ),
        (
            TooManyPieces,
            "max_pieces_ratio",
            budget.pieces,
            max(1, math.floor(typed * config.max_pieces_ratio)),
            "pieces",
        ),
        (SpeechTooLong, audio_field, budget.audio_seconds, float(getattr(config, audio_field)), "seconds of audio"),
    ]
    for error, field, value, maximum, what in limits:
        if value > maximum:
            shown = f"{value:.0f}" if isinstance(value, float) else str(value)
            raise error(
                f"This request would make {shown} {what}; the most here is {maximum:g} ({field}).",
                details={"limit": field, "value": round(value, 1), "maximum": maximum, "mode": mode},
            )


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
    language: str | None = None  # "en" or "ja" (speech.engines.language_of); None: from the text

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
    budget: Budget
    dictionary_id: str = ""  # the pronunciation dictionary applied, if any
    language: str = "en"  # what the text is read as

    @property
    def text(self) -> str:
        """What the listener hears, as written (SSML's markup removed): timestamps name its words."""
        return self.script.written

    @property
    def pieces(self) -> list[Piece]:
        return self.script.pieces

    @property
    def estimated_seconds(self) -> int:
        """Wall time, estimated from the audio it will make and the voice's real-time factor."""
        audio = self.budget.audio_seconds
        rtf = self.voice.realtime_factor or RTF_BUILTIN
        if self.voice.model is not None or self.request.pitch != 1.0:
            rtf += RTF_CLONED - RTF_BUILTIN  # the conversion or WORLD's pitch change
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
    *, user: User, request: SynthesisRequest, mode: str, first_piece_chars: int = PIECE_MAX_CHARS
) -> Prepared:
    """Validate voice, text, budget, quota and storage for ``mode`` (sync, stream or async:
    ``MODE_LIMITS``); nothing is written."""
    voice = voice_resolve(user=user, voice_id=request.voice_id)
    text = request.text if request.is_ssml else clean(request.text)
    config = system_config()
    max_length = int(getattr(config, MODE_LIMITS[mode][0]))
    if len(text) > max_length:
        hint = f" Use POST {ASYNC_ENDPOINT} for texts up to {config.max_async_text_length} characters."
        raise TextTooLong(
            f"The text has {len(text)} characters; the maximum here is {max_length}."
            + (hint if max_length < config.max_async_text_length else ""),
            details={"length": len(text), "max_length": max_length, "async_endpoint": ASYNC_ENDPOINT},
        )
    language = spoken_language(request, voice)
    if language == japanese.LANGUAGE and request.dictionary_id not in (None, NO_DICTIONARY):
        raise InvalidInput(
            "Pronunciation dictionaries hold English words; Japanese text is read without one.",
            details={"dictionary_id": ["Leave it out (or give none) for Japanese text."]},
        )
    entries: list[Entry]
    if language == japanese.LANGUAGE:  # the user's default dictionary is English: not applied
        dictionary_id, entries = "", []
    else:
        dictionary_id, entries = dictionary_for_synthesis(user=user, dictionary_id=request.dictionary_id)
    most_spoken = math.floor(max_length * config.max_spoken_text_ratio)
    try:
        script = script_for(
            request,
            entries,
            first_piece_chars=first_piece_chars,
            max_spoken=most_spoken,
            phonemes_check=voice.unknown_phonemes,
            language=language,
        )
    except SpokenTextOverflow:
        # Stopped as soon as it was over: the figure is a floor, not the whole text's.
        raise SpokenTextTooLong(
            f"This request would make more than {most_spoken} characters to speak (after dictionaries, SSML and "
            f"normalisation); the most here is {most_spoken} (max_spoken_text_ratio).",
            details={"limit": "max_spoken_text_ratio", "value": most_spoken + 1, "maximum": most_spoken, "mode": mode},
        ) from None
    if not any(piece.text for piece in script.pieces):
        raise EmptyText(details={"length": len(text)})
    pace = japanese.CHARACTERS_PER_SECOND if language == japanese.LANGUAGE else voice.characters_per_second
    budget = Budget.of(script, request.speed, pace)
    budget_check(budget, mode=mode)
    quota_check(user=user, kind=SYNTHESES, limit=config.syntheses_per_day, in_flight=syntheses_in_flight(user=user))
    quota_check(
        user=user,
        kind=AUDIO_SECONDS,
        limit=config.audio_seconds_per_day,
        in_flight=audio_seconds_in_flight(user=user),
        amount=budget.charged_seconds,
    )
    storage_check(user=user)  # outputs are stored: refuse now, not after the work, when nothing fits
    return Prepared(request, voice, script, budget, dictionary_id, language)


_MARKUP = re.compile(r"<[^<>]*>")  # a tag, linear to find


def spoken_language(request: SynthesisRequest, voice: ResolvedVoice) -> str:
    """What the text is read as: the request's language, which the voice's engine must read
    (400 VALIDATION_ERROR on ``language`` naming the voices that do); without one, Japanese
    when the text is written in Japanese and the voice reads it, else English. SSML is judged
    by its text, not its markup (element and attribute names are Latin letters)."""
    readable = voice.engine.languages
    if request.language is None:
        text = _MARKUP.sub(" ", request.text) if request.is_ssml else request.text
        return japanese.LANGUAGE if japanese.LANGUAGE in readable and japanese.looks_japanese(text) else "en"
    if request.language not in readable:
        tag = LANGUAGE_TAGS[request.language]
        raise InvalidInput(
            f"The voice {request.voice_id} does not speak {tag}.",
            details={
                "language": [
                    f"{request.voice_id} does not speak {tag}. Voices that do: "
                    + ", ".join(speakers_of(request.language))
                    + ", their blends, and voices trained on them."
                ]
            },
        )
    return request.language


def script_for(
    request: SynthesisRequest,
    entries: Sequence[Entry] = (),
    *,
    first_piece_chars: int = PIECE_MAX_CHARS,
    max_spoken: int | None = None,
    phonemes_check: Callable[[str], str | None] = unknown_phonemes,
    language: str = "en",
) -> Script:
    """The pieces the engine reads: plain text or SSML's runs (400 INVALID_SSML when the markup
    is wrong), with the dictionary's entries applied to the text as written. Japanese SSML
    has no ``<say-as>`` or ``<phoneme>`` (both make English)."""
    refused = JAPANESE_REFUSED if language == japanese.LANGUAGE else None
    if request.is_ssml:
        try:
            runs = parse(request.text, phonemes_check=phonemes_check, refused=refused)
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
    return compose(
        lexicon.apply(runs, entries), first_max_chars=first_piece_chars, max_spoken=max_spoken, language=language
    )


JAPANESE_REFUSED = {
    "say-as": "<say-as> reads numbers, dates and letters in English; Japanese text reads them itself",
    "phoneme": "<phoneme> takes English (eSpeak IPA) phonemes; Japanese text has none",
}
