"""WebSocket routes."""

from typing import Any

from django.urls import path

from jobs.consumers import JobProgressConsumer

websocket_urlpatterns: list[Any] = [
    path("api/v1/jobs/<str:job_id>/progress/ws", JobProgressConsumer.as_asgi()),
]
