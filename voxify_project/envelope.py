"""The response envelope of the API document: ``{success, data, message, error}``.

Success bodies are built by :func:`ok`; error bodies only by :func:`error_body`, which the
exception handler and the Django error views call. Nothing else builds error bodies.
"""

from __future__ import annotations

from typing import Any

from rest_framework.response import Response


def success_body(data: Any, message: str | None = None) -> dict[str, Any]:
    return {"success": True, "data": data, "message": message, "error": None}


def error_body(code: str, message: str, details: Any = None) -> dict[str, Any]:
    return {
        "success": False,
        "data": None,
        "message": message,
        "error": {"code": code, "message": message, "details": details},
    }


def ok(data: Any, message: str | None = None, *, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(success_body(data, message), status=status, headers=headers)
