"""Single-use, short-lived tickets for browser connections that cannot send headers
(WebSockets, EventSource).

``POST /api/v1/jobs/{job_id}/progress/ticket`` (with a normal access token) returns a
ticket for one job's progress WebSocket; ``POST /api/v1/tts/synthesize/stream/ticket``
one for a synthesis stream. The browser opens the connection with ``?ticket=…`` within
TICKET_TTL_S seconds. A ticket opens one connection, for the scope it was issued for, once.
"""

from __future__ import annotations

import secrets

from django.core.cache import cache

TICKET_TTL_S = 60


def _key(ticket: str) -> str:
    return f"ws-ticket:{ticket}"


def ticket_issue(*, user_id: str, scope: str) -> str:
    """A ticket for ``scope`` (a job id, or a named endpoint such as ``tts-stream``)."""
    ticket = secrets.token_urlsafe(32)
    cache.set(_key(ticket), {"user_id": user_id, "scope": scope}, timeout=TICKET_TTL_S)
    return ticket


def ticket_redeem(*, ticket: str, scope: str) -> str | None:
    """The user id the ticket was issued to, if it is valid for ``scope``; burns the ticket."""
    if not ticket or len(ticket) > 100:
        return None
    data = cache.get(_key(ticket))
    if not data or not cache.delete(_key(ticket)):  # delete() is true for one caller only
        return None
    return str(data["user_id"]) if data.get("scope") == scope else None
