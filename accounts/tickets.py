"""Single-use, short-lived tickets for browser connections that cannot send headers
(WebSockets, EventSource).

``POST /api/v1/jobs/{job_id}/progress/ticket`` (with a normal access token) returns a
ticket for one job's progress WebSocket; ``POST /api/v1/tts/synthesize/stream/ticket``
one for a synthesis stream. The browser opens the connection with ``?ticket=…`` within
TICKET_TTL_S seconds. A ticket opens one connection, for the scope it was issued for, once.
"""

from __future__ import annotations

import secrets
import time

from django.core.cache import cache

from accounts.sessions import Credentials, credentials_user

TICKET_TTL_S = 60


def _key(ticket: str) -> str:
    return f"ws-ticket:{ticket}"


def ticket_issue(*, credentials: Credentials, scope: str) -> str:
    """A ticket for ``scope`` (a job id, or a named endpoint such as ``tts-stream``). The
    connection it opens lives on the credentials it was issued with: it ends with their
    session and when their access token expires."""
    ticket = secrets.token_urlsafe(32)
    data = {
        "user_id": credentials.user.public_id,
        "session_id": credentials.session_id,
        "expires_at": credentials.expires_at,
        "scope": scope,
    }
    cache.set(_key(ticket), data, timeout=TICKET_TTL_S)
    return ticket


def ticket_redeem(*, ticket: str, scope: str) -> Credentials | None:
    """The credentials the ticket was issued with, if it is valid for ``scope`` and they still
    are; burns the ticket."""
    if not ticket or len(ticket) > 100:
        return None
    data = cache.get(_key(ticket))
    if not data or not cache.delete(_key(ticket)):  # delete() is true for one caller only
        return None
    if data.get("scope") != scope or time.time() >= float(data["expires_at"]):
        return None
    user = credentials_user(session_id=data["session_id"], user_id=data["user_id"])
    if user is None:
        return None
    return Credentials(user=user, session_id=str(data["session_id"]), expires_at=float(data["expires_at"]))
