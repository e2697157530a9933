"""Reads of syntheses. Another user's synthesis is simply not found.

The status rule lives here: an asynchronous synthesis's job is the truth while the synthesis
is unfinished (``synthesis_status``, ``syntheses_in_flight``); ``services.syntheses_reap``
brings the row up to date from ``syntheses_behind_their_job``.
"""

from __future__ import annotations

from datetime import timedelta

from django.db.models import QuerySet, Sum
from django.utils import timezone

from accounts.models import User
from jobs.models import WorkStatus
from synthesis.models import Synthesis
from voxify_project.errors import NotFound

UNFINISHED = (WorkStatus.PENDING, WorkStatus.RUNNING)


def synthesis_status(synthesis: Synthesis) -> str:
    """What the synthesis reports: an unfinished one with a job reports the job's status."""
    job = synthesis.job
    if job is not None and not synthesis.is_terminal:
        return str(job.status)
    return str(synthesis.status)


def _in_flight(user: User) -> QuerySet[Synthesis]:
    since = timezone.now() - timedelta(days=1)
    return Synthesis.objects.filter(owner=user, status__in=UNFINISHED, created_at__gte=since).exclude(
        job__status__in=WorkStatus.terminal()
    )


def syntheses_in_flight(*, user: User) -> int:
    """Accepted syntheses of the last day that have not finished (they count once they do).

    An async synthesis whose job already ended (cancelled while pending) is not in flight,
    whatever its own row says.
    """
    return _in_flight(user).count()


def audio_seconds_in_flight(*, user: User) -> int:
    """The estimated seconds of those syntheses (the daily audio quota counts them once done)."""
    return int(_in_flight(user).aggregate(total=Sum("budget_seconds"))["total"] or 0)


def syntheses_behind_their_job() -> QuerySet[Synthesis]:
    """Async syntheses still unfinished although their job has ended."""
    return Synthesis.objects.filter(
        mode=Synthesis.Mode.ASYNC, status__in=UNFINISHED, job__status__in=WorkStatus.terminal()
    ).select_related("job")


def synthesis_list(*, user: User, mode: str | None = None, status: str | None = None) -> QuerySet[Synthesis]:
    syntheses = Synthesis.objects.filter(owner=user).select_related("output_file", "job").order_by("-created_at", "-id")
    if mode:
        syntheses = syntheses.filter(mode=mode)
    if status:
        syntheses = syntheses.filter(status=status)
    return syntheses


def synthesis_get(*, user: User, synthesis_id: str) -> Synthesis:
    synthesis = (
        Synthesis.objects.select_related("output_file", "job").filter(owner=user, public_id=synthesis_id).first()
    )
    if synthesis is None:
        raise NotFound("Synthesis not found.", code="SYNTHESIS_NOT_FOUND")
    return synthesis
