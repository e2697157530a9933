"""Client-streamed uploads: a metadata message, then byte chunks, into a temporary file.

The size limit is enforced while the bytes arrive (FILE_TOO_LARGE as soon as it is passed),
exactly like the REST upload limit.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.core.files.uploadedfile import TemporaryUploadedFile

from files.uploads import upload_size_check
from voxify_project.errors import InvalidInput


@contextmanager
def received_upload(requests: Iterator[Any]) -> Iterator[tuple[Any, TemporaryUploadedFile]]:
    """(metadata message, the uploaded file) from a stream of ``payload`` oneof messages."""
    first = next(requests, None)
    if first is None or first.WhichOneof("payload") != "metadata":
        raise InvalidInput("The first message of an upload must carry the metadata.", code="VALIDATION_ERROR")
    metadata = first.metadata
    upload = TemporaryUploadedFile(getattr(metadata, "filename", "") or "upload", "application/octet-stream", 0, None)
    try:
        size = 0
        for message in requests:
            if message.WhichOneof("payload") != "chunk":
                raise InvalidInput("Only the first message of an upload may carry metadata.")
            size += len(message.chunk)
            upload_size_check(size)  # stops receiving at the limit
            upload.write(message.chunk)
        upload.flush()
        upload.seek(0)
        upload.size = size
        yield metadata, upload
    finally:
        upload.close()
