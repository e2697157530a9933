"""Writes of stored files: create (storage + row), delete, expire."""

from __future__ import annotations

import hashlib
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import IO

import structlog
from django.core.files.base import File
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from accounts.quotas import UPLOADS, quota_consume
from configuration.config import system_config
from files.filenames import sanitize_filename
from files.models import StoredFile, new_file_id
from files.quotas import storage_charge
from files.storage import file_storage
from files.uploads import upload_admit
from speech.audio_io import AudioLimits, check_limits, probe
from speech.formats import INPUT_CONTENT_TYPES, INPUT_EXTENSIONS
from voxify_project.errors import Conflict, speech_refusals

log = structlog.get_logger(__name__)


@contextmanager
def local_upload_path(upload: UploadedFile[bytes]) -> Iterator[Path]:
    """A path on local disk holding the upload (large uploads already are one)."""
    temporary_path = getattr(upload, "temporary_file_path", None)
    if temporary_path is not None:
        yield Path(temporary_path())
        return
    with tempfile.NamedTemporaryFile(prefix="voxify-upload-") as handle:
        upload.seek(0)
        shutil.copyfileobj(upload, handle)
        handle.flush()
        yield Path(handle.name)


def _sha256(stream: IO[bytes]) -> str:
    digest = hashlib.sha256()
    stream.seek(0)
    for chunk in iter(lambda: stream.read(1 << 20), b""):
        digest.update(chunk)
    stream.seek(0)
    return digest.hexdigest()


def stored_file_save_content(*, public_id: str, kind: str, extension: str, content: IO[bytes]) -> str:
    """Put bytes into storage under a server-chosen key; returns the key actually used."""
    now = timezone.now()
    key = f"{kind}/{now:%Y/%m}/{public_id}{extension}"
    content.seek(0)
    return file_storage().save(key, File(content))


def stored_file_create(
    *,
    owner: User,
    kind: str,
    content: IO[bytes],
    filename: str | None,
    extension: str,
    content_type: str,
    duration: float | None = None,
    sample_rate: int | None = None,
    expires_at: datetime | None = None,
) -> StoredFile:
    """Store ``content`` and record it, within the owner's storage cap (QuotaExceeded).

    If the row cannot be written the stored object is removed at once. Called inside a
    larger transaction, the caller removes the object (``storage_delete_quietly``) if that
    transaction fails later.
    """
    public_id = new_file_id()
    size = content.seek(0, 2)
    sha256 = _sha256(content)
    with transaction.atomic():
        storage_charge(user=owner, adding=size)  # the per-user storage cap; raises QuotaExceeded
        key = stored_file_save_content(public_id=public_id, kind=kind, extension=extension, content=content)
        try:
            return StoredFile.objects.create(
                public_id=public_id,
                owner=owner,
                kind=kind,
                storage_key=key,
                filename=sanitize_filename(filename),
                content_type=content_type,
                size=size,
                sha256=sha256,
                duration=duration,
                sample_rate=sample_rate,
                expires_at=expires_at,
            )
        except BaseException:
            storage_delete_quietly(key)
            raise


def storage_delete_quietly(key: str) -> None:
    """Remove an object from storage; a failure is logged, never raised (used in clean-up)."""
    try:
        file_storage().delete(key)
    except Exception:
        log.exception("storage_delete_failed", storage_key=key)


def stored_file_delete(*, stored_file: StoredFile) -> None:
    """Delete the row, then (after commit) the object in storage."""
    key = stored_file.storage_key
    stored_file.delete()
    transaction.on_commit(lambda: storage_delete_quietly(key))


def stored_files_delete_expired(*, now: datetime | None = None, batch: int = 500) -> int:
    """Delete every expired file (storage object and row). Returns how many were deleted."""
    now = now or timezone.now()
    deleted = 0
    while True:
        expired = list(StoredFile.objects.filter(expires_at__lte=now).order_by("expires_at")[:batch])
        if not expired:
            return deleted
        for stored_file in expired:
            with transaction.atomic():
                stored_file_delete(stored_file=stored_file)
            deleted += 1


class FileInUse(Conflict):
    code = "FILE_IN_USE"
    default_message = "This file belongs to a voice sample or voice model; delete the voice sample instead."


def stored_file_upload(*, owner: User, upload: UploadedFile[bytes], filename: str | None) -> StoredFile:
    """Store an uploaded audio file (recognised by content, header-checked like a voice
    sample, at most max_upload_mb); it expires after file_ttl_hours. It counts as one of the
    day's uploads (``uploads_per_day``, shared with voice samples) and against the storage
    cap, both charged only when the file is stored."""
    config = system_config()
    upload_admit(owner=owner, size=upload.size or 0)
    with local_upload_path(upload) as path:
        with speech_refusals():
            info = probe(path)
            check_limits(info, AudioLimits(min_duration_s=0.0, max_duration_s=config.voice_sample_max_seconds))
        with transaction.atomic(), path.open("rb") as content:
            quota_consume(user=owner, kind=UPLOADS, limit=system_config().uploads_per_day)
            return stored_file_create(
                owner=owner,
                kind=StoredFile.Kind.UPLOAD,
                content=content,
                filename=filename or upload.name,
                extension=INPUT_EXTENSIONS[info.format],
                content_type=INPUT_CONTENT_TYPES[info.format],
                duration=round(info.duration, 3),
                sample_rate=info.sample_rate,
                expires_at=timezone.now() + timedelta(hours=config.file_ttl_hours),
            )


def stored_file_delete_by_owner(*, stored_file: StoredFile) -> None:
    """A user deleting one of their files: not one that a voice sample or model owns, and a
    synthesis output is detached from its synthesis (which then shows no audio)."""
    if stored_file.kind in StoredFile.OWNED_KINDS:
        raise FileInUse(details={"kind": stored_file.kind})
    with transaction.atomic():
        stored_file_delete(stored_file=stored_file)
