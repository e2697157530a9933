"""The generated code is current; ``manage.py rungrpc`` serves, reports health and stops
gracefully on SIGTERM."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import grpc
import pytest
from django.conf import settings
from grpc_health.v1 import health_pb2, health_pb2_grpc

from tests.processes import free_port, migrate, service_env

PROTOS = Path(settings.BASE_DIR) / "grpc_server" / "protos"


def test_the_committed_generated_code_is_what_the_protos_generate(tmp_path: Path) -> None:
    from grpc_tools import protoc

    target = tmp_path / "out"
    target.mkdir()
    protos = sorted(str(p.relative_to(settings.BASE_DIR)) for p in PROTOS.glob("*.proto"))
    assert len(protos) == 5
    code = protoc.main(
        [
            "grpc_tools.protoc",
            f"-I{settings.BASE_DIR}",
            f"-I{Path(protoc.__file__).parent / '_proto'}",
            f"--python_out={target}",
            f"--pyi_out={target}",
            f"--grpc_python_out={target}",
            *[str(Path(settings.BASE_DIR) / p) for p in protos],
        ]
    )
    assert code == 0
    fresh = {p.name: p.read_bytes() for p in (target / "grpc_server" / "protos").iterdir()}
    committed = {p.name: p.read_bytes() for p in PROTOS.iterdir() if p.name in fresh}
    assert len(fresh) == 15
    stale = sorted(name for name in fresh if committed.get(name) != fresh[name])
    assert not stale, f"run `make protos`: {stale} differ from a fresh generation"


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_rungrpc_serves_health_and_stops_gracefully_on_sigterm(tmp_path: Path) -> None:
    env = service_env(tmp_path / "var")
    migrate(env)
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "manage.py", "rungrpc", "--bind", "127.0.0.1", "--port", str(port)],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
            grpc.channel_ready_future(channel).result(timeout=120)
            answer = health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(service=""), timeout=10)
        assert answer.status == health_pb2.HealthCheckResponse.SERVING

        started = time.monotonic()
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0
        assert time.monotonic() - started < 15
        output = process.stdout.read() if process.stdout else ""
        assert f"serving on 127.0.0.1:{port}" in output
        assert "stopped cleanly" in output
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
