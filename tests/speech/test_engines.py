"""The engines' voices: blends are read, validated and normalised; each engine speaks its voices."""

from __future__ import annotations

import numpy as np
import pytest

from speech.engines import ENGINES, BaseVoice, builtin_voices, engine_of, parse_voice
from speech.engines.kokoro import to_kokoro
from tests.speech.test_engine import f0_track


def test_every_builtin_voice_is_its_own_voice_and_names_its_engine() -> None:
    voices = builtin_voices()
    assert voices[0][1].voice_id == "piper-en_US-joe-medium"
    assert {engine.name for engine, _ in voices} == {"piper", "kokoro"}
    assert {voice.gender for _, voice in voices} == {"female", "male"}
    for engine, voice in voices:
        assert parse_voice(voice.voice_id) == BaseVoice(engine.name, ((voice.voice_id, 1.0),))


@pytest.mark.parametrize(
    ("spec", "styles"),
    [
        ("jf_alpha(2)+jm_kumo(1)", (("jf_alpha", 0.6667), ("jm_kumo", 0.3333))),
        ("jf_alpha+jm_kumo", (("jf_alpha", 0.5), ("jm_kumo", 0.5))),
        ("jf_nezumi(0.5)", (("jf_nezumi", 1.0),)),
        ("jf_alpha(1) + jf_tebukuro(3)", (("jf_alpha", 0.25), ("jf_tebukuro", 0.75))),
    ],
)
def test_blends_are_normalised(spec: str, styles: tuple[tuple[str, float], ...]) -> None:
    voice = parse_voice(spec)
    assert (voice.engine, voice.styles) == ("kokoro", styles)
    assert parse_voice(voice.spec) == voice


@pytest.mark.parametrize(
    ("spec", "says"),
    [
        ("jf_alpha(2)+nobody(1)", "Unknown voice 'nobody'"),
        ("jf_alpha(0)", "above 0"),
        ("jf_alpha(101)", "at most 100"),
        ("jf_alpha(-1)", "is not a voice"),
        ("jf_alpha(x)", "is not a voice"),
        ("jf_alpha+jf_alpha", "twice"),
        ("jf_alpha+jm_kumo+jf_nezumi+jf_tebukuro+jf_gongitsune+jf_alpha", "at most 5"),
        ("jf_alpha+piper-en_US-joe-medium", "cannot be mixed"),
        ("jf_alpha+", "is not a voice"),
        ("jf_alpha(100)+jm_kumo(0.001)", "less than 0.001 of the blend"),
    ],
)
def test_bad_blends_say_what_is_wrong(spec: str, says: str) -> None:
    with pytest.raises(ValueError, match=r".*" + says.replace("(", r"\(")):
        parse_voice(spec)


def test_espeak_sounds_become_kokoros_symbols() -> None:
    assert to_kokoro("hˈeɪ dʒˈoʊ tʃˈɔːɹlz ɚ") == "hˈA ʤˈO ʧˈɔːɹlz əɹ"
    kokoro = ENGINES["kokoro"]
    assert kokoro.unknown_phonemes("bˈætmæn") is None
    assert "U+20AC" in (kokoro.unknown_phonemes("h€llo") or "")


def median_f0(samples: np.ndarray, rate: int) -> float:
    track = f0_track(samples, rate)
    return float(np.median(track[track > 0]))


def test_kokoro_speaks_each_style_and_a_blend_lies_between_its_styles() -> None:
    text = "A quiet morning walk along the river helps me think clearly."
    pitch = {}
    for spec in ("jf_alpha", "jm_kumo", "jf_alpha(1)+jm_kumo(1)"):
        voice = parse_voice(spec)
        spoken = engine_of(voice).speak(text, voice, aligned=True)
        assert spoken.rate == 24000 and len(spoken.audio) > 24000
        assert [w.word for w in spoken.words] == text.rstrip(".").split()
        pitch[spec] = median_f0(spoken.audio, spoken.rate)
    assert pitch["jm_kumo"] < pitch["jf_alpha(1)+jm_kumo(1)"] < pitch["jf_alpha"], pitch
    assert pitch["jf_alpha"] > 1.4 * pitch["jm_kumo"], pitch
