"""gRPC against REST on the same data and machine.

Usage: .venv/bin/python bench/grpc_vs_rest.py [--seconds S] [--repeats N]

Starts one live stack (``manage.py serve`` processes in embedded mode: daphne, gRPC server,
Celery worker and beat, embedded Redis), registers a user with three voice samples, then:

1. Listing voice samples (page of 20): calls per second, one client making sequential calls
   for S seconds on a kept-alive connection (httpx / one gRPC channel), after a warm-up;
   and with 4 client threads.
2. Synthesising a short sentence (wav): calls per second, sequential.
3. Time to the first audio chunk of a 300-character text: SynthesizeTextStream against the
   SSE stream, median of N, after a warm-up of each.

Writes bench/results/grpc_vs_rest.md and bench/results/grpc_vs_rest.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SHORT = "Hello there, how are you today?"
TEXT_300 = (
    "The old lighthouse stood at the edge of the cliff for more than a century. Every evening the "
    "keeper climbed the narrow stairs, trimmed the wick and watched the beam sweep across the water. "
    "Ships passing in the night trusted that light to guide them safely around the rocks below."
)
CLIPS = ("LJ001-0001.wav", "LJ001-0006.wav", "LJ001-0007.wav")


def rate(call: Callable[[], Any], seconds: float, threads: int = 1) -> dict[str, float]:
    """Calls per second of ``call`` from ``threads`` clients during ``seconds``."""
    counts = [0] * threads
    latencies: list[float] = []
    deadline = time.perf_counter() + seconds

    def client(index: int) -> None:
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            call()
            latencies.append(time.perf_counter() - started)
            counts[index] += 1

    workers = [threading.Thread(target=client, args=(i,)) for i in range(threads)]
    started = time.perf_counter()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    elapsed = time.perf_counter() - started
    return {
        "calls_per_s": round(sum(counts) / elapsed, 1),
        "median_ms": round(statistics.median(latencies) * 1000, 2),
        "calls": sum(counts),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()

    from tests.support.standalone import standalone_django

    var_dir = standalone_django("voxify-bench-")
    import grpc

    from grpc_server.protos import tts_pb2, tts_pb2_grpc, voice_pb2, voice_pb2_grpc
    from tests.support.processes import ApiUser, ServiceStack

    stack = ServiceStack(var_dir).start()
    try:
        user = ApiUser(stack, "bench@example.com")
        for clip in CLIPS:
            user.upload(clip)
        metadata = [("authorization", f"Bearer {user.token}")]
        channel = grpc.insecure_channel(stack.grpc_target)
        voices = voice_pb2_grpc.VoiceServiceStub(channel)  # type: ignore[no-untyped-call]
        tts = tts_pb2_grpc.TTSServiceStub(channel)  # type: ignore[no-untyped-call]

        def rest_list() -> None:
            response = user.http.get("/api/v1/voice/samples")
            assert response.status_code == 200 and len(response.json()["data"]["samples"]) == len(CLIPS)

        def grpc_list() -> None:
            answer = voices.GetVoiceSamples(voice_pb2.GetVoiceSamplesRequest(), metadata=metadata)
            assert len(answer.samples) == len(CLIPS)

        def rest_synthesize() -> None:
            assert user.http.post("/api/v1/tts/synthesize", json={"text": SHORT}).status_code == 200

        def grpc_synthesize() -> None:
            tts.SynthesizeText(tts_pb2.SynthesizeTextRequest(text=SHORT), metadata=metadata)

        def sse_first_chunk() -> float:
            started = time.perf_counter()
            first = None
            with user.http.stream("GET", "/api/v1/tts/synthesize/stream", params={"text": TEXT_300}) as response:
                for line in response.iter_lines():  # to the end, as a real client would
                    if first is None and line.startswith("data:") and json.loads(line[5:])["type"] == "audio_chunk":
                        first = time.perf_counter() - started
            assert first is not None
            return first

        def grpc_first_chunk() -> float:
            started = time.perf_counter()
            first = None
            for event in tts.SynthesizeTextStream(tts_pb2.SynthesizeTextRequest(text=TEXT_300), metadata=metadata):
                if first is None and event.HasField("chunk"):
                    first = time.perf_counter() - started
            assert first is not None
            return first

        for warm in (rest_list, grpc_list, rest_synthesize, grpc_synthesize, sse_first_chunk, grpc_first_chunk):
            for _ in range(3):
                warm()
        half = args.seconds / 2
        results: dict[str, Any] = {
            "list": {"rest": rate(rest_list, args.seconds), "grpc": rate(grpc_list, args.seconds)},
            "list_4_threads": {"rest": rate(rest_list, half, 4), "grpc": rate(grpc_list, half, 4)},
            "synthesize": {"rest": rate(rest_synthesize, args.seconds), "grpc": rate(grpc_synthesize, args.seconds)},
            "first_chunk_s": {
                "sse": round(statistics.median(sse_first_chunk() for _ in range(args.repeats)), 3),
                "grpc_stream": round(statistics.median(grpc_first_chunk() for _ in range(args.repeats)), 3),
            },
        }
        channel.close()
    finally:
        stack.stop()
    for key in ("list", "list_4_threads", "synthesize"):
        results[key]["ratio"] = round(results[key]["grpc"]["calls_per_s"] / results[key]["rest"]["calls_per_s"], 2)
    first = results["first_chunk_s"]
    first["ratio_sse_over_grpc"] = round(first["sse"] / first["grpc_stream"], 2)
    data = {
        "command": f"bench/grpc_vs_rest.py --seconds {args.seconds:g} --repeats {args.repeats}",
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}",
        "date": time.strftime("%Y-%m-%d"),
        "results": results,
    }
    write(data)


def write(data: dict[str, Any]) -> None:
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / "grpc_vs_rest.json").write_text(json.dumps(data, indent=2) + "\n")
    r = data["results"]

    def row(name: str, key: str) -> str:
        rest, grpc_ = r[key]["rest"], r[key]["grpc"]
        return (
            f"| {name} | {rest['calls_per_s']} ({rest['median_ms']} ms) "
            f"| {grpc_['calls_per_s']} ({grpc_['median_ms']} ms) | {r[key]['ratio']}x |"
        )

    text = f"""# gRPC against REST

`{data["command"]}` on {data["machine"]}, {data["date"]}: one live stack in embedded mode (daphne, the
gRPC server, Celery worker and beat), the same user and data for both.

| call | REST, calls/s (median latency) | gRPC, calls/s (median latency) | gRPC / REST |
|---|---|---|---|
{row("list voice samples, 1 client", "list")}
{row("list voice samples, 4 client threads", "list_4_threads")}
{row(f"synthesise {len(SHORT)} characters (wav), 1 client", "synthesize")}

Time to the first audio chunk of a {len(TEXT_300)}-character text (median of the repeats):
SSE {r["first_chunk_s"]["sse"]} s, gRPC SynthesizeTextStream {r["first_chunk_s"]["grpc_stream"]} s
(SSE / gRPC = {r["first_chunk_s"]["ratio_sse_over_grpc"]}).

Target: gRPC at least 1.5x REST on the list call.

- REST: httpx with a kept-alive connection and the Bearer header; the JSON envelope parsed.
  gRPC: one channel, the Bearer metadata; the protobuf answer parsed. Both surfaces run the
  same selectors and serializers on the same SQLite database.
- Synthesis is dominated by the engine, so the two surfaces are close there; an SSE chunk event
  carries a URL (one more request to fetch the audio), a gRPC chunk carries the audio itself.
"""
    (out / "grpc_vs_rest.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
