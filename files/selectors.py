"""Reads of stored files. Another user's file is simply not found."""

from __future__ import annotations

from accounts.models import User
from files.models import StoredFile
from voxify_project.errors import NotFound


def stored_file_get_for_user(*, user: User, file_id: str) -> StoredFile:
    stored_file = StoredFile.objects.filter(owner=user, public_id=file_id).first()
    if stored_file is None:
        raise NotFound("File not found.", code="FILE_NOT_FOUND")
    return stored_file
