"""SSML read into the engine's pieces: what each element makes, and the errors for markup
that is malformed or outside the supported subset (position and element named)."""

from __future__ import annotations

import pytest

from speech.script import JOIN_PAUSE_S, PARAGRAPH_PAUSE_S, Piece, Script, compose, plain
from speech.ssml import LETTERS_IPA, SSMLError, looks_like_ssml, parse
from speech.text import prepare
from speech.tts import unknown_phonemes


def script(markup: str) -> Script:
    return compose(parse(markup, phonemes_check=unknown_phonemes))


def test_plain_text_makes_the_same_pieces_as_before() -> None:
    text = "Dr. Smith paid $3.50 at 10:30. Then he left! It was 2024-01-05."
    assert [piece.text for piece in plain(text).pieces] == prepare(text)
    assert all(piece == Piece(piece.text) for piece in plain(text).pieces)
    assert plain(text).written == text


def test_speak_root_is_recognised() -> None:
    assert looks_like_ssml('  <?xml version="1.0"?>\n<speak version="1.1">Hi</speak>')
    assert looks_like_ssml("<speak>Hi</speak>")
    assert not looks_like_ssml("I <speak> softly")
    assert not looks_like_ssml("<speaker>Hi</speaker>")


def test_breaks_end_a_piece_with_their_silence() -> None:
    made = script('<speak>One two<break time="700ms"/>three. Four.<break strength="strong"/> Five.</speak>')
    assert made.pieces == [
        Piece("One two", pause=0.7),
        Piece("three."),
        Piece("Four.", pause=0.7),
        Piece("Five."),
    ]
    assert made.written == "One two three. Four. Five."
    # Breaks in a row add up; a leading break is silence before the first word.
    made = script('<speak><break time="1s"/>Hi<break time="1s"/><break time="0.5s"/>there</speak>')
    assert made.pieces == [Piece("", pause=1.0), Piece("Hi", pause=1.5), Piece("there")]


def test_paragraphs_sentences_and_prosody_spans() -> None:
    made = script("<speak><p><s>First one</s><s>second one</s></p><p>Next paragraph.</p></speak>")
    assert made.pieces == [Piece("First one"), Piece("second one", pause=PARAGRAPH_PAUSE_S), Piece("Next paragraph.")]
    made = script('<speak>Say <prosody rate="50%" pitch="+12st" volume="-6dB">this slowly</prosody> please.</speak>')
    slow = made.pieces[1]
    assert made.pieces[0] == Piece("Say", pause=JOIN_PAUSE_S)
    assert (slow.text, slow.speed, slow.pitch, slow.pause) == ("this slowly", 0.5, 2.0, JOIN_PAUSE_S)
    assert slow.volume == pytest.approx(0.501, abs=0.001)
    assert made.pieces[2] == Piece("please.")
    nested = script('<speak><prosody rate="fast"><prosody rate="fast">quick</prosody></prosody></speak>')
    assert nested.pieces[0].speed == pytest.approx(1.5625)


def test_say_as_sub_and_phoneme() -> None:
    made = script(
        '<speak>Dial <say-as interpret-as="telephone">+1 555-0100</say-as> on '
        '<say-as interpret-as="date" format="dmy">05/01/2024</say-as> at '
        '<say-as interpret-as="time">9:30pm</say-as>, the <say-as interpret-as="ordinal">3</say-as> time of '
        '<say-as interpret-as="cardinal">1,204</say-as>. <sub alias="World Wide Web">WWW</sub> '
        '<phoneme alphabet="ipa" ph="bˈætmæn">Bruce</phoneme></speak>'
    )
    assert made.pieces[0].text == (
        "Dial plus one, five five five, zero one zero zero on January fifth, twenty twenty-four at nine thirty p m, "
        "the third time of one thousand two hundred four."
    )
    assert made.pieces[1].text == "World Wide Web [[ bˈætmæn ]]"
    assert made.written == "Dial +1 555-0100 on 05/01/2024 at 9:30pm, the 3 time of 1,204. WWW Bruce"
    spelled = script('<speak><say-as interpret-as="characters">IBM</say-as></speak>')
    assert spelled.pieces == [Piece(", ".join(f"[[ {LETTERS_IPA[c]} ]]" for c in "ibm"))]
    assert spelled.written == "IBM"


def test_normalisation_can_be_turned_off() -> None:
    assert plain("It costs $5 on 3/4/2021.", normalized=False).pieces == [Piece("It costs $5 on 3/4/2021.")]


@pytest.mark.parametrize(
    ("markup", "line", "column", "element", "reason"),
    [
        ("<speak>Hello <emphasis>there</emphasis></speak>", 1, 14, "emphasis", "unsupported element"),
        ('<speak>\n  A <break time="20s"/></speak>', 2, 5, "break", "at most 10 s"),
        ('<speak><say-as interpret-as="color">red</say-as></speak>', 1, 8, "say-as", "interpret-as 'color'"),
        ('<speak><say-as interpret-as="cardinal">lots</say-as></speak>', 1, 8, "say-as", "not a number"),
        ('<speak><say-as interpret-as="date" format="dmy">31/02</say-as></speak>', 1, 8, "say-as", "format 'dmy'"),
        ('<speak><prosody rate="400%">x</prosody></speak>', 1, 8, "prosody", "outside 0.5-2"),
        ('<speak><prosody speed="fast">x</prosody></speak>', 1, 8, "prosody", "unsupported attribute 'speed'"),
        ("<speak><sub>x</sub></speak>", 1, 8, "sub", "alias is required"),
        ('<speak><phoneme alphabet="x-sampa" ph="a">x</phoneme></speak>', 1, 8, "phoneme", "alphabet"),
        ('<speak><phoneme ph="h€lo">x</phoneme></speak>', 1, 8, "phoneme", "no phoneme for '€'"),
        ('<speak><sub alias="a"><break/></sub></speak>', 1, 23, "break", "takes text only"),
        ("<speak><p><p>x</p></p></speak>", 1, 11, "p", "cannot stand inside <p>"),
        ("<speak>Hello <break time='1s'>now</break></speak>", 1, 14, "break", "takes no text"),
        ("<speak>Hello <s>there</speak>", 1, 24, "s", "mismatched tag"),
        ("<speak>Tom & Jerry</speak>", 1, 13, "speak", "not well-formed"),
        ("<voice>Hi</voice>", 1, 1, "voice", "unsupported element"),
        ('<!DOCTYPE speak [<!ENTITY a "aaaa">]><speak>&a;</speak>', 1, 17, None, "document type"),
    ],
)
def test_malformed_or_unsupported_markup_names_where_and_what(
    markup: str, line: int, column: int, element: str | None, reason: str
) -> None:
    with pytest.raises(SSMLError) as raised:
        script(markup)
    error = raised.value
    assert (error.line, error.column, error.element) == (line, column, element), str(error)
    assert reason in error.reason, error.reason
    if "well-formed" not in error.reason and element is not None:  # an element's own error points at its tag
        assert markup.splitlines()[line - 1][column - 1 :].startswith("<" + element)
