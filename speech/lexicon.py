"""Pronunciation dictionaries applied to text before it is normalised.

An entry replaces a word or phrase (``term``) with an ``alias`` (text, normalised like any
other: "v2" -> "version two") or with IPA ``phonemes`` (spoken as given). Matching rules:

- whole words only: "SQL" matches in "SQL, please" but not in "MySQL";
- the spaces inside a phrase match any run of whitespace;
- case-insensitive unless the entry says ``case_sensitive`` ("US" the country, not "us"):
  letter by letter, each against its lower case, so the few letters whose cases do not pair
  one to one (the long s, the Kelvin sign, final sigma, dotless i) match only themselves;
- the longest term wins where several start at the same place; at equal length a
  case-sensitive entry wins; replacements are not matched again.

Only text as the user wrote it is matched: not SSML's ``<say-as>``, ``<sub>`` or ``<phoneme>``.

Matching is one left-to-right pass whose cost grows linearly with the text: the terms form
two tries (case-sensitive and not), each compiled into one regular expression in which every
node has at most one way on for a given character (a character class per folded letter,
possessive whitespace), so a start position costs at most the longest term's length, and
each position of the text is tried once per trie.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from speech.script import Run


@dataclass(frozen=True)
class Entry:
    term: str
    alias: str | None = None
    phonemes: str | None = None
    case_sensitive: bool = False


def term_key(term: str, case_sensitive: bool) -> str:
    """Two entries with the same key would match the same text."""
    spaced = " ".join(term.split())
    return spaced if case_sensitive else spaced.casefold()


def _fold_char(ch: str) -> str:
    """One character's case-insensitive form, always one character long."""
    lower = ch.lower()
    return lower if len(lower) == 1 else ch


def _fold(text: str) -> str:
    return "".join(_fold_char(ch) for ch in text)


def _key(text: str, case_sensitive: bool) -> str:
    """How matched text and a term are compared once a match is found: spaces collapsed,
    folded letter by letter unless case-sensitive (the tries' own equivalence)."""
    spaced = " ".join(text.split())
    return spaced if case_sensitive else _fold(spaced)


def _char_pattern(ch: str, case_sensitive: bool) -> str:
    if case_sensitive:
        return re.escape(ch)
    variants = {ch, ch.upper(), ch.title(), ch.lower()}
    same = sorted(v for v in variants if len(v) == 1 and _fold_char(v) == ch)
    if len(same) == 1:
        return re.escape(same[0])
    return "[" + "".join(re.escape(v) for v in same) + "]"


_END = object()  # a trie node's marker: a term ends here
_SPACE = " "  # a trie edge: one run of whitespace


def _trie_pattern(node: dict[Any, Any], case_sensitive: bool) -> str:
    """The regular expression of a trie node: its edges in one alternation (no two can match
    the same character), the end of a term last so that longer terms win."""
    branches = []
    for edge, child in node.items():
        if edge is _END:
            continue
        head = r"\s++" if edge == _SPACE else _char_pattern(edge, case_sensitive)
        branches.append(head + _trie_pattern(child, case_sensitive))
    if _END in node:
        branches.append(r"(?!\w)")
    if len(branches) == 1:
        return branches[0]
    return "(?:" + "|".join(branches) + ")"


def _compile(keys: Sequence[str], case_sensitive: bool) -> re.Pattern[str] | None:
    if not keys:
        return None
    root: dict[Any, Any] = {}
    for key in keys:
        node = root
        for ch in key:
            node = node.setdefault(ch, {})
        node[_END] = True
    return re.compile(r"(?<!\w)" + _trie_pattern(root, case_sensitive))


@dataclass(frozen=True)
class _Matcher:
    sensitive: re.Pattern[str] | None
    insensitive: re.Pattern[str] | None
    by_key: dict[tuple[bool, str], Entry]

    def matches(self, text: str) -> list[tuple[int, int, Entry]]:
        """The matches of one text, left to right, none overlapping (the module's rules)."""
        out: list[tuple[int, int, Entry]] = []
        patterns = [(True, self.sensitive), (False, self.insensitive)]
        found: list[re.Match[str] | None] = [p.search(text) if p is not None else None for _, p in patterns]
        position = 0
        while True:
            best: tuple[int, int, bool] | None = None
            for (sensitive, _), match in zip(patterns, found, strict=True):
                if match is None:
                    continue
                candidate = (match.start(), -(match.end() - match.start()), not sensitive)
                if best is None or candidate < best:
                    best = candidate
            if best is None:
                return out
            start, length, insensitive = best[0], -best[1], best[2]
            end = start + length
            entry = self.by_key[(not insensitive, _key(text[start:end], not insensitive))]
            out.append((start, end, entry))
            position = end
            for index, (_, pattern) in enumerate(patterns):
                match = found[index]
                if pattern is not None and match is not None and match.start() < position:
                    found[index] = pattern.search(text, position)


@functools.lru_cache(maxsize=64)
def _matcher(entries: tuple[Entry, ...]) -> _Matcher:
    by_key: dict[tuple[bool, str], Entry] = {}
    for entry in entries:
        if entry.term.split():
            by_key.setdefault((entry.case_sensitive, _key(entry.term, entry.case_sensitive)), entry)
    sensitive = [key for (flag, key) in by_key if flag]
    insensitive = [key for (flag, key) in by_key if not flag]
    return _Matcher(_compile(sensitive, True), _compile(insensitive, False), by_key)


def apply(runs: Sequence[Run], entries: Sequence[Entry]) -> list[Run]:
    """The runs with every dictionary term in their text replaced (see the module's docstring)."""
    if not entries:
        return list(runs)
    matcher = _matcher(tuple(entries))
    out: list[Run] = []
    for run in runs:
        if run.kind != "text" or run.written is not None:
            out.append(run)
            continue
        position = 0
        for start, end, entry in matcher.matches(run.content):
            if start > position:
                out.append(replace(run, content=run.content[position:start]))
            written = run.content[start:end]
            if entry.phonemes:
                out.append(Run("phonemes", entry.phonemes, written=written, prosody=run.prosody))
            else:
                out.append(replace(run, content=entry.alias or "", written=written))
            position = end
        if position < len(run.content):
            out.append(replace(run, content=run.content[position:]))
    return out
