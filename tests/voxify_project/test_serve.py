"""``manage.py serve`` starts the whole service, stops it cleanly, and never runs half-up."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest
from django.conf import settings

from tests.support.processes import free_port, migrate, service_env, wait_ready

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def running_service(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[bytes], int]]:
    env = service_env(tmp_path / "var")
    migrate(env)
    port = free_port()
    command = ["manage.py", "serve", "--bind", "127.0.0.1", "--port", str(port), "--grpc-port", str(free_port())]
    process = subprocess.Popen(
        [sys.executable, *command, "--stop-timeout", "20"],
        cwd=settings.BASE_DIR,
        env=env,
    )
    try:
        yield process, port
    finally:
        if process.poll() is None:
            process.kill()
            for child in psutil.Process(process.pid).children(recursive=True):
                child.kill()
            process.wait()


def expected_children() -> set[str]:
    names = {"web", "worker", "beat"}
    return names | {"redis"} if not os.environ.get("REDIS_URL") else names


def test_serve_starts_everything_and_stops_cleanly_on_sigterm(
    running_service: tuple[subprocess.Popen[bytes], int],
) -> None:
    process, port = running_service
    body = wait_ready(port, process)
    assert body["data"]["checks"] == {"database": "ok", "redis": "ok", "broker": "ok"}

    tree = psutil.Process(process.pid).children(recursive=True)
    cmdlines = [" ".join(p.cmdline()) for p in tree]
    assert any("voxify_project.http_server" in c for c in cmdlines)
    assert any("celery" in c and " worker" in c for c in cmdlines)
    assert any("celery" in c and " beat" in c for c in cmdlines)
    assert any("rungrpc" in c for c in cmdlines)
    assert any("redis-server" in c for c in cmdlines) == ("redis" in expected_children())

    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=90) == 0
    _gone, alive = psutil.wait_procs(tree, timeout=10)
    assert alive == [], [p.cmdline() for p in alive]


def test_serve_stops_everything_when_a_child_dies(running_service: tuple[subprocess.Popen[bytes], int]) -> None:
    process, port = running_service
    wait_ready(port, process)
    tree = psutil.Process(process.pid).children(recursive=True)
    web = next(p for p in tree if "voxify_project.http_server" in " ".join(p.cmdline()))

    web.kill()

    assert process.wait(timeout=90) == 1
    _gone, alive = psutil.wait_procs(tree, timeout=10)
    assert alive == [], [p.cmdline() for p in alive]
