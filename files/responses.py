"""A stored file as an HTTP response: ETag / If-None-Match and HTTP Range (206, 416).
Shared by the download API and the admin's player."""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO

from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.utils.http import content_disposition_header

from files.models import StoredFile
from files.ranges import UnsatisfiableRange, parse_range
from files.storage import file_storage
from voxify_project.errors import RangeNotSatisfiable

CHUNK = 64 * 1024


def _stream(handle: IO[bytes], start: int, length: int) -> Iterator[bytes]:
    try:
        handle.seek(start)
        remaining = length
        while remaining > 0:
            chunk = handle.read(min(CHUNK, remaining))
            if not chunk:
                break
            remaining -= len(chunk)
            yield chunk
    finally:
        handle.close()


def file_response(request: HttpRequest, stored_file: StoredFile, *, as_attachment: bool = True) -> HttpResponseBase:
    """The file's bytes with ETag / If-None-Match and HTTP Range (206, 416) handled."""
    headers = {
        "ETag": stored_file.etag,
        "Accept-Ranges": "bytes",
        "X-Content-Type-Options": "nosniff",
        "Cache-Control": "private, max-age=0, must-revalidate",
        "Content-Disposition": content_disposition_header(as_attachment=as_attachment, filename=stored_file.filename)
        or "attachment",
    }
    if stored_file.etag in request.headers.get("If-None-Match", ""):
        return HttpResponse(status=304, headers=headers)
    size = stored_file.size
    wanted = request.headers.get("Range")
    if_range = request.headers.get("If-Range")
    if if_range is not None and if_range != stored_file.etag:
        wanted = None  # the client's copy is stale: send the whole file
    try:
        byte_range = parse_range(wanted, size)
    except UnsatisfiableRange as exc:
        raise RangeNotSatisfiable(details={"size": size}, headers={"Content-Range": f"bytes */{size}"}) from exc
    start, end = byte_range if byte_range else (0, size - 1)
    length = end - start + 1 if size else 0
    handle = file_storage().open(stored_file.storage_key, "rb")
    response = StreamingHttpResponse(
        _stream(handle, start, length),
        status=206 if byte_range else 200,
        content_type=stored_file.content_type,
        headers=headers,
    )
    response["Content-Length"] = str(length)
    if byte_range:
        response["Content-Range"] = f"bytes {start}-{end}/{size}"
    return response
