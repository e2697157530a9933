"""Faults with real processes, each asserting the outcome: the job completes (or ends failed
with a clear error), never stays running, is never done twice, and nothing is lost or
half-written. Runs on both modes: SQLite + embedded Redis, PostgreSQL + Redis + RabbitMQ."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from django.conf import settings

from tests.support.api import STRONG_PASSWORD
from tests.support.processes import FAST_REAPER, ApiUser, ServiceStack, kill_tree

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]
TERMINAL = {"completed", "failed", "cancelled"}
CLIP = "LJ001-0001.wav"


@pytest.fixture(scope="module")
def stack(
    tmp_path_factory: pytest.TempPathFactory, django_db_setup: None, django_db_blocker: Any
) -> Iterator[ServiceStack]:
    with django_db_blocker.unblock():
        services = ServiceStack(
            Path(tmp_path_factory.mktemp("faults")) / "var", DATABASE_LOCK_TIMEOUT="2", **FAST_REAPER
        ).start()
    try:
        yield services
    finally:
        services.stop()


def completed_once(user: ApiUser, job_id: str, *, attempts: int, timeout: float = 240) -> dict[str, Any]:
    """Wait for the end; it must be a completion on ``attempts``, with one voice model."""
    final = user.wait_job(job_id, lambda job: job["status"] in TERMINAL, timeout=timeout)
    assert (final["status"], final["attempts"]) == ("completed", attempts), final
    sample = user.http.get(f"/api/v1/voice/samples/{final['result']['sample_id']}").json()["data"]
    assert (sample["status"], sample["voice_model"]["version"]) == ("ready", 1), sample
    time.sleep(3)
    assert user.job(job_id)["status"] == "completed"  # and it stays so
    return final


def test_killing_the_whole_worker_mid_job_then_starting_one_completes_the_job(stack: ServiceStack) -> None:
    user = ApiUser(stack, "whole-worker@example.com")
    job_id = user.train(user.upload(CLIP))
    user.wait_job(job_id, lambda job: job["status"] == "running" and job["progress"] >= 0.1, timeout=120)

    kill_tree(stack.processes["worker"])  # the main process and its pool, kill -9
    stack.respawn("worker")

    completed_once(user, job_id, attempts=2)


@pytest.mark.skipif(
    settings.EMBEDDED,
    reason="embedded mode: Redis is also the broker, and tests/jobs/test_worker_e2e.py restarts it mid-job",
)
def test_redis_restarting_mid_job_costs_nothing(stack: ServiceStack) -> None:
    """Redis holds the cache, the rate-limit counters and the channel layer (and, embedded,
    the broker): a restart while a job runs must not cost the job or leave the API down."""
    user = ApiUser(stack, "redis-restart@example.com")
    job_id = user.train(user.upload(CLIP))
    user.wait_job(job_id, lambda job: job["status"] == "running", timeout=120)

    stack.restart_redis()

    completed_once(user, job_id, attempts=1)
    deadline = time.monotonic() + 60
    while httpx.get(f"{stack.url}/readyz", timeout=10).status_code != 200:
        assert time.monotonic() < deadline, "not ready again within 60 s of the restart"
        time.sleep(0.5)
    assert user.http.get("/api/v1/jobs").status_code == 200


def test_a_locked_database_answers_503_changes_nothing_and_jobs_ride_out_a_short_lock(stack: ServiceStack) -> None:
    user = ApiUser(stack, "locked@example.com")
    job_id = user.train(user.upload(CLIP))
    user.wait_job(job_id, lambda job: job["status"] == "running", timeout=120)
    newcomer = {"email": "newcomer@example.com", "password": STRONG_PASSWORD}

    with stack.database_locked("accounts_user"):  # longer than DATABASE_LOCK_TIMEOUT (2 s)
        started = time.monotonic()
        refused = httpx.post(f"{stack.url}/api/v1/auth/register", json=newcomer, timeout=60)
        waited = time.monotonic() - started
    with stack.database_locked("jobs_job"):  # shorter than it: writers wait, then go on
        time.sleep(1)

    assert refused.status_code == 503, refused.text
    assert refused.json()["error"]["code"] == "SERVICE_UNAVAILABLE"
    assert refused.headers["Retry-After"] == "5"
    assert 1.5 <= waited < 30
    never_made = httpx.post(f"{stack.url}/api/v1/auth/login", json=newcomer, timeout=60)
    assert never_made.status_code == 401  # nothing half-written
    assert httpx.post(f"{stack.url}/api/v1/auth/register", json=newcomer, timeout=60).status_code == 201
    completed_once(user, job_id, attempts=1)


ROLLED_BACK = """
from django.db import transaction
from speech.training import TrainingConfig
from voices.models import VoiceSample
from voices.training import voice_training_start
from voxify_project.celery import app

sample = VoiceSample.objects.get(public_id={sample_id!r})
try:
    with transaction.atomic():
        voice_training_start(sample=sample, config=TrainingConfig())
        raise RuntimeError("the request failed after the job was created")
except RuntimeError:
    pass
# Had a message gone out before the commit, a worker would meet a job that does not exist:
# send exactly that message to the live worker, which must drop it and stay healthy.
app.send_task("voices.train", args=["job_train_rolledback00000000", 1], queue="default")
"""


def test_a_job_enqueued_in_a_transaction_that_rolls_back_never_runs(stack: ServiceStack) -> None:
    user = ApiUser(stack, "rollback@example.com")
    sample_id = user.upload(CLIP)

    subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", ROLLED_BACK.format(sample_id=sample_id)],
        cwd=settings.BASE_DIR,
        env=stack.env,
        check=True,
        capture_output=True,
        timeout=120,
    )

    time.sleep(3)
    assert user.http.get("/api/v1/jobs").json()["data"]["pagination"]["total_count"] == 0
    assert user.http.get(f"/api/v1/voice/samples/{sample_id}").json()["data"]["status"] == "uploaded"
    completed_once(user, user.train(sample_id), attempts=1)  # the worker is healthy


def rabbitmq_consumer_timeout(milliseconds: int) -> None:
    """Set RabbitMQ's consumer_timeout at run time (channels opened afterwards follow it)."""
    subprocess.run(
        ["rabbitmqctl", "eval", f"application:set_env(rabbit, consumer_timeout, {milliseconds})."],
        check=True,
        capture_output=True,
        timeout=60,
    )


@pytest.fixture
def short_ack_timeout(tmp_path: Path) -> Iterator[ServiceStack]:
    """A stack whose broker takes back an unacknowledged message after 5 s, far shorter than
    a training: Redis's visibility timeout, or RabbitMQ's consumer_timeout."""
    rabbit = not settings.EMBEDDED
    if rabbit:
        rabbitmq_consumer_timeout(5000)
    services = ServiceStack(tmp_path / "var", BROKER_VISIBILITY_TIMEOUT="5", **FAST_REAPER)
    try:
        yield services.start()
    finally:
        services.stop()
        if rabbit:
            rabbitmq_consumer_timeout(1_800_000)  # RabbitMQ's default, 30 min


def test_a_job_longer_than_the_brokers_ack_timeout_completes_once(short_ack_timeout: ServiceStack) -> None:
    user = ApiUser(short_ack_timeout, "long-job@example.com")
    sample_id = user.upload(CLIP)
    job_id = user.train(sample_id)

    final = completed_once(user, job_id, attempts=1)  # one voice model: it ran once

    time.sleep(8)  # a redelivered copy, if any, has had time to arrive and be dropped
    assert user.job(job_id) == final
    sample = user.http.get(f"/api/v1/voice/samples/{sample_id}").json()["data"]
    assert sample["voice_model"]["version"] == 1
