"""What the synchronous and the asynchronous client share: credentials, request bodies,
answers and errors, the server-sent-events reader, job states. No I/O here."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import httpx

from voxify_client._calls import Call, Upload
from voxify_client.errors import JobFailedError, VoxifyError, error_for

TERMINAL = frozenset({"completed", "failed", "cancelled"})
Progress = Callable[[dict[str, Any]], None]


def operation(operation_id: str) -> Callable[[Any], Any]:
    """Marks a method as the client's call of an API operation (its OpenAPI operation id)."""

    def mark(method: Any) -> Any:
        method.operation_id = operation_id
        return method

    return mark


@dataclass
class Credentials:
    """An API key, or the token pair of a sign-in (with email and password to sign in again
    when the refresh token is gone)."""

    api_key: str | None = None
    access_token: str | None = None
    refresh_token: str | None = None
    email: str | None = None
    password: str | None = None

    def header(self) -> dict[str, str]:
        token = self.api_key or self.access_token
        return {"Authorization": f"Bearer {token}"} if token else {}

    @property
    def needs_sign_in(self) -> bool:
        return not self.api_key and not self.access_token and bool(self.email and self.password)

    def store(self, pair: dict[str, Any]) -> None:
        self.access_token = pair["access_token"]
        self.refresh_token = pair.get("refresh_token", self.refresh_token)


@dataclass(frozen=True)
class AudioChunk:
    """One piece of a streamed synthesis: complete audio in the asked-for format."""

    index: int
    data: bytes
    duration: float
    file_id: str
    synthesis_id: str
    start: float = 0.0  # seconds into the whole output
    timestamps: list[dict[str, Any]] | None = None  # with timestamps="word": the words this piece completes

    @classmethod
    def from_event(cls, event: dict[str, Any], data: bytes, synthesis_id: str) -> AudioChunk:
        """The chunk an SSE ``audio_chunk`` event announces, with its downloaded bytes."""
        return cls(
            event["chunk_id"],
            data,
            event["duration"],
            event["file_id"],
            synthesis_id,
            event.get("start", 0.0),
            event.get("timestamps"),
        )


@contextlib.contextmanager
def request_arguments(call: Call, credentials: Credentials) -> Iterator[dict[str, Any]]:
    """httpx keyword arguments for ``call`` (an upload's file opened for the request only)."""
    arguments: dict[str, Any] = {
        "method": call.method,
        "url": call.path,
        "params": dict(call.params) if call.params else None,
        "headers": {
            **({"Accept": "application/json"} if call.envelope else {}),
            **call.headers,
            **credentials.header(),
        },
    }
    if call.json is not None:
        arguments["json"] = call.json
    if call.data is not None:
        arguments["data"] = dict(call.data)
    with contextlib.ExitStack() as stack:
        if call.upload is not None:
            field, file = call.upload
            arguments["files"] = {field: _file_part(file, stack)}
        yield arguments


def _file_part(file: Upload, stack: contextlib.ExitStack) -> tuple[str, Any]:
    if isinstance(file, bytes):
        return ("upload.bin", file)
    if isinstance(file, (str, Path)):
        path = Path(file)
        return (path.name, stack.enter_context(path.open("rb")))
    handle: IO[bytes] = file
    return (Path(getattr(handle, "name", "upload.bin")).name, handle)


def answer(response: httpx.Response, call: Call) -> Any:
    """The answer's data (the envelope's ``data``, the JSON, or the bytes), or the error raised."""
    if response.status_code >= 400:
        raise error_for(response.status_code, _json_or_none(response), response.headers)
    if call.raw:
        return response.content
    if response.status_code == 204 or not response.content:
        return None
    body = response.json()
    if not call.envelope:
        return body
    if not isinstance(body, dict) or body.get("success") is not True:
        raise error_for(response.status_code, body, response.headers)
    return body.get("data")


def _json_or_none(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def network_error(exc: Exception) -> VoxifyError:
    return VoxifyError(f"The server could not be reached: {exc}", code="NETWORK_ERROR", status=0)


class EventReader:
    """Server-sent events from text as it arrives: one JSON object per ``data:`` block."""

    def __init__(self) -> None:
        self._buffer = ""

    def feed(self, text: str) -> list[dict[str, Any]]:
        self._buffer += text.replace("\r\n", "\n")
        events = []
        while "\n\n" in self._buffer:
            block, self._buffer = self._buffer.split("\n\n", 1)
            data = "\n".join(line[5:].lstrip() for line in block.split("\n") if line.startswith("data:"))
            if data:
                events.append(json.loads(data))
        return events


def stream_failure(event: dict[str, Any]) -> VoxifyError:
    return VoxifyError(str(event.get("message", "The synthesis failed.")), code=str(event.get("code")), status=0)


def job_outcome(job: dict[str, Any]) -> dict[str, Any]:
    """A finished job: returned when completed, raised (JobFailedError) when failed or cancelled."""
    if job["status"] == "completed":
        return job
    error = job.get("error") or {}
    code = error.get("code") or ("CANCELLED" if job["status"] == "cancelled" else "JOB_FAILED")
    message = error.get("message") or f"The job ended {job['status']}."
    raise JobFailedError(message, code=code, job=job)


def websocket_url(base_url: str, job_id: str) -> str:
    url = httpx.URL(base_url)
    scheme = "wss" if url.scheme == "https" else "ws"
    return str(url.copy_with(scheme=scheme, path=f"/api/v1/jobs/{job_id}/progress/ws", query=None))
