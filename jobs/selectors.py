"""Reads of jobs. Another user's job is simply not found."""

from __future__ import annotations

from django.db.models import QuerySet

from accounts.models import User
from jobs.models import Job
from voxify_project.errors import NotFound


def job_list(*, user: User, status: str | None = None, type: str | None = None) -> QuerySet[Job]:
    jobs = Job.objects.filter(owner=user).order_by("-created_at", "-id")
    if status:
        jobs = jobs.filter(status=status)
    if type:
        jobs = jobs.filter(type=type)
    return jobs


def job_find(*, user: User, job_id: str) -> Job | None:
    return Job.objects.filter(owner=user, public_id=job_id).first()


def job_get(*, user: User, job_id: str) -> Job:
    job = job_find(user=user, job_id=job_id)
    if job is None:
        raise NotFound("Job not found.", code="JOB_NOT_FOUND")
    return job
