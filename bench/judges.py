"""Check the speech judges on real recordings before trusting them with cloned voices.

Usage:
    .venv/bin/python bench/judges.py

For every recording of shared/data/speech (one process, one core):
- identity, for both speaker encoders (Resemblyzer, ``speech.embedding``; the d-vector of
  ``speech.dvector``): the cosine similarity of every pair of recordings, split into pairs of
  the same speaker and pairs of different speakers (mean, min / max), and how often the
  nearest other recording belongs to the same speaker (speakers with two or more recordings);
- naturalness: DistillMOS (``speech.naturalness``) of every real recording, per data set.

Writes bench/results/judges.md and judges.json.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
sys.path.insert(0, str(ROOT))


def _pairs(embeddings: list[Any], speakers: list[str]) -> dict[str, Any]:
    import numpy as np

    matrix = np.stack(embeddings) @ np.stack(embeddings).T
    same: list[float] = []
    different: list[float] = []
    hits = total = 0
    count = len(speakers)
    for i in range(count):
        for j in range(i + 1, count):
            (same if speakers[i] == speakers[j] else different).append(float(matrix[i, j]))
        if sum(s == speakers[i] for s in speakers) >= 2:
            row = matrix[i].copy()
            row[i] = -np.inf
            hits += speakers[int(np.argmax(row))] == speakers[i]
            total += 1

    def describe(values: list[float]) -> dict[str, float]:
        return {
            "mean": round(statistics.mean(values), 3),
            "min": round(min(values), 3),
            "max": round(max(values), 3),
            "pairs": len(values),
        }

    return {
        "same": describe(same),
        "different": describe(different),
        "gap": round(statistics.mean(same) - statistics.mean(different), 3),
        "nearest_is_same_speaker": f"{hits}/{total}",
    }


def main() -> None:
    import soundfile as sf

    from speech.dvector import dvector_embedding
    from speech.embedding import speaker_embedding
    from speech.naturalness import naturalness
    from tests.support.speech_data import recordings

    os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    clips = recordings()
    speakers, resemblyzer, dvector = [], [], []
    mos: dict[str, list[float]] = defaultdict(list)
    for clip in clips:
        samples, rate = sf.read(clip.path, dtype="float32")
        if samples.ndim > 1:
            samples = samples.mean(axis=1)
        speakers.append(clip.speaker)
        resemblyzer.append(speaker_embedding(samples, rate))
        dvector.append(dvector_embedding(samples, rate))
        mos[clip.path.parts[-3]].append(naturalness(samples, rate))
    report: dict[str, Any] = {
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "recordings": len(clips),
        "speakers": len(set(speakers)),
        "resemblyzer": _pairs(resemblyzer, speakers),
        "dvector": _pairs(dvector, speakers),
        "distillmos": {
            name: {"mean": round(statistics.mean(v), 2), "min": round(min(v), 2), "max": round(max(v), 2), "n": len(v)}
            for name, v in sorted(mos.items())
        },
    }
    all_mos = [value for values in mos.values() for value in values]
    report["distillmos_all"] = {"mean": round(statistics.mean(all_mos), 2), "min": round(min(all_mos), 2)}
    lines = [
        "# The judges on real recordings",
        "",
        f"Run {report['date']}: {report['recordings']} recordings of {report['speakers']} speakers "
        "(shared/data/speech), every pair of recordings compared.",
        "",
        "| encoder | same speaker mean (min / max) | different speakers mean (min / max) | gap "
        "| nearest recording is the same speaker |",
        "|---|---|---|---|---|",
    ]
    for name in ("resemblyzer", "dvector"):
        r = report[name]
        lines.append(
            f"| {name} | {r['same']['mean']} ({r['same']['min']} / {r['same']['max']}) | "
            f"{r['different']['mean']} ({r['different']['min']} / {r['different']['max']}) | {r['gap']} | "
            f"{r['nearest_is_same_speaker']} |"
        )
    lines += ["", "| data set | DistillMOS mean | min | max | recordings |", "|---|---|---|---|---|"]
    for name, r in report["distillmos"].items():
        lines.append(f"| {name} | {r['mean']} | {r['min']} | {r['max']} | {r['n']} |")
    lines.append(f"| all | {report['distillmos_all']['mean']} | {report['distillmos_all']['min']} | | |")
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "judges.md").write_text("\n".join(lines) + "\n")
    (RESULTS / "judges.json").write_text(json.dumps(report, indent=2) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
