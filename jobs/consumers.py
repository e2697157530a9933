"""``WS /api/v1/jobs/{job_id}/progress/ws``: live progress of one job.

Authenticated at the handshake, by ``Authorization: Bearer <access token>`` (programs) or
``?ticket=`` (browsers, see ``jobs.tickets``). A missing or bad credential, or another
user's job, refuses the handshake (HTTP 403) before anything is sent. Once accepted, the
client gets the current state, then every change, and the server closes after a terminal
status.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from accounts.models import User
from accounts.selectors import user_from_access_token
from jobs.models import Job
from jobs.notifications import group_name, job_message
from jobs.selectors import job_find
from jobs.tickets import ticket_redeem

TERMINAL = {str(status) for status in Job.TERMINAL}


def _user_from_ticket(ticket: str, job_id: str) -> User | None:
    user_id = ticket_redeem(ticket=ticket, scope=job_id)
    return User.objects.filter(public_id=user_id, is_active=True).first() if user_id else None


@database_sync_to_async  # type: ignore[untyped-decorator]
def _authorised_job(scope: dict[str, Any], job_id: str) -> Job | None:
    headers = dict(scope.get("headers", []))
    scheme, _, credentials = headers.get(b"authorization", b"").decode("latin-1").partition(" ")
    user: User | None = None
    if scheme.lower() == "bearer" and credentials.strip():
        user = user_from_access_token(credentials.strip())
    else:
        ticket = parse_qs(scope.get("query_string", b"").decode()).get("ticket", [""])[0]
        user = _user_from_ticket(ticket, job_id)
    return job_find(user=user, job_id=job_id) if user is not None else None


@database_sync_to_async  # type: ignore[untyped-decorator]
def _reload(job: Job) -> Job:
    job.refresh_from_db()
    return job


class JobProgressConsumer(AsyncJsonWebsocketConsumer):  # type: ignore[misc]
    group: str | None = None

    async def connect(self) -> None:
        job_id = self.scope["url_route"]["kwargs"]["job_id"]
        job = await _authorised_job(self.scope, job_id)
        if job is None:
            await self.close(code=4403)  # before accept: the handshake is refused
            return
        # Join the group before reading the state, so no change can fall in between.
        self.group = group_name(job.public_id)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()
        job = await _reload(job)
        await self.send_json(job_message(job))
        if job.is_terminal:
            await self.close()

    async def job_update(self, event: dict[str, Any]) -> None:
        await self.send_json(event["data"])
        if event["data"]["status"] in TERMINAL:
            await self.close()

    async def disconnect(self, code: int) -> None:
        if self.group:
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None, **kwargs: Any) -> None:
        """Clients only listen; anything they send is ignored unread (never parsed, so no
        malformed or deeply nested JSON can fail the consumer)."""
