"""Japanese on the Kokoro voices: how fast they read (the request budget's characters per
second), what it costs, and how natural it sounds next to the same voices reading English.

Usage: .venv/bin/python bench/japanese.py

In one process pinned to one core: every Kokoro style and one blend read SENTENCES (Japanese,
written for this bench) through the whole engine (``speech.engine.render_text`` on the pieces
``speech.script.compose`` makes with ``language="ja"``), and ENGLISH for comparison. Reported
per voice: characters of text per second of speech (the engine's pause between pieces left
out, as the budget counts it apart), seconds of work per second of audio, and DistillMOS
(mean and worst sentence). Intelligibility is not measured: the only recogniser that ships
its weights here (Whisper tiny.en) reads English only.

Writes bench/results/japanese.md and bench/results/japanese.json.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SENTENCES = [
    "今日は朝から雨が降っていたので、駅まで傘をさして歩きました。",
    "来週の会議は火曜日の午後三時から、三階の大きな部屋で行います。",
    "この本は子どもにも読みやすく、絵もとてもきれいです。",
    "新しい駅の近くに、小さなパン屋さんが開店しました。",
    "電車が遅れているため、到着は15分ほど遅くなる予定です。",
    "彼女は毎朝6時に起きて、公園を1時間走っています。",
    "窓を開けると、遠くの山がはっきりと見えました。",
    "お問い合わせは、平日の午前9時から午後5時までです。",
]
ENGLISH = [
    "Yesterday the committee agreed to publish the report before the end of the month.",
    "Please remember to bring your umbrella, because the forecast promises heavy rain.",
    "The old lighthouse keeper told stories about ships that vanished in the fog.",
]
VOICES = ("jf_alpha", "jf_gongitsune", "jf_nezumi", "jf_tebukuro", "jm_kumo", "jf_alpha(1)+jm_kumo(1)")


def measure(voice: str, texts: list[str], language: str) -> dict[str, Any]:
    from speech.engine import PAUSE_S, RenderOptions, render_text
    from speech.naturalness import naturalness
    from speech.script import Run, compose

    options = RenderOptions(sample_rate=24_000)
    render_text(compose([Run("text", texts[0])], language=language).pieces, options=options, base=voice)  # warm
    work = audio_s = characters = 0.0
    scores = []
    for text in texts:
        pieces = compose([Run("text", text)], language=language).pieces
        started = time.perf_counter()
        samples = render_text(pieces, options=options, base=voice)
        work += time.perf_counter() - started
        seconds = len(samples) / options.sample_rate
        audio_s += seconds
        characters += sum(len(piece.text) for piece in pieces) / max(seconds - PAUSE_S * len(pieces), 0.1)
        scores.append(naturalness(samples, options.sample_rate))
    return {
        "characters_per_second": round(characters / len(texts), 2),
        "rtf": round(work / audio_s, 3),
        "distillmos": round(statistics.mean(scores), 2),
        "distillmos_min": round(min(scores), 2),
    }


def main() -> None:
    os.sched_setaffinity(0, [sorted(os.sched_getaffinity(0))[0]])
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "voxify_project.settings")
    results = {voice: {"ja": measure(voice, SENTENCES, "ja"), "en": measure(voice, ENGLISH, "en")} for voice in VOICES}
    machine = f"{platform.machine()}, {os.cpu_count()} cores (1 used), Python {platform.python_version()}"
    pace = statistics.mean(r["ja"]["characters_per_second"] for r in results.values())
    (ROOT / "bench/results/japanese.json").write_text(
        json.dumps({"machine": machine, "voices": results, "mean_characters_per_second": round(pace, 2)}, indent=2)
    )
    lines = [
        "# Japanese on the Kokoro voices",
        "",
        f"Machine: {machine}. `bench/japanese.py`: {len(SENTENCES)} Japanese sentences (kana, kanji and",
        f"numbers) and {len(ENGLISH)} English ones through the whole engine, one core. Characters per",
        "second: of the text the engine reads, over the speech (the pause after each piece left out).",
        "",
        "| voice | ja characters/s | ja RTF | ja DistillMOS (worst) | en DistillMOS (worst) | en RTF |",
        "|---|---|---|---|---|---|",
    ]
    for voice, r in results.items():
        ja, en = r["ja"], r["en"]
        lines.append(
            f"| `{voice}` | {ja['characters_per_second']} | {ja['rtf']} | {ja['distillmos']} ({ja['distillmos_min']}) "
            f"| {en['distillmos']} ({en['distillmos_min']}) | {en['rtf']} |"
        )
    lines += [
        "",
        f"Mean pace: {pace:.2f} characters of Japanese per second of speech (speech/japanese.py's",
        "CHARACTERS_PER_SECOND is set from it). Intelligibility is not measured: no Japanese speech",
        "recogniser ships its weights here (Whisper tiny.en reads English only). DistillMOS was trained",
        "on English speech; its Japanese figures compare voices with each other, not with English.",
    ]
    (ROOT / "bench/results/japanese.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
