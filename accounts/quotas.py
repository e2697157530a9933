"""Daily quotas: counted only for work that succeeded, atomically across processes.

``quota_check`` is the cheap early refusal before expensive work; ``quota_consume`` is the
authoritative count, taken inside the transaction that commits the work, under a row lock
(PostgreSQL) or the database write lock (SQLite, IMMEDIATE transactions), so parallel
requests cannot overshoot and refused work is never charged.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from accounts.models import DailyUsage, User
from voxify_project.errors import QuotaExceeded

UPLOADS = "uploads"
SYNTHESES = "syntheses"
AUDIO_SECONDS = "audio_seconds"  # the request budget's estimate of each synthesis, rounded up


def _daily_limit_reached(*, kind: str, limit: int, used: int) -> QuotaExceeded:
    return QuotaExceeded(
        f"Daily limit of {limit} {kind} reached; it resets at midnight UTC.",
        details={"kind": kind, "limit": limit, "used": used},
    )


def _used_today(*, user: User, kind: str) -> int:
    row = DailyUsage.objects.filter(user=user, day=timezone.now().date(), kind=kind).first()
    return row.count if row else 0


def usage_today(*, user: User) -> dict[str, int]:
    """Today's (UTC) counts of every daily quota kind, 0 where nothing was counted yet."""
    rows = DailyUsage.objects.filter(user=user, day=timezone.now().date())
    counted = {row.kind: row.count for row in rows}
    return {kind: counted.get(kind, 0) for kind in (UPLOADS, SYNTHESES, AUDIO_SECONDS)}


def quota_check(*, user: User, kind: str, limit: int, in_flight: int = 0, amount: int = 1) -> None:
    """Refuse early when today's count, plus ``in_flight`` accepted and unfinished units, plus
    the ``amount`` this request would add, passes the limit."""
    used = _used_today(user=user, kind=kind) + in_flight
    if used + amount > limit:
        raise _daily_limit_reached(kind=kind, limit=limit, used=used)


def quota_add(*, user: User, kind: str, amount: int) -> None:
    """Count ``amount`` units of work already delivered, past the limit if need be: the part
    of a stream that was spoken before it ended early (the client went away, its credentials
    ended) counts against the day's audio, so leaving before the end is no way around it."""
    if amount <= 0:
        return
    day = timezone.now().date()
    with transaction.atomic():
        DailyUsage.objects.get_or_create(user=user, day=day, kind=kind)
        DailyUsage.objects.filter(user=user, day=day, kind=kind).update(count=F("count") + amount)


def quota_consume(*, user: User, kind: str, limit: int, amount: int = 1) -> int:
    """Count ``amount`` units for today, or raise QuotaExceeded. Must run in a transaction."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("quota_consume must be called inside transaction.atomic()")
    day = timezone.now().date()
    DailyUsage.objects.get_or_create(user=user, day=day, kind=kind)
    row = DailyUsage.objects.select_for_update().get(user=user, day=day, kind=kind)
    if row.count + amount > limit:
        raise _daily_limit_reached(kind=kind, limit=limit, used=row.count)
    DailyUsage.objects.filter(pk=row.pk).update(count=F("count") + amount)
    return row.count + amount
