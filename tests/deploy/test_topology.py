"""The production profile of compose.yaml as one system: each Voxify role's command, read from
compose.yaml, run as a native process against this machine's real services (PostgreSQL,
Redis, RabbitMQ, S3 on the moto server, the Chroma server), checked by its own health check."""

from __future__ import annotations

import asyncio
import contextlib
import io
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import grpc
import httpx
import pytest
import soundfile as sf
from django.conf import settings

from grpc_server.protos import tts_pb2, tts_pb2_grpc
from tests.support import compose
from tests.support.processes import ApiUser, free_port, kill_tree, service_env, watch

pytestmark = [
    pytest.mark.slow,
    # The stack's processes use the test database; each test reads it (in a transaction of its own).
    pytest.mark.django_db,
    pytest.mark.skipif(
        settings.EMBEDDED, reason="the production topology runs on the real services (make test-services)"
    ),
]

CLIP = "1089-134686-0000.wav"
SECOND_CLIP = "LJ001-0006.wav"
TERMINAL = {"completed", "failed", "cancelled"}
# Set by compose from the operator's .env and replaced here by this machine's services.
CONNECTIONS = {
    "DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "STORAGE_BACKEND", "AWS_STORAGE_BUCKET_NAME",
    "AWS_S3_ENDPOINT_URL", "AWS_S3_REGION_NAME", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "CHROMA_URL",
    "SECRET_KEY", "JWT_SIGNING_KEY", "PUBLIC_BASE_URL",
}  # fmt: skip
# What an operator's .env would give compose for the rest.
OPERATOR_ENV = {"ALLOWED_HOSTS": "127.0.0.1", "WORKER_CONCURRENCY": "1", "GPU_WORKER_CONCURRENCY": "1"}
FAST_REAPER = {"JOB_HEARTBEAT_INTERVAL": "1", "JOB_HEARTBEAT_TIMEOUT": "8", "JOB_REAPER_INTERVAL": "2"}


class Topology:
    """migrate once, then two web processes, grpc, worker, worker-gpu and beat, each from compose.yaml."""

    def __init__(self, var_dir: Path) -> None:
        self.var_dir = var_dir
        self.var_dir.mkdir(parents=True)
        self.spec = compose.load()["services"]
        self.web_ports = [free_port(), free_port()]
        self.grpc_port = free_port()
        self.env = service_env(var_dir, LOG_LEVEL="INFO", **FAST_REAPER)
        self.env["PUBLIC_BASE_URL"] = self.web_url(1)
        production = self.spec["web"]["environment"]
        for key in CONNECTIONS & production.keys():
            assert self.env.get(key), f"{key}: the test has no real service for it"
        for key, value in production.items():
            if key not in CONNECTIONS:
                self.env[key] = compose.interpolate(str(value), OPERATOR_ENV)
        assert self.env["STORAGE_BACKEND"] == "s3" and self.env["CELERY_BROKER_URL"].startswith("amqp://")
        self.processes: dict[str, subprocess.Popen[bytes]] = {}

    def web_url(self, index: int) -> str:
        return f"http://127.0.0.1:{self.web_ports[index]}"

    def ports(self, name: str) -> dict[str, int]:
        web = self.web_ports[1] if name == "web-b" else self.web_ports[0]
        return {"8000": web, "50051": self.grpc_port}

    def command(self, name: str) -> list[str]:
        role = "web" if name.startswith("web") else name
        return compose.native(self.spec[role]["command"], OPERATOR_ENV, self.ports(name))

    def spawn(self, name: str) -> None:
        log = (self.var_dir / f"{name}.log").open("ab")
        self.processes[name] = subprocess.Popen(
            self.command(name),
            cwd=settings.BASE_DIR,
            env=self.env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()

    def healthy(self, name: str, timeout: float = 180) -> None:
        """The role's own compose health check, run here until it passes."""
        role = "web" if name.startswith("web") else name
        argv = compose.native(compose.healthcheck(self.spec[role]), OPERATOR_ENV, self.ports(name))
        deadline = time.monotonic() + timeout
        while True:
            process = self.processes[name]
            assert process.poll() is None, f"{name} exited with {process.returncode}:\n{self.log(name)[-3000:]}"
            result = subprocess.run(
                argv, cwd=settings.BASE_DIR, env=self.env, capture_output=True, text=True, timeout=60
            )
            if result.returncode == 0:
                return
            assert time.monotonic() < deadline, f"{name} never healthy: {result.stderr}\n{self.log(name)[-3000:]}"
            time.sleep(1)

    def log(self, name: str) -> str:
        return (self.var_dir / f"{name}.log").read_text(errors="replace")

    def start(self) -> Topology:
        migrate = subprocess.run(
            compose.native(self.spec["migrate"]["command"], OPERATOR_ENV, {}),
            cwd=settings.BASE_DIR,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert migrate.returncode == 0, migrate.stderr
        names = ["web-a", "web-b", "grpc", "worker", "worker-gpu", "beat"]
        for name in names:
            self.spawn(name)
        for name in names:
            self.healthy(name)
        return self

    def stop(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.processes.values():
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=20)
            kill_tree(process)


@pytest.fixture(scope="module")
def topology(
    tmp_path_factory: pytest.TempPathFactory, django_db_setup: None, django_db_blocker: Any
) -> Iterator[Topology]:
    with django_db_blocker.unblock():
        system = Topology(Path(tmp_path_factory.mktemp("topology")) / "var")
        try:
            yield system.start()
        finally:
            system.stop()


def monotonic_progress(messages: list[dict[str, Any]]) -> list[float]:
    progress = [float(message["progress"]) for message in messages if "progress" in message]
    assert progress == sorted(progress), progress
    return progress


def files_of(user: ApiUser) -> dict[str, int]:
    """The user's stored files by kind, as the database holds them."""
    from files.models import StoredFile

    me = user.http.get("/api/v1/auth/me").json()["data"]
    kinds = list(StoredFile.objects.filter(owner__public_id=me["user_id"]).values_list("kind", flat=True))
    return {kind: kinds.count(kind) for kind in set(kinds)}


def test_one_request_crosses_every_role(topology: Topology) -> None:
    web_a, web_b = SimpleNamespace(url=topology.web_url(0)), SimpleNamespace(url=topology.web_url(1))
    user = ApiUser(web_a, "topology@example.com")  # type: ignore[arg-type]

    # Upload through web A; train; follow the job over web B's WebSocket.
    sample_id = user.upload(CLIP)
    job_id = user.train(sample_id)
    messages = asyncio.run(watch(web_b, job_id, user.token))  # type: ignore[arg-type]
    assert messages[-1]["status"] == "completed", messages[-1]
    assert len(set(monotonic_progress(messages))) >= 3 and messages[-1]["progress"] == 1.0
    # The training ran on the gpu-queue worker, not on the default one.
    assert "Task voices.train[" in topology.log("worker-gpu") and "Task voices.train[" not in topology.log("worker")

    # Synthesise through the gRPC sidecar in the cloned voice; download through web B.
    with grpc.insecure_channel(f"127.0.0.1:{topology.grpc_port}") as channel:
        spoken = tts_pb2_grpc.TTSServiceStub(channel).SynthesizeText(
            tts_pb2.SynthesizeTextRequest(text="The lighthouse keeper climbed the stairs.", voice_id=sample_id),
            metadata=[("authorization", f"Bearer {user.token}")],
            timeout=120,
        )
    assert spoken.voice_id == sample_id and spoken.audio_url.startswith(topology.web_url(1) + "/api/v1/files/audio/")
    download = httpx.get(spoken.audio_url, timeout=60)  # the signed link, no header
    assert download.status_code == 200, download.text
    audio, rate = sf.read(io.BytesIO(download.content))
    assert rate == spoken.sample_rate and abs(len(audio) / rate - spoken.duration) < 0.05

    usage = user.http.get("/api/v1/auth/usage").json()["data"]
    assert (usage["uploads"]["used"], usage["syntheses"]["used"]) == (1, 1)
    assert files_of(user) == {"voice_sample": 1, "voice_model": 1, "synthesis": 1}


def test_killing_the_worker_mid_training_loses_nothing_and_charges_nothing_twice(topology: Topology) -> None:
    user = ApiUser(SimpleNamespace(url=topology.web_url(1)), "topology-kill@example.com")  # type: ignore[arg-type]
    sample_id = user.upload(SECOND_CLIP)
    usage_before = user.http.get("/api/v1/auth/usage").json()["data"]
    job_id = user.train(sample_id)
    user.wait_job(job_id, lambda job: job["status"] == "running" and job["progress"] >= 0.1, timeout=180)

    kill_tree(topology.processes["worker-gpu"])  # the worker and its pool, SIGKILL
    topology.spawn("worker-gpu")  # a replacement, from the same compose command
    topology.healthy("worker-gpu")

    final = user.wait_job(job_id, lambda job: job["status"] in TERMINAL, timeout=300)
    sample = user.http.get(f"/api/v1/voice/samples/{sample_id}").json()["data"]
    if final["status"] == "completed":
        assert final["attempts"] == 2 and sample["status"] == "ready" and sample["voice_model"]["version"] == 1
        expected_files = {"voice_sample": 1, "voice_model": 1}
    else:
        assert final["status"] == "failed" and final["error"]["code"] == "WORKER_LOST", final
        assert final["error"]["message"], final
        expected_files = {"voice_sample": 1}
    time.sleep(5)  # it stays ended: no late attempt runs it again
    assert user.job(job_id)["status"] == final["status"]

    # Nothing lost: the sample and its recording are intact. Nothing charged twice: one upload,
    # one stored file per kind, and storage that is exactly the files kept.
    recording = user.http.get(f"/api/v1/files/audio/{sample['file_id']}")
    assert recording.status_code == 200, recording.text
    audio, rate = sf.read(io.BytesIO(recording.content))
    assert abs(len(audio) / rate - sample["duration"]) < 0.05
    usage = user.http.get("/api/v1/auth/usage").json()["data"]
    assert usage["uploads"]["used"] == usage_before["uploads"]["used"] == 1
    assert files_of(user) == expected_files
    assert usage["storage_bytes"]["used"] > usage_before["storage_bytes"]["used"] or final["status"] == "failed"
