"""Engine benchmark: real-time factor of every engine on one and two threads, a Kokoro-based
clone's, and the resident memory of a process with both engines loaded.

Usage: .venv/bin/python bench/engines.py

Each measurement runs in a fresh process pinned to one core, then to two (its CPU affinity): it
loads the engines, warms them up on one sentence, then speaks
SENTENCES through the whole engine (``speech.engine.render_text``: the engine, the watermark,
levelling, resampling) and reports seconds of work per second of audio (median of three
passes) and the peak resident memory. The clone is the psola-filter-classes artefact of a
15 s LibriSpeech recording trained with ``base`` = a Kokoro voice.

Writes bench/results/engines.md and bench/results/engines.json.
"""

from __future__ import annotations

import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SENTENCES = [
    "Yesterday the committee agreed to publish the report before the end of the month.",
    "Please remember to bring your umbrella, because the forecast promises heavy rain.",
    "The old lighthouse keeper told stories about ships that vanished in the fog.",
]
CLONE_CLIP = "librispeech/1998/1998-15444-0000.wav"  # a woman's recording
CLONE_BASE = "jf_nezumi"
VOICES = ("piper-en_US-joe-medium", "jf_alpha", "jm_kumo", "jf_alpha(1)+jm_kumo(1)")


def child(threads: int) -> None:
    """In a fresh process on ``threads`` cores: every voice's RTF, then the clone's."""
    os.sched_setaffinity(0, range(threads))  # before any model starts its thread pool
    import soundfile as sf

    from speech.engine import RenderOptions, render_text
    from speech.text import prepare
    from speech.training import train_voice
    from speech.voice_methods.base import TrainingConfig
    from tests.support.speech_data import SPEECH_DIR

    def rtf(**voice: Any) -> float:
        render_text(prepare("Warming up the engine."), options=RenderOptions(), **voice)
        passes = []
        for _ in range(3):
            work = audio = 0.0
            for text in SENTENCES:
                started = time.perf_counter()
                samples = render_text(prepare(text), options=RenderOptions(), **voice)
                work += time.perf_counter() - started
                audio += len(samples) / RenderOptions().sample_rate
            passes.append(work / audio)
        return round(statistics.median(passes), 3)

    out: dict[str, Any] = {"threads": threads, "voices": {v: rtf(base=v) for v in VOICES}}
    samples, rate = sf.read(SPEECH_DIR / CLONE_CLIP, dtype="float32")
    started = time.perf_counter()
    artefact = train_voice(
        samples, rate, config=TrainingConfig(base=CLONE_BASE), progress=lambda p, m: None, should_stop=lambda: False
    )
    out["clone_training_s"] = round(time.perf_counter() - started, 1)
    out["clone_rtf"] = rtf(voice=artefact)
    out["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    print(json.dumps(out))


def run(threads: int) -> dict[str, Any]:
    """The child on ``threads`` cores, every library told the same."""
    env = {**os.environ, "OMP_NUM_THREADS": str(threads), "OPENBLAS_NUM_THREADS": str(threads)}
    done = subprocess.run(
        [sys.executable, __file__, "--child", str(threads)], env=env, capture_output=True, text=True, check=True
    )
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    if sys.argv[1:2] == ["--child"]:
        child(int(sys.argv[2]))
        return
    results = [run(1), run(2)]
    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    (ROOT / "bench/results/engines.json").write_text(json.dumps({"machine": machine, "runs": results}, indent=2))
    lines = [
        "# Engines: real-time factor and memory",
        "",
        f"Machine: {machine}. `bench/engines.py`; seconds of work per second of audio through the whole",
        "engine (watermark, levelling, resampling included), median of three passes over three sentences.",
        "",
        "| threads | "
        + " | ".join(f"`{v}`" for v in VOICES)
        + f" | clone on `{CLONE_BASE}` | training (s) | peak RSS (MB) |",
        "|---" * (len(VOICES) + 4) + "|",
    ]
    for r in results:
        cells = [str(r["voices"][v]) for v in VOICES]
        lines.append(
            f"| {r['threads']} | "
            + " | ".join(cells)
            + f" | {r['clone_rtf']} | {r['clone_training_s']} | {r['peak_rss_mb']} |"
        )
    lines += [
        "",
        "Peak RSS is the process that loaded both engines, the speaker encoders, DistillMOS and Whisper",
        "(training judges with them), spoke every voice and trained the clone.",
    ]
    (ROOT / "bench/results/engines.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
