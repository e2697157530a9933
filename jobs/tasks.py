"""Periodic job maintenance."""

from __future__ import annotations

from celery import shared_task

from jobs.services import jobs_reap


@shared_task(name="jobs.reap", ignore_result=True)  # type: ignore[untyped-decorator]
def reap_jobs() -> dict[str, int]:
    """Retry or fail jobs whose worker died; resend lost pending jobs (scheduled by beat)."""
    return jobs_reap()
