"""Voice training benchmark: wall time and peak memory, and clone similarity per speaker.

Usage: .venv/bin/python bench/train.py [--quick]

1. Cost: trains on a 15 s LibriSpeech recording with the default config, in a fresh
   process, and reports wall time and peak resident memory (target: under 60 s on the
   2-core machine).
2. Quality: for every speaker in shared/data/speech with at least two recordings, trains on
   the first (enrolment) and compares, by Resemblyzer cosine, the converted speech of three
   test sentences with the speaker's other (held-out) recordings, next to plain Piper and
   the same-speaker ceiling (enrolment vs held out).

Writes bench/results/train.md and bench/results/train.json.
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.support.speech_data import recordings  # noqa: E402

SENTENCES = [
    "Yesterday the committee agreed to publish the report before the end of the month.",
    "Please remember to bring your umbrella, because the forecast promises heavy rain.",
    "The old lighthouse keeper told stories about ships that vanished in the fog.",
]
COST_CLIP = "librispeech/1688/1688-142285-0000.wav"


def cost_child() -> None:
    """Runs in a fresh process: load, train once with the default config, print JSON."""
    import soundfile as sf

    from speech.training import train_voice
    from speech.voice_methods.base import TrainingConfig
    from tests.support.speech_data import SPEECH_DIR

    samples, rate = sf.read(SPEECH_DIR / COST_CLIP, dtype="float32")
    started = time.perf_counter()
    artefact = train_voice(
        samples, rate, config=TrainingConfig(), progress=lambda p, m: None, should_stop=lambda: False
    )
    wall = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        json.dumps(
            {
                "clip": COST_CLIP,
                "duration_s": len(samples) / rate,
                "wall_s": round(wall, 2),
                "peak_rss_mb": round(peak_mb),
                "fit": artefact.fit,
                "validation": artefact.validation,
            }
        )
    )


def quality(quick: bool) -> list[dict[str, Any]]:
    import soundfile as sf

    from speech.embedding import cosine_similarity, speaker_embedding
    from speech.training import train_voice
    from speech.tts import PIPER_RATE, synthesize
    from speech.voice_methods import get_method
    from speech.voice_methods.base import TrainingConfig

    by_speaker = defaultdict(list)
    for clip in recordings():
        by_speaker[clip.path.parent.relative_to(clip.path.parents[1].parent)].append(clip)
    speakers = {name: clips for name, clips in sorted(by_speaker.items()) if len(clips) >= 2}
    if quick:
        speakers = dict(list(speakers.items())[:2])
    plain = [synthesize(text)[0] for text in SENTENCES]
    plain_embeddings = [speaker_embedding(audio, PIPER_RATE) for audio in plain]
    rows = []
    for name, clips in speakers.items():
        enrolment, held_out = clips[0], clips[1:]
        samples, rate = sf.read(enrolment.path, dtype="float32")
        started = time.perf_counter()
        artefact = train_voice(
            samples,
            rate,
            config=TrainingConfig(),
            progress=lambda p, m: None,
            should_stop=lambda: False,
            transcript=enrolment.transcript,
        )
        train_s = time.perf_counter() - started
        held = [speaker_embedding(*sf.read(c.path, dtype="float32")) for c in held_out]
        enrol_embedding = speaker_embedding(samples, rate)
        clones = [
            speaker_embedding(get_method(artefact.method).convert(audio, PIPER_RATE, artefact), PIPER_RATE)
            for audio in plain
        ]
        rows.append(
            {
                "speaker": str(name),
                "enrolment": enrolment.id,
                "held_out": len(held_out),
                "clone": round(statistics.mean(cosine_similarity(c, h) for c in clones for h in held), 4),
                "plain_piper": round(
                    statistics.mean(cosine_similarity(p, h) for p in plain_embeddings for h in held), 4
                ),
                "ceiling": round(statistics.mean(cosine_similarity(enrol_embedding, h) for h in held), 4),
                "warp_alpha": artefact.warp_alpha,
                "validation_wer": artefact.validation["wer"],
                "train_s": round(train_s, 1),
            }
        )
        print(rows[-1], flush=True)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="two speakers only")
    parser.add_argument("--cost-child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.cost_child:
        cost_child()
        return
    out = subprocess.run([sys.executable, __file__, "--cost-child"], capture_output=True, text=True, check=True)
    cost = json.loads(out.stdout.strip().splitlines()[-1])
    print("cost:", cost, flush=True)
    rows = quality(args.quick)
    summary = {
        key: round(statistics.mean(float(r[key]) for r in rows), 4) for key in ("clone", "plain_piper", "ceiling")
    }
    machine = {"python": platform.python_version(), "machine": platform.machine(), "cpus": __import__("os").cpu_count()}
    results = {
        "cost": cost,
        "speakers": rows,
        "mean": summary,
        "machine": machine,
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
    }
    folder = ROOT / "bench" / "results"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "train.json").write_text(json.dumps(results, indent=2) + "\n")
    lines = [
        "# Voice training benchmark",
        "",
        f"Run {results['date']} on {machine['cpus']} CPUs ({machine['machine']}), Python {machine['python']}.",
        "",
        "## Cost (default config, fresh process)",
        "",
        f"- recording: `{cost['clip']}` ({cost['duration_s']:.1f} s)",
        f"- training wall time: **{cost['wall_s']} s** (target: under 60 s), including model loading",
        f"- peak resident memory: **{cost['peak_rss_mb']} MB**",
        f"- search: {cost['fit']['evaluations']} evaluations over {cost['fit']['epochs_run']} epochs",
        "",
        "## Similarity to held-out recordings (Resemblyzer cosine)",
        "",
        "| speaker | held out | clone | plain Piper | ceiling (same speaker) | warp | WER | train s |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r['speaker']} | {r['held_out']} | {r['clone']} | {r['plain_piper']} | {r['ceiling']} | "
            f"{r['warp_alpha']} | {r['validation_wer']} | {r['train_s']} |"
        )
    lines += [
        "",
        f"Mean: clone {summary['clone']}, plain Piper {summary['plain_piper']}, ceiling {summary['ceiling']}.",
        "",
    ]
    (folder / "train.md").write_text("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
