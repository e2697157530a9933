"""Clone quality benchmark: does a trained voice sound like its speaker, and stay intelligible?

Usage:
    .venv/bin/python bench/quality.py                 # every speaker with two or more recordings
    .venv/bin/python bench/quality.py --quick         # one speaker, for a check in a few minutes
    .venv/bin/python bench/quality.py --speakers 1688 LJ
    .venv/bin/python bench/quality.py --methods psola-filter-classes --runs 1 --similarities 0 0.5 1 1.5 --out frontier
    .venv/bin/python bench/quality.py --methods psola-filter-classes --bases piper auto jf_nezumi

It runs the service's own pipeline on a private embedded installation (a temporary
VOXIFY_VAR_DIR: SQLite, embedded Redis, local files, embedded Chroma): for each speaker it
uploads the enrolment recording through ``voice_sample_create``, trains it as a job through
the job runner (``voice_training_start`` + ``train_sample_work``), and speaks ten fixed
sentences with ``synthesize_now``, reading the stored WAV files back. Every engine's built-in
voices speak the same sentences through the same call.

Each method is trained on each base of ``--bases`` (the training's ``config.base``: ``piper``
for Piper's voice, ``auto`` for the choice of speech/bases.py, or a named voice or blend);
methods that convert Piper's voice only are trained on ``piper`` alone. The base a training
ended on is reported per speaker. Men and women are summarised apart (the data set's sex
column).

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

from speech.voice_methods import get_method, method_names  # noqa: E402  (after the path is set)

# Speakers used while the methods were developed; the others form the report set.
TUNING = ("1688", "1998", "3080", "LJ")

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
    os.environ["CONSENT_REQUIRED"] = "false"  # the data set's speakers cannot read consent phrases
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
    from tests.support.speech_data import recordings

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


def _fit(storage_key: str) -> dict[str, Any]:
    """What the method recorded about its fit (searches, strength trials) in the artefact."""
    from files.storage import file_storage

    with file_storage().open(storage_key, "rb") as handle:
        fit: dict[str, Any] = json.loads(handle.read()).get("fit", {})
    return fit


def _median_f0_semitones(samples: Any, rate: int) -> float | None:
    import numpy as np
    import pyworld

    x = samples.astype(np.float64)
    f0, _ = pyworld.dio(x, rate, frame_period=10.0)
    voiced = f0[f0 > 0]
    return float(12 * np.log2(np.median(voiced) / 55.0)) if len(voiced) > 10 else None


def _speak(
    user: Any, voice_id: str, sentences: list[str] = SENTENCES, similarity: float | None = None
) -> dict[str, Any]:
    """The sentences through synthesize_now (at ``similarity``, or the voice's own); audio
    read back from storage."""
    from synthesis.requests import SynthesisRequest
    from synthesis.services import synthesize_now

    audio, seconds, wall = [], 0.0, 0.0
    for text in sentences:
        request = SynthesisRequest(
            text=text, voice_id=voice_id, output_format="wav", sample_rate=22050, similarity=similarity
        )
        started = time.perf_counter()
        synthesis = synthesize_now(user=user, request=request)
        wall += time.perf_counter() - started
        assert synthesis.output_file is not None
        samples, rate = _read_stored(synthesis.output_file.public_id)
        audio.append((samples, rate))
        seconds += len(samples) / rate
    return {"audio": audio, "rtf": wall / seconds}


def _mean_cos(a: list[Any], b: list[Any]) -> float:
    from speech.embedding import cosine_similarity

    return statistics.mean(cosine_similarity(x, y) for x in a for y in b)


def _read_mono(clip: Any) -> tuple[Any, int]:
    import soundfile as sf

    samples, rate = sf.read(clip.path, dtype="float32")
    return (samples.mean(axis=1) if samples.ndim > 1 else samples), int(rate)


def _source(clip: Any) -> str:
    """The recording a clip was cut from (segments of one recording share it)."""
    return str(clip.source).split(" [")[0] or str(clip.path)


def _identity(similarities: dict[str, float], target: str) -> dict[str, Any]:
    others = [value for name, value in similarities.items() if name != target]
    nearest = max(similarities, key=lambda name: similarities[name])
    return {
        "margin": round(similarities[target] - statistics.mean(others), 4),
        "top1": nearest == target,
        "nearest": nearest,
    }


class Judges:
    """Both speaker encoders, DistillMOS and Whisper, over the data set's recordings."""

    def __init__(self) -> None:
        import numpy as np

        from speech.audio_io import resample
        from speech.dvector import dvector_embedding
        from speech.embedding import speaker_embedding

        speakers = _speakers()
        self.sex = {name: clips[0].sex for name, clips in speakers.items()}
        self.enrolment: dict[str, Any] = {}
        self.held_out: dict[str, list[Any]] = {}
        for name, clips in speakers.items():
            held = [c for c in clips[1:] if _source(c) != _source(clips[0])]
            if held:
                self.enrolment[name], self.held_out[name] = clips[0], held
        # Identification candidates: every speaker, each with the same amount of audio (the
        # first CANDIDATE seconds of the recordings that are not an enrolment).
        pools = {}
        for name, clips in speakers.items():
            usable = self.held_out.get(name, clips)
            pools[name] = np.concatenate([resample(*_read_mono(c), 16000) for c in usable])
        self.candidate_seconds = round(min(len(p) for p in pools.values()) / 16000, 2)
        cut = {name: p[: int(self.candidate_seconds * 16000)] for name, p in pools.items()}
        self.candidates = {n: speaker_embedding(a, 16000) for n, a in cut.items()}
        self.candidates_dvec = {n: dvector_embedding(a, 16000) for n, a in cut.items()}
        self.held = {n: [speaker_embedding(*_read_mono(c)) for c in cs] for n, cs in self.held_out.items()}
        self.held_dvec = {n: [dvector_embedding(*_read_mono(c)) for c in cs] for n, cs in self.held_out.items()}

    def real(self, name: str) -> dict[str, Any]:
        """The speaker's own enrolment recording judged like a clone (the ceiling)."""
        from speech.dvector import dvector_embedding
        from speech.embedding import speaker_embedding
        from speech.naturalness import naturalness

        samples, rate = _read_mono(self.enrolment[name])
        return {
            "similarity": round(_mean_cos([speaker_embedding(samples, rate)], self.held[name]), 4),
            "dvec_similarity": round(_mean_cos([dvector_embedding(samples, rate)], self.held_dvec[name]), 4),
            "naturalness": round(statistics.mean(naturalness(*_read_mono(c)) for c in self.held_out[name]), 3),
        }

    @staticmethod
    def heard(audio: list[tuple[Any, int]]) -> dict[str, list[Any]]:
        """What the judges make of the utterances of SENTENCES, whoever they are meant to be."""
        from speech.dvector import dvector_embedding
        from speech.embedding import speaker_embedding
        from speech.naturalness import naturalness
        from speech.transcription import transcribe
        from speech.wer import word_error_rate

        return {
            "emb": [speaker_embedding(s, r) for s, r in audio],
            "dvec": [dvector_embedding(s, r) for s, r in audio],
            "mos": [naturalness(s, r) for s, r in audio],
            "wers": [word_error_rate(t, transcribe(s, r)) for t, (s, r) in zip(SENTENCES, audio, strict=True)],
        }

    def speech(
        self, name: str, audio: list[tuple[Any, int]], heard: dict[str, list[Any]] | None = None
    ) -> dict[str, Any]:
        """Utterances meant to sound like ``name``, on all three axes (``heard``: already judged)."""
        judged = heard or self.heard(audio)
        emb, dvec, mos, wers = judged["emb"], judged["dvec"], judged["mos"], judged["wers"]
        return {
            "similarity": round(_mean_cos(emb, self.held[name]), 4),
            "dvec_similarity": round(_mean_cos(dvec, self.held_dvec[name]), 4),
            "resemblyzer": _identity({n: _mean_cos(emb, [c]) for n, c in self.candidates.items()}, name),
            "dvector": _identity({n: _mean_cos(dvec, [c]) for n, c in self.candidates_dvec.items()}, name),
            "naturalness": round(statistics.mean(mos), 3),
            "naturalness_min": round(min(mos), 3),
            "wer": round(statistics.mean(wers), 4),
        }


SUMMARY_KEYS = ("similarity", "dvec_similarity", "naturalness", "wer", "top1", "top1_dvec", "train_s", "rtf")


def _summary(rows: list[dict[str, Any]]) -> dict[str, Any]:
    def mean(key: str) -> float:
        return round(statistics.mean(float(r[key]) for r in rows), 4)

    return {
        "similarity": mean("similarity"),
        "dvec_similarity": mean("dvec_similarity"),
        "naturalness": mean("naturalness"),
        "wer": mean("wer"),
        "top1": sum(r["resemblyzer"]["top1"] for r in rows),
        "top1_dvec": sum(r["dvector"]["top1"] for r in rows),
        "train_s": mean("train_s") if "train_s" in rows[0] else 0.0,
        "rtf": mean("rtf"),
        "speakers": len(rows),
        "worst_similarity": min((r["similarity"], r["speaker"]) for r in rows),
        "worst_dvec_similarity": min((r["dvec_similarity"], r["speaker"]) for r in rows),
        "worst_naturalness": min((r["naturalness"], r["speaker"]) for r in rows),
        "worst_wer": max((r["wer"], r["speaker"]) for r in rows),
    }


SCOPES = (
    ("all", "All enrolled speakers"),
    ("women", "Women"),
    ("men", "Men"),
    ("report", "Report set"),
    ("tuning", "Tuning set"),
)


def _in_scope(row: dict[str, Any], scope: str) -> bool:
    return {
        "all": True,
        "women": row.get("sex") == "F",
        "men": row.get("sex") == "M",
        "report": row["speaker"] not in TUNING,
        "tuning": row["speaker"] in TUNING,
    }[scope]


def _sets(rows: list[dict[str, Any]]) -> dict[str, Any]:
    subsets = {scope: [r for r in rows if _in_scope(r, scope)] for scope, _ in SCOPES}
    return {scope: _summary(chosen) for scope, chosen in subsets.items() if chosen}


def run(
    judges: Judges,
    selected: list[str] | None,
    quick: bool,
    method: str,
    number: int,
    similarities: list[float] | None = None,
    base: str = "piper",
) -> dict[str, Any]:
    from django.conf import settings
    from django.core.files.uploadedfile import SimpleUploadedFile

    from accounts.models import User
    from jobs.runner import run_job
    from speech.voice_methods.base import TrainingConfig
    from voices.services import voice_sample_create
    from voices.training import train_sample_work, voice_training_start

    settings.VOICE_METHOD = method  # what voices/training.py trains with
    label = "".join(c if c.isalnum() else "-" for c in base)
    user = User.objects.create_user(f"bench-{method}-{label}-{number}@example.com", "Bench-password-42", is_active=True)
    enrolled = [n for n in judges.enrolment if not selected or n in selected][: 1 if quick else None]
    rows = []
    for name in enrolled:
        clip = judges.enrolment[name]
        upload = SimpleUploadedFile(clip.path.name, clip.path.read_bytes(), "audio/wav")
        sample = voice_sample_create(owner=user, upload=upload, name=f"bench {name}")  # Whisper transcribes it
        started = time.perf_counter()
        job = voice_training_start(sample=sample, config=TrainingConfig(base="" if base == "piper" else base))
        run_job(job.public_id, 1, train_sample_work)
        train_s = time.perf_counter() - started
        job.refresh_from_db()
        sample.refresh_from_db()
        assert job.status == "completed", (job.status, job.error_code, job.message)
        model = sample.active_model
        assert model is not None
        clone = _speak(user, sample.public_id)
        row = {
            "speaker": name,
            "sex": judges.sex[name],
            "base": model.validation.get("base", {}).get("voice", "piper"),
            "enrolment": clip.path.name,
            "enrolment_s": round(clip.duration, 2),
            "held_out": len(judges.held_out[name]),
            **judges.speech(name, clone["audio"]),
            "train_s": round(train_s, 1),
            "rtf": round(clone["rtf"], 3),
            "artefact_bytes": model.artefact_file.size,
            "similarity_setting": model.validation.get("similarity_setting"),
            "validation": model.validation,
            "fit": _fit(model.artefact_file.storage_key),
        }
        if similarities:
            # The same voice at fixed settings of the per-request similarity: the trade-off.
            row["frontier"] = {
                str(value): judges.speech(name, _speak(user, sample.public_id, similarity=value)["audio"])
                for value in similarities
            }
        rows.append(row)
        shown = ("speaker", "base", "similarity", "dvec_similarity", "naturalness", "wer", "train_s")
        print(json.dumps({k: row[k] for k in shown}), flush=True)
    return {"method": method, "base": base, "run": number, "speakers": rows, "summary": _sets(rows)}


def baselines(judges: Judges, selected: list[str] | None, quick: bool) -> dict[str, Any]:
    """Every engine's built-in voices and the speakers' own recordings, judged like the clones."""
    from accounts.models import User
    from speech.engines import builtin_voices

    user = User.objects.create_user("bench-builtin@example.com", "Bench-password-42", is_active=True)
    enrolled = [n for n in judges.enrolment if not selected or n in selected][: 1 if quick else None]
    voices = {}
    for engine, voice in builtin_voices():
        _speak(user, voice.voice_id, SENTENCES[:1])  # load the engine before anything is timed
        spoken = _speak(user, voice.voice_id)
        heard = judges.heard(spoken["audio"])  # the same audio for every speaker: judged once
        rows = [
            {"speaker": n, "sex": judges.sex[n], **judges.speech(n, spoken["audio"], heard), "rtf": spoken["rtf"]}
            for n in enrolled
        ]
        voices[voice.voice_id] = {"engine": engine.name, "speakers": rows, "summary": _sets(rows)}
    real = {n: {**judges.real(n), "sex": judges.sex[n]} for n in enrolled}
    return {"builtin": voices, "real": real}


def _spread(values: list[float], digits: int = 3) -> str:
    mean = statistics.mean(values)
    if len(values) == 1:
        return f"{mean:.{digits}f}"
    return f"{mean:.{digits}f} ({min(values):.{digits}f}-{max(values):.{digits}f})"


def _frontier(by_method: dict[str, list[dict[str, Any]]]) -> list[str]:
    """Per method, the clones spoken at each fixed ``similarity`` (``--similarities``)."""
    lines: list[str] = []
    for method, results in by_method.items():
        rows = [row for result in results for row in result["speakers"] if "frontier" in row]
        if not rows:
            continue
        lines += [
            f"## Similarity against naturalness: {method.replace(' | ', ' on ')} at fixed `similarity` settings",
            "",
            f"The same trained voices ({len(rows)} trainings) speaking the sentences at each setting; means "
            "over the speakers and runs, the worst speaker in brackets.",
            "",
            "| similarity | Resemblyzer | d-vector | DistillMOS | WER | top-1 (Resemblyzer / d-vector) |",
            "|---|---|---|---|---|---|",
        ]
        for value in rows[0]["frontier"]:
            judged = [(row["speaker"], row["frontier"][value]) for row in rows]

            def mean(key: str, judged: list[tuple[str, dict[str, Any]]] = judged) -> float:
                return statistics.mean(float(j[key]) for _, j in judged)

            def lowest(key: str, judged: list[tuple[str, dict[str, Any]]] = judged) -> tuple[str, dict[str, Any]]:
                return min(judged, key=lambda item: float(item[1][key]))

            low = {key: lowest(key) for key in SUMMARY_KEYS[:3]}
            high_wer = max(judged, key=lambda item: item[1]["wer"])
            top = sum(j["resemblyzer"]["top1"] for _, j in judged), sum(j["dvector"]["top1"] for _, j in judged)
            cells = [f"{mean(key):.3f} ({low[key][0]} {low[key][1][key]:.3f})" for key in SUMMARY_KEYS[:2]]
            lines.append(
                f"| {value} | {' | '.join(cells)} | {mean('naturalness'):.2f} "
                f"({low['naturalness'][0]} {low['naturalness'][1]['naturalness']:.2f}) | {mean('wer'):.3f} "
                f"({high_wer[0]} {high_wer[1]['wer']:.3f}) | {top[0]} / {top[1]} of {len(judged)} |"
            )
        lines.append("")
    return lines


def write(report: dict[str, Any], out: str) -> str:
    machine = report["machine"]
    by_method: dict[str, list[dict[str, Any]]] = defaultdict(list)  # "`method` | base" -> runs
    for result in report["runs"]:
        by_method[f"`{result['method']}` | {result.get('base', 'piper')}"].append(result)
    base = report["baselines"]
    real = base["real"]
    tuning = ", ".join(sorted(TUNING))
    lines = [
        "# Clone quality benchmark",
        "",
        f"Run {report['date']} on one core of {machine['cpus']} ({machine['machine']}), Python {machine['python']}; "
        f"{report['note']}",
        "",
        f"Each method trained and judged {report['runs_per_method']} times from scratch on each base (`piper`: "
        "Piper's voice; `auto`: the base chosen per speaker by speech/bases.py; a voice name: that voice); "
        "every cell is the mean "
        "over the runs with the lowest and highest run in brackets, never the best run. Enrolled: every speaker "
        "with a held-out recording that is not part of the enrolment recording "
        f"({', '.join(report['enrolled'])}); identification among all {report['candidates']} speakers, each "
        f"candidate represented by the same {report['candidate_seconds']} s of audio. Speakers {tuning} were used "
        "while developing the methods (tuning set); the others are the report set.",
        "",
    ]
    voices = base["builtin"]
    if "summary" in voices:  # a report from before every built-in voice was judged: Piper's only
        voices = {"piper-en_US-joe-medium": {"engine": "piper", **voices}}
    first = next(iter(voices.values()))
    for scope, title in SCOPES:
        if scope not in first["summary"]:
            continue
        names = [r["speaker"] for r in first["speakers"] if _in_scope(r, scope)]
        lines += [
            f"## {title} ({', '.join(names)})",
            "",
            "| method | base | Resemblyzer | d-vector | DistillMOS | WER | top-1 (Resemblyzer / d-vector) "
            "| worst Resemblyzer | worst d-vector | worst DistillMOS | worst WER | train s | RTF |",
            "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
        ]
        for method, results in by_method.items():
            s = [r["summary"][scope] for r in results if scope in r["summary"]]
            if not s:  # runs from before men and women were summarised apart
                continue

            def col(key: str, digits: int = 3, s: list[dict[str, Any]] = s) -> str:
                return _spread([float(x[key]) for x in s], digits)

            def worst(key: str, s: list[dict[str, Any]] = s) -> str:
                values = [x[key] for x in s]
                return " / ".join(f"{v[1]} {v[0]:.3f}" for v in values)

            n = s[0]["speakers"]
            lines.append(
                f"| {method} | {col('similarity')} | {col('dvec_similarity')} | {col('naturalness', 2)} | "
                f"{col('wer')} | {col('top1', 1)} / {col('top1_dvec', 1)} of {n} | {worst('worst_similarity')} | "
                f"{worst('worst_dvec_similarity')} | {worst('worst_naturalness')} | {worst('worst_wer')} | "
                f"{col('train_s', 1)} | {col('rtf')} |"
            )
        for voice_id, spoken in voices.items():
            b = spoken["summary"][scope]
            lines.append(
                f"| built-in voice | {voice_id} ({spoken['engine']}) | {b['similarity']:.3f} | "
                f"{b['dvec_similarity']:.3f} | {b['naturalness']:.2f} | {b['wer']:.3f} | "
                f"{b['top1']} / {b['top1_dvec']} of {b['speakers']} | | | | | | {b['rtf']:.3f} |"
            )
        reals = [real[n] for n in names]
        lines += [
            f"| real recordings (enrolment vs held-out) | | {statistics.mean(r['similarity'] for r in reals):.3f} | "
            f"{statistics.mean(r['dvec_similarity'] for r in reals):.3f} | "
            f"{statistics.mean(r['naturalness'] for r in reals):.2f} | | | | | | | | |",
            "",
        ]
    lines += ["## Per speaker (mean over the runs)", ""]
    for method, results in by_method.items():
        lines += [
            f"### {method.replace(' | ', ' on ')}",
            "",
            "| speaker | sex | enrol s | Resemblyzer | d-vector | DistillMOS (min sentence) | WER | top-1 R / d "
            "| chosen strength | base chosen | train s | RTF |",
            "|---|---|---|---|---|---|---|---|---|---|---|---|",
        ]
        for index, row in enumerate(results[0]["speakers"]):
            rows = [r["speakers"][index] for r in results]

            def cell(key: str, digits: int = 3, rows: list[dict[str, Any]] = rows) -> str:
                return _spread([float(r[key]) for r in rows], digits)

            top = sum(r["resemblyzer"]["top1"] for r in rows), sum(r["dvector"]["top1"] for r in rows)
            # The method's own strength (the request's similarity is it on a 0-1 scale).
            settings_used = "/".join(str(r.get("fit", {}).get("class_strength", r["similarity_setting"])) for r in rows)
            chosen = " / ".join(f"`{r.get('base', 'piper')}`" for r in rows)
            lines.append(
                f"| {row['speaker']} | {row.get('sex', '')} | {row['enrolment_s']} | {cell('similarity')} | "
                f"{cell('dvec_similarity')} | "
                f"{cell('naturalness', 2)} ({min(r['naturalness_min'] for r in rows):.2f}) | {cell('wer')} | "
                f"{top[0]}/{len(rows)} / {top[1]}/{len(rows)} | {settings_used} | {chosen} | {cell('train_s', 1)} | "
                f"{cell('rtf')} |"
            )
        lines.append("")
    lines += _frontier(by_method)
    checks = RESULTS / "judges.md"  # bench/judges.py: how far each judge can be trusted
    if checks.exists():
        body = checks.read_text().split("\n", 1)[1].strip()
        lines += ["## The judges on real recordings (`bench/judges.py`, copied from judges.md)", "", body, ""]
    lines += ["Sentences: " + " / ".join(SENTENCES), ""]
    text = "\n".join(lines)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"{out}.md").write_text(text)
    (RESULTS / f"{out}.json").write_text(json.dumps(report, indent=2, default=str) + "\n")
    return text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--speakers", nargs="*", help="speaker ids (inventory.csv's speaker column)")
    parser.add_argument("--quick", action="store_true", help="one speaker only")
    parser.add_argument("--out", default="quality", help="result file name under bench/results/")
    parser.add_argument(
        "--methods", nargs="*", default=list(method_names()), help="voice methods to compare (default: all)"
    )
    parser.add_argument("--runs", type=int, default=3, help="trainings and judgements of each method")
    parser.add_argument(
        "--bases",
        nargs="*",
        default=["piper", "auto"],
        help="training bases (config.base): piper, auto or a voice; methods without bases train on piper only",
    )
    parser.add_argument(
        "--similarities",
        nargs="*",
        type=float,
        help="also speak every trained voice at these fixed similarity settings (the trade-off table)",
    )
    parser.add_argument("--combine", nargs="*", help="write one report from earlier runs' JSON files (names)")
    parser.add_argument("--note", default="", help="a line about how the run was made, for the report")
    parser.add_argument("--cpu", type=int, help="the core to run on (default: the first this process may use)")
    args = parser.parse_args()
    for base in args.bases:
        if base not in ("piper", "auto"):
            from speech.engines import parse_voice

            parse_voice(base)  # an unknown voice stops here, before any training
    cpus = sorted(os.sched_getaffinity(0))
    if args.combine:
        reports = [json.loads((RESULTS / f"{name}.json").read_text()) for name in args.combine]
        combined = {**reports[0], "runs": [run for r in reports for run in r["runs"]], "note": args.note}
        print(write(combined, args.out))
        return
    # Before any thread pool exists, so that everything runs on that one core.
    os.sched_setaffinity(0, {cpus[0] if args.cpu is None else args.cpu})
    with tempfile.TemporaryDirectory(prefix="voxify-quality-") as folder:
        redis = _setup(Path(folder) / "var")
        try:
            from configuration.config import system_config_update

            system_config_update(
                changes={
                    "syntheses_per_day": 1_000_000,
                    "audio_seconds_per_day": 100_000_000,
                    "uploads_per_day": 1_000_000,
                }
            )
            judges = Judges()
            report: dict[str, Any] = {
                "baselines": baselines(judges, args.speakers, args.quick),
                "runs": [
                    run(judges, args.speakers, args.quick, method, number, args.similarities, base)
                    for number in range(1, args.runs + 1)
                    for method in args.methods
                    for base in (args.bases if getattr(get_method(method), "bases", False) else ["piper"])
                ],
                "runs_per_method": args.runs,
                "enrolled": list(judges.enrolment),
                "candidates": len(judges.candidates),
                "candidate_seconds": judges.candidate_seconds,
                "note": args.note,
            }
        finally:
            redis.terminate()
            redis.wait(timeout=10)
    report["machine"] = {"python": platform.python_version(), "machine": platform.machine(), "cpus": len(cpus)}
    report["date"] = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    print(write(report, args.out))


if __name__ == "__main__":
    main()
