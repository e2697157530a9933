"""Celery tasks of the synthesis app."""

from __future__ import annotations

from celery import shared_task

from jobs.runner import run_job
from synthesis.services import syntheses_reap
from synthesis.work import synthesis_job_work


@shared_task(name="synthesis.run", ignore_result=True, acks_late=True)  # type: ignore[untyped-decorator]
def synthesis_task(job_id: str, attempt: int) -> None:
    """Speak a long text (job type synthesis). Safe to receive twice."""
    run_job(job_id, attempt, synthesis_job_work)


@shared_task(name="synthesis.reap", ignore_result=True)  # type: ignore[untyped-decorator]
def reap_syntheses() -> dict[str, int]:
    """Close syntheses whose job ended without them, or whose stream's process died (beat)."""
    return syntheses_reap()
