"""Request-wide middleware: request id + access log, and Prometheus metrics."""

from __future__ import annotations

import time
from collections.abc import Callable

import structlog
from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse

from configuration.config import system_config
from voxify_project.body_limits import body_limit
from voxify_project.envelope import error_body
from voxify_project.metrics import HTTP_LATENCY, HTTP_REQUESTS
from voxify_project.request_context import request_id_from_header, set_request_id

log = structlog.get_logger("voxify.request")


class RequestContextMiddleware:
    """Gives each request an id (``X-Request-ID``), binds it to every log line, logs access."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = request_id_from_header(request.headers.get("X-Request-ID"))
        set_request_id(request_id)
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(request_id=request_id)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            response["X-Request-ID"] = request_id
            log.info(
                "request",
                method=request.method,
                path=request.path,
                status=response.status_code,
                duration_ms=round((time.perf_counter() - started) * 1000, 1),
            )
            return response
        finally:
            structlog.contextvars.clear_contextvars()
            set_request_id(None)


def _route_of(request: HttpRequest) -> str:
    match = getattr(request, "resolver_match", None)
    if match is None:
        return "<unmatched>"
    return "/" + match.route if match.route else (match.view_name or "<unnamed>")


class MetricsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        route = _route_of(request)
        method = request.method or "GET"
        HTTP_REQUESTS.labels(method, route, str(response.status_code)).inc()
        HTTP_LATENCY.labels(method, route).observe(time.perf_counter() - started)
        return response


class BodySizeLimitMiddleware:
    """413 for API requests whose declared body is over the limit, before anything reads it.

    DRF parses JSON straight from the request stream, which bypasses Django's
    DATA_UPLOAD_MAX_MEMORY_SIZE, so the limit is enforced here on Content-Length.
    Multipart bodies may be as large as one upload plus room for the form fields.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith(("/api/", "/v1/")):
            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = 0
            if length > self._limit(request):
                return JsonResponse(error_body("PAYLOAD_TOO_LARGE", "The request body is too large."), status=413)
        return self.get_response(request)

    def _limit(self, request: HttpRequest) -> int:
        return body_limit(
            request.content_type or "",
            max_upload_mb=lambda: system_config().max_upload_mb,
            other=int(settings.DATA_UPLOAD_MAX_MEMORY_SIZE),
        )
