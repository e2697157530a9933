"""``WS /api/v1/jobs/{job_id}/progress/ws``: live progress of one job.

Authenticated at the handshake, by ``Authorization: Bearer <access token>`` (programs) or
``?ticket=`` (browsers, see ``accounts.tickets``). A missing or bad credential, or another
user's job, refuses the handshake (HTTP 403) before anything is sent. Once accepted, the
client gets the current state, then every change, and the server closes after a terminal
status, or with code 4401 once the credentials stop being valid (the access token or the
ticket's token expires, the session ends, the user is deactivated).
"""

from __future__ import annotations

import asyncio
import time
from typing import Any
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings

from accounts.sessions import Credentials, credentials_from_access_token, credentials_valid
from accounts.tickets import ticket_redeem
from jobs.models import Job
from jobs.notifications import group_name, job_message
from jobs.selectors import job_find

TERMINAL = {str(status) for status in Job.TERMINAL}
CREDENTIALS_ENDED = 4401  # close code: the connection's credentials stopped being valid


@database_sync_to_async  # type: ignore[untyped-decorator]
def _authorised(scope: dict[str, Any], job_id: str) -> tuple[Job, Credentials] | None:
    headers = dict(scope.get("headers", []))
    scheme, _, raw = headers.get(b"authorization", b"").decode("latin-1").partition(" ")
    credentials: Credentials | None
    if scheme.lower() == "bearer" and raw.strip():
        credentials = credentials_from_access_token(raw.strip())
    else:
        ticket = parse_qs(scope.get("query_string", b"").decode()).get("ticket", [""])[0]
        credentials = ticket_redeem(ticket=ticket, scope=job_id)
    if credentials is None:
        return None
    job = job_find(user=credentials.user, job_id=job_id)
    return (job, credentials) if job is not None else None


_still_valid = database_sync_to_async(credentials_valid)


@database_sync_to_async  # type: ignore[untyped-decorator]
def _reload(job: Job) -> Job:
    job.refresh_from_db()
    return job


class JobProgressConsumer(AsyncJsonWebsocketConsumer):  # type: ignore[misc]
    group: str | None = None
    watchdog: asyncio.Task[None] | None = None

    async def connect(self) -> None:
        job_id = self.scope["url_route"]["kwargs"]["job_id"]
        authorised = await _authorised(self.scope, job_id)
        if authorised is None:
            await self.close(code=4403)  # before accept: the handshake is refused
            return
        job, credentials = authorised
        # Join the group before reading the state, so no change can fall in between.
        self.group = group_name(job.public_id)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()
        job = await _reload(job)
        await self.send_json(job_message(job))
        if job.is_terminal:
            await self.close()
            return
        self.watchdog = asyncio.create_task(self._watch(credentials))

    async def _watch(self, credentials: Credentials) -> None:
        """Close (4401) as soon as the credentials stop being valid: the access token expires,
        its session ends (logout, password change, refresh-token reuse) or the user is
        deactivated. Checked every CREDENTIALS_RECHECK_SECONDS and at the token's expiry."""
        period = settings.CREDENTIALS_RECHECK_SECONDS
        while True:
            await asyncio.sleep(max(0.0, min(period, credentials.expires_at - time.time())))
            if not await _still_valid(credentials):
                await self.close(code=CREDENTIALS_ENDED)
                return

    async def job_update(self, event: dict[str, Any]) -> None:
        await self.send_json(event["data"])
        if event["data"]["status"] in TERMINAL:
            await self.close()

    async def disconnect(self, code: int) -> None:
        if self.watchdog is not None:
            self.watchdog.cancel()
        if self.group:
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None, **kwargs: Any) -> None:
        """Clients only listen; anything they send is ignored unread (never parsed, so no
        malformed or deeply nested JSON can fail the consumer)."""
