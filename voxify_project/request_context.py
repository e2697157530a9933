"""The id of the request being served, for logs and error bodies."""

from __future__ import annotations

import re
import uuid
from contextvars import ContextVar

_request_id: ContextVar[str | None] = ContextVar("request_id", default=None)
_CLIENT_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


def request_id_from_header(value: str | None) -> str:
    """Reuse a well-formed ``X-Request-ID`` from a proxy, else make a fresh one."""
    if value and _CLIENT_ID.match(value):
        return value
    return "req_" + uuid.uuid4().hex


def current_request_id() -> str | None:
    return _request_id.get()


def set_request_id(value: str | None) -> None:
    _request_id.set(value)
