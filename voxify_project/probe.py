"""Health probes for each process role, for container health checks and process supervisors.

``python -m voxify_project.probe ROLE``; exit status 0 when healthy, 1 with the reason on
stderr otherwise:

- ``http --port P``: the web process's ``/readyz`` on loopback answers 200 (database, Redis
  and broker reachable from it). It asks for host ``localhost``, which ALLOWED_HOSTS must list.
- ``grpc --port P``: the gRPC sidecar's standard health service says SERVING.
- ``worker --node NAME``: the Celery worker ``NAME@<this host>`` answers a ping over the
  broker (``-n NAME@%h`` on its command line).
- ``beat --max-age S``: Celery beat sent the job reaper within the last S seconds (the reaper
  is the most frequent periodic task; beat records each send in the database).

The ``http`` and ``grpc`` probes import no Django, so they cost little every few seconds.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import sys
import urllib.error
import urllib.request


def probe_http(port: int, timeout: float) -> str | None:
    url = f"http://127.0.0.1:{port}/readyz"
    try:
        request = urllib.request.Request(url, headers={"Host": "localhost"})
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - loopback URL built here
            return None if response.status == 200 else f"{url} answered {response.status}"
    except urllib.error.HTTPError as exc:
        try:
            reason = json.load(exc)["message"]
        except (ValueError, KeyError, TypeError):
            reason = exc.reason
        return f"{url} answered {exc.code}: {reason}"
    except (urllib.error.URLError, OSError) as exc:
        return f"{url}: {exc}"


def probe_grpc(port: int, timeout: float) -> str | None:
    import grpc
    from grpc_health.v1 import health_pb2, health_pb2_grpc

    with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
        try:
            answer = health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(), timeout=timeout)
        except grpc.RpcError as exc:
            return f"gRPC health on port {port}: {exc.code().name}"
    if answer.status != health_pb2.HealthCheckResponse.SERVING:
        return f"gRPC health on port {port}: {health_pb2.HealthCheckResponse.ServingStatus.Name(answer.status)}"
    return None


def _django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "voxify_project.settings")
    import django

    django.setup()


def probe_worker(node: str, timeout: float) -> str | None:
    _django()
    from voxify_project.celery import app

    name = f"{node}@{socket.gethostname()}"
    replies = app.control.ping(destination=[name], timeout=timeout)
    if not any(name in reply for reply in replies):
        return f"Celery worker {name} did not answer a ping within {timeout:g} s"
    return None


def probe_beat(max_age: float) -> str | None:
    _django()

    from django.conf import settings
    from django.utils import timezone
    from django_celery_beat.models import PeriodicTask

    name = "reap-jobs"
    sent = PeriodicTask.objects.filter(name=name).values_list("last_run_at", flat=True).first()
    if sent is None:
        return f"beat has not sent {name!r} yet"
    age = (timezone.now() - sent).total_seconds()
    limit = max(max_age, 3 * float(settings.CELERY_BEAT_SCHEDULE[name]["schedule"]))
    if age > limit:
        return f"beat last sent {name!r} {age:.0f} s ago (limit {limit:.0f} s)"
    return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m voxify_project.probe", description=__doc__.split("\n")[0])
    parser.add_argument("--timeout", type=float, default=5.0, help="seconds to wait for an answer")
    roles = parser.add_subparsers(dest="role", required=True)
    roles.add_parser("http", help="the web process's /readyz").add_argument("--port", type=int, default=8000)
    roles.add_parser("grpc", help="the gRPC health service").add_argument("--port", type=int, default=50051)
    roles.add_parser("worker", help="a Celery worker answers a ping").add_argument("--node", required=True)
    roles.add_parser("beat", help="beat sends the job reaper").add_argument("--max-age", type=float, default=60)
    args = parser.parse_args(argv)
    if args.role == "http":
        problem = probe_http(args.port, args.timeout)
    elif args.role == "grpc":
        problem = probe_grpc(args.port, args.timeout)
    elif args.role == "worker":
        problem = probe_worker(args.node, args.timeout)
    else:
        problem = probe_beat(args.max_age)
    if problem:
        print(f"unhealthy: {problem}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
