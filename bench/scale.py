"""Throughput as the production topology grows: 1 or 2 worker processes, 1 or 2 web processes.

Usage: make bench-scale [BENCH_ARGS="--seconds 45 --clients 6 --trainings 2"]

Needs the real services (``make bench-scale`` gives them: PostgreSQL, Redis, RabbitMQ, S3 on
the moto server, a Chroma server) and uses its own database, ``voxify_bench``, created afresh.
For each shape (web processes x worker processes: 1x1, 1x2, 2x1, 2x2) it starts ``migrate``,
the web processes and default-queue workers with compose.yaml's own commands
(tests.support.topology), with TRAINING_QUEUE=default so that training and synthesis both go
to the workers being counted, then under the same client load each time:

1. Syntheses: C client threads (default 6), spread evenly over the web processes, each
   submitting an asynchronous synthesis (two sentences, built-in voice) and polling its job
   every 0.25 s until it ends, for S seconds (default 45). Completed syntheses per second,
   submit-to-done latency p50/p95 and the polls' request latency p50/p95.
2. Trainings: T samples (default 2) trained at once; the wall time until all are done.
3. Memory: each worker pool process's PSS and each web process's RSS after the work.

Writes bench/results/scale.md and bench/results/scale.json.
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
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TEXT = "The lighthouse keeper climbed the narrow stairs. He trimmed the wick and watched the sea."
CLIP = "LJ001-0006.wav"
MB = 1024 * 1024


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))] if ordered else float("nan")


def fresh_database() -> None:
    """DATABASE_URL's database, dropped and created again (the bench's own, never the suite's)."""
    import psycopg
    from psycopg import sql

    url = os.environ["DATABASE_URL"]
    base, name = url.rsplit("/", 1)
    if name != "voxify_bench":
        raise SystemExit(f"bench/scale.py uses its own database voxify_bench, not {name!r}")
    with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def run_shape(var_dir: Path, webs: int, workers: int, args: argparse.Namespace) -> dict[str, Any]:
    import psutil

    from tests.support.processes import ApiUser
    from tests.support.topology import Topology

    topology = Topology(
        var_dir / f"web{webs}-worker{workers}-{time.monotonic_ns()}",
        {"web": webs, "worker": workers},
        TRAINING_QUEUE="default",
        LOG_LEVEL="WARNING",
    ).start()
    try:
        tag = f"w{webs}k{workers}-{time.monotonic_ns()}"
        urls = topology.web_urls
        trainers = [ApiUser(_at(urls[i % webs]), f"train{i}-{tag}@example.com") for i in range(args.trainings)]
        samples = [user.upload(CLIP) for user in trainers]
        clients = [ApiUser(_at(urls[i % webs]), f"client{i}-{tag}@example.com") for i in range(args.clients)]

        done: list[float] = []
        polls: list[float] = []
        failures: list[str] = []
        lock = threading.Lock()
        started = time.monotonic()
        deadline = started + args.seconds

        def client(user: ApiUser) -> None:
            http = user.http
            while time.monotonic() < deadline:
                submitted = time.monotonic()
                answer = http.post("/api/v1/tts/synthesize/async", json={"text": TEXT})
                if answer.status_code != 202:
                    with lock:
                        failures.append(f"submit {answer.status_code}")
                    continue
                job_id = answer.json()["data"]["job_id"]
                while True:
                    time.sleep(0.25)
                    before = time.perf_counter()
                    job = http.get(f"/api/v1/jobs/{job_id}")
                    with lock:
                        polls.append(time.perf_counter() - before)
                    status = job.json()["data"]["status"]
                    if status in ("completed", "failed", "cancelled"):
                        break
                with lock:
                    if status == "completed":
                        done.append(time.monotonic() - submitted)
                    else:
                        failures.append(status)

        threads = [threading.Thread(target=client, args=(user,)) for user in clients]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        window = time.monotonic() - started

        train_started = time.monotonic()
        jobs = [user.train(sample) for user, sample in zip(trainers, samples, strict=True)]
        finals = [
            user.wait_job(job, lambda j: j["status"] in ("completed", "failed", "cancelled"), timeout=1800)
            for user, job in zip(trainers, jobs, strict=True)
        ]
        train_wall = time.monotonic() - train_started
        failures += [f"training {f['status']}" for f in finals if f["status"] != "completed"]

        worker_pss = []
        for name in topology.names:
            if name.startswith("worker-"):
                for child in psutil.Process(topology.processes[name].pid).children(recursive=True):
                    worker_pss.append(child.memory_full_info().pss / MB)
        webs_now = [topology.processes[name].pid for name in topology.names if name.startswith("web-")]
        web_rss = [psutil.Process(pid).memory_info().rss / MB for pid in webs_now]
        for user in [*trainers, *clients]:
            user.http.close()
        return {
            "web_processes": webs,
            "worker_processes": workers,
            "syntheses": len(done),
            "window_s": round(window, 1),
            "syntheses_per_s": round(len(done) / window, 3),
            "synthesis_p50_s": round(percentile(done, 0.5), 2),
            "synthesis_p95_s": round(percentile(done, 0.95), 2),
            "poll_p50_ms": round(1000 * percentile(polls, 0.5), 1),
            "poll_p95_ms": round(1000 * percentile(polls, 0.95), 1),
            "trainings": len(finals),
            "training_wall_s": round(train_wall, 1),
            "trainings_per_min": round(60 * len(finals) / train_wall, 2),
            "worker_pss_mb": [round(v) for v in worker_pss],
            "web_rss_mb": [round(v) for v in web_rss],
            "failures": failures,
        }
    finally:
        topology.stop()


def _at(url: str) -> Any:
    """What ApiUser needs of a stack: its base URL."""
    from types import SimpleNamespace

    return SimpleNamespace(url=url)


def write(results: list[dict[str, Any]], args: argparse.Namespace) -> None:
    out = ROOT / "bench" / "results"
    machine = f"{platform.machine()}, {os.cpu_count()} CPU cores, Python {platform.python_version()}"
    (out / "scale.json").write_text(json.dumps({"machine": machine, "args": vars(args), "results": results}, indent=2))
    shapes: dict[tuple[int, int], list[dict[str, Any]]] = {}
    for r in results:
        shapes.setdefault((r["web_processes"], r["worker_processes"]), []).append(r)

    def mean(shape: tuple[int, int], key: str) -> float:
        return statistics.fmean(r[key] for r in shapes[shape])

    lines = [
        "# Scale-out: web and worker processes",
        "",
        f"`make bench-scale` on {machine}: PostgreSQL, Redis, RabbitMQ, S3 (moto), Chroma, the",
        f"Voxify processes and the load generator all share these cores. Load: {args.clients} clients submitting async",
        f"syntheses (two sentences, about 6 s of audio) and polling them for {args.seconds:g} s, then",
        f"{args.trainings} trainings at once. Workers run one task each (`-c 1`); shapes in the order run.",
        "",
        "| web | workers | syntheses/s | p50 / p95 done (s) | poll p50 / p95 (ms) "
        "| trainings: wall (s) | worker PSS (MB) | web RSS (MB) | failures |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        pss, rss = ", ".join(map(str, r["worker_pss_mb"])), ", ".join(map(str, r["web_rss_mb"]))
        lines.append(
            f"| {r['web_processes']} | {r['worker_processes']} | {r['syntheses_per_s']:.3f} | "
            f"{r['synthesis_p50_s']} / {r['synthesis_p95_s']} | {r['poll_p50_ms']} / {r['poll_p95_ms']} | "
            f"{r['training_wall_s']} | {pss} | {rss} | {len(r['failures'])} |"
        )
    lines += ["", "Means per shape:", "", "| web | workers | runs | syntheses/s | x 1x1 | training wall (s) | x 1x1 |"]
    lines.append("|---|---|---|---|---|---|---|")
    base = (1, 1)
    for shape in sorted(shapes):
        rate, wall = mean(shape, "syntheses_per_s"), mean(shape, "training_wall_s")
        lines.append(
            f"| {shape[0]} | {shape[1]} | {len(shapes[shape])} | {rate:.3f} | "
            f"{rate / mean(base, 'syntheses_per_s'):.2f} | {wall:.1f} | {wall / mean(base, 'training_wall_s'):.2f} |"
        )
    pss_all = [v for r in results for v in r["worker_pss_mb"]]
    rss_all = [v for r in results for v in r["web_rss_mb"]]
    one_worker = [r["syntheses_per_s"] for r in results if r["worker_processes"] == 1]
    lines += [
        "",
        f"- Memory per worker process (PSS of the pool process): {min(pss_all)} to {max(pss_all)} MB; per web",
        f"  process (RSS): {min(rss_all)} to {max(rss_all)} MB. Both grow linearly with the number of processes.",
        f"- One worker process: {min(one_worker):.2f} to {max(one_worker):.2f} syntheses per second of this text.",
        f"- Trainings: {mean(base, 'training_wall_s') / args.trainings:.0f} s each on one worker process.",
    ]
    (out / "scale.md").write_text("\n".join(lines) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=45.0)
    parser.add_argument("--clients", type=int, default=6)
    parser.add_argument("--trainings", type=int, default=2)
    parser.add_argument(
        "--shapes", default="1x1,1x2,2x1,2x2", help="web x worker processes, in the order run (default %(default)s)"
    )
    parser.add_argument("--repeat", type=int, default=1, help="run the list of shapes this many times")
    parser.add_argument("--merge", help="a scale.json of an earlier run: its runs are reported with these")
    args = parser.parse_args()
    shapes = [tuple(int(n) for n in shape.split("x")) for shape in args.shapes.split(",")] * args.repeat
    for name in ("DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "CHROMA_URL", "AWS_S3_ENDPOINT_URL"):
        if not os.environ.get(name):
            raise SystemExit(f"{name} is not set: run `make bench-scale`")
    fresh_database()
    from tests.support.standalone import standalone_django

    var_dir = standalone_django("voxify-scale-")
    # Limits high enough that the bench measures the service, not its quotas and throttles.
    os.environ.update(
        UPLOADS_PER_DAY="1000000",
        SYNTHESES_PER_DAY="1000000",
        AUDIO_SECONDS_PER_DAY="100000000",
        STORAGE_MB_PER_USER="100000",
        REGISTER_RATE_PER_IP="100000/h",
        LOGIN_RATE_PER_IP="100000/m",
    )
    results = json.loads(Path(args.merge).read_text())["results"] if args.merge else []
    for webs, workers in shapes:
        print(f"scale: {webs} web, {workers} worker processes", flush=True)
        results.append(run_shape(var_dir, webs, workers, args))
        print(json.dumps(results[-1]), flush=True)
    write(results, args)


if __name__ == "__main__":
    main()
