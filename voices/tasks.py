"""Celery tasks of the voices app."""

from __future__ import annotations

from celery import shared_task

from jobs.runner import run_job
from voices.training import train_sample_work


@shared_task(name="voices.train", ignore_result=True, acks_late=True)  # type: ignore[untyped-decorator]
def train_voice_task(job_id: str, attempt: int) -> None:
    """Train the voice of a sample (job type voice_training). Safe to receive twice."""
    run_job(job_id, attempt, train_sample_work)
