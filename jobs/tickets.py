"""Single-use, short-lived tickets for browser WebSockets (which cannot send headers).

``POST /api/v1/jobs/{job_id}/progress/ticket`` (with a normal access token) returns a
ticket; the browser opens ``…/progress/ws?ticket=…`` within TICKET_TTL seconds. A ticket
opens one connection to one job, once.
"""

from __future__ import annotations

import secrets

from django.core.cache import cache

TICKET_TTL_S = 60


def _key(ticket: str) -> str:
    return f"ws-ticket:{ticket}"


def ticket_issue(*, user_id: str, job_id: str) -> str:
    ticket = secrets.token_urlsafe(32)
    cache.set(_key(ticket), {"user_id": user_id, "job_id": job_id}, timeout=TICKET_TTL_S)
    return ticket


def ticket_redeem(*, ticket: str, job_id: str) -> str | None:
    """The user id the ticket was issued to, if it is valid for ``job_id``; burns the ticket."""
    if not ticket or len(ticket) > 100:
        return None
    data = cache.get(_key(ticket))
    if not data or not cache.delete(_key(ticket)):  # delete() is true for one caller only
        return None
    return str(data["user_id"]) if data.get("job_id") == job_id else None
