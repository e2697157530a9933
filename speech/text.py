"""Text for speech: clean, normalise (numbers, money, dates, times, abbreviations, symbols)
and split into pieces short enough to synthesise one at a time.

Piper reads digits and most punctuation through espeak-ng, but it reads "$3.50" as "dollar
three point five zero", "10:30" as "ten thirty" only by luck, and "Dr." as "D R". Everything
a reader would expand is expanded here, in English, before the text reaches the engine.

Splitting keeps sentences whole where it can: a piece ends at a sentence end, or at a
clause boundary (``, ; :``) when the sentence is longer than ``max_chars``, or at a word
boundary as a last resort. A stream keeps its first piece shorter (``first_max_chars``)
because its first audio can only be sent once that piece is synthesised.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

_ONES = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
]
_TENS = ["_", "_", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
DIGITS = tuple(_ONES[:10])  # "zero" to "nine"
_SCALES = ((10**12, "trillion"), (10**9, "billion"), (10**6, "million"), (10**3, "thousand"))
_ORDINAL_WORDS = {
    "one": "first",
    "two": "second",
    "three": "third",
    "five": "fifth",
    "eight": "eighth",
    "nine": "ninth",
    "twelve": "twelfth",
}
_MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
_MONTH_ABBREVIATIONS = {m[:3].lower(): m for m in _MONTHS} | {"sept": "September"}
_DAYS = {
    "mon": "Monday",
    "tue": "Tuesday",
    "tues": "Tuesday",
    "wed": "Wednesday",
    "thu": "Thursday",
    "thur": "Thursday",
    "thurs": "Thursday",
    "fri": "Friday",
    "sat": "Saturday",
    "sun": "Sunday",
}
_TITLES = {
    "mr": "Mister",
    "mrs": "Missus",
    "ms": "Miz",
    "dr": "Doctor",
    "prof": "Professor",
    "st": "Saint",
    "jr": "Junior",
    "sr": "Senior",
    "gen": "General",
    "capt": "Captain",
    "lt": "Lieutenant",
    "sgt": "Sergeant",
    "rev": "Reverend",
    "hon": "Honorable",
}
_ABBREVIATIONS = {
    "e.g.": "for example",
    "i.e.": "that is",
    "etc.": "et cetera",
    "vs.": "versus",
    "approx.": "approximately",
    "dept.": "department",
    "est.": "established",
    "no.": "number",
    "ave.": "Avenue",
    "blvd.": "Boulevard",
    "inc.": "Incorporated",
    "ltd.": "Limited",
    "co.": "Company",
    "corp.": "Corporation",
}
_UNITS = {
    "km": ("kilometer", "kilometers"),
    "m": ("meter", "meters"),
    "cm": ("centimeter", "centimeters"),
    "mm": ("millimeter", "millimeters"),
    "kg": ("kilogram", "kilograms"),
    "g": ("gram", "grams"),
    "mg": ("milligram", "milligrams"),
    "lb": ("pound", "pounds"),
    "lbs": ("pound", "pounds"),
    "oz": ("ounce", "ounces"),
    "ft": ("foot", "feet"),
    "mi": ("mile", "miles"),
    "mph": ("mile per hour", "miles per hour"),
    "km/h": ("kilometer per hour", "kilometers per hour"),
    "kmh": ("kilometer per hour", "kilometers per hour"),
    "ms": ("millisecond", "milliseconds"),
    "s": ("second", "seconds"),
    "sec": ("second", "seconds"),
    "min": ("minute", "minutes"),
    "h": ("hour", "hours"),
    "hr": ("hour", "hours"),
    "hrs": ("hour", "hours"),
    "gb": ("gigabyte", "gigabytes"),
    "mb": ("megabyte", "megabytes"),
    "kb": ("kilobyte", "kilobytes"),
    "tb": ("terabyte", "terabytes"),
    "hz": ("hertz", "hertz"),
    "khz": ("kilohertz", "kilohertz"),
    "°c": ("degree Celsius", "degrees Celsius"),
    "°f": ("degree Fahrenheit", "degrees Fahrenheit"),
}
_CURRENCIES = {
    "$": ("dollar", "dollars", "cent", "cents"),
    "£": ("pound", "pounds", "penny", "pence"),
    "€": ("euro", "euros", "cent", "cents"),
    "¥": ("yen", "yen", "", ""),
    "₹": ("rupee", "rupees", "paisa", "paise"),
}
_SYMBOLS = {
    "&": " and ",
    "@": " at ",
    "+": " plus ",
    "=": " equals ",
    "\u00d7": " times ",  # multiplication sign
    "÷": " divided by ",
    "~": " about ",
    "°": " degrees ",
    "§": " section ",
    "№": " number ",
    "<": " less than ",
    ">": " greater than ",
    "*": " ",
    "_": " ",
    "|": " ",
    "^": " ",
    "\\": " ",
    "#": " ",
    "\u2026": "...",
}
_SCALE_WORDS = "thousand|million|billion|trillion"
_NUMBER = r"(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"


def cardinal(n: int) -> str:
    """An integer in words: 1234 -> "one thousand two hundred thirty-four"."""
    if n < 0:
        return "minus " + cardinal(-n)
    if n < 20:
        return _ONES[n]
    if n < 100:
        tens, ones = divmod(n, 10)
        return _TENS[tens] + (f"-{_ONES[ones]}" if ones else "")
    if n < 1000:
        hundreds, rest = divmod(n, 100)
        return f"{_ONES[hundreds]} hundred" + (f" {cardinal(rest)}" if rest else "")
    for scale, word in _SCALES:
        if n >= scale:
            high, rest = divmod(n, scale)
            return f"{cardinal(high)} {word}" + (f" {cardinal(rest)}" if rest else "")
    raise AssertionError("unreachable")


def ordinal(n: int) -> str:
    """3 -> "third", 21 -> "twenty-first", 100 -> "one hundredth"."""
    words = cardinal(n)
    head, sep, last = words.rpartition("-") if "-" in words.split(" ")[-1] else words.rpartition(" ")
    if last in _ORDINAL_WORDS:
        last = _ORDINAL_WORDS[last]
    elif last.endswith("y"):
        last = last[:-1] + "ieth"
    else:
        last += "th"
    return head + sep + last


def year(n: int) -> str:
    """How a year is read: 1984 -> "nineteen eighty-four", 2005 -> "two thousand five"."""
    if not 1000 <= n <= 2999 or 2000 <= n <= 2009 or n % 1000 == 0:
        return cardinal(n)
    high, low = divmod(n, 100)
    if low == 0:
        return f"{cardinal(high)} hundred"
    if low < 10:
        return f"{cardinal(high)} oh {cardinal(low)}"
    return f"{cardinal(high)} {cardinal(low)}"


def _digits(text: str) -> str:
    return " ".join(_ONES[int(d)] for d in text)


# Longer runs of digits than this (hundreds of trillions) are read digit by digit: nobody says
# them as one number, and Python will not even read one of over 4300 digits.
CARDINAL_MAX_DIGITS = 15


def _whole(text: str) -> str:
    """A run of digits in words: as a number, or digit by digit when it is longer than any."""
    digits = text.lstrip("0") or "0"
    return cardinal(int(digits)) if len(digits) <= CARDINAL_MAX_DIGITS else _digits(text)


def _number(text: str) -> str:
    """A written number with optional thousands commas and decimals, in words."""
    whole, _, fraction = text.replace(",", "").partition(".")
    words = _whole(whole)
    return f"{words} point {_digits(fraction)}" if fraction else words


def _money(match: re.Match[str]) -> str:
    singular, plural, sub_singular, sub_plural = _CURRENCIES[match["symbol"]]
    amount, scale = match["amount"], match["scale"]
    if scale:
        return f"{_number(amount)} {scale.lower()} {plural}"
    whole_text, _, cents_text = amount.replace(",", "").partition(".")
    whole_digits = whole_text.lstrip("0")
    cents = int((cents_text + "00")[:2]) if cents_text and sub_plural else 0
    parts = []
    if whole_digits or not cents:
        one = whole_digits == "1"
        parts.append(f"{_whole(whole_text or '0')} {singular if one else plural}")
    if cents:
        parts.append(f"{cardinal(cents)} {sub_singular if cents == 1 else sub_plural}")
    return " and ".join(parts)


def _clock(match: re.Match[str]) -> str:
    hour, minute = int(match["hour"]), int(match["minute"])
    meridiem = (match["meridiem"] or "").lower().replace(".", "").strip()
    if hour > 23 or minute > 59:
        return match[0]
    spoken_hour = cardinal(hour % 12 or 12) if meridiem else cardinal(hour)
    if minute == 0:
        spoken = f"{spoken_hour} o'clock" if not meridiem and hour <= 12 else spoken_hour
        if not meridiem and hour > 12:
            spoken = f"{spoken_hour} hundred"
    elif minute < 10:
        spoken = f"{spoken_hour} oh {cardinal(minute)}"
    else:
        spoken = f"{spoken_hour} {cardinal(minute)}"
    if meridiem:
        spoken += " a m" if meridiem.startswith("a") else " p m"
    return spoken + ("." if match[0].endswith(".") else "")


def _date_words(month: int, day: int, year_value: int | None) -> str | None:
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return None
    spoken = f"{_MONTHS[month - 1]} {ordinal(day)}"
    return f"{spoken}, {year(year_value)}" if year_value is not None else spoken


def date_words(month: int | None, day: int | None, year_value: int | None) -> str | None:
    """A date, any of its parts left out, as it is read; None when a part is out of range."""
    if (month is not None and not 1 <= month <= 12) or (day is not None and not 1 <= day <= 31):
        return None
    if year_value is not None and not 0 < year_value < 10000:
        return None
    if month is not None and day is not None:
        return _date_words(month, day, year_value)
    parts = []
    if month is not None:
        parts.append(_MONTHS[month - 1])
    if day is not None:
        parts.append(f"the {ordinal(day)}")
    if year_value is not None:
        parts.append(year(year_value))
    return " ".join(parts) or None


def clock_words(text: str) -> str | None:
    """A time of day ("14:05", "9:30 pm", "5 pm") as it is read, or None."""
    for pattern, read in _RULES[3:5]:
        match = pattern.fullmatch(text.strip())
        if match:
            spoken = read(match)
            return None if spoken == match[0] else spoken
    return None


def _iso_date(match: re.Match[str]) -> str:
    return _date_words(int(match["month"]), int(match["day"]), int(match["year"])) or match[0]


def _slash_date(match: re.Match[str]) -> str:
    year_text = match["year"]
    year_value = int(year_text) + (2000 if len(year_text) == 2 else 0)
    return _date_words(int(match["month"]), int(match["day"]), year_value) or match[0]


def _month_day(match: re.Match[str]) -> str:
    month = _MONTH_ABBREVIATIONS.get(match["month"][:4].lower().rstrip(".")) or _MONTH_ABBREVIATIONS.get(
        match["month"][:3].lower(), match["month"]
    )
    spoken = f"{month} {ordinal(int(match['day']))}"
    if match["year"]:
        spoken += f", {year(int(match['year']))}"
    return spoken


def _unit(match: re.Match[str]) -> str:
    singular, plural = _UNITS[match["unit"].lower()]
    value = match["value"]
    return f"{_number(value)} {singular if value == '1' else plural}"


def _title(match: re.Match[str]) -> str:
    word, before = match["title"].lower(), match["before"] or ""
    if word == "st":
        # "Baker St.", "5th St." and a sentence-final "St." are streets; "St. Paul" is a saint.
        after = match.string[match.end() :].lstrip()
        previous = before.strip()
        if (previous and (previous[0].isupper() or previous[0].isdigit())) or not after[:1].isupper():
            return f"{before}Street"
    return before + _TITLES[word]


def _abbreviation(match: re.Match[str]) -> str:
    spoken = _ABBREVIATIONS[match[0].lower()]
    rest = match.string[match.end() :].lstrip()
    # The abbreviation's period also ended the sentence when a capital (or nothing) follows.
    return spoken + "." if (not rest or rest[0].isupper()) and match[0].lower() == "etc." else spoken


def _clock_hour(match: re.Match[str]) -> str:
    hour = int(match["hour"])
    if not 1 <= hour <= 12:
        return match[0]
    meridiem = match["meridiem"].lower().replace(".", "")
    spoken = f"{cardinal(hour)} {'a m' if meridiem.startswith('a') else 'p m'}"
    return spoken + ("." if match[0].endswith(".") else "")


_RULES: tuple[tuple[re.Pattern[str], Callable[[re.Match[str]], str]], ...] = (
    # Dates and times before plain numbers.
    (re.compile(r"\b(?P<year>\d{4})-(?P<month>\d{1,2})-(?P<day>\d{1,2})\b"), _iso_date),
    (re.compile(r"\b(?P<month>\d{1,2})/(?P<day>\d{1,2})/(?P<year>\d{4}|\d{2})\b"), _slash_date),
    (
        re.compile(
            r"\b(?P<month>(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?)\s+"
            r"(?P<day>\d{1,2})(?:st|nd|rd|th)?\b(?:,?\s+(?P<year>\d{4})\b)?"
        ),
        _month_day,
    ),
    (
        re.compile(r"\b(?P<hour>\d{1,2}):(?P<minute>\d{2})(?::\d{2})?(?:\s*(?P<meridiem>[aApP]\.?[mM]\.?)(?=\W|$))?"),
        _clock,
    ),
    (re.compile(r"\b(?P<hour>\d{1,2})\s*(?P<meridiem>[aApP]\.?[mM]\.?)(?=\W|$)"), _clock_hour),  # "5 pm"
    # Signs, money, percentages, units, ordinals.
    (re.compile(r"(?<![\w.])-(?=\d)"), lambda m: "minus "),
    (
        re.compile(
            r"(?P<symbol>[$£€¥₹])\s?(?P<amount>" + _NUMBER + r")(?:\s?(?P<scale>" + _SCALE_WORDS + r")\b)?",
            re.IGNORECASE,
        ),
        _money,
    ),
    # (Numbers are tried only from their first digit, never from inside a run of digits or of
    # thousands groups: a long run costs its length once, not its length squared.)
    (re.compile(r"(?<!\d)(?<!\d,)(?P<value>" + _NUMBER + r")\s?%"), lambda m: f"{_number(m['value'])} percent"),
    (
        re.compile(
            r"\b(?<!\d,)(?P<value>"
            + _NUMBER
            + r")\s?(?P<unit>"
            + "|".join(sorted((re.escape(u) for u in _UNITS), key=len, reverse=True))
            + r")(?![\w])",
            re.IGNORECASE,
        ),
        _unit,
    ),
    (
        re.compile(r"\b(?P<value>\d+)(?:st|nd|rd|th)\b", re.IGNORECASE),
        lambda m: ordinal(int(m["value"])) if len(m["value"]) <= CARDINAL_MAX_DIGITS else _digits(m["value"]),
    ),
    # Years in context ("in 1984", "since 2010"), then any other number.
    (
        re.compile(
            r"\b(?P<word>in|since|from|until|till|by|of|year|circa|during)\s+(?P<year>1[1-9]\d\d|20\d\d)\b", re.I
        ),
        lambda m: f"{m['word']} {year(int(m['year']))}",
    ),
    (re.compile(r"\b\d{1,3}(?:,\d{3})+(?:\.\d+)?\b|\b\d+(?:\.\d+)?\b"), lambda m: _number(m[0])),
)


def clean(text: str) -> str:
    """Unicode NFKC, control and format characters removed, whitespace collapsed."""
    text = unicodedata.normalize("NFKC", text)
    kept = []
    for ch in text:
        category = unicodedata.category(ch)
        if ch in "\t\n\r":
            kept.append(" ")
        elif category in ("Cc", "Cf", "Cs", "Co", "Cn"):
            continue
        else:
            kept.append(ch)
    return re.sub(r"\s+", " ", "".join(kept)).strip()


def normalize(text: str) -> str:
    """Cleaned text with everything a reader would expand written out in words."""
    text = clean(text)
    text = text.replace("\u2018", "'").replace("\u2019", "'").replace("\u201c", '"').replace("\u201d", '"')
    text = re.sub(r"\band/or\b", "and or", text)
    text = re.sub(
        r"(?P<before>\b\w+\s)?\b(?P<title>" + "|".join(_TITLES) + r")\.(?=\s)",
        _title,
        text,
        flags=re.IGNORECASE,
    )
    text = re.sub(
        "|".join(r"(?<!\w)" + re.escape(a) for a in sorted(_ABBREVIATIONS, key=len, reverse=True)),
        _abbreviation,
        text,
        flags=re.IGNORECASE,
    )
    text = re.sub(r"\b(?P<day>" + "|".join(_DAYS) + r")\.(?=\s)", lambda m: _DAYS[m["day"].lower()], text, flags=re.I)
    for pattern, replacement in _RULES:
        text = pattern.sub(replacement, text)
    text = re.sub(r"(?<=[A-Za-z])/(?=[A-Za-z])", " or ", text)
    for symbol, spoken in _SYMBOLS.items():
        text = text.replace(symbol, spoken)
    return re.sub(r"\s+", " ", text).strip()


# A run of end marks is taken whole, from its first mark only (a look-behind), so a long run
# not followed by a space costs its length once, not its length squared.
_SENTENCE_END = re.compile(r"(?<![.!?])([.!?]++[\"')\]]*+)\s+(?=[\"'(\[]?[A-Z0-9])")
_CLAUSE_END = re.compile(r"(?<=[,;:\u2014])\s+|\s+(?=\u2014)|\s+-\s+")


def _split_long(piece: str, max_chars: int) -> list[str]:
    """Cut a piece longer than ``max_chars`` at clause boundaries, else between words; a word
    longer than PIECE_MAX_CHARS is cut into parts of that length."""
    if len(piece) <= max_chars:
        return [piece]
    if any(len(word) > PIECE_MAX_CHARS for word in piece.split()):
        piece = " ".join(
            word[k : k + PIECE_MAX_CHARS] for word in piece.split() for k in range(0, len(word), PIECE_MAX_CHARS)
        )
    out: list[str] = []
    current = ""
    for clause in _CLAUSE_END.split(piece):
        if not clause:
            continue
        candidate = f"{current} {clause}".strip()
        if len(candidate) <= max_chars:
            current = candidate
            continue
        if current:
            out.append(current)
        if len(clause) <= max_chars:
            current = clause
            continue
        current = ""
        for word in clause.split():
            candidate = f"{current} {word}".strip()
            if len(candidate) > max_chars and current:
                out.append(current)
                current = word
            else:
                current = candidate
    if current:
        out.append(current)
    return out


PIECE_MAX_CHARS = 220
# A stream's first piece: about 4 s of speech, synthesised (cloned voice included) in well
# under a second, so the first audio arrives quickly (bench/tts.py measures it).
STREAM_FIRST_PIECE_CHARS = 60


def split_sentences(
    text: str, *, max_chars: int = PIECE_MAX_CHARS, first_max_chars: int = PIECE_MAX_CHARS
) -> list[str]:
    """Pieces to synthesise one after the other, in order; none longer than ``max_chars``
    (the first no longer than ``first_max_chars``), none without a letter or digit."""
    pieces: list[str] = []
    # Mark each sentence end with NUL (clean() removed any from the text), then cut there.
    for sentence in _SENTENCE_END.sub(lambda m: m[1] + "\x00", text).split("\x00"):
        sentence = sentence.strip()
        if sentence:
            pieces.extend(_split_long(sentence, max_chars))
    if pieces and len(pieces[0]) > first_max_chars:
        head = _split_long(pieces[0], first_max_chars)
        pieces[:1] = [head[0], " ".join(head[1:])] if len(head) > 1 else head
    return [piece for piece in pieces if any(ch.isalnum() for ch in piece)]


def prepare(text: str, *, max_chars: int = PIECE_MAX_CHARS, first_max_chars: int = PIECE_MAX_CHARS) -> list[str]:
    """Normalise and split: what the engine reads, piece by piece."""
    return split_sentences(normalize(text), max_chars=max_chars, first_max_chars=first_max_chars)
