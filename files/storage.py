"""The file storage (``STORAGES["default"]``): a local folder or S3/MinIO, by settings."""

from __future__ import annotations

from django.core.files.storage import Storage, storages


def file_storage() -> Storage:
    return storages["default"]
