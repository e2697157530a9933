"""Synthesis benchmark: speed on one core, first-audio latency, API overhead, worker memory.

Usage: .venv/bin/python bench/tts.py [--repeats N]

For the built-in voice and a cloned voice (trained from a 15 s LibriSpeech recording with the
default config):

1. Real-time factor on one core: a fresh process pinned to CPU 0 (OMP_NUM_THREADS=1)
   renders a 529-character paragraph through the engine; RTF = compute time / audio time
   (median of the repeats). Target for the cloned voice: <= 0.3.
2. Time to the first ``audio_chunk`` event: a live stack (``manage.py serve`` processes:
   daphne, Celery worker and beat, embedded Redis) streams a 300-character text over SSE;
   the time from sending the request to receiving the first chunk event (median of the
   repeats, after one warm-up). Target: <= 0.6 s.
3. API overhead: ``POST /api/v1/tts/synthesize`` end to end for a 200-character text (the
   client's wall time), against the engine's render + encode of that same request in the
   web process (its ``Server-Timing: engine;dur=`` header); overhead = median of
   (end to end / engine) - 1 over the requests. Target: <= 10 %.
4. Peak RSS of the worker while it runs an async synthesis of a 3000-character text
   (sampled every 20 ms: the pool process doing the work, and the whole worker tree).

Writes bench/results/tts.md and bench/results/tts.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

VOICE_CLIP = "librispeech/1688/1688-142285-0000.wav"
PARAGRAPH = (
    "The old lighthouse stood at the edge of the cliff for more than a century. Every evening "
    "the keeper climbed the narrow stairs, trimmed the wick and watched the beam sweep across "
    "the water. Ships passing in the night trusted that light to guide them safely around the "
    "rocks. When the automatic lamp was finally installed, the keeper stayed on for another "
    "year, simply because he could not imagine living anywhere else. Visitors still come to "
    "hear the stories he told about storms, shipwrecks and the long quiet winters by the sea."
)
TEXT_300 = PARAGRAPH[:300].rsplit(" ", 1)[0] + "."
TEXT_200 = PARAGRAPH[:200].rsplit(" ", 1)[0] + "."
TEXT_3000 = " ".join([PARAGRAPH] * 6)[:3000].rsplit(" ", 1)[0] + "."


def _artefact_from(path: str | None) -> Any:
    from speech.voice_methods import load_artefact

    return load_artefact(Path(path).read_bytes()) if path else None


def rtf_child(artefact_path: str, repeats: int) -> None:
    """Fresh process on one core: RTF of the engine for both voices."""
    from speech.engine import RenderOptions, render_text
    from speech.text import prepare

    pieces = prepare(PARAGRAPH)
    out: dict[str, Any] = {
        "cpu_affinity": sorted(os.sched_getaffinity(0)),
        "characters": len(PARAGRAPH),
        "repeats": repeats,
    }
    for name, path in (("builtin", None), ("cloned", artefact_path)):
        voice = _artefact_from(path)
        render_text(prepare("Warming up the engine."), options=RenderOptions(), voice=voice)
        runs = []
        for _ in range(repeats):
            started = time.perf_counter()
            audio = render_text(pieces, options=RenderOptions(), voice=voice)
            elapsed = time.perf_counter() - started
            runs.append({"compute_s": elapsed, "audio_s": len(audio) / 22050})
        rtfs = [run["compute_s"] / run["audio_s"] for run in runs]
        out[name] = {
            "rtf_median": round(statistics.median(rtfs), 4),
            "rtf_max": round(max(rtfs), 4),
            "audio_s": round(runs[0]["audio_s"], 2),
        }
    print(json.dumps(out))


def run_child(mode: str, artefact_path: str, repeats: int, *, pin: bool) -> dict[str, Any]:
    env = {**os.environ, "OMP_NUM_THREADS": "1"} if pin else dict(os.environ)
    command = [sys.executable, __file__, "--child", mode, "--artefact", artefact_path, "--repeats", str(repeats)]
    if pin:
        command = ["taskset", "-c", "0", *command]
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=1800, check=False)
    if result.returncode != 0:
        raise SystemExit(f"{mode} child failed:\n{result.stderr[-4000:]}")
    data: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    return data


def first_chunk_seconds(user: Any, voice_id: str) -> tuple[float, float]:
    """Seconds to the first audio_chunk event and to ``completed``, for one stream."""
    started = time.perf_counter()
    first = None
    with user.http.stream(
        "GET", "/api/v1/tts/synthesize/stream", params={"text": TEXT_300, "voice_id": voice_id}
    ) as response:
        assert response.status_code == 200, response.read()
        for line in response.iter_lines():
            if not line.startswith("data:"):
                continue
            event = json.loads(line[5:])
            if event["type"] == "audio_chunk" and first is None:
                first = time.perf_counter() - started
            if event["type"] == "completed":
                assert first is not None
                return first, time.perf_counter() - started
            if event["type"] == "error":
                raise RuntimeError(event)
    raise RuntimeError("the stream ended without completing")


def grpc_first_chunk_seconds(stack: Any, user: Any, voice_id: str) -> float:
    """Seconds to the first ``chunk`` message of SynthesizeTextStream (read to the end)."""
    import grpc

    from grpc_server.protos import tts_pb2, tts_pb2_grpc

    with grpc.insecure_channel(stack.grpc_target) as channel:
        tts = tts_pb2_grpc.TTSServiceStub(channel)  # type: ignore[no-untyped-call]
        started = time.perf_counter()
        first = None
        request = tts_pb2.SynthesizeTextRequest(text=TEXT_300, voice_id=voice_id)
        for event in tts.SynthesizeTextStream(request, metadata=[("authorization", f"Bearer {user.token}")]):
            if first is None and event.HasField("chunk"):
                first = time.perf_counter() - started
    assert first is not None
    return first


def openai_first_byte_seconds(stack: Any, key: str, voice_id: str) -> float:
    """Seconds to the first body byte of ``POST /v1/audio/speech`` (mp3, streamed; read to the
    end), through the official openai package."""
    import openai

    client = openai.OpenAI(api_key=key, base_url=f"{stack.url}/v1", max_retries=0, timeout=120)
    started = time.perf_counter()
    first = None
    with client.audio.speech.with_streaming_response.create(
        model="voxify-tts", voice=voice_id, input=TEXT_300, response_format="mp3"
    ) as response:
        for chunk in response.iter_bytes():
            if first is None and chunk:
                first = time.perf_counter() - started
    assert first is not None
    return first


def worker_peak_rss(stack: Any, user: Any, voice_id: str) -> dict[str, float]:
    import psutil

    worker = psutil.Process(stack.processes["worker"].pid)
    peaks = {"pool_process_mb": 0.0, "worker_tree_mb": 0.0}
    stop = threading.Event()

    def sample() -> None:
        while not stop.is_set():
            try:
                children = worker.children(recursive=True)
                pool = max((c.memory_info().rss for c in children), default=0)
                tree = worker.memory_info().rss + sum(c.memory_info().rss for c in children)
            except psutil.Error:
                continue
            peaks["pool_process_mb"] = max(peaks["pool_process_mb"], pool / 2**20)
            peaks["worker_tree_mb"] = max(peaks["worker_tree_mb"], tree / 2**20)
            stop.wait(0.02)

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    response = user.http.post("/api/v1/tts/synthesize/async", json={"text": TEXT_3000, "voice_id": voice_id})
    assert response.status_code == 202, response.text
    job = user.wait_job(response.json()["data"]["job_id"], lambda j: j["status"] in {"completed", "failed"}, 900)
    stop.set()
    thread.join()
    assert job["status"] == "completed", job
    return {key: round(value) for key, value in peaks.items()} | {"audio_s": job["result"]["duration"]}


def live_measurements(repeats: int) -> tuple[dict[str, Any], Path]:
    """Start a stack, train a cloned voice through the API, and measure against it."""
    from tests.support.standalone import standalone_django

    var_dir = standalone_django("voxify-bench-")
    from tests.support.api import STRONG_PASSWORD
    from tests.support.processes import ApiUser, ServiceStack

    stack = ServiceStack(var_dir).start()
    try:
        user = ApiUser(stack, "bench@example.com")
        sample_id = user.upload(Path(VOICE_CLIP).name)
        job_id = user.http.post(f"/api/v1/voice/samples/{sample_id}/train", json={}).json()["data"]["training_job_id"]
        job = user.wait_job(job_id, lambda j: j["status"] in {"completed", "failed"}, 600)
        assert job["status"] == "completed", job
        model_file = user.http.get(f"/api/v1/voice/samples/{sample_id}").json()["data"]["voice_model"]["file_id"]
        artefact_path = var_dir.parent / "artefact.json"
        artefact_path.write_bytes(user.http.get(f"/api/v1/files/audio/{model_file}").content)

        made = user.http.post("/api/v1/auth/api-keys", json={"name": "bench", "password": STRONG_PASSWORD})
        key = made.json()["data"]["key"]
        results: dict[str, Any] = {}
        for name, voice_id in (("builtin", "piper-en_US-joe-medium"), ("cloned", sample_id)):
            first_chunk_seconds(user, voice_id)  # warm-up: models load on first use
            streams = [first_chunk_seconds(user, voice_id) for _ in range(repeats)]
            grpc_firsts = [grpc_first_chunk_seconds(stack, user, voice_id) for _ in range(repeats)]
            openai_first_byte_seconds(stack, key, voice_id)
            openai_firsts = [openai_first_byte_seconds(stack, key, voice_id) for _ in range(repeats)]
            user.http.post("/api/v1/tts/synthesize", json={"text": TEXT_200, "voice_id": voice_id})
            rest, in_process = [], []
            for _ in range(repeats * 2):
                started = time.perf_counter()
                response = user.http.post("/api/v1/tts/synthesize", json={"text": TEXT_200, "voice_id": voice_id})
                rest.append(time.perf_counter() - started)
                assert response.status_code == 200, response.text
                in_process.append(float(response.headers["Server-Timing"].partition(";dur=")[2]) / 1000)
            results[name] = {
                "api_overhead": round(statistics.median(r / e for r, e in zip(rest, in_process, strict=True)) - 1, 4),
                "engine_median_s": round(statistics.median(in_process), 4),
                "engine_runs_s": [round(t, 4) for t in in_process],
                "first_chunk_s": round(statistics.median(s[0] for s in streams), 3),
                "first_chunk_max_s": round(max(s[0] for s in streams), 3),
                "stream_total_s": round(statistics.median(s[1] for s in streams), 3),
                "grpc_first_chunk_s": round(statistics.median(grpc_firsts), 3),
                "openai_first_byte_s": round(statistics.median(openai_firsts), 3),
                "rest_median_s": round(statistics.median(rest), 4),
                "rest_runs_s": [round(t, 4) for t in rest],
                "worker": worker_peak_rss(stack, user, voice_id),
            }
        return results, artefact_path
    finally:
        stack.stop()


HEADER = (
    "| voice | RTF, 1 core | first audio, s (300 chars): SSE / gRPC / `/v1/audio/speech` | REST, s (200 chars) "
    "| its engine time, s | API overhead | worker peak RSS, MB (pool process / whole worker) |"
    "\n|---|---|---|---|---|---|---|"
)


def write_results(data: dict[str, Any]) -> None:
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / "tts.json").write_text(json.dumps(data, indent=2) + "\n")
    rows = []
    for name in ("builtin", "cloned"):
        live, rtf = data["live"][name], data["rtf"][name]
        overhead = live["api_overhead"]
        rows.append(
            f"| {name} | {rtf['rtf_median']:.3f} | {live['first_chunk_s']:.3f} (max {live['first_chunk_max_s']:.3f})"
            f" / {live['grpc_first_chunk_s']:.3f} / {live['openai_first_byte_s']:.3f} "
            f"| {live['rest_median_s']:.3f} | {live['engine_median_s']:.3f} | {overhead:+.1%} "
            f"| {live['worker']['pool_process_mb']} / {live['worker']['worker_tree_mb']} |"
        )
    (out / "tts.json").write_text(json.dumps(data, indent=2) + "\n")
    text = f"""# Synthesis benchmark

`{data["command"]}` on {data["machine"]}, {data["date"]}; medians. Each RTF is the median of
{data["rtf"]["repeats"]} renders; first chunk of {data["repeats"]} streams; REST against engine over
{2 * data["repeats"]} requests.

{HEADER}
{chr(10).join(rows)}

Targets: cloned-voice RTF <= 0.3; first chunk <= 0.6 s; API overhead <= 10 %.

- RTF: a fresh process pinned to CPU 0 with OMP_NUM_THREADS=1, {data["rtf"]["characters"]}-character
  paragraph ({data["rtf"]["builtin"]["audio_s"]} s of audio), compute time / audio time.
- First audio: wall time from sending the request to the first audio, against a live
  `manage.py serve` stack (embedded mode) on this machine, after one warm-up stream, each stream
  read to its end: the first `audio_chunk` event of `GET /api/v1/tts/synthesize/stream` (SSE),
  the first `chunk` message of gRPC `SynthesizeTextStream`, and the first body bytes of the
  OpenAI-compatible `POST /v1/audio/speech` (mp3, through the openai package with an API key).
  The first piece of a stream is at most 60 characters.
- REST vs engine: `POST /api/v1/tts/synthesize` (wav, 22050 Hz) end to end from the client,
  against the engine's `render_text` + `encode` of the same request inside the web process (its
  `Server-Timing: engine;dur=` header): the overhead is the median over the requests of
  end to end / engine - 1, so both numbers come from the same call in the same process.
- Worker memory: sampled every 20 ms during an async synthesis of {len(TEXT_3000)} characters
  ({data["live"]["builtin"]["worker"]["audio_s"]:.0f} s of audio); the output is encoded piece by piece, so
  memory does not grow with the text. The pool process holds every speech model the worker may
  need (Piper, Resemblyzer, Whisper for training), which is most of it.
- The cloned voice was trained through the API from `{VOICE_CLIP}` with the default config.
"""
    (out / "tts.md").write_text(text)
    print(text)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--child", choices=["rtf"])
    parser.add_argument("--artefact", default="")
    args = parser.parse_args()
    if args.child == "rtf":
        rtf_child(args.artefact, args.repeats)
        return
    live, artefact_path = live_measurements(args.repeats)
    data = {
        "command": f"bench/tts.py --repeats {args.repeats}",
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}",
        "date": time.strftime("%Y-%m-%d"),
        "repeats": args.repeats,
        "live": live,
        "rtf": run_child("rtf", str(artefact_path), args.repeats, pin=True),
    }
    write_results(data)


if __name__ == "__main__":
    main()
