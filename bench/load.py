"""Mixed load against one live stack, and the web process's memory under big uploads.

Usage: .venv/bin/python bench/load.py [--clients N] [--seconds S]

Starts one live stack (the ``manage.py serve`` processes in embedded mode: the web server,
gRPC server, Celery worker and beat, embedded Redis), registers 8 users with a voice sample
each, then:

1. Mixed load: N client threads (default 30) for S seconds (default 60), each repeating a
   randomly drawn action of its user: list voice samples, list jobs, who-am-I, upload a
   0.3 MB recording as a file, a short synthesis, a short SSE stream read to its end, and an
   async synthesis watched over the progress WebSocket until it closes. Per action and in
   all: count, errors (any answer other than the expected status, or a failure to connect),
   p50 / p95 / p99 latency.
2. Memory: 4 concurrent uploads of a 49.5 MB WAV (4.5 min of 48 kHz stereo speech); the web
   process's resident memory before and at its peak, sampled every 10 ms.

Writes bench/results/load.md and bench/results/load.json.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import os
import platform
import random
import statistics
import sys
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

USERS = 8
CLIP = "1089-134686-0000.wav"
SHORT = "Hello there, how are you today?"
STREAM_TEXT = "The keeper climbed the narrow stairs and trimmed the wick."
# Action -> weight in the mix.
MIX = {"list_samples": 30, "list_jobs": 15, "me": 15, "upload_file": 10, "synthesize": 15, "stream": 8, "websocket": 7}
MB = 1024 * 1024


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


def summary(latencies: list[float], errors: int) -> dict[str, Any]:
    if not latencies:
        return {"count": 0, "errors": errors}
    return {
        "count": len(latencies),
        "errors": errors,
        "p50_ms": round(percentile(latencies, 0.50) * 1000, 1),
        "p95_ms": round(percentile(latencies, 0.95) * 1000, 1),
        "p99_ms": round(percentile(latencies, 0.99) * 1000, 1),
        "mean_ms": round(statistics.fmean(latencies) * 1000, 1),
    }


def big_wav(seconds: float) -> bytes:
    """A WAV of real speech (one recording looped), 48 kHz stereo 16-bit: 192,000 bytes a second."""
    import numpy as np
    import soundfile as sf
    from scipy.signal import resample_poly

    from tests.support.speech_data import recording

    audio, rate = sf.read(recording(CLIP).path, dtype="float32")
    audio = resample_poly(audio, 48000, rate).astype(np.float32)
    looped = np.tile(audio, int(np.ceil(seconds * 48000 / len(audio))))[: int(seconds * 48000)]
    out = io.BytesIO()
    sf.write(out, np.stack([looped, looped], axis=1), 48000, subtype="PCM_16", format="WAV")
    return out.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=30)
    parser.add_argument("--seconds", type=float, default=60.0)
    args = parser.parse_args()

    from tests.support.standalone import standalone_django

    var_dir = standalone_django("voxify-load-")
    import httpx
    import psutil
    import websockets

    from tests.support.processes import ApiUser, ServiceStack
    from tests.support.speech_data import recording

    # Quotas high enough that the load measures the service, not the limits.
    stack = ServiceStack(
        var_dir,
        UPLOADS_PER_DAY="1000000",
        SYNTHESES_PER_DAY="1000000",
        AUDIO_SECONDS_PER_DAY="100000000",
        STORAGE_MB_PER_USER="100000",
    ).start()
    clip = recording(CLIP).path.read_bytes()
    latencies: dict[str, list[float]] = defaultdict(list)
    errors: dict[str, Counter[str]] = defaultdict(Counter)
    lock = threading.Lock()
    try:
        users = [ApiUser(stack, f"load{i}@example.com") for i in range(USERS)]
        for user in users:
            user.upload(CLIP)
        ws_base = stack.url.replace("http://", "ws://")

        def timed(kind: str, call: Callable[[], str | None]) -> None:
            started = time.perf_counter()
            try:
                problem = call()
            except Exception as exc:  # a refused or broken connection counts as an error
                problem = type(exc).__name__
            elapsed = time.perf_counter() - started
            with lock:
                if problem:
                    errors[kind][problem] += 1
                else:
                    latencies[kind].append(elapsed)

        def expect(response: httpx.Response, status: int) -> str | None:
            return None if response.status_code == status else str(response.status_code)

        def action(kind: str, user: ApiUser, http: httpx.Client) -> str | None:
            if kind == "list_samples":
                return expect(http.get("/api/v1/voice/samples"), 200)
            if kind == "list_jobs":
                return expect(http.get("/api/v1/jobs"), 200)
            if kind == "me":
                return expect(http.get("/api/v1/auth/me"), 200)
            if kind == "upload_file":
                return expect(http.post("/api/v1/files", files={"file": ("clip.wav", clip, "audio/wav")}), 201)
            if kind == "synthesize":
                return expect(http.post("/api/v1/tts/synthesize", json={"text": SHORT}), 200)
            if kind == "stream":
                with http.stream("GET", "/api/v1/tts/synthesize/stream", params={"text": STREAM_TEXT}) as answer:
                    if answer.status_code != 200:
                        return str(answer.status_code)
                    last = ""
                    for line in answer.iter_lines():
                        if line.startswith("data:"):
                            last = json.loads(line[5:])["type"]
                    return None if last == "completed" else f"stream ended with {last or 'nothing'}"
            # websocket: an async synthesis, watched until the server closes the socket
            accepted = http.post("/api/v1/tts/synthesize/async", json={"text": SHORT})
            if accepted.status_code != 202:
                return str(accepted.status_code)
            job_id = accepted.json()["data"]["job_id"]

            async def watch() -> str:
                url = f"{ws_base}/api/v1/jobs/{job_id}/progress/ws"
                status = ""
                async with websockets.connect(url, additional_headers={"Authorization": f"Bearer {user.token}"}) as ws:
                    async for raw in ws:
                        status = json.loads(raw)["status"]
                return status

            final = asyncio.run(asyncio.wait_for(watch(), timeout=120))
            return None if final == "completed" else f"job {final}"

        kinds, weights = list(MIX), list(MIX.values())
        deadline = time.monotonic() + args.seconds

        def client(index: int) -> None:
            user = users[index % USERS]
            chooser = random.Random(index)  # a load mix, not security
            with httpx.Client(base_url=stack.url, headers=user.http.headers, timeout=120) as http:
                while time.monotonic() < deadline:
                    kind = chooser.choices(kinds, weights)[0]
                    timed(kind, lambda k=kind: action(k, user, http))  # type: ignore[misc]

        threads = [threading.Thread(target=client, args=(i,)) for i in range(args.clients)]
        started = time.monotonic()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.monotonic() - started

        # Memory of the web process under 4 concurrent big uploads.
        body = big_wav(270.0)
        web = psutil.Process(stack.processes["web"].pid)
        time.sleep(2)
        before = web.memory_info().rss
        peak = [before]
        stop = threading.Event()

        def watch_memory() -> None:
            while not stop.is_set():
                peak.append(web.memory_info().rss)
                time.sleep(0.01)

        statuses: list[int] = []

        def upload_big(user: ApiUser) -> None:
            with httpx.Client(base_url=stack.url, headers=user.http.headers, timeout=300) as http:
                answer = http.post("/api/v1/files", files={"file": ("long.wav", body, "audio/wav")})
                statuses.append(answer.status_code)

        watcher = threading.Thread(target=watch_memory)
        watcher.start()
        uploads = [threading.Thread(target=upload_big, args=(users[i],)) for i in range(4)]
        upload_started = time.monotonic()
        for upload in uploads:
            upload.start()
        for upload in uploads:
            upload.join()
        upload_seconds = time.monotonic() - upload_started
        stop.set()
        watcher.join()
    finally:
        stack.stop()

    all_latencies = [value for values in latencies.values() for value in values]
    all_errors = sum(sum(counter.values()) for counter in errors.values())
    data = {
        "command": f"bench/load.py --clients {args.clients} --seconds {args.seconds:g}",
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}",
        "date": time.strftime("%Y-%m-%d"),
        "mix": MIX,
        "seconds": round(elapsed, 1),
        "requests_per_s": round((len(all_latencies) + all_errors) / elapsed, 1),
        "actions": {kind: summary(latencies[kind], sum(errors[kind].values())) for kind in MIX},
        "all": summary(all_latencies, all_errors),
        "errors": {kind: dict(counter) for kind, counter in errors.items() if counter},
        "big_uploads": {
            "uploads": 4,
            "size_mb": round(len(body) / MB, 1),
            "statuses": sorted(statuses),
            "seconds": round(upload_seconds, 1),
            "web_rss_before_mb": round(before / MB, 1),
            "web_rss_peak_mb": round(max(peak) / MB, 1),
            "web_rss_growth_mb": round((max(peak) - before) / MB, 1),
        },
    }
    write(data)


def write(data: dict[str, Any]) -> None:
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / "load.json").write_text(json.dumps(data, indent=2) + "\n")
    rows = []
    for kind, row in [*data["actions"].items(), ("all", data["all"])]:
        if row["count"]:
            rows.append(
                f"| {kind} | {row['count']} | {row['errors']} | {row['p50_ms']} | {row['p95_ms']} | {row['p99_ms']} |"
            )
        else:
            rows.append(f"| {kind} | 0 | {row['errors']} | | | |")
    table = "\n".join(rows)
    big = data["big_uploads"]
    text = f"""# Mixed load

`{data["command"]}` on {data["machine"]}, {data["date"]}: one live stack in embedded mode (the
web server, gRPC server, Celery worker with one process, beat, embedded Redis, SQLite), 8 users.

{data["seconds"]} s of load, {data["requests_per_s"]} actions/s in all. Latency of successful actions, ms:

| action | count | errors | p50 | p95 | p99 |
|---|---|---|---|---|---|
{table}

Errors by kind: {json.dumps(data["errors"]) if data["errors"] else "none"}.

- `websocket` is the whole of an async synthesis: POST, then the progress WebSocket until the
  server closes it after `completed` (it waits for the one worker process behind every other
  async synthesis). `stream` reads the SSE stream of a {len(STREAM_TEXT)}-character text to its
  `completed` event; `synthesize` is a {len(SHORT)}-character synchronous synthesis (wav).
- Synchronous syntheses and streams are spoken in the web process itself: on 2 cores, about
  a quarter of the 30 clients waiting on the engine at any moment queue behind each other,
  which is what their latency shows (one alone takes well under a second, bench/tts.py). The
  lists, uploads and the async path stay fast meanwhile.
- Mix weights: {", ".join(f"{kind} {weight}" for kind, weight in data["mix"].items())}.

## Memory under big uploads

{big["uploads"]} concurrent uploads of a {big["size_mb"]} MB WAV to `POST /api/v1/files` (answers
{big["statuses"]}, {big["seconds"]} s): the web process went from {big["web_rss_before_mb"]} MB to a
peak of {big["web_rss_peak_mb"]} MB resident (+{big["web_rss_growth_mb"]} MB). The web server
writes each body to a temporary file and hands it to Django 64 KB at a time as Django reads it
(ADR 0010); Django spools uploads to disk, so memory does not grow with the upload.
"""
    (out / "load.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
