"""Domain errors as gRPC statuses: the REST code travels in the trailing metadata.

The status code comes from the HTTP status the REST API would answer, so both surfaces fail
the same way; ``error-code`` (the stable code of docs/errors.md), ``error-message`` and, when
there are any, ``error-details`` (JSON) are sent as trailing metadata.
"""

from __future__ import annotations

import json
from typing import Any

import grpc
from rest_framework import exceptions as drf

from voxify_project.errors import ApplicationError
from voxify_project.request_context import current_request_id

_BY_HTTP_STATUS: dict[int, grpc.StatusCode] = {
    400: grpc.StatusCode.INVALID_ARGUMENT,
    401: grpc.StatusCode.UNAUTHENTICATED,
    403: grpc.StatusCode.PERMISSION_DENIED,
    404: grpc.StatusCode.NOT_FOUND,
    409: grpc.StatusCode.FAILED_PRECONDITION,
    410: grpc.StatusCode.FAILED_PRECONDITION,
    413: grpc.StatusCode.INVALID_ARGUMENT,
    415: grpc.StatusCode.INVALID_ARGUMENT,
    416: grpc.StatusCode.OUT_OF_RANGE,
    422: grpc.StatusCode.INVALID_ARGUMENT,
    429: grpc.StatusCode.RESOURCE_EXHAUSTED,
    503: grpc.StatusCode.UNAVAILABLE,
}
_BY_CODE: dict[str, grpc.StatusCode] = {"EMAIL_ALREADY_REGISTERED": grpc.StatusCode.ALREADY_EXISTS}


def status_for(code: str, http_status: int) -> grpc.StatusCode:
    return _BY_CODE.get(code) or _BY_HTTP_STATUS.get(http_status, grpc.StatusCode.INTERNAL)


class RpcError(Exception):
    """An error to end the call with: status, stable code, message and details."""

    def __init__(
        self,
        status: grpc.StatusCode,
        code: str,
        message: str,
        details: Any = None,
        metadata: tuple[tuple[str, str], ...] = (),
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.details = details
        self.metadata = metadata

    @classmethod
    def from_exception(cls, exc: Exception) -> RpcError | None:
        if isinstance(exc, RpcError):
            return exc
        if isinstance(exc, ApplicationError):
            # Headers REST would send (Retry-After) travel as lower-case trailing metadata.
            headers = tuple((name.lower(), value) for name, value in (exc.headers or {}).items())
            return cls(status_for(exc.code, exc.status), exc.code, exc.message, exc.details, headers)
        if isinstance(exc, drf.ValidationError):
            detail = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
            return cls(grpc.StatusCode.INVALID_ARGUMENT, "VALIDATION_ERROR", "The request has invalid fields.", detail)
        return None

    def abort(self, context: grpc.ServicerContext) -> None:
        metadata: list[tuple[str, str]] = [("error-code", self.code), ("error-message", self.message)]
        request_id = current_request_id()
        if request_id:
            metadata.append(("x-request-id", request_id))
        if self.details is not None:
            metadata.append(("error-details", json.dumps(self.details, default=str)))
        metadata.extend(self.metadata)
        context.set_trailing_metadata(metadata)
        context.abort(self.status, f"{self.code}: {self.message}")


def unauthenticated(message: str = "Send 'authorization: Bearer <access token>' metadata.") -> RpcError:
    return RpcError(grpc.StatusCode.UNAUTHENTICATED, "NOT_AUTHENTICATED", message)
