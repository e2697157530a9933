"""Job events to WebSocket clients, through the channel layer, after the row is committed.

Clients receive the document's message: job_id, status, progress, message, timestamp.
Progress events are throttled per job (at most one per ``PROGRESS_INTERVAL_S``); status
changes always go out. A missed event loses nothing: every client first gets the state
from the row, and the final event of a job is a status change.
"""

from __future__ import annotations

import time
from typing import Any

import structlog
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

from jobs.models import Job

log = structlog.get_logger(__name__)
PROGRESS_INTERVAL_S = 0.25
_last_sent: dict[str, float] = {}


def group_name(job_id: str) -> str:
    return f"job.{job_id}"


def job_message(job: Job) -> dict[str, Any]:
    return {
        "job_id": job.public_id,
        "status": job.status,
        "progress": round(job.progress, 4),
        "message": job.message,
        "timestamp": (job.finished_at or job.heartbeat_at or job.started_at or job.created_at)
        .isoformat()
        .replace("+00:00", "Z"),
    }


def _send(job_id: str, message: dict[str, Any]) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        async_to_sync(layer.group_send)(group_name(job_id), {"type": "job.update", "data": message})
    except Exception:  # a notification must never break the job itself
        log.warning("job_notification_failed", job_id=job_id, exc_info=True)


def job_notify_on_commit(job: Job, *, status_changed: bool) -> None:
    """Publish the job's current state once the surrounding transaction commits."""
    now = time.monotonic()
    if not status_changed and now - _last_sent.get(job.public_id, 0.0) < PROGRESS_INTERVAL_S:
        return
    _last_sent[job.public_id] = now
    if job.is_terminal:
        _last_sent.pop(job.public_id, None)
    message = job_message(job)
    transaction.on_commit(lambda: _send(job.public_id, message))
