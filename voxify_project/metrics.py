"""Prometheus metrics of the web process, exposed at ``/metrics``."""

from __future__ import annotations

from prometheus_client import Counter, Histogram

HTTP_REQUESTS = Counter(
    "voxify_http_requests_total",
    "HTTP requests served, by method, route pattern and status code.",
    ["method", "route", "status"],
)
HTTP_LATENCY = Histogram(
    "voxify_http_request_duration_seconds",
    "Time to produce an HTTP response, by method and route pattern.",
    ["method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
