"""What staff see: service statistics and the user list."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

import psutil
from django.conf import settings
from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from rest_framework_simplejwt.token_blacklist.models import OutstandingToken

from accounts.models import DailyUsage, User
from accounts.quotas import SYNTHESES
from configuration.config import system_config
from files.models import StoredFile
from jobs.models import Job
from synthesis.models import Synthesis
from voices.models import VoiceSample

WEEK_DAYS = 7


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=timezone.get_current_timezone())


def _syntheses_since(day: date | None) -> int:
    """Syntheses completed (charged to a daily quota) since ``day``, or ever.

    Counted from the daily usage, which users cannot delete, so a cleared history does not
    change the numbers.
    """
    rows = DailyUsage.objects.filter(kind=SYNTHESES)
    if day is not None:
        rows = rows.filter(day__gte=day)
    total: int = rows.aggregate(total=Coalesce(Sum("count"), 0))["total"]
    return total


def active_user_ids(since: datetime) -> set[int]:
    """Users who signed in, refreshed a token, uploaded, trained or synthesised since ``since``."""
    ids: set[int] = set(User.objects.filter(last_login__gte=since).values_list("pk", flat=True))
    ids.update(
        OutstandingToken.objects.filter(created_at__gte=since, user__isnull=False).values_list("user_id", flat=True)
    )
    ids.update(VoiceSample.objects.filter(created_at__gte=since).values_list("owner_id", flat=True))
    ids.update(Job.objects.filter(created_at__gte=since).values_list("owner_id", flat=True))
    ids.update(Synthesis.objects.filter(created_at__gte=since).values_list("owner_id", flat=True))
    ids.update(StoredFile.objects.filter(created_at__gte=since).values_list("owner_id", flat=True))
    return ids


def system_usage() -> dict[str, float]:
    """CPU (over 0.1 s), memory and disk (the data folder's file system) use, in percent."""
    return {
        "cpu_usage": round(psutil.cpu_percent(interval=0.1), 1),
        "memory_usage": round(psutil.virtual_memory().percent, 1),
        "disk_usage": round(psutil.disk_usage(str(settings.VAR_DIR)).percent, 1),
    }


def admin_stats(*, now: datetime | None = None) -> dict[str, Any]:
    """The numbers of GET /api/v1/admin/stats. Days are UTC days; "this week" is the last
    seven days, today included."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    week_start = today - timedelta(days=WEEK_DAYS - 1)
    samples = VoiceSample.objects.aggregate(
        total=Count("pk"),
        training=Count("pk", filter=Q(status=VoiceSample.Status.TRAINING)),
        ready=Count("pk", filter=Q(status=VoiceSample.Status.READY)),
    )
    return {
        "users": {
            "total": User.objects.count(),
            "active_today": len(active_user_ids(_day_start(today))),
            "new_this_week": User.objects.filter(created_at__gte=_day_start(week_start)).count(),
        },
        "voice_samples": samples,
        "syntheses": {
            "today": _syntheses_since(today),
            "this_week": _syntheses_since(week_start),
            "total": _syntheses_since(None),
        },
        "storage": {
            **StoredFile.objects.aggregate(used_bytes=Coalesce(Sum("size"), 0), files=Count("pk")),
            "limit_per_user_mb": system_config().storage_mb_per_user,
        },
        "system": system_usage(),
    }


def syntheses_per_day(*, days: int = 30, now: datetime | None = None) -> list[tuple[date, int]]:
    """Completed syntheses on each of the last ``days`` UTC days, oldest first, zeros included."""
    today = timezone.localdate(now or timezone.now())
    first = today - timedelta(days=days - 1)
    counts = dict(
        DailyUsage.objects.filter(kind=SYNTHESES, day__gte=first)
        .values("day")
        .annotate(total=Sum("count"))
        .values_list("day", "total")
    )
    return [(first + timedelta(days=i), int(counts.get(first + timedelta(days=i), 0))) for i in range(days)]


def _count_of(model: Any, *conditions: Q) -> Coalesce:
    rows = model.objects.filter(*conditions, owner=OuterRef("pk")).order_by().values("owner").annotate(n=Count("pk"))
    return Coalesce(Subquery(rows.values("n"), output_field=IntegerField()), 0)


def _stored_bytes() -> Coalesce:
    rows = StoredFile.objects.filter(owner=OuterRef("pk")).order_by().values("owner").annotate(n=Sum("size"))
    return Coalesce(Subquery(rows.values("n"), output_field=IntegerField()), 0)


def users_with_counts(users: QuerySet[User] | None = None) -> QuerySet[User]:
    """``users`` (default: all) with how many voice samples, jobs and syntheses each has, how
    many of their samples passed the consent check and how many of their outputs carry the
    watermark, and the bytes they store (one query)."""
    return (User.objects.all() if users is None else users).annotate(
        voice_sample_count=_count_of(VoiceSample),
        consented_voice_count=_count_of(VoiceSample, Q(consent_passed_at__isnull=False)),
        job_count=_count_of(Job),
        synthesis_count=_count_of(Synthesis),
        watermarked_output_count=_count_of(Synthesis, ~Q(watermark="")),
        storage_used_bytes=_stored_bytes(),
    )


def admin_user_list(*, search: str = "", is_active: bool | None = None, is_staff: bool | None = None) -> QuerySet[User]:
    """Newest first; ``search`` matches email, first or last name (case-insensitive)."""
    users = users_with_counts().order_by("-created_at", "-pk")
    if search.strip():
        term = search.strip()
        users = users.filter(Q(email__icontains=term) | Q(first_name__icontains=term) | Q(last_name__icontains=term))
    if is_active is not None:
        users = users.filter(is_active=is_active)
    if is_staff is not None:
        users = users.filter(is_staff=is_staff)
    return users
