"""When each word is spoken, from the engine's own phoneme durations.

Piper reports how many samples each phoneme of a sentence took (its voice model is patched in
memory to output them). eSpeak writes a sentence's phonemes word by word with spaces between
them, but joins some short words ("in the" -> ``ɪnðə``) and may split others. So the spoken
groups are matched to the text's words by phonemizing each word on its own and aligning the
two sequences (dynamic programming over 1:1, n:1 and 1:n matches, scored by edit distance).
Words that share a group share its time in proportion to their phonemes.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from rapidfuzz.distance import Levenshtein

# Phoneme symbols that take time but are not speech sounds of a word: sentence markers and
# punctuation (Piper turns punctuation into a pause).
_NOT_SOUNDS = set("^$_.,;:!?¡¿—…\"'()[]-")
_STRESS = set("ˈˌ")
WORD = re.compile(r"[\w'’]+(?:[-.][\w'’]+)*")


@dataclass(frozen=True)
class WordTime:
    word: str
    start: float  # seconds
    end: float


@dataclass(frozen=True)
class SpokenGroup:
    """One space-separated group of phonemes: its sounds and the samples they span."""

    sounds: str
    start: int  # samples
    end: int


def spoken_groups(phonemes: Sequence[str], samples: Sequence[int]) -> list[SpokenGroup]:
    """Groups of phonemes between spaces, each spanning its first to its last speech sound."""
    groups: list[SpokenGroup] = []
    position = 0
    sounds, start, end = "", -1, -1
    for phoneme, number in zip(phonemes, samples, strict=True):
        count = int(number)  # Piper gives numpy integers
        if phoneme == " ":
            if sounds:
                groups.append(SpokenGroup(sounds, start, end))
            sounds, start, end = "", -1, -1
        elif phoneme not in _NOT_SOUNDS:
            sound = "".join(ch for ch in phoneme if ch not in _STRESS)
            if sound:
                if not sounds and start < 0:
                    start = position
                sounds += sound
                end = position + count
            elif not sounds:
                start = position  # a stress mark opens the word
        position += count
    if sounds:
        groups.append(SpokenGroup(sounds, start, end))
    return groups


PHONEME_BLOCK = re.compile(r"(\[\[.*?\]\])")  # raw phonemes, as Piper takes them


def text_words(text: str) -> list[str]:
    """The words of a piece of text, as it is spoken (punctuation dropped); the words of a
    ``[[ … ]]`` block of raw phonemes are its space-separated groups."""
    words: list[str] = []
    for part in PHONEME_BLOCK.split(text):
        if part.startswith("[["):
            words += part[2:-2].split()
        else:
            words += WORD.findall(unicodedata.normalize("NFC", part))
    return words


def raw_phoneme_words(text: str) -> set[str]:
    """The words of ``text`` that are raw phonemes already (``[[ … ]]`` blocks)."""
    return {word for block in PHONEME_BLOCK.findall(text) for word in block[2:-2].split()}


def _distance(a: str, b: str) -> int:
    """Levenshtein distance (RapidFuzz, in C)."""
    return int(Levenshtein.distance(a, b))


def _sounds(phonemes: str) -> str:
    return "".join(p for p in phonemes if p not in _NOT_SOUNDS and p not in _STRESS and not p.isspace())


def word_times(
    words: Sequence[str], groups: Sequence[SpokenGroup], rate: int, phonemize: Callable[[str], str]
) -> list[WordTime]:
    """Each word with its start and end in seconds, in order; every word once."""
    if not words:
        return []
    if not groups:
        return [WordTime(word, 0.0, 0.0) for word in words]
    own = [_sounds(phonemize(word)) or word.lower() for word in words]
    n, m = len(words), len(groups)
    inf = float("inf")
    # cost[i][j]: words[:i] matched with groups[:j]; step: (words taken, groups taken)
    cost = [[inf] * (m + 1) for _ in range(n + 1)]
    step: list[list[tuple[int, int]]] = [[(0, 0)] * (m + 1) for _ in range(n + 1)]
    cost[0][0] = 0.0
    moves = [(1, 1), (2, 1), (3, 1), (4, 1), (1, 2), (1, 3)]
    for i in range(n + 1):
        for j in range(m + 1):
            if cost[i][j] == inf:
                continue
            for dw, dg in moves:
                a, b = i + dw, j + dg
                if a > n or b > m:
                    continue
                said = "".join(group.sounds for group in groups[j:b])
                written = "".join(own[i:a])
                # Relative edit distance, plus a small price for every join or split.
                score = cost[i][j] + _distance(said, written) / max(len(said), len(written), 1) + 0.05 * (dw + dg - 2)
                if score < cost[a][b]:
                    cost[a][b], step[a][b] = score, (dw, dg)
    if cost[n][m] == inf:  # more words than the moves allow: spread them evenly
        start, end = groups[0].start / rate, groups[-1].end / rate
        size = (end - start) / n
        return [WordTime(word, start + k * size, start + (k + 1) * size) for k, word in enumerate(words)]
    matched: list[WordTime] = []
    i, j = n, m
    while i or j:
        dw, dg = step[i][j]
        span = groups[j - dg : j]
        first, last = span[0].start, span[-1].end
        lengths = [max(len(sounds), 1) for sounds in own[i - dw : i]]
        total = sum(lengths)
        position = float(first)
        pieces = []
        for word, length in zip(words[i - dw : i], lengths, strict=True):
            width = (last - first) * length / total
            pieces.append(WordTime(word, position / rate, (position + width) / rate))
            position += width
        matched = pieces + matched
        i, j = i - dw, j - dg
    return matched


def written_word_times(text: str, spoken: Sequence[WordTime], language: str = "en") -> list[dict[str, float | str]]:
    """``[{word, start, end}]`` for each word of ``text`` as written, from the spoken words' times.

    Japanese has no spaces to find written words by: the engine's words are the written ones
    (speech.japanese), numbers as they are read."""
    from speech.text import normalize

    if language != "en":
        return [{"word": w.word, "start": w.start, "end": w.end} for w in spoken]
    return [{"word": w.word, "start": w.start, "end": w.end} for w in attribute(input_words(text), spoken, normalize)]


_EDGE_PUNCTUATION = "\"'“”‘’()[]{}<>.,;:!?¡¿…—–-"


def written_tokens(text: str) -> list[str]:
    """The words of ``input_words`` as they stand in the text, punctuation kept (for subtitles)."""
    return [token for token in text.split() if token.strip(_EDGE_PUNCTUATION)]


def input_words(text: str) -> list[str]:
    """The words of the text as the user wrote them: whitespace-separated, outer punctuation
    removed, and only those with a letter, digit or symbol left ("$5" and "&" are words)."""
    words = []
    for token in text.split():
        word = token.strip(_EDGE_PUNCTUATION)
        if word:
            words.append(word)
    return words


def _letters(text: str) -> str:
    return "".join(ch for ch in text.lower() if ch.isalnum())


def match_written(
    written: Sequence[str], said: Sequence[str], normalize: Callable[[str], str], *, most: int = 8, band: int = 48
) -> list[tuple[int, int]]:
    """For each written word, the run ``[first, last)`` of spoken words it became ("$5" ->
    "five dollars"; an empty run for a word that was not spoken, like "-").

    Each written word is normalised on its own and matched with a run of 0 to ``most``
    consecutive spoken words (dynamic programming on relative edit distance); a spoken word
    that no written word explains is skipped at a price. Only cells within ``band`` spoken
    words of where each written word is expected (from its own normalisation's length) are
    tried, then within four times that; where neither band holds a path, each written word
    takes the spoken words at its expected place. The cost grows linearly with the text, never
    with its square, whatever the text.
    """
    n, m = len(written), len(said)
    normalized = [normalize(word) for word in written]
    heard_letters = [_letters(word) for word in said]
    expected = [_letters(text) for text in normalized]
    counts = [len(text_words(text)) for text in normalized]
    total = sum(counts) or 1
    position = [0.0]
    for count in counts:
        position.append(position[-1] + count * m / total)
    for width in (band, 4 * band):
        runs = _match_in_band(heard_letters, expected, position, m, most, width)
        if runs is not None:
            return runs
    edges = [min(m, round(p)) for p in position]
    edges[-1] = m
    return [(edges[i], max(edges[i], edges[i + 1])) for i in range(n)]


def _price(heard: str, expected: str) -> float:
    """Relative edit distance; when one is over four times the other's length, its cheap lower
    bound (the length difference), which is near 1 there anyway: one long token costs no more
    than its length."""
    size = max(len(heard), len(expected))
    if not size:
        return 0.0
    if 4 * min(len(heard), len(expected)) < size:
        return abs(len(heard) - len(expected)) / size
    return _distance(heard, expected) / size


def _match_in_band(
    heard_letters: Sequence[str], expected: Sequence[str], position: Sequence[float], m: int, most: int, width: int
) -> list[tuple[int, int]] | None:
    n = len(expected)
    prices: dict[tuple[str, str], float] = {}
    cost: list[dict[int, float]] = [{} for _ in range(n + 1)]
    step: list[dict[int, int]] = [{} for _ in range(n + 1)]  # spoken words taken; -1: skip one
    cost[0][0] = 0.0
    for i in range(n + 1):
        row, row_step = cost[i], step[i]
        centre = round(position[i])
        for j in range(max(0, centre - width), min(m, centre + width) + 1):
            here = row.get(j)
            if here is None:
                continue
            if j < m and here + 1.0 < row.get(j + 1, float("inf")):  # a spoken word nobody wrote
                row[j + 1], row_step[j + 1] = here + 1.0, -1
            if i == n:
                continue
            following, following_step = cost[i + 1], step[i + 1]
            word, longest = expected[i], 2 * len(expected[i]) + 4
            heard = ""
            for k in range(min(most, m - j) + 1):
                if k:
                    heard += heard_letters[j + k - 1]
                if k > 1 and len(heard) > longest:
                    break  # longer runs only drift further from the word
                price = prices.get((heard, word))
                if price is None:  # texts repeat their words: each pair is priced once
                    price = prices[(heard, word)] = _price(heard, word)
                if here + price < following.get(j + k, float("inf")):
                    following[j + k], following_step[j + k] = here + price, k
    if m not in cost[n]:
        return None
    runs: list[tuple[int, int]] = []
    i, j = n, m
    while i or j:
        k = step[i][j]
        if k == -1:
            j -= 1
            continue
        runs.append((j - k, j))
        i, j = i - 1, j - k
    return runs[::-1]


def attribute(written: Sequence[str], spoken: Sequence[WordTime], normalize: Callable[[str], str]) -> list[WordTime]:
    """The written words with the times of the spoken words each became (``match_written``);
    a word that was not spoken gets an empty span where it stands."""
    out = []
    for word, (first, last) in zip(written, match_written(written, [w.word for w in spoken], normalize), strict=True):
        if last > first:
            out.append(WordTime(word, spoken[first].start, spoken[last - 1].end))
        else:
            at = spoken[first - 1].end if first else 0.0
            out.append(WordTime(word, at, at))
    return out


class SpokenWordClock:
    """``WrittenWordClock`` for a language whose engine names the written words itself
    (Japanese): each piece's words as they come."""

    def __init__(self) -> None:
        self.all: list[dict[str, float | str]] = []

    def add(self, piece_words: Sequence[WordTime]) -> list[dict[str, float | str]]:
        done: list[dict[str, float | str]] = [{"word": w.word, "start": w.start, "end": w.end} for w in piece_words]
        self.all += done
        return done


class WrittenWordClock:
    """Written words' times as the pieces of a text are spoken one after another (a stream).

    The spoken words are known before any audio (each piece's ``text_words``), so the written
    words are matched to them up front; ``add`` takes one piece's word times and returns the
    written words that are now complete, in the output's timeline.
    """

    def __init__(self, text: str, pieces: Sequence[str], normalize: Callable[[str], str]) -> None:
        self.written = input_words(text)
        self.runs = match_written(self.written, [w for piece in pieces for w in text_words(piece)], normalize)
        self.spoken: list[WordTime] = []
        self.next = 0  # the first written word not handed out yet
        self.all: list[dict[str, float | str]] = []

    def add(self, piece_words: Sequence[WordTime]) -> list[dict[str, float | str]]:
        """``piece_words``: the next piece's spoken words, timed in the whole output."""
        self.spoken += piece_words
        done: list[dict[str, float | str]] = []
        while self.next < len(self.written) and self.runs[self.next][1] <= len(self.spoken):
            first, last = self.runs[self.next]
            if last > first:
                start, end = self.spoken[first].start, self.spoken[last - 1].end
            else:
                start = end = self.spoken[first - 1].end if first else 0.0
            done.append({"word": self.written[self.next], "start": start, "end": end})
            self.next += 1
        self.all += done
        return done
