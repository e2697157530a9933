# ruff: noqa: RUF001 (Japanese text: full-width punctuation is what it is written with)
"""Japanese text for Kokoro: sentences, the reading with each word's symbols, and the engine
speaking it with word times from its own durations."""

from __future__ import annotations

import time

import numpy as np
import pytest

from speech import japanese
from speech.engines import ENGINES, parse_voice
from speech.script import Piece, Run, Script, compose

WORDS = ["今日", "は", "良い", "天気", "です", "ね", "明日", "は", "雨", "でしょ", "うか"]
TEXT = "今日は良い天気ですね。明日は雨でしょうか？「はい」と彼は言った。"


def test_japanese_text_is_split_at_its_own_sentence_ends() -> None:
    assert japanese.split_sentences(TEXT) == [
        "今日は良い天気ですね。",
        "明日は雨でしょうか？",
        "「はい」と彼は言った。",
    ]
    # Past the limit a sentence is cut at its commas, and where it has none, every max_chars.
    long = "、".join(["とても長い文です"] * 20) + "。"
    pieces = japanese.split_sentences(long, max_chars=40)
    assert all(len(piece) <= 40 for piece in pieces) and "".join(pieces) == long
    unbroken = "あ" * 250
    assert [len(piece) for piece in japanese.split_sentences(unbroken)] == [100, 100, 50]
    assert japanese.split_sentences("。。！？ 、") == []


def test_splitting_stays_linear_on_a_long_unbroken_text() -> None:
    small, large = "あ、" * 5_000, "あ、" * 50_000
    started = time.perf_counter()
    japanese.split_sentences(small)
    first = time.perf_counter() - started
    started = time.perf_counter()
    assert len(japanese.split_sentences(large)) == 1_000
    assert time.perf_counter() - started < 40 * first + 0.5  # ten times the text, not a hundred


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("こんにちは、世界。", True),
        ("Voxifyは音声合成のサービスです。", True),
        ("I like the word ポケモン in a long English sentence.", False),
        ("漢字だけ", True),
        ("中文没有假名", False),
        ("Hello there.", False),
    ],
)
def test_a_text_written_in_japanese_is_recognised(text: str, expected: bool) -> None:
    assert japanese.looks_japanese(text) is expected


def test_the_reading_knows_which_symbols_each_word_has() -> None:
    reading = japanese.read("今日は良い天気です。2026年に会いましょう！")
    assert [word.written for word in reading.words][:5] == ["今日", "は", "良い", "天気", "です"]
    assert reading.symbols.startswith("kʲoː βa joi teŋkʲi desɨ")
    spans = [reading.symbols[word.first : word.end] for word in reading.words]
    assert spans[:5] == ["kʲoː", "βa", "joi", "teŋkʲi", "desɨ"]
    assert all(" " not in span and span for span in spans)
    assert all(a.end <= b.first for a, b in zip(reading.words, reading.words[1:], strict=False))
    assert japanese.read("").symbols == "" and japanese.read("").words == ()


def test_japanese_pieces_skip_english_normalisation_and_keep_their_language() -> None:
    script = compose([Run("text", "3時に会いましょう。Dr. 田中さん。")], language="ja")
    assert [piece.text for piece in script.pieces] == ["3時に会いましょう。", "Dr. 田中さん。"]
    assert {piece.language for piece in script.pieces} == {"ja"}
    english = compose([Run("text", "Meet Dr. Tanaka at 3.")])
    assert english.pieces[0].text == "Meet Doctor Tanaka at three." and english.pieces[0].language == "en"
    again = Script.from_json(script.to_json())
    assert again == script and Piece.from_json(Piece("x").to_json()).language == "en"


def test_kokoro_speaks_japanese_with_each_words_time() -> None:
    spoken = ENGINES["kokoro"].speak(
        "今日は良い天気ですね。明日は雨でしょうか。", parse_voice("jf_alpha"), aligned=True, language="ja"
    )
    duration = len(spoken.audio) / spoken.rate
    assert 2.0 < duration < 8.0
    assert [w.word for w in spoken.words] == WORDS
    assert all(0 <= w.start < w.end <= duration for w in spoken.words)
    assert all(a.end <= b.start + 1e-3 for a, b in zip(spoken.words, spoken.words[1:], strict=False))
    # Every word's span holds sound, and the sentence end between ね and 明日 is a pause.
    for word in spoken.words:
        span = spoken.audio[int(word.start * spoken.rate) : int(word.end * spoken.rate)]
        assert np.sqrt(np.mean(span**2)) > 0.01, word
    assert spoken.words[6].start - spoken.words[5].end > 0.1
    with pytest.raises(ValueError, match="does not read"):
        ENGINES["piper"].speak("今日は", parse_voice("piper-en_US-joe-medium"), language="ja")
