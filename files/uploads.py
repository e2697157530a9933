"""The one guard every upload passes before any work (REST and gRPC, voice samples and plain
files): the live size limit, the day's uploads and the storage cap. Nothing is charged here;
the quotas are charged in the transaction that stores the upload."""

from __future__ import annotations

from accounts.models import User
from accounts.quotas import UPLOADS, quota_check
from configuration.config import system_config
from files.quotas import storage_check
from voxify_project.errors import FileTooLarge


def upload_max_bytes() -> int:
    """The largest upload now (``max_upload_mb``), in bytes."""
    return system_config().max_upload_mb * 1024 * 1024


def upload_size_check(size: int) -> None:
    """FileTooLarge (413) when ``size`` bytes are over the live limit; a stream being received
    calls it as bytes arrive, so it stops at the limit."""
    max_bytes = upload_max_bytes()
    if size > max_bytes:
        raise FileTooLarge(
            f"The file is at least {size} bytes; the limit is {system_config().max_upload_mb} MB.",
            details={"size": size, "max_size": max_bytes},
        )


def upload_admit(*, owner: User, size: int) -> None:
    """Refuse an upload of ``size`` bytes that cannot be kept: too large, no upload left
    today, or over the storage cap."""
    upload_size_check(size)
    quota_check(user=owner, kind=UPLOADS, limit=system_config().uploads_per_day)
    storage_check(user=owner, adding=size)
