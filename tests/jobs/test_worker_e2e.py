"""End to end with real processes: web, Celery worker and beat (and the embedded Redis).

Everything goes over HTTP and a real WebSocket client, as a user's program would do it.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest
import websockets

from tests.support.processes import ApiUser as User
from tests.support.processes import ServiceStack, watch

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]
TERMINAL = {"completed", "failed", "cancelled"}


@pytest.fixture
def stack(tmp_path: Path) -> Iterator[ServiceStack]:
    services = ServiceStack(
        tmp_path / "var", JOB_HEARTBEAT_INTERVAL="1", JOB_HEARTBEAT_TIMEOUT="8", JOB_REAPER_INTERVAL="2"
    ).start()
    try:
        yield services
    finally:
        services.stop()


def test_training_end_to_end_with_live_progress(stack: ServiceStack) -> None:
    user = User(stack, "e2e@example.com")
    sample_id = user.upload("LJ001-0001.wav")
    job_id = user.train(sample_id)

    messages = asyncio.run(asyncio.wait_for(watch(stack, job_id, user.token), timeout=180))

    assert messages[0]["job_id"] == job_id
    assert messages[0]["status"] in {"pending", "running"}
    assert set(messages[0]) == {"job_id", "status", "progress", "message", "timestamp"}
    running = [m for m in messages[1:] if m["status"] == "running"]
    progress = [m["progress"] for m in running]
    assert len(running) >= 5, messages
    assert progress == sorted(progress)
    assert len(set(progress)) >= 5
    assert messages[-1]["status"] == "completed", messages[-1]
    assert messages[-1]["progress"] == 1.0
    sample = user.http.get(f"/api/v1/voice/samples/{sample_id}").json()["data"]
    assert sample["status"] == "ready"
    assert sample["voice_model"]["version"] == 1
    assert user.http.get(f"/api/v1/files/{sample['voice_model']['file_id']}/info").status_code == 200
    # Another user cannot watch or read this job.
    intruder = User(stack, "intruder@example.com")
    assert intruder.http.get(f"/api/v1/jobs/{job_id}").status_code == 404
    with pytest.raises(websockets.InvalidStatus) as refused:
        asyncio.run(watch(stack, job_id, intruder.token))
    assert refused.value.response.status_code == 403


def test_killed_worker_process_does_not_leave_the_job_running(stack: ServiceStack) -> None:
    user = User(stack, "kill@example.com")
    job_id = user.train(user.upload("LJ001-0001.wav"))
    user.wait_job(job_id, lambda job: job["status"] == "running" and job["progress"] >= 0.1, timeout=120)
    pool = stack.worker_pool_processes()
    assert pool, "the worker has no pool process"

    for process in pool:
        process.kill()  # kill -9 of the process running the training
    killed_at = time.monotonic()

    rescued = user.wait_job(job_id, lambda job: job["attempts"] >= 2 or job["status"] == "failed", timeout=60)
    assert time.monotonic() - killed_at < 60
    final = user.wait_job(job_id, lambda job: job["status"] in TERMINAL, timeout=180)
    # The reaper retries a job whose worker died (max_attempts 2): the second attempt completes.
    assert (final["status"], final["attempts"]) == ("completed", 2), final
    assert rescued["job_id"] == job_id
    sample = user.http.get(f"/api/v1/voice/samples/{final['result']['sample_id']}").json()["data"]
    assert (sample["status"], sample["voice_model"]["version"]) == ("ready", 1)
    assert psutil.Process(stack.processes["worker"].pid).is_running()


def test_broker_restart_during_a_job(stack: ServiceStack) -> None:
    user = User(stack, "broker@example.com")
    job_id = user.train(user.upload("LJ001-0001.wav"))
    user.wait_job(job_id, lambda job: job["status"] == "running", timeout=120)

    stack.restart_broker()

    final = user.wait_job(job_id, lambda job: job["status"] in TERMINAL, timeout=240)
    # The job was already running: a broker restart must not cost it.
    assert final["status"] == "completed", final
    time.sleep(3)
    assert user.job(job_id)["status"] == "completed"  # and it stays there


def test_cancelling_a_running_job_stops_it_mid_way(stack: ServiceStack) -> None:
    user = User(stack, "cancel@example.com")
    sample_id = user.upload("LJ001-0001.wav")
    job_id = user.train(sample_id)
    user.wait_job(job_id, lambda job: job["status"] == "running" and job["progress"] >= 0.2, timeout=120)

    response = user.http.post(f"/api/v1/jobs/{job_id}/cancel")
    # The worker checks between the training's steps; the whole training takes far longer
    # than this wait (how fast a cancel lands is a speed figure, not a test).
    final = user.wait_job(job_id, lambda job: job["status"] in TERMINAL, timeout=30)

    assert response.status_code == 200
    assert final["status"] == "cancelled" and final["progress"] < 1.0, final
    sample = user.http.get(f"/api/v1/voice/samples/{sample_id}").json()["data"]
    assert (sample["status"], sample["voice_model"]) == ("uploaded", None)
    again = user.http.post(f"/api/v1/jobs/{job_id}/cancel")
    assert again.status_code == 200 and again.json()["data"]["status"] == "cancelled"
