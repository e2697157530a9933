"""Reads of stored files. Another user's file is simply not found."""

from __future__ import annotations

from accounts.models import User
from files.models import StoredFile
from voxify_project.errors import FileExpired, NotFound


def stored_file_get_for_user(*, user: User, file_id: str) -> StoredFile:
    stored_file = StoredFile.objects.filter(owner=user, public_id=file_id).first()
    if stored_file is None:
        raise NotFound("File not found.", code="FILE_NOT_FOUND")
    return stored_file


def stored_file_get_live(*, user: User, file_id: str) -> StoredFile:
    """The user's file if it has not expired (FileExpired, 410, once it has)."""
    stored_file = stored_file_get_for_user(user=user, file_id=file_id)
    if stored_file.is_expired():
        raise FileExpired()
    return stored_file
