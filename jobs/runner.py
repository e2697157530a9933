"""Running a job inside a Celery task: claim, heartbeat, progress, cancel, finish.

``run_job`` turns any ``work(job, progress, should_stop)`` callable into a well-behaved job:
it claims the job for its attempt (a duplicate message does nothing), keeps a heartbeat
from a side thread while the work runs, checks for cancellation at most every
``STOP_CHECK_INTERVAL_S``, and records the outcome. The work finishes the job itself by
calling ``job_complete`` inside the transaction that commits its result, so a result and
its "completed" status are never separated.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import structlog
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import InterfaceError, OperationalError, connection

from jobs.models import Job
from jobs.services import job_fail, job_heartbeat, job_mark_cancelled, job_progress, job_should_stop, job_start
from voxify_project.db_errors import database_busy
from voxify_project.errors import ApplicationError

log = structlog.get_logger(__name__)
STOP_CHECK_INTERVAL_S = 0.5
# The database locked past DATABASE_LOCK_TIMEOUT, or away for a moment (database_busy):
# heartbeats, progress reports and cancel checks ride it out; the work's own commit does not
# (the job then fails, or, if even that cannot be written, the reaper retries it once the
# heartbeat is stale).

Progress = Callable[[float, str], None]
ShouldStop = Callable[[], bool]
Work = Callable[[Job, Progress, ShouldStop], None]


class JobCancelled(Exception):
    """Raised by work that noticed ``should_stop()``; the job ends ``cancelled``."""


class JobError(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@contextmanager
def _heartbeat(job: Job) -> Iterator[None]:
    stop = threading.Event()

    def beat() -> None:
        try:
            while not stop.wait(settings.JOB_HEARTBEAT_INTERVAL):
                try:
                    job_heartbeat(job_pk=job.pk)
                except (OperationalError, InterfaceError) as exc:
                    if not database_busy(exc):
                        raise
                    log.warning("job_heartbeat_missed", job_id=job.public_id, error=str(exc))  # next beat retries
        finally:
            connection.close()  # this thread's own connection

    thread = threading.Thread(target=beat, name=f"heartbeat-{job.public_id}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=10)


def run_job(job_id: str, attempt: int, work: Work) -> None:
    # Database connections around each task are managed by Celery's Django fix-up.
    job = job_start(job_id=job_id, attempt=attempt)
    if job is None:
        return
    last_check = 0.0
    stop_requested = False

    def progress(fraction: float, message: str) -> None:
        try:
            job_progress(job=job, progress=fraction, message=message)
        except (OperationalError, InterfaceError) as exc:
            if not database_busy(exc):
                raise
            log.warning("job_progress_not_recorded", job_id=job_id, error=str(exc))  # the next one catches up

    def should_stop() -> bool:
        nonlocal last_check, stop_requested
        if not stop_requested and time.monotonic() - last_check >= STOP_CHECK_INTERVAL_S:
            last_check = time.monotonic()
            try:
                stop_requested = job_should_stop(job=job)
            except (OperationalError, InterfaceError) as exc:
                if not database_busy(exc):
                    raise
                log.warning("job_stop_check_failed", job_id=job_id, error=str(exc))  # asked again next time
        return stop_requested

    try:
        with _heartbeat(job):
            work(job, progress, should_stop)
    except JobCancelled:
        job_mark_cancelled(job=job)
    except (JobError, ApplicationError) as exc:
        job_fail(job=job, code=exc.code, message=exc.message)
    except SoftTimeLimitExceeded:
        job_fail(job=job, code="TIME_LIMIT", message="The job ran past its time limit.")
    except Exception:
        log.exception("job_crashed", job_id=job_id)
        job_fail(job=job, code="INTERNAL_ERROR", message="The job failed unexpectedly.")
