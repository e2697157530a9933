"""The sound-class method's pieces: alignment, classes and the correction they apply."""

from __future__ import annotations

import numpy as np
import pytest

from speech import cloning
from speech.cloning import VoiceArtefact
from speech.methods import METHOD_CLASSES
from speech.tts import PIPER_RATE, synthesize

TEXT = "She poured a cup of tea and watched the snow settle on the garden wall."


@pytest.fixture(scope="module")
def world() -> cloning._World:
    audio, _ = synthesize(TEXT)
    return cloning._analyse_world(audio, PIPER_RATE)


def plain_artefact() -> VoiceArtefact:
    # Identity pitch mapping and no warp: only the class correction changes anything.
    return VoiceArtefact(5.0, 0.2, 5.0, 0.2, 1.0, method=METHOD_CLASSES)


def test_speech_aligned_with_itself_needs_no_correction(world: cloning._World) -> None:
    keys, corrections, voiced = cloning._aligned_pairs(world, world.sp, world, partial=False)

    assert len(keys) == len(corrections) == len(voiced) > 300
    assert keys.shape[1] == len(cloning.CLASS_CONTEXT) * 24
    assert np.allclose(corrections, 0.0, atol=1e-9)
    assert voiced.any() and not voiced.all()


def test_a_slower_reading_aligns_with_small_corrections(world: cloning._World) -> None:
    # The same speech 30 % slower, as a recording read at another pace would be: frame
    # alignment should pair like with like, so the corrections stay far below the spread of
    # the envelopes themselves.
    slower = cloning._stretch_frames(world, 1.3)
    _, corrections, _ = cloning._aligned_pairs(world, world.sp, slower, partial=False)
    envelope_spread = np.std(cloning._mcep(world.sp, PIPER_RATE)[:, 1:25], axis=0).mean()

    assert np.abs(corrections[:, 1:25]).mean() < 0.25 * envelope_spread


def test_a_reference_of_the_first_words_only_finds_them_in_a_longer_sample(world: cloning._World) -> None:
    # A long sample's reference reads only its first MAX characters: subsequence alignment
    # pairs it with the matching stretch instead of spreading it over the whole sample.
    half = len(world.f0) // 2
    start = cloning._World(world.f0[:half].copy(), world.sp[:half].copy(), world.ap[:half].copy(), world.rate)

    _, partial, _ = cloning._aligned_pairs(start, start.sp, world, partial=True)
    _, forced, _ = cloning._aligned_pairs(start, start.sp, world, partial=False)

    assert np.abs(partial[:, 1:25]).mean() < 0.02
    # Forced to cover the whole sample, the reading's last frame absorbs the second half;
    # the subsequence alignment pairs it with itself.
    assert np.abs(partial[-1, 1:25]).mean() < 0.02
    assert np.abs(forced[-1, 1:25]).mean() > 0.1


def test_classes_carry_the_mean_correction_of_their_frames() -> None:
    rng = np.random.default_rng(0)
    keys = np.vstack([rng.normal(0, 0.1, (100, 72)), rng.normal(5, 0.1, (100, 72))])
    corrections = np.vstack([np.full((100, 40), 0.5), np.full((100, 40), -0.5)])
    voiced = np.ones(200, dtype=bool)

    classes = cloning._fit_classes(keys, corrections, voiced)

    assert classes.shape[1] == 1 + 72 + 40
    assert (classes[:, 0] == 1.0).all()  # only voiced frames were given
    # Every class lies within one of the two groups and carries that group's correction.
    for row in classes:
        group = 0.5 if row[1:73].mean() < 2.5 else -0.5
        assert np.allclose(row[73:], group)
    assert {round(float(row[73]), 1) for row in classes} == {0.5, -0.5}


def test_the_class_correction_is_applied_in_proportion_to_its_strength(world: cloning._World) -> None:
    keys, _, voiced = cloning._aligned_pairs(world, world.sp, world, partial=False)
    # A made-up correction of +0.3 on the first shape coefficient for every class.
    shifts = np.zeros((len(keys), 40))
    shifts[:, 1] = 0.3
    classes = cloning._fit_classes(keys, shifts, voiced)
    encoded = cloning._encode_rows(classes)
    base = cloning._mcep(world.sp, PIPER_RATE)
    voiced_frames = world.f0 > 0

    changed = {
        strength: cloning._mcep(
            cloning._class_envelope(world.sp, world.sp, voiced_frames, PIPER_RATE, encoded, strength), PIPER_RATE
        )
        for strength in (0.5, 1.0)
    }

    for strength, mcep in changed.items():
        middle = voiced_frames & (np.convolve(voiced_frames, np.ones(9), mode="same") == 9)  # away from edges
        assert np.median(mcep[middle, 1] - base[middle, 1]) == pytest.approx(0.3 * strength, abs=0.03)
        assert np.abs(mcep[:, 0] - base[:, 0]).max() < 0.05  # loudness left alone


def test_apply_voice_uses_the_classes_only_when_they_have_a_strength(world: cloning._World) -> None:
    audio, _ = synthesize(TEXT)
    keys, _, voiced = cloning._aligned_pairs(world, world.sp, world, partial=False)
    shifts = np.zeros((len(keys), 40))
    shifts[:, 1:5] = 0.4
    artefact = plain_artefact()
    with_classes = VoiceArtefact(
        **{**artefact.__dict__, "classes": cloning._encode_rows(cloning._fit_classes(keys, shifts, voiced))}
    )

    off = cloning.apply_voice(audio, PIPER_RATE, with_classes)
    on = cloning.apply_voice(audio, PIPER_RATE, VoiceArtefact(**{**with_classes.__dict__, "class_strength": 1.0}))

    assert len(off) == len(on) == len(audio)
    assert np.allclose(off, cloning.apply_voice(audio, PIPER_RATE, artefact), atol=1e-6)
    assert np.sqrt(np.mean((on - off) ** 2)) > 0.01 * np.sqrt(np.mean(off**2))
    assert VoiceArtefact.from_json(with_classes.to_json()) == with_classes
