"""The WORLD sound-class method's pieces: alignment, classes and the correction they apply;
voices trained before the methods became plug-ins still load and speak."""

from __future__ import annotations

import numpy as np
import pytest

from speech.dsp import world as w
from speech.dsp.classes import encode_rows, fit_classes
from speech.tts import PIPER_RATE, synthesize
from speech.voice_methods import load_artefact
from speech.voice_methods.world import WorldArtefact
from speech.voice_methods.world_classes import METHOD, aligned_pairs

METHOD_CLASSES = "world-f0-warp-classes"
VoiceArtefact = WorldArtefact

TEXT = "She poured a cup of tea and watched the snow settle on the garden wall."


@pytest.fixture(scope="module")
def world() -> w.World:
    audio, _ = synthesize(TEXT)
    return w.analyse(audio, PIPER_RATE)


def plain_artefact() -> VoiceArtefact:
    # Identity pitch mapping and no warp: only the class correction changes anything.
    return VoiceArtefact(5.0, 0.2, 5.0, 0.2, 1.0, method=METHOD_CLASSES)


def test_speech_aligned_with_itself_needs_no_correction(world: w.World) -> None:
    keys, corrections, voiced = aligned_pairs(world, world.sp, world, partial=False)

    assert len(keys) == len(corrections) == len(voiced) > 300
    assert keys.shape[1] == len((-3, 0, 3)) * 24
    assert np.allclose(corrections, 0.0, atol=1e-9)
    assert voiced.any() and not voiced.all()


def test_a_slower_reading_aligns_with_small_corrections(world: w.World) -> None:
    # The same speech 30 % slower, as a recording read at another pace would be: frame
    # alignment should pair like with like, so the corrections stay far below the spread of
    # the envelopes themselves.
    slower = w.stretch_frames(world, 1.3)
    _, corrections, _ = aligned_pairs(world, world.sp, slower, partial=False)
    envelope_spread = np.std(w.mcep(world.sp, PIPER_RATE)[:, 1:25], axis=0).mean()

    assert np.abs(corrections[:, 1:25]).mean() < 0.25 * envelope_spread


def test_a_reference_of_the_first_words_only_finds_them_in_a_longer_sample(world: w.World) -> None:
    # A long sample's reference reads only its first MAX characters: subsequence alignment
    # pairs it with the matching stretch instead of spreading it over the whole sample.
    half = len(world.f0) // 2
    start = w.World(world.f0[:half].copy(), world.sp[:half].copy(), world.ap[:half].copy(), world.rate)

    _, partial, _ = aligned_pairs(start, start.sp, world, partial=True)
    _, forced, _ = aligned_pairs(start, start.sp, world, partial=False)

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

    classes = fit_classes(keys, corrections, voiced, count=16, min_frames=20)

    assert classes.shape[1] == 1 + 72 + 40
    assert (classes[:, 0] == 1.0).all()  # only voiced frames were given
    # Every class lies within one of the two groups and carries that group's correction.
    for row in classes:
        group = 0.5 if row[1:73].mean() < 2.5 else -0.5
        assert np.allclose(row[73:], group)
    assert {round(float(row[73]), 1) for row in classes} == {0.5, -0.5}


def test_the_class_correction_is_applied_in_proportion_to_its_strength(world: w.World) -> None:
    keys, _, voiced = aligned_pairs(world, world.sp, world, partial=False)
    # A made-up correction of +0.3 on the first shape coefficient for every class.
    shifts = np.zeros((len(keys), 40))
    shifts[:, 1] = 0.3
    classes = fit_classes(keys, shifts, voiced, count=16, min_frames=20)
    artefact = VoiceArtefact(**{**plain_artefact().__dict__, "classes": encode_rows(classes)})
    base = w.mcep(world.sp, PIPER_RATE)
    voiced_frames = world.f0 > 0

    changed = {
        strength: w.mcep(METHOD.frame_envelope(world, world.sp, artefact, strength), PIPER_RATE)
        for strength in (0.5, 1.0)
    }

    for strength, mcep in changed.items():
        middle = voiced_frames & (np.convolve(voiced_frames, np.ones(9), mode="same") == 9)  # away from edges
        assert np.median(mcep[middle, 1] - base[middle, 1]) == pytest.approx(0.3 * strength, abs=0.03)
        assert np.abs(mcep[:, 0] - base[:, 0]).max() < 0.05  # loudness left alone


def test_apply_voice_uses_the_classes_only_when_they_have_a_strength(world: w.World) -> None:
    audio, _ = synthesize(TEXT)
    keys, _, voiced = aligned_pairs(world, world.sp, world, partial=False)
    shifts = np.zeros((len(keys), 40))
    shifts[:, 1:5] = 0.4
    artefact = plain_artefact()
    with_classes = VoiceArtefact(
        **{**artefact.__dict__, "classes": encode_rows(fit_classes(keys, shifts, voiced, count=16, min_frames=20))}
    )

    off = METHOD.convert(audio, PIPER_RATE, with_classes)
    on = METHOD.convert(audio, PIPER_RATE, VoiceArtefact(**{**with_classes.__dict__, "class_strength": 1.0}))

    assert len(off) == len(on) == len(audio)
    assert np.allclose(off, METHOD.convert(audio, PIPER_RATE, artefact), atol=1e-6)
    assert np.sqrt(np.mean((on - off) ** 2)) > 0.01 * np.sqrt(np.mean(off**2))
    assert load_artefact(with_classes.to_json()) == with_classes
    # The request's similarity overrides the voice's strength.
    assert np.allclose(METHOD.convert(audio, PIPER_RATE, with_classes, similarity=1.0), on, atol=1e-6)


def test_an_artefact_written_before_the_plug_ins_loads_and_speaks() -> None:
    """The exact JSON the WORLD methods wrote (format 1, flat fields) still loads by method."""
    written = {
        "class_strength": 0.0,
        "classes": "",
        "config": {"batch_size": 3, "epochs": 12, "learning_rate": 0.01},
        "envelope": [0.0, 0.1, -0.05],
        "f0_source_mean": 5.1,
        "f0_source_std": 0.15,
        "f0_target_mean": 5.5,
        "f0_target_std": 0.15,
        "fit": {"epochs_run": 5},
        "format": 1,
        "frames": "",
        "method": "world-f0-warp",
        "validation": {"similarity": 0.6},
        "warp_alpha": 1.1,
    }
    import json

    artefact = load_artefact(json.dumps(written).encode())
    audio, _ = synthesize(TEXT)

    from speech.voice_methods import get_method

    converted = get_method("world-f0-warp").convert(audio, PIPER_RATE, artefact)
    assert isinstance(artefact, WorldArtefact) and artefact.warp_alpha == 1.1
    assert len(converted) == len(audio)
    # log-F0 moved by 0.4 (x1.49): a shift that keeps the voice where the pitch tracker does not
    # jump octaves (a larger one put it near 450 Hz, tracked at half that in some runs)
    f0, source = w.analyse(converted, PIPER_RATE).f0, w.analyse(audio, PIPER_RATE).f0
    assert np.median(f0[f0 > 0]) > 1.3 * np.median(source[source > 0])
    with pytest.raises(ValueError):
        load_artefact(json.dumps({**written, "method": "no-such-method"}).encode())
    with pytest.raises(ValueError):
        load_artefact(json.dumps({**written, "format": 99}).encode())
