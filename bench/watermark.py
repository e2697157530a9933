"""Watermark benchmark: is every output found, is nothing else, what does it cost?

Usage:
    .venv/bin/python bench/watermark.py            # every recording of the data set, 20 sentences
    .venv/bin/python bench/watermark.py --quick    # 12 recordings, 6 sentences

Sets of audio, each read by the detector as it is and after three attacks (MP3 at 64 kbit/s
and decoded, resampled to 16 kHz, white noise added at 20 dB SNR):
- unmarked real recordings: every recording of the data set (LibriSpeech, LibriTTS,
  LJSpeech, VCTK, JFK), whole;
- unmarked built-in speech: the engine with the mark switched off;
- marked built-in speech: the engine as it runs in the service (every piece marked);
- marked real recordings: the same recordings as above, marked (as a cloned voice's output
  would be: other speakers, other timbres than the built-in voice).

Naturalness: DistillMOS of the same audio with and without the mark (the built-in sentences
rendered once, marked afterwards at the output rate; the real recordings). Cost: seconds of
one CPU core per second of audio to add the mark and to detect it. The process is pinned to
one thread. Writes bench/results/watermark.md and watermark.json.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
sys.path.insert(0, str(ROOT))

from tests.support.audio_attacks import ATTACKS  # noqa: E402  (after the path is set)

# Ordinary, short, numeric and long sentences.
SENTENCES = [
    "The train to the coast leaves from platform four in ten minutes.",
    "He fixed the old radio with a paper clip and some patience.",
    "Our garden is full of tomatoes, beans and far too many weeds this year.",
    "Would you like your coffee with milk, or just black?",
    "The museum opens late on Thursdays, so we can go after work.",
    "Snow fell all night and covered the cars parked along the street.",
    "Please read the instructions twice before you start the engine.",
    "A quiet voice at the back of the room asked the best question of the day.",
    "They walked along the river until the lights of the town appeared.",
    "The library returned my letter with a polite note and a small fine.",
    "Hello.",
    "Yes, of course.",
    "The invoice number is four seven one two, due on the third of March.",
    "She sells sea shells by the sea shore.",
    "A short pause, then a longer sentence follows with several clauses, commas and a question at the end?",
    "Thank you for calling; your call is important to us.",
    "Numbers like 3.14 and dates like 12 May 2024 are read out in words.",
    "Quietly, the cat slipped through the open window.",
    "Good morning everyone, and welcome to the quarterly review.",
    "Please hold the line.",
]
RATE = 22050


def _detections(items: list[tuple[Any, int]]) -> dict[str, list[float]]:
    from speech.watermark import detect_watermark

    return {
        name: [detect_watermark(*attack(samples, rate)).confidence for samples, rate in items]
        for name, attack in ATTACKS.items()
    }


def _rates(confidences: dict[str, list[float]]) -> dict[str, Any]:
    from speech.watermark import WATERMARK_THRESHOLD

    return {
        name: {
            "detected": round(sum(c >= WATERMARK_THRESHOLD for c in values) / len(values), 4),
            "n": len(values),
            "confidence_min": round(min(values), 4),
            "confidence_median": round(statistics.median(values), 4),
            "confidence_max": round(max(values), 4),
        }
        for name, values in confidences.items()
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()

    import numpy as np
    import soundfile as sf
    import torch

    torch.set_num_threads(1)
    from speech.engine import RenderOptions, render_text
    from speech.naturalness import naturalness
    from speech.text import prepare
    from speech.watermark import WATERMARK_THRESHOLD, apply_watermark, detect_watermark
    from tests.support.speech_data import recordings

    clips = recordings()
    sentences = SENTENCES
    if args.quick:
        clips, sentences = clips[::6], SENTENCES[:6]

    real = []
    for clip in clips:
        samples, rate = sf.read(clip.path, dtype="float32")
        real.append((samples if samples.ndim == 1 else samples.mean(axis=1), int(rate)))

    marked_options = RenderOptions(sample_rate=RATE)
    unmarked_options = RenderOptions(sample_rate=RATE, watermark=False)
    builtin_unmarked = [(render_text(prepare(text), options=unmarked_options), RATE) for text in sentences]
    builtin_marked = [(render_text(prepare(text), options=marked_options), RATE) for text in sentences]

    # Cost, one core: mark and detect every real recording.
    audio_seconds = sum(len(s) / r for s, r in real)
    started = time.process_time()
    real_marked = [(apply_watermark(s, r), r) for s, r in real]
    mark_cost = (time.process_time() - started) / audio_seconds
    started = time.process_time()
    for s, r in real_marked:
        detect_watermark(s, r)
    detect_cost = (time.process_time() - started) / audio_seconds

    sets = {
        "unmarked_real": real,
        "unmarked_builtin": builtin_unmarked,
        "marked_builtin": builtin_marked,
        "marked_real": real_marked,
    }
    detection = {name: _rates(_detections(items)) for name, items in sets.items()}

    def mos_pairs(items: list[tuple[Any, int]]) -> dict[str, float]:
        before = [naturalness(s, r) for s, r in items]
        after = [naturalness(apply_watermark(s, r), r) for s, r in items]
        drops = [b - a for b, a in zip(before, after, strict=True)]
        return {
            "unmarked": round(statistics.mean(before), 3),
            "marked": round(statistics.mean(after), 3),
            "mean_drop": round(statistics.mean(drops), 3),
            "worst_drop": round(max(drops), 3),
            "n": len(items),
        }

    mos = {"builtin": mos_pairs(builtin_unmarked), "real": mos_pairs(real)}
    residual_db = [
        float(20 * np.log10(np.sqrt(np.mean((m - s) ** 2)) / max(np.sqrt(np.mean(s**2)), 1e-9)))
        for (s, _), (m, _) in zip(real, real_marked, strict=True)
    ]

    result = {
        "machine": {"python": platform.python_version(), "processor": platform.processor() or platform.machine()},
        "threshold": WATERMARK_THRESHOLD,
        "quick": args.quick,
        "audio_seconds_marked": round(audio_seconds, 1),
        "cost_cpu_seconds_per_audio_second": {"mark": round(mark_cost, 4), "detect": round(detect_cost, 4)},
        "detection": detection,
        "distillmos": mos,
        "mark_level_db_below_signal": {
            "median": round(-statistics.median(residual_db), 1),
            "smallest": round(-max(residual_db), 1),
        },
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "watermark.json").write_text(json.dumps(result, indent=2) + "\n")
    lines = [
        "# Watermark",
        "",
        f"PerthNet (resemble-perth 1.0.1), threshold {WATERMARK_THRESHOLD}; `bench/watermark.py`"
        + (" --quick" if args.quick else "")
        + f"; one CPU thread ({result['machine']['processor']}).",
        "",
        "Share of each set the detector calls marked (median confidence in brackets):",
        "",
        "| set | n | " + " | ".join(ATTACKS) + " |",
        "|---|---|" + "---|" * len(ATTACKS),
    ]
    for name, rates in detection.items():
        cells = [f"{rates[a]['detected']:.1%} ({rates[a]['confidence_median']:.2f})" for a in ATTACKS]
        lines.append(f"| {name} | {rates['none']['n']} | " + " | ".join(cells) + " |")
    highest_unmarked = max(
        rates[a]["confidence_max"] for name, rates in detection.items() if name.startswith("unmarked") for a in ATTACKS
    )
    lowest_marked = min(
        rates[a]["confidence_min"] for name, rates in detection.items() if name.startswith("marked") for a in ATTACKS
    )
    lines += [
        "",
        f"Highest confidence on unmarked audio: {highest_unmarked:.3f}; lowest on marked audio: {lowest_marked:.3f}.",
        "",
        "DistillMOS, the same audio without and with the mark:",
        "",
        "| audio | n | unmarked | marked | mean drop | worst drop |",
        "|---|---|---|---|---|---|",
    ]
    for name, m in mos.items():
        lines.append(f"| {name} | {m['n']} | {m['unmarked']} | {m['marked']} | {m['mean_drop']} | {m['worst_drop']} |")
    lines += [
        "",
        f"Cost per second of audio, one core: mark {mark_cost * 1000:.1f} ms, detect {detect_cost * 1000:.1f} ms "
        f"(over {audio_seconds:.0f} s of recordings).",
        f"The added signal is {result['mark_level_db_below_signal']['median']} dB below the speech "
        f"(median; {result['mark_level_db_below_signal']['smallest']} dB at the loudest).",
        "",
    ]
    (RESULTS / "watermark.md").write_text("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
