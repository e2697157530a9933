"""Consent check benchmark: how often does the speaker check let the wrong person through,
and refuse the right one?

Usage:
    .venv/bin/python bench/consent.py              # every pair of recordings, and the clones
    .venv/bin/python bench/consent.py --no-clones  # the speaker pairs only (a minute)

A consent recording is a few words, so each recording of the data set is cut to
``CONSENT_SECONDS`` of its middle and compared with every other recording whole, as the
enrolled sample (``speech.consent.speaker_scores``: Resemblyzer and d-vector cosine
similarity). Same speaker: two different recordings of one speaker (the speakers with more
than one recording); different speakers: every pair across speakers, all 20 speakers.

For each encoder alone, and for the rule the service uses (both at or above their
thresholds), it reports the false-accept rate (different-speaker pairs that pass) and the
false-reject rate (same-speaker pairs that fail) at the thresholds in ``speech.consent``, and
the equal-error point of each encoder.

Clones (unless ``--no-clones``): each speaker with more than one recording is trained on one
recording (``speech.training.train_voice``, the service's method) and the clone speaks a
consent phrase. Measured: how often the full check (``speech.consent.check_consent``)
refuses it, with the watermark and, to see what the speaker encoders do alone, on the same
audio with the mark left off. Writes bench/results/consent.md and consent.json.
"""

from __future__ import annotations

import argparse
import itertools
import json
import platform
import statistics
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
sys.path.insert(0, str(ROOT))

CONSENT_SECONDS = 3.0


def _middle(samples: Any, rate: int, seconds: float) -> Any:
    length = int(seconds * rate)
    if len(samples) <= length:
        return samples
    start = (len(samples) - length) // 2
    return samples[start : start + length]


def _rates(same: list[float], different: list[float], threshold: float) -> dict[str, float]:
    return {
        "threshold": threshold,
        "false_accept": round(sum(s >= threshold for s in different) / len(different), 4),
        "false_reject": round(sum(s < threshold for s in same) / len(same), 4),
    }


def _equal_error(same: list[float], different: list[float]) -> dict[str, float]:
    best = min(
        (abs(_rates(same, different, t)["false_accept"] - _rates(same, different, t)["false_reject"]), t)
        for t in sorted(same + different)
    )[1]
    return _rates(same, different, round(best, 3))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--no-clones", action="store_true")
    args = parser.parse_args()

    import soundfile as sf

    from speech.consent import DVECTOR_THRESHOLD, RESEMBLYZER_THRESHOLD, compare, sample_embeddings
    from tests.support.speech_data import recordings

    clips = recordings()
    audio: dict[str, tuple[Any, int]] = {}
    for clip in clips:
        samples, rate = sf.read(clip.path, dtype="float32")
        audio[clip.id] = (samples if samples.ndim == 1 else samples.mean(axis=1), int(rate))
    enrolled = {clip.id: sample_embeddings(*audio[clip.id]) for clip in clips}
    attempts = {
        clip.id: sample_embeddings(_middle(audio[clip.id][0], audio[clip.id][1], CONSENT_SECONDS), audio[clip.id][1])
        for clip in clips
    }

    scores: dict[str, dict[str, list[float]]] = {"same": defaultdict(list), "different": defaultdict(list)}
    both: dict[str, list[tuple[float, float]]] = {"same": [], "different": []}
    for sample, attempt in itertools.permutations(clips, 2):
        got = compare(attempts[attempt.id], enrolled[sample.id])
        kind = "same" if sample.speaker == attempt.speaker else "different"
        scores[kind]["resemblyzer"].append(got.resemblyzer)
        scores[kind]["dvector"].append(got.dvector)
        both[kind].append((got.resemblyzer, got.dvector))

    thresholds = {"resemblyzer": RESEMBLYZER_THRESHOLD, "dvector": DVECTOR_THRESHOLD}
    encoders: dict[str, dict[str, Any]] = {}
    for name, threshold in thresholds.items():
        same, different = scores["same"][name], scores["different"][name]
        encoders[name] = {
            "same_mean": round(statistics.mean(same), 3),
            "same_min": round(min(same), 3),
            "different_mean": round(statistics.mean(different), 3),
            "different_max": round(max(different), 3),
            "at_threshold": _rates(same, different, threshold),
            "equal_error": _equal_error(same, different),
        }

    def passes(pair: tuple[float, float]) -> bool:
        return pair[0] >= RESEMBLYZER_THRESHOLD and pair[1] >= DVECTOR_THRESHOLD

    grid = {
        f"{r:.2f}/{d:.2f}": (
            round(sum(a >= r and b >= d for a, b in both["different"]) / len(both["different"]), 4),
            round(sum(not (a >= r and b >= d) for a, b in both["same"]) / len(both["same"]), 4),
        )
        for r in (0.65, 0.68, 0.70, 0.72, 0.75)
        for d in (0.60, 0.65, 0.68, 0.70, 0.72)
    }
    rule = {
        "false_accept": round(sum(map(passes, both["different"])) / len(both["different"]), 4),
        "false_reject": round(sum(not passes(p) for p in both["same"]) / len(both["same"]), 4),
        "same_pairs": len(both["same"]),
        "different_pairs": len(both["different"]),
    }
    speakers = sorted({clip.speaker for clip in clips})
    result: dict[str, Any] = {
        "machine": {"python": platform.python_version(), "processor": platform.processor() or platform.machine()},
        "consent_seconds": CONSENT_SECONDS,
        "recordings": len(clips),
        "speakers": len(speakers),
        "encoders": encoders,
        "both_required": rule,
        "both_required_grid": grid,
    }
    result["phrases"] = _phrases()
    if not args.no_clones:
        result["clones"] = _clones(clips, audio)

    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "consent.json").write_text(json.dumps(result, indent=2) + "\n")
    lines = [
        "# Consent check: speaker verification",
        "",
        f"`bench/consent.py`: {len(clips)} recordings of {len(speakers)} speakers; each recording cut to its "
        f"middle {CONSENT_SECONDS:g} s (a consent phrase's length) and compared with every other recording "
        f"whole (the sample): {rule['same_pairs']} same-speaker and {rule['different_pairs']} "
        "different-speaker pairs.",
        "",
        "| encoder | same speaker mean (min) | different mean (max) | threshold | false accept | false reject "
        "| equal error (at) |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, e in encoders.items():
        at, eer = e["at_threshold"], e["equal_error"]
        lines.append(
            f"| {name} | {e['same_mean']} ({e['same_min']}) | {e['different_mean']} ({e['different_max']}) "
            f"| {at['threshold']} | {at['false_accept']:.2%} | {at['false_reject']:.2%} "
            f"| {eer['false_accept']:.2%} / {eer['false_reject']:.2%} ({eer['threshold']}) |"
        )
    lines += [
        "",
        f"Both required (the service's rule): false accept {rule['false_accept']:.2%}, "
        f"false reject {rule['false_reject']:.2%}.",
        "",
    ]
    p = result["phrases"]
    lines += [
        f"Phrases read by the built-in voice ({p['n']} drawn phrases, Whisper tiny.en): WER mean "
        f"{p['wer_mean']}, over the bound ({p['bound']}): {p['over_bound']}/{p['n']}; over one word in three: "
        f"{p['over_third']}/{p['n']}.",
        "",
    ]
    if "clones" in result:
        c = result["clones"]
        lines += [
            "Clones saying a consent phrase (each speaker with more than one recording, trained on one):",
            "",
            "| check | refused |",
            "|---|---|",
            f"| full check (the mark is there) | {c['refused_with_mark']}/{c['n']} |",
            f"| speaker and phrase only (the mark left off) | {c['refused_without_mark']}/{c['n']} |",
            "",
            "Per clone: " + "; ".join(f"{k}: {v}" for k, v in c["per_speaker"].items()),
            "",
        ]
    (RESULTS / "consent.md").write_text("\n".join(lines))
    print("\n".join(lines))


def _phrases(n: int = 30) -> dict[str, Any]:
    """How well Whisper hears drawn phrases said clearly (the built-in voice, no mark)."""
    from speech.consent import MAX_PHRASE_WER, new_phrase, phrase_wer
    from speech.engine import RenderOptions, render_text
    from speech.text import prepare
    from speech.transcription import transcribe

    rates = []
    for _ in range(n):
        phrase = new_phrase()
        heard = transcribe(render_text(prepare(phrase), options=RenderOptions(watermark=False)), 22050)
        rates.append(phrase_wer(phrase, heard))
    return {
        "n": n,
        "bound": MAX_PHRASE_WER,
        "wer_mean": round(statistics.mean(rates), 3),
        "over_bound": sum(r > MAX_PHRASE_WER for r in rates),
        "over_third": sum(r > 1 / 3 for r in rates),
    }


def _clones(clips: list[Any], audio: dict[str, tuple[Any, int]]) -> dict[str, Any]:
    """Train each multi-recording speaker's clone on its first recording; the clone says a
    phrase; the check runs with the mark and without it."""
    from speech.consent import check_consent, new_phrase, sample_embeddings
    from speech.engine import RenderOptions, render_text
    from speech.text import prepare
    from speech.training import train_voice
    from speech.voice_methods.base import TrainingConfig

    by_speaker: dict[str, list[Any]] = defaultdict(list)
    for clip in clips:
        by_speaker[clip.speaker].append(clip)
    per_speaker: dict[str, Any] = {}
    with_mark = without_mark = 0
    for speaker, own in sorted(by_speaker.items()):
        if len(own) < 2:
            continue
        samples, rate = audio[own[0].id]
        artefact = train_voice(
            samples,
            rate,
            config=TrainingConfig(),
            progress=lambda fraction, message: None,
            should_stop=lambda: False,
            transcript=own[0].transcript,
        )
        phrase = new_phrase()
        enrolled = sample_embeddings(samples, rate)
        verdicts = {}
        for marked in (True, False):
            spoken = render_text(prepare(phrase), options=RenderOptions(watermark=marked), voice=artefact)
            verdicts[marked] = check_consent(spoken, 22050, phrase=phrase, enrolled=enrolled)
        with_mark += not verdicts[True].passed
        without_mark += not verdicts[False].passed
        v = verdicts[False]
        per_speaker[speaker] = (
            f"resemblyzer {v.scores.resemblyzer:.2f}, dvector {v.scores.dvector:.2f}, WER {v.wer:.2f}, "
            f"reasons with the mark {list(verdicts[True].reasons)}, without {list(v.reasons)}"
        )
    return {
        "n": len(per_speaker),
        "refused_with_mark": with_mark,
        "refused_without_mark": without_mark,
        "per_speaker": per_speaker,
    }


if __name__ == "__main__":
    main()
