"""What the engine reads: pieces of text, each with its own prosody and the silence after it.

Plain text becomes one run of text; SSML (``speech.ssml``) and pronunciation dictionaries
(``speech.lexicon``) make several: text to normalise, words already spelt out, raw phonemes,
breaks and sentence or paragraph ends. ``compose`` turns runs into pieces:

- consecutive runs with the same prosody form a segment; a segment is normalised (unless
  normalisation is off) and split into pieces as plain text is (``speech.text.split_sentences``);
- phonemes travel through normalisation and splitting as a placeholder word and reach Piper
  as a ``[[ … ]]`` block, which it speaks as written;
- the last piece of a segment ends with the silence of what follows it: a break's length, a
  paragraph's pause, a short join where only the prosody changes, or the ordinary pause
  between sentences (``None``: the engine's own, scaled by the request's speed).

``written`` is the text as a reader sees it, markup removed: word timestamps name its words.

Japanese text (``language="ja"``) is cleaned but not normalised (its front end reads numbers
itself, speech.japanese) and split at its own sentence ends (speech.japanese); every piece
carries its language to the engine.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from speech import japanese
from speech.text import PIECE_MAX_CHARS, clean, normalize, split_sentences

PARAGRAPH_PAUSE_S = 0.6
JOIN_PAUSE_S = 0.05  # between two spans of one sentence that differ only in prosody
MAX_BREAK_S = 10.0
# Effective prosody (the request's times the markup's) stays where the engine sounds right.
SPEED_RANGE = (0.25, 4.0)
PITCH_RANGE = (0.5, 2.0)
VOLUME_RANGE = (0.0, 4.0)

RunKind = Literal["text", "spoken", "phonemes", "break", "sentence", "paragraph"]


@dataclass(frozen=True)
class Prosody:
    speed: float = 1.0  # multipliers on the request's own settings
    pitch: float = 1.0
    volume: float = 1.0

    def times(self, other: Prosody) -> Prosody:
        return Prosody(self.speed * other.speed, self.pitch * other.pitch, self.volume * other.volume)


NORMAL = Prosody()


@dataclass(frozen=True)
class Run:
    """One stretch of input: ``text`` is normalised, ``spoken`` is already as it is to be said
    (say-as, an alias when normalisation is off), ``phonemes`` is IPA; ``written`` is how the
    stretch reads (timestamps). ``break`` lasts ``seconds``; ``sentence`` and ``paragraph`` end one."""

    kind: RunKind
    content: str = ""
    written: str | None = None  # None: the content as it stands
    prosody: Prosody = NORMAL
    seconds: float = 0.0
    normalize: bool = True  # text runs only: False leaves the text as written

    @property
    def reads(self) -> str:
        return self.content if self.written is None else self.written


@dataclass(frozen=True)
class Piece:
    text: str  # as Piper reads it; raw phonemes in [[ … ]]
    speed: float = 1.0  # multipliers on the request's
    pitch: float = 1.0
    volume: float = 1.0
    pause: float | None = None  # seconds of silence after it; None: the engine's pause
    language: str = "en"  # what the engine reads it as ("en", "ja")

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"text": self.text}
        for name in ("speed", "pitch", "volume"):
            if getattr(self, name) != 1.0:
                out[name] = getattr(self, name)
        if self.pause is not None:
            out["pause"] = self.pause
        if self.language != "en":
            out["language"] = self.language
        return out

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Piece:
        return cls(
            str(data["text"]),
            float(data.get("speed", 1.0)),
            float(data.get("pitch", 1.0)),
            float(data.get("volume", 1.0)),
            None if data.get("pause") is None else float(data["pause"]),
            str(data.get("language", "en")),
        )


@dataclass(frozen=True)
class Script:
    written: str
    pieces: list[Piece] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"written": self.written, "pieces": [piece.to_json() for piece in self.pieces]}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Script:
        return cls(str(data["written"]), [Piece.from_json(piece) for piece in data["pieces"]])


class SpokenTextOverflow(Exception):
    """The runs would make more than ``limit`` characters to speak (``compose``'s max_spoken)."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"more than {limit} characters to speak")
        self.limit = limit


# The most IPA symbols one phoneme word may have: a longer run is cut between its words, and
# a longer word where it reaches this length (eSpeak's longest English words have about 30).
PHONEME_WORD_MAX = 200


class _Placeholders:
    """A phoneme run's stand-in while its segment is split into pieces: letters only, unlike
    any English word, capitalised so that a sentence may start with it, and as long as its
    phonemes' block so that a piece's length counts them. Its prefix is one the input does not
    contain, so a word typed to look like one is read as the word it is."""

    def __init__(self, runs: Sequence[Run]) -> None:
        seen = " ".join(run.content.casefold() for run in runs if run.kind in ("text", "spoken"))
        taken = set(re.findall(r"qxz([k-u]{5})", seen))
        # The first of 11**5 prefixes that the input does not hold: a text would need over a
        # million characters to hold them all.
        for number in range(len(taken) + 1):
            letters = "".join("klmnopqrstu"[(number // 11**k) % 11] for k in range(5))
            if letters not in taken:
                break
        self.prefix = "Qxz" + letters
        self.pattern = re.compile(re.escape(self.prefix) + r"([a-j]+)w*zxq")
        self.phonemes: list[str] = []

    def add(self, ipa: str) -> str:
        """The stand-ins of a phoneme run, one per word of at most PHONEME_WORD_MAX symbols."""
        words = []
        for word in ipa.split():
            words += [word[k : k + PHONEME_WORD_MAX] for k in range(0, len(word), PHONEME_WORD_MAX)]
        tokens: list[str] = []
        group: list[str] = []
        size = 0
        for word in words:
            if group and size + 1 + len(word) > PHONEME_WORD_MAX:
                tokens.append(self._token(" ".join(group)))
                group, size = [], -1
            group.append(word)
            size += 1 + len(word)
        if group:
            tokens.append(self._token(" ".join(group)))
        return " ".join(tokens)

    def _token(self, ipa: str) -> str:
        index = "".join("abcdefghij"[int(d)] for d in str(len(self.phonemes)))
        self.phonemes.append(ipa)
        token = self.prefix + index
        # As long as the ``[[ … ]]`` block it becomes, so that splitting counts it whole.
        return token + "w" * max(0, len(phoneme_block(ipa)) - len(token) - 3) + "zxq"

    def spoken(self, text: str) -> str:
        """A piece's text with each stand-in replaced by its ``[[ … ]]`` block."""
        return self.pattern.sub(lambda m: phoneme_block(self.phonemes[_digits(m[1])]), text)


def _digits(letters: str) -> int:
    return int("".join(str("abcdefghij".index(ch)) for ch in letters))


def _join(parts: Sequence[str]) -> str:
    """Parts of a text joined by spaces, none before punctuation."""
    return re.sub(r"\s+(?=[,.;:!?])", "", " ".join(part for part in parts if part)).strip()


def phoneme_block(ipa: str) -> str:
    return f"[[ {' '.join(ipa.split())} ]]"


def compose(
    runs: Sequence[Run],
    *,
    max_chars: int = PIECE_MAX_CHARS,
    first_max_chars: int = PIECE_MAX_CHARS,
    normalizer: Callable[[str], str] = normalize,
    max_spoken: int | None = None,
    language: str = "en",
) -> Script:
    """The pieces the runs make, and the written text (see the module's docstring).

    ``max_spoken``: the most characters the pieces may have; past it, ``SpokenTextOverflow``
    is raised as soon as it is reached, before the rest is normalised or split."""
    pieces: list[Piece] = []
    parts: list[str] = []  # the current segment's text, ready to split
    placeholders = _Placeholders(runs)
    spoken = 0  # characters so far, a space between parts
    prosody: Prosody | None = None
    written: list[str] = []

    from_break: set[int] = set()  # pieces whose pause a break set
    splitter: Callable[..., list[str]] = split_sentences
    if language == japanese.LANGUAGE:
        normalizer, splitter = clean, japanese.split_sentences

    def end_segment(pause: float | None, *, is_break: bool = False) -> None:
        nonlocal parts, prosody
        text = _join(parts)
        made = splitter(text, max_chars=max_chars, first_max_chars=max_chars if pieces else first_max_chars)
        for piece_text in made:
            p = prosody or Prosody()
            pieces.append(Piece(placeholders.spoken(piece_text), p.speed, p.pitch, p.volume, language=language))
        parts, prosody = [], None
        if pause is None:
            return
        if not pieces:
            if is_break and pause > 0:  # silence before any speech
                pieces.append(Piece("", pause=pause))
                from_break.add(0)
            return
        last, index = pieces[-1], len(pieces) - 1
        if made or last.pause is None or last.pause == JOIN_PAUSE_S:
            value = pause
        elif is_break and index in from_break:  # breaks in a row add up
            value = min(MAX_BREAK_S, last.pause + pause)
        else:  # a break where the text already pauses: the longer of the two
            value = max(last.pause, pause)
        pieces[-1] = replace(last, pause=value)
        if is_break:
            from_break.add(index)

    for run in runs:
        if run.kind == "text" and not run.content.strip():
            continue  # the whitespace between elements
        if run.kind in ("text", "spoken", "phonemes"):
            if prosody is not None and run.prosody != prosody and parts:
                end_segment(JOIN_PAUSE_S)
            prosody = run.prosody
            if run.kind == "text":
                body = clean(run.content)
                parts.append(normalizer(body) if run.normalize else body)
            elif run.kind == "spoken":
                parts.append(clean(run.content))
            else:
                parts.append(placeholders.add(run.content))
            spoken += len(parts[-1]) + 1
            if max_spoken is not None and spoken > max_spoken:
                raise SpokenTextOverflow(max_spoken)
            written.append(clean(run.reads))
        elif run.kind == "break":
            end_segment(run.seconds, is_break=True)
        elif run.kind == "paragraph":
            end_segment(PARAGRAPH_PAUSE_S)
        else:
            end_segment(None)
    end_segment(None)
    if pieces and len(pieces) - 1 not in from_break:  # a paragraph's end is no pause at the very end
        pieces[-1] = replace(pieces[-1], pause=None)
    # A break after the last words is silence at the end: kept. Pieces with neither words nor
    # silence are dropped.
    pieces = [piece for piece in pieces if piece.text or piece.pause]
    return Script(_join(written), pieces)


def plain(
    text: str, *, max_chars: int = PIECE_MAX_CHARS, first_max_chars: int = PIECE_MAX_CHARS, normalized: bool = True
) -> Script:
    """Plain text as one run."""
    return compose([Run("text", text, normalize=normalized)], max_chars=max_chars, first_max_chars=first_max_chars)


def effective(piece: Piece, speed: float, pitch: float, volume: float) -> tuple[float, float, float]:
    """The request's settings times the piece's, within the engine's ranges."""

    def within(value: float, bounds: tuple[float, float]) -> float:
        return min(max(value, bounds[0]), bounds[1])

    return (
        within(speed * piece.speed, SPEED_RANGE),
        within(pitch * piece.pitch, PITCH_RANGE),
        within(volume * piece.volume, VOLUME_RANGE),
    )
