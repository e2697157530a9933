"""Jobs API and life cycle (no worker): list, detail, cancel, the reaper, ownership."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import User
from jobs.models import Job
from jobs.services import job_complete, job_create, job_should_stop, job_start, jobs_reap

pytestmark = pytest.mark.django_db


def make_job(user: User, *, type: str = Job.Type.VOICE_TRAINING, title: str = "Train") -> Job:
    return job_create(owner=user, type=type, title=title, params={}, estimated_duration=30)


def test_ids_and_list_with_filters(alice: tuple[User, APIClient]) -> None:
    user, client = alice
    training = make_job(user)
    synthesis = make_job(user, type=Job.Type.SYNTHESIS, title="Speak")
    Job.objects.filter(pk=synthesis.pk).update(status=Job.Status.RUNNING)

    everything = client.get("/api/v1/jobs").json()["data"]
    running = client.get("/api/v1/jobs", {"status": "running"}).json()["data"]
    trainings = client.get("/api/v1/jobs", {"type": "voice_training"}).json()["data"]

    assert training.public_id.startswith("job_train_")
    assert synthesis.public_id.startswith("job_syn_")
    assert [j["job_id"] for j in everything["jobs"]] == [synthesis.public_id, training.public_id]
    assert set(everything["jobs"][0]) == {
        "job_id",
        "type",
        "status",
        "progress",
        "title",
        "created_at",
        "estimated_completion",
    }
    assert everything["pagination"]["total_count"] == 2
    assert [j["job_id"] for j in running["jobs"]] == [synthesis.public_id]
    assert [j["job_id"] for j in trainings["jobs"]] == [training.public_id]
    assert client.get("/api/v1/jobs", {"type": "bogus"}).status_code == 400


def test_detail_shape(alice: tuple[User, APIClient]) -> None:
    user, client = alice
    job = make_job(user, title="Voice Model Training - Mine")

    data = client.get(f"/api/v1/jobs/{job.public_id}").json()["data"]

    assert data["job_id"] == job.public_id
    assert (data["type"], data["status"], data["progress"]) == ("voice_training", "pending", 0.0)
    assert data["title"] == "Voice Model Training - Mine"
    assert data["error"] is None and data["result"] is None
    assert data["started_at"] is None and data["finished_at"] is None
    assert data["estimated_completion"] is not None


def test_cancel_pending_job_means_it_never_runs(alice: tuple[User, APIClient]) -> None:
    user, client = alice
    job = make_job(user)

    response = client.post(f"/api/v1/jobs/{job.public_id}/cancel")

    assert response.status_code == 200
    assert response.json()["data"]["status"] == "cancelled"
    assert job_start(job_id=job.public_id, attempt=1) is None
    assert Job.objects.get(pk=job.pk).status == "cancelled"
    assert Job.objects.get(pk=job.pk).started_at is None


def test_cancel_running_job_asks_the_worker_to_stop(alice: tuple[User, APIClient]) -> None:
    user, client = alice
    job = make_job(user)
    running = job_start(job_id=job.public_id, attempt=1)
    assert running is not None and not job_should_stop(job=running)

    first = client.post(f"/api/v1/jobs/{job.public_id}/cancel")
    second = client.post(f"/api/v1/jobs/{job.public_id}/cancel")

    assert first.status_code == second.status_code == 200
    assert first.json()["message"] == "Cancellation requested"
    assert job_should_stop(job=running)
    assert Job.objects.get(pk=job.pk).status == "running"  # until the worker notices


def test_cancel_twice_after_cancelled_is_harmless(alice: tuple[User, APIClient]) -> None:
    user, client = alice
    job = make_job(user)
    client.post(f"/api/v1/jobs/{job.public_id}/cancel")

    again = client.post(f"/api/v1/jobs/{job.public_id}/cancel")

    assert again.status_code == 200
    assert again.json()["data"]["status"] == "cancelled"


def test_cancel_finished_job_is_409(alice: tuple[User, APIClient]) -> None:
    user, client = alice
    job = make_job(user)
    running = job_start(job_id=job.public_id, attempt=1)
    assert running is not None
    assert job_complete(job=running, result={"ok": True})

    response = client.post(f"/api/v1/jobs/{job.public_id}/cancel")

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "JOB_NOT_CANCELLABLE"
    assert Job.objects.get(pk=job.pk).status == "completed"


def test_duplicate_delivery_runs_once(alice: tuple[User, APIClient]) -> None:
    user, _ = alice
    job = make_job(user)

    first = job_start(job_id=job.public_id, attempt=1)
    duplicate = job_start(job_id=job.public_id, attempt=1)

    assert first is not None
    assert duplicate is None
    assert Job.objects.get(pk=job.pk).attempts == 1


def test_reaper_retries_once_then_fails(alice: tuple[User, APIClient], settings: Any) -> None:
    settings.JOB_HEARTBEAT_TIMEOUT = 30
    user, client = alice
    job = make_job(user)
    assert job_start(job_id=job.public_id, attempt=1) is not None
    Job.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - timedelta(seconds=31))

    first = jobs_reap()

    after_first = Job.objects.get(pk=job.pk)
    assert first["retried"] == 1
    assert (after_first.status, after_first.attempts) == ("pending", 1)
    assert "attempt 1" in after_first.message
    assert job_start(job_id=job.public_id, attempt=2) is not None
    Job.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - timedelta(seconds=31))

    second = jobs_reap()

    failed = client.get(f"/api/v1/jobs/{job.public_id}").json()["data"]
    assert second["failed"] == 1
    assert failed["status"] == "failed"
    assert failed["attempts"] == 2
    assert failed["error"]["code"] == "WORKER_LOST"


def test_reaper_leaves_healthy_jobs_alone(alice: tuple[User, APIClient]) -> None:
    user, _ = alice
    job = make_job(user)
    job_start(job_id=job.public_id, attempt=1)

    assert jobs_reap() == {"retried": 0, "failed": 0, "resent": 0}
    assert Job.objects.get(pk=job.pk).status == "running"


def test_reaper_resends_lost_pending_jobs(alice: tuple[User, APIClient], settings: Any) -> None:
    settings.JOB_PENDING_RESEND = 60
    user, _ = alice
    job = make_job(user)
    Job.objects.filter(pk=job.pk).update(enqueued_at=timezone.now() - timedelta(seconds=61))

    assert jobs_reap()["resent"] == 1
    assert Job.objects.get(pk=job.pk).status == "pending"


def test_another_users_job_is_404(make_user: Callable[[str], tuple[User, APIClient]]) -> None:
    alice, _ = make_user("a@example.com")
    _, bob = make_user("b@example.com")
    job = make_job(alice)

    for response in (
        bob.get(f"/api/v1/jobs/{job.public_id}"),
        bob.post(f"/api/v1/jobs/{job.public_id}/cancel"),
        bob.post(f"/api/v1/jobs/{job.public_id}/progress/ticket"),
    ):
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "JOB_NOT_FOUND"
    assert bob.get("/api/v1/jobs").json()["data"]["jobs"] == []
    assert Job.objects.get(pk=job.pk).status == "pending"
