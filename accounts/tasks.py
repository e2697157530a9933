"""Periodic account jobs."""

from __future__ import annotations

from datetime import timedelta

from celery import shared_task
from django.utils import timezone
from rest_framework_simplejwt.token_blacklist.models import OutstandingToken

from accounts.sessions import sessions_purge_expired

# Kept a day past expiry, so a token refused as expired is still recognised meanwhile.
GRACE = timedelta(days=1)


@shared_task(name="accounts.purge_expired_tokens", ignore_result=True)  # type: ignore[untyped-decorator]
def purge_expired_tokens() -> dict[str, int]:
    """Delete refresh-token records (and their blacklist entries) and sessions that expired
    more than a day ago (scheduled by beat). An expired token is refused by its signature's
    expiry alone, so nothing it could do depends on these rows."""
    _, deleted = OutstandingToken.objects.filter(expires_at__lt=timezone.now() - GRACE).delete()
    tokens = deleted.get(OutstandingToken._meta.label, 0)
    return {"tokens": tokens, "sessions": sessions_purge_expired(grace=GRACE)}
