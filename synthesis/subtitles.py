"""Subtitles from a synthesis's word timestamps: SubRip (``srt``) and WebVTT (``vtt``).

Words are gathered into cues of one line of at most MAX_LINE characters, at most
MAX_CUE_SECONDS long, and a cue ends after a word that ends a sentence (``ends_sentence``). Each cue runs from its
first word's start to its last word's end; the text keeps the punctuation as it was written.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from speech.alignment import written_tokens
from speech.text import normalize
from synthesis.models import Synthesis
from voxify_project.errors import Conflict

MAX_LINE = 42
MAX_CUE_SECONDS = 5.0
FORMATS = {"srt": "application/x-subrip", "vtt": "text/vtt"}


@dataclass(frozen=True)
class Cue:
    start: float
    end: float
    text: str


def cues(words: Sequence[dict[str, Any]], written: Sequence[str]) -> list[Cue]:
    """``words``: ``[{word, start, end}]``; ``written``: the same words as they appear in the
    text, punctuation included (``speech.alignment.written_tokens``)."""
    out: list[Cue] = []
    current: list[tuple[dict[str, Any], str]] = []

    def close() -> None:
        if current:
            first, last = current[0][0], current[-1][0]
            out.append(
                Cue(
                    float(first["start"]),
                    max(float(last["end"]), float(first["start"])),
                    " ".join(t for _, t in current),
                )
            )
            current.clear()

    for word, token in zip(words, written, strict=True):
        if current:
            text = " ".join(t for _, t in current) + " " + token
            if len(text) > MAX_LINE or float(word["end"]) - float(current[0][0]["start"]) > MAX_CUE_SECONDS:
                close()
        current.append((word, token))
        if ends_sentence(token):
            close()
    close()
    return out


def ends_sentence(token: str) -> bool:
    """A word that ends its sentence: a final . ! ? or …, unless the normaliser reads the
    word as an abbreviation ("Dr." is "Doctor", its period no end)."""
    word = token.rstrip("\"')]”’")
    if word.endswith(("!", "?", "…")):
        return True
    return word.endswith(".") and "." in normalize(word + " Next")


def _clock(seconds: float, separator: str) -> str:
    millis = max(0, round(seconds * 1000))
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    whole, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{whole:02d}{separator}{millis:03d}"


def _srt_text(text: str) -> str:
    """SubRip has no escapes, and players render its ``<i>``-style tags: angle brackets become
    their single-guillemet look-alikes, so no tag renders and no ``-->`` starts a cue."""
    return text.replace("<", "\u2039").replace(">", "\u203a")


def _vtt_text(text: str) -> str:
    """WebVTT's own escapes (a cue's text may not hold ``-->``, ``<`` starts a tag)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def render(cue_list: Sequence[Cue], fmt: str) -> str:
    """The cues as SubRip or WebVTT; the words' text is escaped for the format."""
    if fmt == "srt":
        blocks = [
            f"{n}\n{_clock(c.start, ',')} --> {_clock(c.end, ',')}\n{_srt_text(c.text)}\n"
            for n, c in enumerate(cue_list, 1)
        ]
        return "\n".join(blocks)
    blocks = [f"{_clock(c.start, '.')} --> {_clock(c.end, '.')}\n{_vtt_text(c.text)}\n" for c in cue_list]
    return "WEBVTT\n\n" + "\n".join(blocks)


class TimestampsNotAvailable(Conflict):
    code = "TIMESTAMPS_NOT_AVAILABLE"
    default_message = (
        "This synthesis has no word timestamps: ask for them with config.timestamps 'word', "
        "and wait until it completes."
    )


def synthesis_subtitles(*, synthesis: Synthesis, fmt: str) -> str:
    """The synthesis's word timestamps as subtitles in ``fmt`` (409 when it has none)."""
    if synthesis.status != Synthesis.Status.COMPLETED or synthesis.word_timestamps is None:
        raise TimestampsNotAvailable(details={"status": synthesis.status, "timestamps": synthesis.timestamps})
    return render(cues(synthesis.word_timestamps, written_tokens(synthesis.text)), fmt)
