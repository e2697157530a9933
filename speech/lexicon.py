"""Pronunciation dictionaries applied to text before it is normalised.

An entry replaces a word or phrase (``term``) with an ``alias`` (text, normalised like any
other: "v2" -> "version two") or with IPA ``phonemes`` (spoken as given). Matching rules:

- whole words only: "SQL" matches in "SQL, please" but not in "MySQL";
- the spaces inside a phrase match any run of whitespace;
- case-insensitive unless the entry says ``case_sensitive`` ("US" the country, not "us");
- the longest term wins where several start at the same place; at equal length a
  case-sensitive entry wins; replacements are not matched again.

Only text as the user wrote it is matched: not SSML's ``<say-as>``, ``<sub>`` or ``<phoneme>``.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

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


def _term_pattern(entry: Entry) -> str:
    body = r"\s+".join(re.escape(word) for word in entry.term.split())
    body = body if entry.case_sensitive else f"(?i:{body})"
    return rf"(?<!\w){body}(?!\w)"


@functools.lru_cache(maxsize=64)
def _compiled(entries: tuple[Entry, ...]) -> tuple[re.Pattern[str], tuple[Entry, ...]]:
    ordered = tuple(sorted(entries, key=lambda e: (-len(" ".join(e.term.split())), not e.case_sensitive)))
    pattern = re.compile("|".join(f"({_term_pattern(entry)})" for entry in ordered))
    return pattern, ordered


def apply(runs: Sequence[Run], entries: Sequence[Entry]) -> list[Run]:
    """The runs with every dictionary term in their text replaced (see the module's docstring)."""
    if not entries:
        return list(runs)
    pattern, ordered = _compiled(tuple(entries))
    out: list[Run] = []
    for run in runs:
        if run.kind != "text" or run.written is not None:
            out.append(run)
            continue
        position = 0
        for match in pattern.finditer(run.content):
            entry = ordered[(match.lastindex or 1) - 1]
            if match.start() > position:
                out.append(replace(run, content=run.content[position : match.start()]))
            if entry.phonemes:
                out.append(Run("phonemes", entry.phonemes, written=match[0], prosody=run.prosody))
            else:
                out.append(replace(run, content=entry.alias or "", written=match[0]))
            position = match.end()
        if position < len(run.content):
            out.append(replace(run, content=run.content[position:]))
    return out
