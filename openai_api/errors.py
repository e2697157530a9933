"""Errors in OpenAI's shape, ``{"error": {"message", "type", "param", "code"}}``, with the
statuses and stable codes of the rest of the API (``code`` is Voxify's error code)."""

from __future__ import annotations

from typing import Any

from rest_framework.response import Response

from voxify_project.exception_handler import api_exception_handler

TYPES = {
    400: "invalid_request_error",
    401: "authentication_error",
    403: "permission_error",
    404: "not_found_error",
    409: "invalid_request_error",
    413: "invalid_request_error",
    429: "rate_limit_error",
}


def openai_error(status: int, code: str, message: str, param: str | None = None) -> dict[str, Any]:
    kind = TYPES.get(status, "server_error" if status >= 500 else "invalid_request_error")
    return {"error": {"message": message, "type": kind, "param": param, "code": code}}


def openai_exception_handler(exc: Exception, context: dict[str, Any]) -> Response:
    """The API's one mapping of exceptions, reshaped: same status, code and headers."""
    response = api_exception_handler(exc, context)
    error = response.data.get("error") or {}
    details = error.get("details")
    param = next(iter(details), None) if isinstance(details, dict) and details else None
    message = str(error.get("message", ""))
    if param is not None and isinstance(details, dict):
        reasons = details[param]
        reason = reasons[0] if isinstance(reasons, list) and reasons else reasons
        message = f"{message} {param}: {reason}"
    response.data = openai_error(response.status_code, str(error.get("code", "")), message, param)
    return response
