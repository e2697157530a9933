"""A documented subset of SSML 1.1, read into ``speech.script`` runs.

Elements (docs/synthesis.md, "SSML"): ``speak`` (the root), ``p``, ``s``, ``break``
(``time`` or ``strength``), ``say-as`` (``interpret-as`` characters, spell-out, cardinal,
ordinal, date with ``format``, time, telephone), ``sub`` (``alias``), ``phoneme``
(``alphabet="ipa"``, ``ph``) and ``prosody`` (``rate``, ``pitch``, ``volume``, nested spans
multiply). Anything else, and markup that is not well-formed XML, raises ``SSMLError`` with
the line, column and character offset where it was found and the element it concerns.

The parser is expat without DTDs: a document type declaration or an entity definition is
refused, so no entity can expand or reach outside the text.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from xml.parsers import expat

from speech.script import MAX_BREAK_S, NORMAL, Prosody, Run
from speech.text import DIGITS, cardinal, clock_words, date_words, ordinal

ELEMENTS = ("speak", "p", "s", "break", "say-as", "sub", "phoneme", "prosody")
SAY_AS = ("characters", "spell-out", "cardinal", "ordinal", "date", "time", "telephone")
DATE_FORMATS = ("mdy", "dmy", "ymd", "md", "dm", "ym", "my", "y", "m", "d")
BREAK_STRENGTHS = {"none": 0.0, "x-weak": 0.1, "weak": 0.2, "medium": 0.4, "strong": 0.7, "x-strong": 1.2}
RATES = {"x-slow": 0.6, "slow": 0.8, "medium": 1.0, "default": 1.0, "fast": 1.25, "x-fast": 1.6}
PITCHES = {"x-low": 0.75, "low": 0.87, "medium": 1.0, "default": 1.0, "high": 1.15, "x-high": 1.3}
VOLUMES_DB = {"silent": None, "x-soft": -12.0, "soft": -6.0, "medium": 0.0, "default": 0.0, "loud": 4.0, "x-loud": 6.0}
RATE_RANGE = (0.5, 2.0)
PITCH_RANGE = (0.5, 2.0)
VOLUME_DB_RANGE = (-40.0, 6.0)

_ATTRIBUTES = {
    "speak": {"version", "xmlns", "xml:lang", "xmlns:xsi", "xsi:schemaLocation"},
    "p": {"xml:lang"},
    "s": {"xml:lang"},
    "break": {"time", "strength"},
    "say-as": {"interpret-as", "format", "detail"},
    "sub": {"alias"},
    "phoneme": {"alphabet", "ph"},
    "prosody": {"rate", "pitch", "volume"},
}
# Where each element may stand (its parent), as in SSML 1.1, less what is not supported.
_INSIDE = {
    "p": {"speak", "prosody"},
    "s": {"speak", "p", "prosody"},
    "break": {"speak", "p", "s", "prosody"},
    "say-as": {"speak", "p", "s", "prosody"},
    "sub": {"speak", "p", "s", "prosody"},
    "phoneme": {"speak", "p", "s", "prosody"},
    "prosody": {"speak", "p", "s", "prosody"},
}
_TEXT_ONLY = {"say-as", "sub", "phoneme", "break"}  # no element inside these

# How each letter is said on its own (eSpeak's en-US IPA): spelled letters are spoken as
# phonemes, since written-out names ("ay", "en") are read as words.
LETTERS_IPA = {
    "a": "ˈeɪ",
    "b": "bˈiː",
    "c": "sˈiː",
    "d": "dˈiː",
    "e": "ˈiː",
    "f": "ˈɛf",
    "g": "dʒˈiː",
    "h": "ˈeɪtʃ",
    "i": "ˈaɪ",
    "j": "dʒˈeɪ",
    "k": "kˈeɪ",
    "l": "ˈɛl",
    "m": "ˈɛm",
    "n": "ˈɛn",
    "o": "ˈoʊ",
    "p": "pˈiː",
    "q": "kjˈuː",
    "r": "ˈɑːɹ",
    "s": "ˈɛs",
    "t": "tˈiː",
    "u": "jˈuː",
    "v": "vˈiː",
    "w": "dˈʌbəljˌuː",
    "x": "ˈɛks",
    "y": "wˈaɪ",
    "z": "zˈiː",
}


class SSMLError(ValueError):
    def __init__(self, reason: str, *, line: int, column: int, position: int, element: str | None) -> None:
        where = f"line {line}, column {column}"
        super().__init__(f"SSML {where}" + (f", <{element}>" if element else "") + f": {reason}")
        self.reason = reason
        self.line = line
        self.column = column
        self.position = position
        self.element = element


def looks_like_ssml(text: str) -> bool:
    """The text's root is ``<speak>`` (an XML declaration may come first)."""
    head = text.lstrip()
    if head.startswith("<?xml"):
        head = head[head.find("?>") + 2 :].lstrip() if "?>" in head else ""
    return bool(re.match(r"<speak[\s>/]", head))


def spell(text: str, *, written: str | None = None, prosody: Prosody = NORMAL) -> list[Run]:
    """Each letter and digit of ``text`` by its name, a short pause apart ("IBM" -> I, B, M);
    other characters are dropped. The first run carries ``written`` (timestamps)."""
    runs: list[Run] = []
    for ch in text.lower():
        if ch in LETTERS_IPA:
            runs.append(Run("phonemes", LETTERS_IPA[ch], written="", prosody=prosody))
        elif ch.isdigit() and ch.isascii():
            runs.append(Run("spoken", DIGITS[int(ch)], written="", prosody=prosody))
        else:
            continue
        runs.append(Run("spoken", ",", written="", prosody=prosody))
    if not runs:
        raise ValueError("there are no letters or digits to spell")
    runs[-1] = Run("spoken", "", written="", prosody=prosody)
    runs[0] = Run(runs[0].kind, runs[0].content, written=text if written is None else written, prosody=prosody)
    return runs


def telephone(text: str) -> str:
    """Digits one by one, groups (split by spaces, dashes, dots, brackets) apart; "+" is "plus"."""
    groups = [g for g in re.split(r"[\s\-.()/]+", text.strip()) if g]
    spoken = []
    for group in groups:
        words = []
        if group.startswith("+"):
            words.append("plus")
        words += [DIGITS[int(d)] for d in group if d.isdigit() and d.isascii()]
        if words:
            spoken.append(" ".join(words))
    if not spoken:
        raise ValueError("a telephone number needs digits")
    return ", ".join(spoken)


def _shown(text: str, most: int = 40) -> str:
    """A value quoted in an error message, cut short: the message names it, not echoes it."""
    value = text.strip()
    return repr(value if len(value) <= most else value[:most] + "…")


def _integer(text: str) -> int:
    cleaned = text.strip().replace(",", "")
    if not re.fullmatch(r"[+-]?\d{1,15}", cleaned):
        raise ValueError(f"{_shown(text)} is not a whole number")
    return int(cleaned)


def _cardinal(text: str) -> str:
    cleaned = text.strip().replace(",", "")
    match = re.fullmatch(r"([+-]?)(\d{1,15})(?:\.(\d{1,12}))?", cleaned)
    if not match:
        raise ValueError(f"{_shown(text)} is not a number")
    words = cardinal(int(match[2]))
    if match[3]:
        words += " point " + " ".join(DIGITS[int(d)] for d in match[3])
    return ("minus " if match[1] == "-" else "") + words


def _ordinal(text: str) -> str:
    value = _integer(re.sub(r"(?i)(st|nd|rd|th)\s*$", "", text.strip()))
    if value < 0:
        raise ValueError("an ordinal is not negative")
    return ordinal(value)


def _date(text: str, fmt: str | None) -> str:
    fmt = fmt or "mdy"
    if fmt not in DATE_FORMATS:
        raise ValueError(f"date format {fmt!r} is not one of {', '.join(DATE_FORMATS)}")
    fields = [f for f in re.split(r"[\s/\-.]+", text.strip()) if f]
    if len(fields) != len(fmt) or not all(f.isdigit() for f in fields):
        raise ValueError(f"{_shown(text)} does not read as a date in the format {fmt!r}")
    values = dict(zip(fmt, (int(f) for f in fields), strict=True))
    if "y" in values and len(fields[fmt.index("y")]) == 2:
        values["y"] += 2000
    spoken = date_words(values.get("m"), values.get("d"), values.get("y"))
    if spoken is None:
        raise ValueError(f"{_shown(text)} is not a valid date")
    return spoken


def _time(text: str) -> str:
    spoken = clock_words(text.strip())
    if spoken is None:
        raise ValueError(f"{_shown(text)} is not a time (hh:mm, with am/pm or 24-hour)")
    return spoken


def say_as(text: str, interpret_as: str, fmt: str | None, prosody: Prosody = NORMAL) -> list[Run]:
    """What ``<say-as>`` makes of its text."""
    if interpret_as in ("characters", "spell-out"):
        return spell(text, prosody=prosody)
    handlers: dict[str, Callable[[str], str]] = {
        "cardinal": _cardinal,
        "ordinal": _ordinal,
        "time": _time,
        "telephone": telephone,
    }
    spoken = _date(text, fmt) if interpret_as == "date" else handlers[interpret_as](text)
    return [Run("spoken", spoken, written=text, prosody=prosody)]


def _seconds(value: str) -> float:
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*(ms|s)\s*", value)
    if not match:
        raise ValueError(f"time {value!r} is not a duration like 500ms or 1.5s")
    seconds = float(match[1]) / (1000.0 if match[2] == "ms" else 1.0)
    if seconds > MAX_BREAK_S:
        raise ValueError(f"a break is at most {MAX_BREAK_S:g} s")
    return seconds


def _relative(value: str, named: dict[str, float], bounds: tuple[float, float], what: str) -> float:
    """A named level, a percentage of normal ("120%"), a change ("+20%", "-10%") or, for pitch,
    semitones ("+2st")."""
    value = value.strip()
    if value in named:
        return named[value]
    if match := re.fullmatch(r"([+-])?(\d+(?:\.\d+)?)%", value):
        number = float(match[2])
        factor = 1.0 + (number if match[1] == "+" else -number) / 100 if match[1] else number / 100
    elif what == "pitch" and (match := re.fullmatch(r"([+-])(\d+(?:\.\d+)?)st", value)):
        factor = 2 ** ((float(match[2]) if match[1] == "+" else -float(match[2])) / 12)
    elif what == "rate" and re.fullmatch(r"\d+(?:\.\d+)?", value):
        factor = float(value)
    else:
        choices = ", ".join(named)
        extra = ", semitones (+2st)" if what == "pitch" else ", a multiplier (1.2)" if what == "rate" else ""
        raise ValueError(f"{what} {value!r} is not one of {choices}, a percentage (120%, +20%){extra}")
    if not bounds[0] <= factor <= bounds[1]:
        raise ValueError(f"{what} {value!r} is outside {bounds[0]:g}-{bounds[1]:g} times normal")
    return factor


def _volume(value: str) -> float:
    value = value.strip()
    if value in VOLUMES_DB:
        decibels = VOLUMES_DB[value]
        return 0.0 if decibels is None else 10 ** (decibels / 20)
    if match := re.fullmatch(r"([+-]?\d+(?:\.\d+)?)dB", value):
        decibels = float(match[1])
        if not VOLUME_DB_RANGE[0] <= decibels <= VOLUME_DB_RANGE[1]:
            raise ValueError(f"volume {value!r} is outside {VOLUME_DB_RANGE[0]:g} to +{VOLUME_DB_RANGE[1]:g} dB")
        return float(10 ** (decibels / 20))
    if re.fullmatch(r"[+-]?\d+(?:\.\d+)?%", value):
        return _relative(value, {}, (0.0, 2.0), "volume")
    raise ValueError(f"volume {value!r} is not one of {', '.join(VOLUMES_DB)}, decibels (+6dB, -3dB) or a percentage")


@dataclass
class _Open:
    name: str
    prosody: Prosody
    attributes: dict[str, str]
    line: int
    column: int
    position: int
    text: list[str] = field(default_factory=list)  # text-only elements collect their text


class _Reader:
    def __init__(
        self,
        markup: str,
        phonemes_check: Callable[[str], str | None] | None,
        refused: dict[str, str] | None = None,
    ) -> None:
        self.markup = markup
        self.refused = refused or {}
        self.encoded = markup.encode("utf-8")
        self.check_phonemes = phonemes_check
        self.stack: list[_Open] = []
        self.runs: list[Run] = []
        self.seen_root = False
        self.parser = expat.ParserCreate("utf-8")
        self.parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
        self.parser.StartElementHandler = self.start
        self.parser.EndElementHandler = self.end
        self.parser.CharacterDataHandler = self.characters
        self.parser.StartDoctypeDeclHandler = self.doctype
        self.parser.EntityDeclHandler = self.entity

    # Positions ------------------------------------------------------------------------------

    def where(self, byte_index: int | None = None) -> tuple[int, int, int]:
        index = self.parser.CurrentByteIndex if byte_index is None else byte_index
        position = len(self.encoded[: max(index, 0)].decode("utf-8", errors="ignore"))
        before = self.markup[:position]
        line = before.count("\n") + 1
        column = position - (before.rfind("\n") + 1) + 1
        return line, column, position

    def fail(self, reason: str, element: str | None, at: _Open | None = None) -> SSMLError:
        if at is not None:
            return SSMLError(reason, line=at.line, column=at.column, position=at.position, element=element)
        line, column, position = self.where()
        return SSMLError(reason, line=line, column=column, position=position, element=element)

    # Handlers -------------------------------------------------------------------------------

    def doctype(self, *_: object) -> None:
        raise self.fail("a document type declaration is not allowed", None)

    def entity(self, *_: object) -> None:
        raise self.fail("entity declarations are not allowed", None)

    def start(self, name: str, attributes: dict[str, str]) -> None:
        line, column, position = self.where()
        parent = self.stack[-1] if self.stack else None
        if name not in ELEMENTS:
            raise self.fail(f"unsupported element; supported: {', '.join(ELEMENTS)}", name)
        if name in self.refused:
            raise self.fail(self.refused[name], name)
        if parent is None:
            if name != "speak":
                raise self.fail("the root element must be <speak>", name)
            self.seen_root = True
        elif name == "speak":
            raise self.fail("<speak> is only the root", name)
        elif parent.name in _TEXT_ONLY:
            raise self.fail(f"<{parent.name}> takes text only, no elements", name)
        elif parent.name not in _INSIDE[name]:
            raise self.fail(f"<{name}> cannot stand inside <{parent.name}>", name)
        unknown = sorted(set(attributes) - _ATTRIBUTES[name])
        if unknown:
            raise self.fail(
                f"unsupported attribute {unknown[0]!r}; <{name}> takes "
                + (", ".join(sorted(_ATTRIBUTES[name])) or "none"),
                name,
            )
        prosody = parent.prosody if parent is not None else Prosody()
        opened = _Open(name, prosody, attributes, line, column, position)
        try:
            self._open(opened)
        except ValueError as exc:
            raise self.fail(str(exc), name, opened) from None
        self.stack.append(opened)

    def _open(self, opened: _Open) -> None:
        name, attributes = opened.name, opened.attributes
        if name in ("p", "s"):
            self.runs.append(Run("paragraph" if name == "p" else "sentence"))
        elif name == "break":
            if "time" in attributes:
                seconds = _seconds(attributes["time"])
            else:
                strength = attributes.get("strength", "medium")
                if strength not in BREAK_STRENGTHS:
                    raise ValueError(f"strength {strength!r} is not one of {', '.join(BREAK_STRENGTHS)}")
                seconds = BREAK_STRENGTHS[strength]
            self.runs.append(Run("break", seconds=seconds))
        elif name == "say-as":
            kind = attributes.get("interpret-as")
            if kind not in SAY_AS:
                raise ValueError(f"interpret-as {kind!r} is not one of {', '.join(SAY_AS)}")
            if "format" in attributes and kind != "date":
                raise ValueError('format applies to interpret-as="date" only')
        elif name == "sub":
            if not attributes.get("alias", "").strip():
                raise ValueError("alias is required")
        elif name == "phoneme":
            if attributes.get("alphabet", "ipa") != "ipa":
                raise ValueError('alphabet must be "ipa"')
            ph = attributes.get("ph", "").strip()
            if not ph:
                raise ValueError("ph is required")
            if self.check_phonemes is not None and (problem := self.check_phonemes(ph)):
                raise ValueError(problem)
        elif name == "prosody":
            if not attributes:
                raise ValueError("give at least one of rate, pitch, volume")
            change = Prosody(
                _relative(attributes["rate"], RATES, RATE_RANGE, "rate") if "rate" in attributes else 1.0,
                _relative(attributes["pitch"], PITCHES, PITCH_RANGE, "pitch") if "pitch" in attributes else 1.0,
                _volume(attributes["volume"]) if "volume" in attributes else 1.0,
            )
            opened.prosody = opened.prosody.times(change)

    def characters(self, data: str) -> None:
        if not self.stack:
            return
        current = self.stack[-1]
        if current.name in _TEXT_ONLY:
            if current.name == "break" and data.strip():
                raise self.fail("<break> is empty: it takes no text", "break", current)
            current.text.append(data)
        elif data:
            self.runs.append(Run("text", data, prosody=current.prosody))

    def end(self, name: str) -> None:
        closed = self.stack.pop()
        text = "".join(closed.text)
        try:
            if name == "say-as":
                interpret_as, fmt = closed.attributes["interpret-as"], closed.attributes.get("format")
                self.runs += say_as(text, interpret_as, fmt, closed.prosody)
            elif name == "sub":
                self.runs.append(Run("text", closed.attributes["alias"], written=text, prosody=closed.prosody))
            elif name == "phoneme":
                self.runs.append(Run("phonemes", closed.attributes["ph"].strip(), written=text, prosody=closed.prosody))
        except ValueError as exc:
            raise self.fail(str(exc), name, closed) from None
        if name in ("p", "s"):
            self.runs.append(Run("paragraph" if name == "p" else "sentence"))

    def read(self) -> list[Run]:
        try:
            self.parser.Parse(self.encoded, True)
        except expat.ExpatError as exc:
            line, column, position = self.where(self.parser.ErrorByteIndex)
            element = self.stack[-1].name if self.stack else None
            reason = expat.ErrorString(exc.code) if exc.code is not None else str(exc)
            raise SSMLError(
                f"not well-formed: {reason}", line=line, column=column, position=position, element=element
            ) from None
        if not self.seen_root:
            raise SSMLError("no <speak> element", line=1, column=1, position=0, element=None)
        return self.runs


def parse(
    markup: str,
    *,
    phonemes_check: Callable[[str], str | None] | None = None,
    refused: dict[str, str] | None = None,
) -> list[Run]:
    """The runs of an SSML document; ``phonemes_check(ph)`` names what the voice cannot say, if
    anything; ``refused`` maps elements this text may not use to the reason (Japanese text has
    no ``<say-as>`` or ``<phoneme>``: both produce English)."""
    return _Reader(markup, phonemes_check, refused).read()
