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


# Errors about the text or the voice as a whole name OpenAI's own field, as OpenAI does
# (a voice it does not know is a 400 on ``voice`` there, not a 404).
TEXT_CODES = frozenset(
    {"EMPTY_TEXT", "TEXT_TOO_LONG", "INVALID_SSML", "SPOKEN_TEXT_TOO_LONG", "TOO_MANY_PIECES", "SPEECH_TOO_LONG"}
)
VOICE_CODES = frozenset({"VOICE_NOT_FOUND", "VOICE_NOT_READY"})


def openai_exception_handler(exc: Exception, context: dict[str, Any]) -> Response:
    """The API's one mapping of exceptions, reshaped: same code and headers; the field at
    fault in ``param``."""
    response = api_exception_handler(exc, context)
    error = response.data.get("error") or {}
    details = error.get("details")
    code = str(error.get("code", ""))
    message = str(error.get("message", ""))
    param = None
    if code in TEXT_CODES:
        param = "input"
    elif code in VOICE_CODES:
        param = "voice"
        if code == "VOICE_NOT_FOUND":
            response.status_code = 400
    elif isinstance(details, dict) and details:
        param = next(iter(details))
        reasons = details[param]
        reason = reasons[0] if isinstance(reasons, list) and reasons else reasons
        message = f"{message} {param}: {reason}"
    response.data = openai_error(response.status_code, code, message, param)
    return response
