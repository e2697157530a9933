"""Domain errors: one hierarchy, each class with a stable ``code`` and an HTTP status.

Services raise these; the DRF exception handler and the gRPC ``@rpc`` decorator each map
them once. ``ERROR_CODES`` is the full list of codes a client can receive; every one is
documented in ``docs/errors.md`` (a test keeps the two in step).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from speech import errors as speech_errors


class ApplicationError(Exception):
    code = "APPLICATION_ERROR"
    status = 400
    default_message = "The request could not be completed."

    def __init__(
        self,
        message: str | None = None,
        *,
        details: Any = None,
        code: str | None = None,
        status: int | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.message = message or self.default_message
        self.details = details
        self.headers = headers or {}
        if code is not None:
            self.code = code
        if status is not None:
            self.status = status
        super().__init__(self.message)


class InvalidInput(ApplicationError):
    code = "VALIDATION_ERROR"
    status = 400
    default_message = "The request has invalid fields."


class AuthenticationError(ApplicationError):
    code = "NOT_AUTHENTICATED"
    status = 401
    default_message = "Authentication credentials were not provided."


class InvalidCredentials(AuthenticationError):
    code = "INVALID_CREDENTIALS"
    default_message = "Invalid email or password."


class InvalidToken(AuthenticationError):
    code = "INVALID_TOKEN"
    default_message = "The token is invalid or expired."


class PermissionDenied(ApplicationError):
    code = "FORBIDDEN"
    status = 403
    default_message = "You do not have permission to perform this action."


class LinkInvalid(PermissionDenied):
    code = "LINK_INVALID"
    default_message = "This download link is invalid: it was changed, or it is for another file."


class LinkExpired(PermissionDenied):
    code = "LINK_EXPIRED"
    default_message = "This download link has expired; ask for the item again to get a fresh link."


class NotFound(ApplicationError):
    code = "NOT_FOUND"
    status = 404
    default_message = "Not found."


class Conflict(ApplicationError):
    code = "CONFLICT"
    status = 409
    default_message = "The request conflicts with the current state."


class EmailAlreadyRegistered(Conflict):
    code = "EMAIL_ALREADY_REGISTERED"
    default_message = "An account with this email already exists."


class RateLimited(ApplicationError):
    code = "RATE_LIMITED"
    status = 429
    default_message = "Too many requests. Try again later."

    def __init__(self, message: str | None = None, *, retry_after: int, details: Any = None) -> None:
        super().__init__(message, details=details, headers={"Retry-After": str(retry_after)})
        self.retry_after = retry_after


class QuotaExceeded(ApplicationError):
    code = "QUOTA_EXCEEDED"
    status = 429
    default_message = "Your quota for this action is used up."


class TooManyStreams(ApplicationError):
    code = "TOO_MANY_STREAMS"
    status = 429
    default_message = "Too many streams are open. Close one and try again."


class FileExpired(ApplicationError):
    code = "FILE_EXPIRED"
    status = 410
    default_message = "This file has expired and is no longer available."


class RangeNotSatisfiable(ApplicationError):
    code = "RANGE_NOT_SATISFIABLE"
    status = 416
    default_message = "The requested byte range lies outside the file."


class FileTooLarge(ApplicationError):
    code = "FILE_TOO_LARGE"
    status = 413
    default_message = "The file is too large."


class AudioRejected(ApplicationError):
    """Audio refused by the speech core; code and status come from the reason."""

    STATUSES = {
        "UNSUPPORTED_FORMAT": 415,
        "EMPTY_FILE": 400,
        "INVALID_AUDIO": 400,
        "AUDIO_TOO_SHORT": 400,
        "AUDIO_TOO_LONG": 400,
        "EMPTY_TEXT": 400,
        "TEXT_TOO_LONG": 400,
        "NO_SPEECH_DETECTED": 422,
    }

    @classmethod
    def because(cls, code: str, message: str, details: Any = None) -> AudioRejected:
        return cls(message, code=code, status=cls.STATUSES.get(code, 400), details=details)


@contextmanager
def speech_refusals() -> Iterator[None]:
    """The one translation of the speech core's refusals: inside the block, a
    ``speech.errors.AudioRejected`` becomes this hierarchy's AudioRejected (same code)."""
    try:
        yield
    except speech_errors.AudioRejected as exc:
        raise AudioRejected.because(exc.code, exc.message, exc.details) from exc


class ServiceUnavailable(ApplicationError):
    code = "SERVICE_UNAVAILABLE"
    status = 503
    default_message = "A required service is unavailable."


# Every code a client can see, with its HTTP status. Codes raised by the framework layer
# (DRF/Django exceptions mapped in exception_handler.py) are listed here too.
ERROR_CODES: dict[str, int] = {
    "VALIDATION_ERROR": 400,
    "BAD_REQUEST": 400,
    "EMPTY_FILE": 400,
    "INVALID_AUDIO": 400,
    "AUDIO_TOO_SHORT": 400,
    "AUDIO_TOO_LONG": 400,
    "EMPTY_TEXT": 400,
    "TEXT_TOO_LONG": 400,
    "INVALID_SSML": 400,
    "SPOKEN_TEXT_TOO_LONG": 400,
    "TOO_MANY_PIECES": 400,
    "SPEECH_TOO_LONG": 400,
    "LANGUAGE_NOT_SUPPORTED": 400,
    "MALFORMED_REQUEST": 400,
    "NOT_AUTHENTICATED": 401,
    "INVALID_CREDENTIALS": 401,
    "INVALID_TOKEN": 401,
    "FORBIDDEN": 403,
    "LINK_INVALID": 403,
    "LINK_EXPIRED": 403,
    "CONSENT_REQUIRED": 403,
    "NOT_FOUND": 404,
    "FILE_NOT_FOUND": 404,
    "VOICE_SAMPLE_NOT_FOUND": 404,
    "JOB_NOT_FOUND": 404,
    "API_KEY_NOT_FOUND": 404,
    "VOICE_NOT_FOUND": 404,
    "SYNTHESIS_NOT_FOUND": 404,
    "DICTIONARY_NOT_FOUND": 404,
    "CONSENT_NOT_FOUND": 404,
    "METHOD_NOT_ALLOWED": 405,
    "NOT_ACCEPTABLE": 406,
    "CONFLICT": 409,
    "EMAIL_ALREADY_REGISTERED": 409,
    "JOB_NOT_CANCELLABLE": 409,
    "TRAINING_IN_PROGRESS": 409,
    "VOICE_NOT_READY": 409,
    "TIMESTAMPS_NOT_AVAILABLE": 409,
    "FILE_IN_USE": 409,
    "CONSENT_ALREADY_ANSWERED": 409,
    "FILE_EXPIRED": 410,
    "CONSENT_EXPIRED": 410,
    "PAYLOAD_TOO_LARGE": 413,
    "FILE_TOO_LARGE": 413,
    "URI_TOO_LONG": 414,
    "UNSUPPORTED_MEDIA_TYPE": 415,
    "UNSUPPORTED_FORMAT": 415,
    "RANGE_NOT_SATISFIABLE": 416,
    "NO_SPEECH_DETECTED": 422,
    "HEADERS_TOO_LARGE": 431,
    "RATE_LIMITED": 429,
    "QUOTA_EXCEEDED": 429,
    "TOO_MANY_STREAMS": 429,
    "INTERNAL_ERROR": 500,
    "SERVICE_UNAVAILABLE": 503,
}
