"""The generated code is current; ``manage.py rungrpc`` serves, reports health and stops
gracefully on SIGTERM."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import grpc
import pytest
from django.conf import settings
from grpc_health.v1 import health_pb2, health_pb2_grpc

from tests.support.processes import free_port, migrate, service_env

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


def self_signed(folder: Path) -> tuple[Path, Path]:
    """A certificate and key for "localhost", made here (no files shipped with the tests)."""
    import datetime

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return cert_path, key_path


def test_tls_when_a_certificate_and_key_are_configured(tmp_path: Path, settings: Any) -> None:
    from grpc_server.server import build_server

    cert_path, key_path = self_signed(tmp_path)
    settings.GRPC_TLS_CERT_FILE = str(cert_path)
    settings.GRPC_TLS_KEY_FILE = str(key_path)
    server, port = build_server(bind="127.0.0.1", port=0, max_workers=2)
    server.start()
    try:
        credentials = grpc.ssl_channel_credentials(root_certificates=cert_path.read_bytes())
        with grpc.secure_channel(f"localhost:{port}", credentials) as channel:
            answer = health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(), timeout=10)
        assert answer.status == health_pb2.HealthCheckResponse.SERVING
        with grpc.insecure_channel(f"localhost:{port}") as plain, pytest.raises(grpc.RpcError) as refused:
            health_pb2_grpc.HealthStub(plain).Check(health_pb2.HealthCheckRequest(), timeout=5)
        assert refused.value.code() == grpc.StatusCode.UNAVAILABLE
    finally:
        server.stop(grace=None).wait()
