"""The one place where exceptions become error responses.

``api_exception_handler`` is DRF's EXCEPTION_HANDLER: it maps domain errors
(:mod:`voxify_project.errors`), DRF's and Django's exceptions to the envelope with a stable
code. Anything unexpected becomes a 500 ``INTERNAL_ERROR`` whose body carries only the
request id; the traceback goes to the log under that id.
"""

from __future__ import annotations

from typing import Any

import structlog
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.http import Http404
from rest_framework import exceptions as drf
from rest_framework.response import Response
from rest_framework.views import set_rollback

from voxify_project.db_errors import database_busy
from voxify_project.envelope import error_body
from voxify_project.errors import ApplicationError
from voxify_project.request_context import current_request_id

log = structlog.get_logger("voxify.errors")

# DRF exception class -> (code, status). Order matters: subclasses first.
_DRF_CODES: list[tuple[type[Exception], str, int]] = [
    (drf.ValidationError, "VALIDATION_ERROR", 400),
    (drf.ParseError, "MALFORMED_REQUEST", 400),
    (drf.NotAuthenticated, "NOT_AUTHENTICATED", 401),
    (drf.AuthenticationFailed, "INVALID_TOKEN", 401),
    (drf.PermissionDenied, "FORBIDDEN", 403),
    (drf.NotFound, "NOT_FOUND", 404),
    (drf.MethodNotAllowed, "METHOD_NOT_ALLOWED", 405),
    (drf.NotAcceptable, "NOT_ACCEPTABLE", 406),
    (drf.UnsupportedMediaType, "UNSUPPORTED_MEDIA_TYPE", 415),
    (drf.Throttled, "RATE_LIMITED", 429),
]

INTERNAL_ERROR_MESSAGE = "An unexpected error occurred. Quote the request id when reporting it."


def _detail_message(detail: Any) -> str:
    """The human message of a DRF ``detail``, which may be a string, list or dict."""
    if isinstance(detail, dict):
        if "detail" in detail:
            return _detail_message(detail["detail"])
        return "The request has invalid fields."
    if isinstance(detail, list):
        return _detail_message(detail[0]) if detail else ""
    return str(detail)


def internal_error_response() -> tuple[dict[str, Any], int]:
    return error_body("INTERNAL_ERROR", INTERNAL_ERROR_MESSAGE, {"request_id": current_request_id()}), 500


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response:
    headers: dict[str, str] = {}
    if isinstance(exc, ApplicationError):
        body, status = error_body(exc.code, exc.message, exc.details), exc.status
        headers.update(exc.headers)
    elif isinstance(exc, Http404):
        body, status = error_body("NOT_FOUND", "Not found."), 404
    elif isinstance(exc, DjangoPermissionDenied):
        body, status = error_body("FORBIDDEN", "You do not have permission to perform this action."), 403
    elif database_busy(exc):
        # The database is locked past DATABASE_LOCK_TIMEOUT, or away: nothing was done.
        log.warning("database_unavailable", error=str(exc))
        body = error_body("SERVICE_UNAVAILABLE", "The database is busy or unavailable; try again shortly.")
        status, headers["Retry-After"] = 503, "5"
    elif isinstance(exc, RequestDataTooBig):
        body, status = error_body("PAYLOAD_TOO_LARGE", "The request body is too large."), 413
    elif isinstance(exc, drf.APIException):
        code, status = next(
            ((c, s) for cls, c, s in _DRF_CODES if isinstance(exc, cls)), ("BAD_REQUEST", exc.status_code)
        )
        status = exc.status_code if code in ("NOT_AUTHENTICATED", "INVALID_TOKEN") else status
        if status == 403 and code in ("NOT_AUTHENTICATED", "INVALID_TOKEN"):
            code = "FORBIDDEN"
        if isinstance(exc, drf.ValidationError):
            detail = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
            body = error_body(code, "The request has invalid fields.", detail)
        else:
            body = error_body(code, _detail_message(exc.detail))
        if getattr(exc, "auth_header", None):
            headers["WWW-Authenticate"] = str(exc.auth_header)  # type: ignore[attr-defined]
        wait = getattr(exc, "wait", None)
        if isinstance(exc, drf.Throttled) and wait is not None:
            headers["Retry-After"] = str(int(wait) + 1)
    else:
        view = context.get("view")
        log.exception("unhandled_error", view=type(view).__name__ if view else None)
        body, status = internal_error_response()
    set_rollback()
    return Response(body, status=status, headers=headers)
