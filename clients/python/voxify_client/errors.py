"""Errors raised by the client: one class per family of the API's stable ``error.code``."""

from __future__ import annotations

from typing import Any


class VoxifyError(Exception):
    """An error answer of the API (``code``, ``message``, ``status``, ``details``), or a
    failure to reach it (``status`` 0, code ``NETWORK_ERROR``)."""

    def __init__(self, message: str, *, code: str, status: int, details: Any = None) -> None:
        super().__init__(f"{code}: {message}")
        self.message = message
        self.code = code
        self.status = status
        self.details = details


class ValidationError(VoxifyError):
    """400: a field or the request is invalid (``details`` names the fields)."""


class AuthenticationError(VoxifyError):
    """401: missing, wrong or expired credentials."""


class PermissionDeniedError(VoxifyError):
    """403: signed in, but not allowed (staff only, an API key where a session is needed)."""


class NotFoundError(VoxifyError):
    """404: no such object, or another user's."""


class ConflictError(VoxifyError):
    """409: the object's state does not allow it (a voice not trained yet, training running)."""


class PayloadTooLargeError(VoxifyError):
    """413: the upload is over the size limit."""


class UnsupportedMediaError(VoxifyError):
    """415: not audio in a supported format."""


class RateLimitedError(VoxifyError):
    """429 RATE_LIMITED: too many requests; ``retry_after`` seconds until the next window."""

    def __init__(self, message: str, *, code: str, status: int, details: Any = None, retry_after: int | None) -> None:
        super().__init__(message, code=code, status=status, details=details)
        self.retry_after = retry_after


class QuotaExceededError(RateLimitedError):
    """429 QUOTA_EXCEEDED: a daily quota or the storage cap is used up."""


class ServerError(VoxifyError):
    """5xx: the service failed or is unavailable."""


class JobFailedError(VoxifyError):
    """A job ended ``failed`` (code and message are the job's error) or ``cancelled``."""

    def __init__(self, message: str, *, code: str, job: dict[str, Any]) -> None:
        super().__init__(message, code=code, status=0, details=job)
        self.job = job


_BY_STATUS: dict[int, type[VoxifyError]] = {
    400: ValidationError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    410: NotFoundError,
    413: PayloadTooLargeError,
    415: UnsupportedMediaError,
}


def error_for(status: int, body: Any, headers: Any) -> VoxifyError:
    """The exception for an error answer (the envelope's ``error``, or the bare status)."""
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict):
        error = {}
    code = str(error.get("code") or f"HTTP_{status}")
    message = str(error.get("message") or f"The request failed with status {status}.")
    details = error.get("details")
    if status == 429:
        retry = headers.get("Retry-After") if headers is not None else None
        cls = QuotaExceededError if code == "QUOTA_EXCEEDED" else RateLimitedError
        return cls(message, code=code, status=status, details=details, retry_after=int(retry) if retry else None)
    if status >= 500:
        return ServerError(message, code=code, status=status, details=details)
    return _BY_STATUS.get(status, VoxifyError)(message, code=code, status=status, details=details)
