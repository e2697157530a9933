"""How large a request body may be: one rule for the web server (``http_server``, before the
body is read) and the middleware (behind any other server). Plain arithmetic, no Django, so
that the web server can use it before Django is set up."""

from __future__ import annotations

from collections.abc import Callable

MB = 1024 * 1024
MULTIPART_SLACK = MB  # room for the form fields next to one upload


def multipart_body_limit(max_upload_mb: int) -> int:
    """A multipart body: one upload of ``max_upload_mb`` plus its form fields."""
    return int(max_upload_mb) * MB + MULTIPART_SLACK


def body_limit(media_type: str, *, max_upload_mb: Callable[[], int], other: int) -> int:
    """The limit for a body of ``media_type`` (``other``: DATA_UPLOAD_MAX_MEMORY_SIZE). The
    upload limit is asked for only when the body is multipart (it may need a database read)."""
    if media_type.strip().lower() == "multipart/form-data":
        return multipart_body_limit(max_upload_mb())
    return other
