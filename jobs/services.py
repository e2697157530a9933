"""Job life cycle: create + enqueue, start, progress, finish, cancel, and the reaper.

Every transition is a conditional write on the row, so a duplicate or late Celery message
(redelivery after a worker died, a resend by the reaper) finds the job no longer pending
for its attempt and does nothing: tasks are idempotent by construction.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import structlog
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from jobs.models import Job
from jobs.notifications import job_notify_on_commit
from voxify_project.celery import app as celery_app
from voxify_project.errors import Conflict
from voxify_project.ids import new_public_id

log = structlog.get_logger(__name__)

# Job type -> (Celery task name, settings attribute naming its queue).
JOB_TASKS: dict[str, tuple[str, str]] = {
    Job.Type.VOICE_TRAINING: ("voices.train", "TRAINING_QUEUE"),
    Job.Type.SYNTHESIS: ("synthesis.run", "SYNTHESIS_QUEUE"),
}


class JobNotCancellable(Conflict):
    code = "JOB_NOT_CANCELLABLE"
    default_message = "The job has already finished and cannot be cancelled."


def _enqueue_on_commit(job: Job, attempt: int) -> None:
    task_name, queue_setting = JOB_TASKS[job.type]
    queue = getattr(settings, queue_setting, "default")
    job_id = job.public_id
    transaction.on_commit(lambda: celery_app.send_task(task_name, args=[job_id, attempt], queue=queue))


def job_create(
    *,
    owner: User,
    type: str,
    title: str,
    params: dict[str, Any],
    estimated_duration: float,
    subject: str = "",
) -> Job:
    """Record a pending job and send it to the workers once the transaction commits."""
    now = timezone.now()
    job = Job.objects.create(
        public_id=new_public_id(Job.ID_PREFIXES[Job.Type(type)]),
        owner=owner,
        type=type,
        title=title[:200],
        params=params,
        subject=subject,
        estimated_duration=estimated_duration,
        estimated_completion=now + timedelta(seconds=estimated_duration),
        enqueued_at=now,
        message="Waiting for a worker",
    )
    _enqueue_on_commit(job, attempt=1)
    job_notify_on_commit(job, status_changed=True)
    return job


def job_start(*, job_id: str, attempt: int) -> Job | None:
    """Claim a pending job for ``attempt``; None if it is not this attempt's to run."""
    with transaction.atomic():
        job = Job.objects.select_for_update().filter(public_id=job_id).first()
        if job is None or job.status != Job.Status.PENDING or job.attempts + 1 != attempt:
            log.info("job_start_skipped", job_id=job_id, attempt=attempt, status=job.status if job else None)
            return None
        now = timezone.now()
        if job.cancel_requested:
            _finish(job, Job.Status.CANCELLED, "Cancelled before it started", now)
            return None
        job.status = Job.Status.RUNNING
        job.attempts = attempt
        job.started_at = now
        job.heartbeat_at = now
        job.estimated_completion = now + timedelta(seconds=job.estimated_duration)
        job.message = "Started" if attempt == 1 else f"Started (attempt {attempt})"
        job.save(update_fields=["status", "attempts", "started_at", "heartbeat_at", "estimated_completion", "message"])
        job_notify_on_commit(job, status_changed=True)
        return job


def job_progress(*, job: Job, progress: float, message: str) -> None:
    """Record progress (never backwards) and a heartbeat; notify, throttled."""
    now = timezone.now()
    job.progress = max(job.progress, min(max(progress, 0.0), 1.0))
    job.message = message[:255]
    job.heartbeat_at = now
    with transaction.atomic():
        Job.objects.filter(pk=job.pk, status=Job.Status.RUNNING).update(
            progress=job.progress, message=job.message, heartbeat_at=now
        )
        job_notify_on_commit(job, status_changed=False)


def job_heartbeat(*, job_pk: int) -> None:
    Job.objects.filter(pk=job_pk, status=Job.Status.RUNNING).update(heartbeat_at=timezone.now())


def job_should_stop(*, job: Job) -> bool:
    """True once cancellation was asked for, or the job is no longer ours to run."""
    current = Job.objects.filter(pk=job.pk).values("status", "cancel_requested", "attempts").first()
    return (
        current is None
        or current["cancel_requested"]
        or current["status"] != Job.Status.RUNNING
        or current["attempts"] != job.attempts
    )


def _finish(job: Job, status: str, message: str, now: datetime | None = None, **fields: Any) -> None:
    job.status = status
    job.message = message[:255]
    job.finished_at = now or timezone.now()
    for name, value in fields.items():
        setattr(job, name, value)
    job.save(update_fields=["status", "message", "finished_at", *fields])
    job_notify_on_commit(job, status_changed=True)


def _running_for_attempt(job: Job) -> Job | None:
    current = Job.objects.select_for_update().filter(pk=job.pk).first()
    if current is None or current.status != Job.Status.RUNNING or current.attempts != job.attempts:
        return None
    return current


def job_complete(*, job: Job, result: dict[str, Any]) -> bool:
    """Finish as completed. Must be called inside the transaction that commits the result."""
    current = _running_for_attempt(job)
    if current is None:
        return False
    _finish(current, Job.Status.COMPLETED, "Completed", progress=1.0, result=result)
    return True


def job_fail(*, job: Job, code: str, message: str) -> None:
    with transaction.atomic():
        current = _running_for_attempt(job)
        if current is not None:
            _finish(current, Job.Status.FAILED, message, error_code=code, error_message=message[:500])


def job_mark_cancelled(*, job: Job) -> None:
    with transaction.atomic():
        current = _running_for_attempt(job)
        if current is not None:
            _finish(current, Job.Status.CANCELLED, "Cancelled")


def job_cancel(*, job: Job) -> Job:
    """Cancel: a pending job never runs; a running one stops at its next check.

    Cancelling a cancelled (or cancelling) job again is harmless; a completed or failed job
    raises JobNotCancellable.
    """
    with transaction.atomic():
        current = Job.objects.select_for_update().get(pk=job.pk)
        if current.status == Job.Status.CANCELLED:
            return current
        if current.is_terminal:
            raise JobNotCancellable(details={"status": current.status})
        if current.status == Job.Status.PENDING:
            current.cancel_requested = True
            current.save(update_fields=["cancel_requested"])
            _finish(current, Job.Status.CANCELLED, "Cancelled before it started")
        elif not current.cancel_requested:
            current.cancel_requested = True
            current.message = "Cancelling"
            current.save(update_fields=["cancel_requested", "message"])
            job_notify_on_commit(current, status_changed=True)
        return current


def jobs_cancel_for_subject(*, subject: str) -> None:
    """Cancel every unfinished job working on ``subject`` (a public id), e.g. a deleted sample's."""
    for job in Job.objects.filter(subject=subject, status__in=[Job.Status.PENDING, Job.Status.RUNNING]):
        job_cancel(job=job)


def jobs_reap(*, now: datetime | None = None) -> dict[str, int]:
    """Rescue jobs whose worker died, and resend pending jobs whose message was lost.

    A running job without a heartbeat for JOB_HEARTBEAT_TIMEOUT seconds is retried once
    (its attempt count says so) and failed with WORKER_LOST after that. A pending job not
    started JOB_PENDING_RESEND seconds after it was sent is sent again (same attempt, so at
    most one copy runs).
    """
    now = now or timezone.now()
    counts = {"retried": 0, "failed": 0, "resent": 0}
    stale = now - timedelta(seconds=settings.JOB_HEARTBEAT_TIMEOUT)
    for job_pk in Job.objects.filter(status=Job.Status.RUNNING, heartbeat_at__lt=stale).values_list("pk", flat=True):
        with transaction.atomic():
            job = Job.objects.select_for_update().get(pk=job_pk)
            if job.status != Job.Status.RUNNING or job.heartbeat_at is None or job.heartbeat_at >= stale:
                continue
            log.warning("job_worker_lost", job_id=job.public_id, attempt=job.attempts)
            if job.attempts < job.max_attempts and not job.cancel_requested:
                job.status = Job.Status.PENDING
                job.message = f"Worker lost during attempt {job.attempts}; retrying"
                job.enqueued_at = now
                job.save(update_fields=["status", "message", "enqueued_at"])
                _enqueue_on_commit(job, attempt=job.attempts + 1)
                job_notify_on_commit(job, status_changed=True)
                counts["retried"] += 1
            else:
                message = f"The worker running this job stopped responding (attempt {job.attempts})."
                _finish(job, Job.Status.FAILED, message, error_code="WORKER_LOST", error_message=message)
                counts["failed"] += 1
    resend_before = now - timedelta(seconds=settings.JOB_PENDING_RESEND)
    for job in Job.objects.filter(status=Job.Status.PENDING, enqueued_at__lt=resend_before, cancel_requested=False):
        with transaction.atomic():
            if Job.objects.filter(pk=job.pk, status=Job.Status.PENDING).update(enqueued_at=now):
                _enqueue_on_commit(job, attempt=job.attempts + 1)
                counts["resent"] += 1
    return counts
