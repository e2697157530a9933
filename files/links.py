"""Links to stored files, for the adapters that present them (REST, SSE, gRPC, job results).

Services and selectors never build URLs: they name files by id, and whoever answers the
caller turns the id into a download link against the caller's base URL.
"""

from __future__ import annotations

from django.urls import reverse


def download_url(base_url: str, file_id: str) -> str:
    """``{base_url}/api/v1/audio/{file_id}``: the file's download (Bearer or ``?ticket=``)."""
    return base_url.rstrip("/") + reverse("files-download", kwargs={"file_id": file_id})
