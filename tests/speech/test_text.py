"""Text normalisation and splitting for synthesis."""

from __future__ import annotations

import pytest

from speech.text import cardinal, clean, normalize, ordinal, prepare, split_sentences, year


@pytest.mark.parametrize(
    ("number", "words"),
    [
        (0, "zero"),
        (13, "thirteen"),
        (40, "forty"),
        (99, "ninety-nine"),
        (105, "one hundred five"),
        (1234, "one thousand two hundred thirty-four"),
        (2_000_001, "two million one"),
        (-7, "minus seven"),
    ],
)
def test_cardinal(number: int, words: str) -> None:
    assert cardinal(number) == words


@pytest.mark.parametrize(
    ("number", "words"),
    [
        (1, "first"),
        (2, "second"),
        (3, "third"),
        (12, "twelfth"),
        (20, "twentieth"),
        (21, "twenty-first"),
        (100, "one hundredth"),
    ],
)
def test_ordinal(number: int, words: str) -> None:
    assert ordinal(number) == words


@pytest.mark.parametrize(
    ("number", "words"),
    [
        (1984, "nineteen eighty-four"),
        (1905, "nineteen oh five"),
        (1900, "nineteen hundred"),
        (2000, "two thousand"),
        (2005, "two thousand five"),
        (2024, "twenty twenty-four"),
    ],
)
def test_year(number: int, words: str) -> None:
    assert year(number) == words


@pytest.mark.parametrize(
    ("text", "spoken"),
    [
        # numbers
        ("I have 3 cats and 1,250 fish.", "I have three cats and one thousand two hundred fifty fish."),
        ("Pi is 3.14.", "Pi is three point one four."),
        ("It was -5 outside.", "It was minus five outside."),
        ("The 21st runner came 3rd.", "The twenty-first runner came third."),
        # currency
        ("It costs $3.50.", "It costs three dollars and fifty cents."),
        ("Just $1 or $0.01.", "Just one dollar or one cent."),
        ("A £1,234.56 bill.", "A one thousand two hundred thirty-four pounds and fifty-six pence bill."),
        ("€20 each", "twenty euros each"),
        ("$2.5 million raised", "two point five million dollars raised"),
        # percentages and units
        ("Up 15% today.", "Up fifteen percent today."),
        ("Run 5 km, lift 1 kg.", "Run five kilometers, lift one kilogram."),
        # dates
        ("Born on 2024-01-15.", "Born on January fifteenth, twenty twenty-four."),
        ("Due 12/25/2023.", "Due December twenty-fifth, twenty twenty-three."),
        ("On Jan. 3rd, 2025 we met.", "On January third, twenty twenty-five we met."),
        ("Back in 1984 it rained.", "Back in nineteen eighty-four it rained."),
        # times
        ("Meet at 10:30 am.", "Meet at ten thirty a m."),
        ("Dinner at 7:05 pm tonight", "Dinner at seven oh five p m tonight"),
        ("Lunch at 12:00.", "Lunch at twelve o'clock."),
        ("The train leaves at 14:45.", "The train leaves at fourteen forty-five."),
        ("Call me at 5 pm.", "Call me at five p m."),
        # abbreviations
        ("Dr. Smith met Mr. Jones.", "Doctor Smith met Mister Jones."),
        ("We visited St. Paul on Baker St. today.", "We visited Saint Paul on Baker Street today."),
        ("Fruit, e.g. apples, etc.", "Fruit, for example apples, et cetera."),
        ("Cats vs. dogs", "Cats versus dogs"),
        # symbols
        ("Salt & pepper", "Salt and pepper"),
        ("2 + 2 = 4", "two plus two equals four"),
        ("Write to me @ home", "Write to me at home"),
        ("yes/no", "yes or no"),
    ],
)
def test_normalize(text: str, spoken: str) -> None:
    assert normalize(text) == spoken


def test_control_and_format_characters_are_stripped() -> None:
    assert clean("Hel\x00lo\x07 wor\u200bld\r\n\tagain\x1b") == "Hello world again"
    assert clean("\x00\x01 \u200b") == ""


def test_prepare_refuses_nothing_but_yields_nothing_for_text_without_words() -> None:
    assert prepare("... !!! ???") == []
    assert prepare("   ") == []


def test_sentences_are_split_in_order_and_keep_every_word() -> None:
    text = 'First sentence here. Second one! A third? Yes, the fourth. "Quoted fifth." Sixth.'
    pieces = split_sentences(text)

    assert pieces == [
        "First sentence here.",
        "Second one!",
        "A third?",
        "Yes, the fourth.",
        '"Quoted fifth."',
        "Sixth.",
    ]
    assert " ".join(pieces).split() == text.split()


def test_long_sentences_are_cut_at_clauses_then_words_and_the_first_piece_is_short() -> None:
    long = (
        "This sentence is deliberately long, with several clauses separated by commas, semicolons; "
        "and it keeps going well beyond the length that a single synthesis piece should have, "
        "so that the splitter must cut it somewhere sensible rather than in the middle of a word "
        "and then carry on with the remaining words without losing any of them at all."
    )
    text = long + " " + " ".join(["word"] * 120) + "."

    pieces = split_sentences(text, max_chars=120, first_max_chars=60)

    assert len(pieces[0]) <= 60
    assert all(len(piece) <= 120 for piece in pieces)
    assert " ".join(pieces).split() == text.split()
    assert pieces[0].endswith(","), "the first cut falls on a clause boundary"
