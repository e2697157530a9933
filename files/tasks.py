"""Periodic file jobs."""

from __future__ import annotations

from celery import shared_task

from files.services import stored_files_delete_expired


@shared_task(name="files.delete_expired", ignore_result=True)  # type: ignore[untyped-decorator]
def delete_expired_files() -> int:
    """Delete expired files from storage and the database (scheduled by beat)."""
    return stored_files_delete_expired()
