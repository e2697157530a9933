"""The production profile of compose.yaml as one system: each Voxify role's command, read from
compose.yaml, run as a native process against this machine's real services (PostgreSQL,
Redis, RabbitMQ, S3 on the moto server, the Chroma server), checked by its own health check."""

from __future__ import annotations

import asyncio
import io
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
from django.core.management import call_command

from grpc_server.protos import tts_pb2, tts_pb2_grpc
from tests.support.processes import FAST_REAPER, ApiUser, kill_tree, watch
from tests.support.topology import Topology

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


@pytest.fixture(scope="module")
def topology(
    tmp_path_factory: pytest.TempPathFactory, django_db_setup: None, django_db_blocker: Any
) -> Iterator[Topology]:
    with django_db_blocker.unblock():
        system = Topology(
            Path(tmp_path_factory.mktemp("topology")) / "var",
            {"web": 2, "grpc": 1, "worker": 1, "worker-gpu": 1, "beat": 1},
            **FAST_REAPER,
        )
        system.env["PUBLIC_BASE_URL"] = system.url("web-2")  # gRPC answers link to web B
        try:
            yield system.start()
        finally:
            system.stop()
            # The processes committed their rows outside any test transaction: empty the
            # database as a transactional test's teardown does, for the tests that follow.
            call_command("flush", interactive=False, verbosity=0)


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
    web_a, web_b = SimpleNamespace(url=topology.url("web-1")), SimpleNamespace(url=topology.url("web-2"))
    user = ApiUser(web_a, "topology@example.com")  # type: ignore[arg-type]

    # Upload through web A; train; follow the job over web B's WebSocket.
    sample_id = user.upload(CLIP)
    job_id = user.train(sample_id)
    messages = asyncio.run(watch(web_b, job_id, user.token))  # type: ignore[arg-type]
    assert messages[-1]["status"] == "completed", messages[-1]
    assert len(set(monotonic_progress(messages))) >= 3 and messages[-1]["progress"] == 1.0
    # The training ran on the gpu-queue worker, not on the default one.
    assert "Task voices.train[" in topology.log("worker-gpu-1") and "Task voices.train[" not in topology.log("worker-1")

    # Synthesise through the gRPC sidecar in the cloned voice; download through web B.
    with grpc.insecure_channel(topology.grpc_target) as channel:
        spoken = tts_pb2_grpc.TTSServiceStub(channel).SynthesizeText(
            tts_pb2.SynthesizeTextRequest(text="The lighthouse keeper climbed the stairs.", voice_id=sample_id),
            metadata=[("authorization", f"Bearer {user.token}")],
            timeout=120,
        )
    assert spoken.voice_id == sample_id and spoken.audio_url.startswith(topology.url("web-2") + "/api/v1/files/audio/")
    download = httpx.get(spoken.audio_url, timeout=60)  # the signed link, no header
    assert download.status_code == 200, download.text
    audio, rate = sf.read(io.BytesIO(download.content))
    assert rate == spoken.sample_rate and abs(len(audio) / rate - spoken.duration) < 0.05

    # A long text as a job through web A: the default-queue worker speaks it.
    accepted = user.http.post(
        "/api/v1/tts/synthesize/async", json={"text": "A job for the default queue.", "voice_id": sample_id}
    )
    assert accepted.status_code == 202, accepted.text
    spoken_later = user.wait_job(accepted.json()["data"]["job_id"], lambda job: job["status"] in TERMINAL, timeout=120)
    assert spoken_later["status"] == "completed", spoken_later
    assert "Task synthesis.run[" in topology.log("worker-1") and "Task synthesis.run[" not in topology.log(
        "worker-gpu-1"
    )

    usage = user.http.get("/api/v1/auth/usage").json()["data"]
    assert (usage["uploads"]["used"], usage["syntheses"]["used"]) == (1, 2)
    assert files_of(user) == {"voice_sample": 1, "voice_model": 1, "synthesis": 2}


def test_killing_the_worker_mid_training_loses_nothing_and_charges_nothing_twice(topology: Topology) -> None:
    user = ApiUser(SimpleNamespace(url=topology.url("web-2")), "topology-kill@example.com")  # type: ignore[arg-type]
    sample_id = user.upload(SECOND_CLIP)
    usage_before = user.http.get("/api/v1/auth/usage").json()["data"]
    job_id = user.train(sample_id)
    user.wait_job(job_id, lambda job: job["status"] == "running" and job["progress"] >= 0.1, timeout=180)

    kill_tree(topology.processes["worker-gpu-1"])  # the worker and its pool, SIGKILL
    topology.spawn("worker-gpu-1")  # a replacement, from the same compose command
    topology.healthy("worker-gpu-1")

    final = user.wait_job(job_id, lambda job: job["status"] in TERMINAL, timeout=300)
    sample = user.http.get(f"/api/v1/voice/samples/{sample_id}").json()["data"]
    print(f"after the kill: {final['status']} on attempt {final['attempts']}: {final.get('error') or final['message']}")
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
