"""The per-user storage cap (``storage_mb_per_user`` of the live configuration).

Every byte a user keeps is a StoredFile they own: voice samples, uploaded files, voice
models, synthesis outputs and streamed chunks. ``storage_charge`` runs inside the
transaction that records a new file, under the user's row lock, so parallel stores cannot
overshoot; ``storage_check`` is the cheap early refusal before expensive work.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Sum

from accounts.models import User
from configuration.config import system_config
from files.models import StoredFile
from voxify_project.errors import QuotaExceeded

STORAGE = "storage"
MB = 1024 * 1024


def storage_used(*, user: User) -> int:
    """Bytes stored for ``user`` now (expired files count until the cleanup deletes them)."""
    total: int | None = StoredFile.objects.filter(owner=user).aggregate(total=Sum("size"))["total"]
    return int(total or 0)


def _storage_full(*, limit: int, used: int, adding: int) -> QuotaExceeded:
    return QuotaExceeded(
        f"The storage limit of {limit // MB} MB would be exceeded ({used} bytes used, {adding} more asked for). "
        "Delete voice samples, files or kept syntheses to free space.",
        details={"kind": STORAGE, "limit": limit, "used": used, "requested": adding},
    )


def storage_check(*, user: User, adding: int = 0) -> None:
    """Refuse early when ``adding`` more bytes would not fit (0: when the storage is full)."""
    limit = system_config().storage_mb_per_user * MB
    used = storage_used(user=user)
    if used + adding > limit or (adding == 0 and used >= limit):
        raise _storage_full(limit=limit, used=used, adding=adding)


def storage_charge(*, user: User, adding: int) -> None:
    """The authoritative check for storing ``adding`` bytes. Must run in the transaction that
    records the file: it locks the user's row until that transaction ends."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("storage_charge must be called inside transaction.atomic()")
    User.objects.select_for_update().filter(pk=user.pk).first()
    limit = system_config().storage_mb_per_user * MB
    used = storage_used(user=user)
    if used + adding > limit:
        raise _storage_full(limit=limit, used=used, adding=adding)
