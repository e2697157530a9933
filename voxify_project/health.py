"""Liveness (``/healthz``), readiness (``/readyz``) and metrics (``/metrics``) endpoints.

These are plain Django views, not DRF ones: they must answer without authentication and
without touching anything but what they check.
"""

from __future__ import annotations

from collections.abc import Callable

import redis
from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.http import require_GET
from kombu.connection import Connection
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from voxify_project.envelope import error_body, success_body


def _check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def _check_redis() -> None:
    timeout = settings.READYZ_TIMEOUT_S
    client = redis.Redis.from_url(settings.REDIS_URL, socket_timeout=timeout, socket_connect_timeout=timeout)
    try:
        client.ping()
    finally:
        client.close()


def _check_broker() -> None:
    with Connection(settings.CELERY_BROKER_URL, connect_timeout=settings.READYZ_TIMEOUT_S) as conn:  # type: ignore[no-untyped-call]
        conn.ensure_connection(max_retries=1, interval_start=0, timeout=settings.READYZ_TIMEOUT_S)


READINESS_CHECKS: dict[str, Callable[[], None]] = {
    "database": _check_database,
    "redis": _check_redis,
    "broker": _check_broker,
}


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse(success_body({"status": "alive"}))


@require_GET
def readyz(request: HttpRequest) -> JsonResponse:
    results: dict[str, str] = {}
    for name, check in READINESS_CHECKS.items():
        try:
            check()
            results[name] = "ok"
        except Exception as exc:  # any failure means "not ready"; say which and why
            results[name] = f"unavailable: {type(exc).__name__}: {exc}"[:300]
    failed = [name for name, state in results.items() if state != "ok"]
    if failed:
        body = error_body("SERVICE_UNAVAILABLE", "Not ready: " + ", ".join(failed) + " unreachable.", results)
        return JsonResponse(body, status=503)
    return JsonResponse(success_body({"status": "ready", "checks": results}))


@require_GET
def metrics(request: HttpRequest) -> HttpResponse:
    if not settings.METRICS_ENABLED:
        return JsonResponse(error_body("NOT_FOUND", "Metrics are disabled."), status=404)
    return HttpResponse(generate_latest(), content_type=CONTENT_TYPE_LATEST)
