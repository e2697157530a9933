"""Clone quality benchmark: does a trained voice sound like its speaker, and stay intelligible?

Usage:
    .venv/bin/python bench/quality.py                 # every speaker with two or more recordings
    .venv/bin/python bench/quality.py --quick         # one speaker, for a check in a few minutes
    .venv/bin/python bench/quality.py --speakers 1688 LJ

It runs the service's own pipeline on a private embedded installation (a temporary
VOXIFY_VAR_DIR: SQLite, embedded Redis, local files, embedded Chroma): for each speaker it
uploads the enrolment recording through ``voice_sample_create``, trains it as a job through
the job runner (``voice_training_start`` + ``train_sample_work``), and speaks ten fixed
sentences with ``synthesize_now``, reading the stored WAV files back. The built-in voice
speaks the same sentences through the same call.

Measured per speaker (Resemblyzer cosine similarity between utterance embeddings):
- similarity: clone sentences vs the speaker's held-out recordings (never seen in training);
- margin: that similarity minus the mean similarity of the clone to every other speaker's
  recordings, and top-1 identification (is the target the nearest speaker to the clone?).
  Other speakers are all speakers in the data set, also those with a single recording;
- the same for the built-in voice (baseline), the same-speaker ceiling (enrolment vs held
  out) and the different-speaker floor (held out vs other speakers' recordings: mean, max);
- intelligibility: Whisper tiny.en word error rate of the ten sentences;
- an independent check: median F0 distance (semitones) between clone and held-out speech;
- cost: training wall time, synthesis real-time factor, artefact size.

The whole process is pinned to one CPU core, so the RTF is a one-core figure (training
times are one-core figures too). Writes bench/results/quality.md and quality.json
(``--out NAME`` changes the file names, e.g. to compare methods).
"""

from __future__ import annotations

import argparse
import io
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
sys.path.insert(0, str(ROOT))

from speech.methods import METHODS  # noqa: E402  (after the path is set)

SENTENCES = [
    "Yesterday the committee agreed to publish the report before the end of the month.",
    "Please remember to bring your umbrella, because the forecast promises heavy rain.",
    "The old lighthouse keeper told stories about ships that vanished in the fog.",
    "Could you tell me how to get to the railway station from here?",
    "Fresh bread, warm soup and a quiet evening were all she wanted after work.",
    "Our team scored three goals in the second half and won the final.",
    "I have never seen such a bright full moon over the mountains.",
    "Turn left at the second traffic light, then park behind the library.",
    "The children laughed when the puppy chased its own tail around the garden.",
    "We should finish the project first and celebrate on Friday evening.",
]


def _setup(var_dir: Path) -> Any:
    """A private embedded installation: settings, migrations, embedded Redis."""
    os.environ["VOXIFY_VAR_DIR"] = str(var_dir)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "voxify_project.settings")
    os.environ["LOG_LEVEL"] = "WARNING"
    for name in ("DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "CHROMA_URL", "STORAGE_BACKEND"):
        os.environ.pop(name, None)
    import django

    django.setup()
    from django.core.management import call_command

    from voxify_project.embedded_redis import start_embedded_redis

    redis = start_embedded_redis(var_dir)
    call_command("migrate", verbosity=0)
    return redis


def _speakers() -> dict[str, list[Any]]:
    from tests.speech_data import recordings

    by_speaker: dict[str, list[Any]] = defaultdict(list)
    for clip in recordings():
        by_speaker[clip.speaker].append(clip)
    return dict(by_speaker)


def _read_stored(file_id: str) -> tuple[Any, int]:
    import soundfile as sf

    from files.models import StoredFile
    from files.storage import file_storage

    stored = StoredFile.objects.get(public_id=file_id)
    with file_storage().open(stored.storage_key, "rb") as handle:
        samples, rate = sf.read(io.BytesIO(handle.read()), dtype="float32")
    return samples, int(rate)


def _median_f0_semitones(samples: Any, rate: int) -> float | None:
    import numpy as np
    import pyworld

    x = samples.astype(np.float64)
    f0, _ = pyworld.dio(x, rate, frame_period=10.0)
    voiced = f0[f0 > 0]
    return float(12 * np.log2(np.median(voiced) / 55.0)) if len(voiced) > 10 else None


def _speak(user: Any, voice_id: str, sentences: list[str] = SENTENCES) -> dict[str, Any]:
    """The sentences through synthesize_now; audio read back from storage."""
    from synthesis.services import SynthesisRequest, synthesize_now

    audio, seconds, wall = [], 0.0, 0.0
    for text in sentences:
        request = SynthesisRequest(text=text, voice_id=voice_id, output_format="wav", sample_rate=22050)
        started = time.perf_counter()
        synthesis = synthesize_now(user=user, request=request)
        wall += time.perf_counter() - started
        assert synthesis.output_file is not None
        samples, rate = _read_stored(synthesis.output_file.public_id)
        audio.append((samples, rate))
        seconds += len(samples) / rate
    return {"audio": audio, "rtf": wall / seconds}


def _wer(audio: list[tuple[Any, int]]) -> float:
    from speech.transcription import transcribe
    from tests.speech_data import word_error_rate

    pairs = zip(SENTENCES, audio, strict=True)
    errors = [word_error_rate(text, transcribe(samples, rate)) for text, (samples, rate) in pairs]
    return statistics.mean(errors)


def _mean_cos(a: list[Any], b: list[Any]) -> float:
    from speech.embedding import cosine_similarity

    return statistics.mean(cosine_similarity(x, y) for x in a for y in b)


def _identity(similarities: dict[str, float], target: str) -> dict[str, Any]:
    others = [value for name, value in similarities.items() if name != target]
    nearest = max(similarities, key=lambda name: similarities[name])
    return {
        "similarity": round(similarities[target], 4),
        "margin": round(similarities[target] - statistics.mean(others), 4),
        "top1": nearest == target,
        "nearest": nearest,
    }


def run(selected: list[str] | None, quick: bool, method: str) -> dict[str, Any]:
    import soundfile as sf
    from django.conf import settings
    from django.core.files.uploadedfile import SimpleUploadedFile

    from accounts.models import User
    from jobs.runner import run_job
    from operations.config import system_config_update
    from speech.cloning import TrainingConfig
    from speech.embedding import speaker_embedding
    from synthesis.voices import DEFAULT_VOICE_ID
    from voices.services import voice_sample_create
    from voices.training import train_sample_work, voice_training_start

    settings.VOICE_METHOD = method  # what voices/training.py trains with
    system_config_update(changes={"syntheses_per_day": 1_000_000, "uploads_per_day": 1_000_000})
    user = User.objects.create_user(f"bench-{method}@example.com", "Bench-password-42", is_active=True)
    speakers = _speakers()
    enrolled = [name for name, clips in speakers.items() if len(clips) >= 2]
    if selected:
        enrolled = [name for name in enrolled if name in selected]
    if quick:
        enrolled = enrolled[:1]

    def embeddings(clips: list[Any]) -> list[Any]:
        return [speaker_embedding(*sf.read(c.path, dtype="float32")) for c in clips]

    # Candidates for identification: held-out recordings of enrolled speakers, every
    # recording of the others (they are never enrolled).
    candidates = {name: embeddings(clips[1:] if len(clips) >= 2 else clips) for name, clips in speakers.items()}
    enrolment_embedding = {name: embeddings(speakers[name][:1]) for name in enrolled}
    f0_held = {
        name: statistics.median(
            v for v in (_median_f0_semitones(*sf.read(c.path, dtype="float32")) for c in speakers[name][1:]) if v
        )
        for name in enrolled
    }

    _speak(user, DEFAULT_VOICE_ID, SENTENCES[:1])  # load the models before anything is timed
    builtin = _speak(user, DEFAULT_VOICE_ID)
    builtin_embeddings = [speaker_embedding(s, r) for s, r in builtin["audio"]]
    builtin_to = {name: _mean_cos(builtin_embeddings, emb) for name, emb in candidates.items()}
    builtin_wer = _wer(builtin["audio"])
    builtin_f0 = statistics.median(v for v in (_median_f0_semitones(s, r) for s, r in builtin["audio"]) if v)
    print(f"built-in voice: RTF {builtin['rtf']:.3f}, WER {builtin_wer:.3f}", flush=True)

    rows = []
    for name in enrolled:
        clip = speakers[name][0]
        upload = SimpleUploadedFile(clip.path.name, clip.path.read_bytes(), "audio/wav")
        sample = voice_sample_create(owner=user, upload=upload, name=f"bench {name}")  # Whisper transcribes it
        started = time.perf_counter()
        job = voice_training_start(sample=sample, config=TrainingConfig())
        run_job(job.public_id, 1, train_sample_work)
        train_s = time.perf_counter() - started
        job.refresh_from_db()
        sample.refresh_from_db()
        assert job.status == "completed", (job.status, job.error_code, job.message)
        model = sample.active_model
        assert model is not None
        artefact_bytes = model.artefact_file.size

        clone = _speak(user, sample.public_id)
        clone_embeddings = [speaker_embedding(s, r) for s, r in clone["audio"]]
        clone_to = {other: _mean_cos(clone_embeddings, emb) for other, emb in candidates.items()}
        held_f0 = f0_held[name]
        clone_f0 = statistics.median(v for v in (_median_f0_semitones(s, r) for s, r in clone["audio"]) if v)
        floor = [_mean_cos(candidates[name], emb) for other, emb in candidates.items() if other != name]
        row = {
            "speaker": name,
            "enrolment": clip.path.name,
            "enrolment_s": round(clip.duration, 2),
            "held_out": len(speakers[name]) - 1,
            "clone": _identity(clone_to, name),
            "builtin": _identity(builtin_to, name),
            "ceiling": round(_mean_cos(enrolment_embedding[name], candidates[name]), 4),
            "floor_mean": round(statistics.mean(floor), 4),
            "floor_max": round(max(floor), 4),
            "wer": round(_wer(clone["audio"]), 4),
            "f0_distance_st": {
                "clone": round(abs(clone_f0 - held_f0), 2),
                "builtin": round(abs(builtin_f0 - held_f0), 2),
            },
            "train_s": round(train_s, 1),
            "rtf": round(clone["rtf"], 3),
            "artefact_bytes": artefact_bytes,
            "method": model.method,
            "validation": model.validation,
        }
        rows.append(row)
        print(
            json.dumps({k: row[k] for k in ("speaker", "clone", "builtin", "ceiling", "wer", "train_s", "rtf")}),
            flush=True,
        )

    def mean(path: list[str]) -> float:
        values = []
        for row in rows:
            value: Any = row
            for key in path:
                value = value[key]
            values.append(float(value))
        return round(statistics.mean(values), 4)

    summary = {
        "clone_similarity": mean(["clone", "similarity"]),
        "clone_margin": mean(["clone", "margin"]),
        "clone_top1": sum(r["clone"]["top1"] for r in rows),
        "builtin_similarity": mean(["builtin", "similarity"]),
        "builtin_margin": mean(["builtin", "margin"]),
        "builtin_top1": sum(r["builtin"]["top1"] for r in rows),
        "ceiling": mean(["ceiling"]),
        "floor_mean": mean(["floor_mean"]),
        "wer": mean(["wer"]),
        "builtin_wer": round(builtin_wer, 4),
        "train_s": mean(["train_s"]),
        "rtf": mean(["rtf"]),
        "builtin_rtf": round(builtin["rtf"], 3),
        "speakers": len(rows),
        "candidates": len(candidates),
        "worst_similarity": min(rows, key=lambda r: r["clone"]["similarity"])["speaker"] if rows else None,
        "worst_wer": max(rows, key=lambda r: r["wer"])["speaker"] if rows else None,
        "beats_builtin": sum(r["clone"]["similarity"] > r["builtin"]["similarity"] for r in rows),
    }
    return {
        "speakers": rows,
        "summary": summary,
        "sentences": SENTENCES,
        "method": method,
    }


def write(report: dict[str, Any], out: str) -> str:
    machine = report["machine"]
    lines = [
        "# Clone quality benchmark",
        "",
        f"Run {report['date']} on one core of {machine['cpus']} ({machine['machine']}), Python {machine['python']}.",
        "",
        "| method | similarity | margin | top-1 | WER | worst similarity | worst WER | beats built-in "
        "| train s | RTF |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for results in report["runs"]:
        s = results["summary"]
        worst_sim = min(results["speakers"], key=lambda r: r["clone"]["similarity"])
        worst_wer = max(results["speakers"], key=lambda r: r["wer"])
        lines.append(
            f"| `{results['method']}` | {s['clone_similarity']} | {s['clone_margin']} | "
            f"{s['clone_top1']}/{s['speakers']} | {s['wer']:.3f} | {worst_sim['speaker']} "
            f"{worst_sim['clone']['similarity']} | {worst_wer['speaker']} {worst_wer['wer']:.3f} | "
            f"{s['beats_builtin']}/{s['speakers']} | {s['train_s']} | {s['rtf']} |"
        )
    s0 = report["runs"][0]["summary"]
    lines += [
        f"| built-in voice | {s0['builtin_similarity']} | {s0['builtin_margin']} "
        f"| {s0['builtin_top1']}/{s0['speakers']} | {s0['builtin_wer']:.3f} | | | | | {s0['builtin_rtf']} |",
        "",
    ]
    for results in report["runs"]:
        lines += _method_table(results)
    lines += ["Sentences: " + " / ".join(SENTENCES), ""]
    text = "\n".join(lines)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"{out}.md").write_text(text)
    (RESULTS / f"{out}.json").write_text(json.dumps(report, indent=2, default=str) + "\n")
    return text


def _method_table(results: dict[str, Any]) -> list[str]:
    s = results["summary"]
    lines = [
        f"## `{results['method']}`",
        "",
        f"{s['speakers']} enrolled speakers, {s['candidates']} speakers as "
        "identification candidates. Similarities are Resemblyzer cosines against held-out recordings; "
        "margin = similarity to the target minus the mean similarity to every other speaker; "
        "top-1 = the target is the nearest speaker.",
        "",
        "| speaker | enrol s | clone sim | margin | top-1 | built-in sim | built-in margin | ceiling "
        "| floor mean / max | WER | F0 dist st (clone / built-in) | train s | RTF 1 core | artefact B |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results["speakers"]:
        c, b = r["clone"], r["builtin"]
        lines.append(
            f"| {r['speaker']} | {r['enrolment_s']} | {c['similarity']} | {c['margin']} | "
            f"{'yes' if c['top1'] else 'no (' + c['nearest'] + ')'} | {b['similarity']} | {b['margin']} | "
            f"{r['ceiling']} | {r['floor_mean']} / {r['floor_max']} | {r['wer']:.3f} | "
            f"{r['f0_distance_st']['clone']} / {r['f0_distance_st']['builtin']} | {r['train_s']} | {r['rtf']} | "
            f"{r['artefact_bytes']} |"
        )
    lines += [
        f"| **mean** | | **{s['clone_similarity']}** | **{s['clone_margin']}** | **{s['clone_top1']}/{s['speakers']}** "
        f"| {s['builtin_similarity']} | {s['builtin_margin']} | {s['ceiling']} | {s['floor_mean']} "
        f"| **{s['wer']:.3f}** | | {s['train_s']} | {s['rtf']} | |",
        "",
        f"- Built-in voice: WER {s['builtin_wer']:.3f}, RTF {s['builtin_rtf']} (one core), "
        f"top-1 for {s['builtin_top1']}/{s['speakers']} speakers.",
        f"- Clone beats the built-in voice's similarity for {s['beats_builtin']}/{s['speakers']} speakers; "
        f"worst similarity: {s['worst_similarity']}; worst WER: {s['worst_wer']}.",
        "",
    ]
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--speakers", nargs="*", help="speaker ids (inventory.csv's speaker column)")
    parser.add_argument("--quick", action="store_true", help="one speaker only")
    parser.add_argument("--out", default="quality", help="result file name under bench/results/")
    parser.add_argument(
        "--methods", nargs="*", default=list(METHODS), help="speech.methods.METHODS to compare (default: all)"
    )
    parser.add_argument("--combine", nargs="*", help="write one report from earlier runs' JSON files (names)")
    parser.add_argument("--cpu", type=int, help="the core to run on (default: the first this process may use)")
    args = parser.parse_args()
    cpus = sorted(os.sched_getaffinity(0))
    if args.combine:
        runs = [run for name in args.combine for run in json.loads((RESULTS / f"{name}.json").read_text())["runs"]]
        first = json.loads((RESULTS / f"{args.combine[0]}.json").read_text())
        print(write({**first, "runs": runs}, args.out))
        return
    # Before any thread pool exists, so that everything runs on that one core.
    os.sched_setaffinity(0, {cpus[0] if args.cpu is None else args.cpu})
    with tempfile.TemporaryDirectory(prefix="voxify-quality-") as folder:
        redis = _setup(Path(folder) / "var")
        try:
            report: dict[str, Any] = {"runs": [run(args.speakers, args.quick, method) for method in args.methods]}
        finally:
            redis.terminate()
            redis.wait(timeout=10)
    report["machine"] = {"python": platform.python_version(), "machine": platform.machine(), "cpus": len(cpus)}
    report["date"] = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    print(write(report, args.out))


if __name__ == "__main__":
    main()
