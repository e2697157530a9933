"""The progress WebSocket: handshake authentication, initial state, updates, close at the end."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.db import connection, transaction

from accounts.models import User
from accounts.services import token_pair_issue
from accounts.sessions import Credentials, credentials_from_access_token
from accounts.tickets import ticket_issue
from jobs.models import Job
from jobs.notifications import PROGRESS_INTERVAL_S
from jobs.services import job_create, job_progress, job_start
from voxify_project.asgi import application

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]


async def in_thread(function: Any, *args: Any, **kwargs: Any) -> Any:
    """Run ``function`` in a plain thread, as a worker process would, and close that
    thread's database connection afterwards."""

    def call() -> Any:
        try:
            return function(*args, **kwargs)
        finally:
            connection.close()

    return await asyncio.to_thread(call)


def communicator(
    job_id: str, *, token: str | None = None, ticket: str | None = None, origin: str | None = "http://localhost"
) -> WebsocketCommunicator:
    path = f"/api/v1/jobs/{job_id}/progress/ws" + (f"?ticket={ticket}" if ticket else "")
    headers = [(b"host", b"localhost")] + ([(b"origin", origin.encode())] if origin else [])
    if token:
        headers.append((b"authorization", f"Bearer {token}".encode()))
    return WebsocketCommunicator(application, path, headers=headers)


@pytest.fixture
def owner_job(make_user: Callable[[str], tuple[User, Any]]) -> tuple[User, Job]:
    user, _ = make_user("owner@example.com")
    with transaction.atomic():
        job = job_create(owner=user, type=Job.Type.VOICE_TRAINING, title="Train", params={}, estimated_duration=9)
    return user, job


def access(user: User) -> str:
    return token_pair_issue(user=user).access_token


def signed_in(user: User) -> Credentials:
    """The credentials of a fresh sign-in of ``user``."""
    credentials = credentials_from_access_token(access(user))
    assert credentials is not None
    return credentials


async def test_bearer_client_gets_state_then_updates_then_close(owner_job: tuple[User, Job]) -> None:
    user, job = owner_job
    ws = communicator(job.public_id, token=await sync_to_async(access)(user))
    connected, _ = await ws.connect()
    assert connected

    first = await ws.receive_json_from(timeout=5)
    assert first["job_id"] == job.public_id
    assert first["status"] == "pending"
    assert set(first) == {"job_id", "status", "progress", "message", "timestamp"}

    # Job updates come from worker processes; here from a plain thread, as a worker would send them.
    running = await in_thread(job_start, job_id=job.public_id, attempt=1)
    assert running is not None
    assert (await ws.receive_json_from(timeout=5))["status"] == "running"
    await asyncio.sleep(PROGRESS_INTERVAL_S)  # progress events are throttled per job
    await in_thread(job_progress, job=running, progress=0.5, message="Half way")
    update = await ws.receive_json_from(timeout=5)
    assert (update["status"], update["progress"], update["message"]) == ("running", 0.5, "Half way")

    await in_thread(_complete, running)
    final = await ws.receive_json_from(timeout=5)
    assert final["status"] == "completed"
    assert final["progress"] == 1.0
    closed = await ws.receive_output(timeout=5)
    assert closed["type"] == "websocket.close"
    await ws.disconnect()


async def test_anything_the_client_sends_is_ignored_and_updates_keep_coming(owner_job: tuple[User, Job]) -> None:
    user, job = owner_job
    ws = communicator(job.public_id, token=await sync_to_async(access)(user))
    connected, _ = await ws.connect()
    assert connected
    assert (await ws.receive_json_from(timeout=5))["status"] == "pending"

    for junk in ("{not json", "[" * 100_000 + "]" * 100_000, '{"action": "cancel"}'):
        await ws.send_to(text_data=junk)
    await ws.send_to(bytes_data=b"\x00\xff")

    await in_thread(job_start, job_id=job.public_id, attempt=1)
    assert (await ws.receive_json_from(timeout=5))["status"] == "running"
    await ws.disconnect()


def _complete(job: Job) -> None:
    from jobs.services import job_complete

    with transaction.atomic():
        assert job_complete(job=job, result={})


async def test_progress_is_throttled_but_the_end_state_arrives(owner_job: tuple[User, Job]) -> None:
    user, job = owner_job
    ws = communicator(job.public_id, token=await sync_to_async(access)(user))
    assert (await ws.connect())[0]
    await ws.receive_json_from(timeout=5)
    running = await in_thread(job_start, job_id=job.public_id, attempt=1)
    assert running is not None

    def flood() -> None:
        for step in range(1, 51):
            job_progress(job=running, progress=step / 100, message=f"step {step}")
        _complete(running)

    await in_thread(flood)
    received = []
    while True:
        message = await ws.receive_json_from(timeout=5)
        received.append(message)
        if message["status"] == "completed":
            break

    assert received[0]["status"] == "running"
    assert len(received) < 10  # 50 progress updates in well under a second: most are coalesced
    assert received[-1]["progress"] == 1.0
    await ws.disconnect()


async def test_finished_job_sends_state_and_closes(owner_job: tuple[User, Job]) -> None:
    user, job = owner_job
    await sync_to_async(Job.objects.filter(pk=job.pk).update)(status="failed", error_code="X")
    ws = communicator(job.public_id, token=await sync_to_async(access)(user))

    connected, _ = await ws.connect()

    assert connected
    assert (await ws.receive_json_from(timeout=5))["status"] == "failed"
    assert (await ws.receive_output(timeout=5))["type"] == "websocket.close"
    await ws.disconnect()


async def test_ticket_works_once(owner_job: tuple[User, Job]) -> None:
    user, job = owner_job
    ticket = await sync_to_async(lambda: ticket_issue(credentials=signed_in(user), scope=job.public_id))()

    first = communicator(job.public_id, ticket=ticket)
    connected, _ = await first.connect()
    assert connected
    assert (await first.receive_json_from(timeout=5))["job_id"] == job.public_id
    await first.disconnect()

    second = communicator(job.public_id, ticket=ticket)
    reused, _ = await second.connect()
    await second.disconnect()
    assert not reused


async def test_ticket_via_rest_endpoint(owner_job: tuple[User, Job]) -> None:
    from tests.support.api import client_for

    user, job = owner_job
    response = await sync_to_async(lambda: client_for(user).post(f"/api/v1/jobs/{job.public_id}/progress/ticket"))()
    assert response.status_code == 201
    data = response.json()["data"]
    assert data["expires_in"] == 60
    assert data["url"] == f"/api/v1/jobs/{job.public_id}/progress/ws"

    ws = communicator(job.public_id, ticket=data["ticket"])
    connected, _ = await ws.connect()
    assert connected
    await ws.disconnect()


@pytest.mark.parametrize("credential", ["none", "garbage", "refresh", "other_user", "other_job_ticket"])
async def test_handshake_is_refused(
    owner_job: tuple[User, Job], make_user: Callable[[str], tuple[User, Any]], credential: str
) -> None:
    user, job = owner_job
    if credential == "none":
        ws = communicator(job.public_id)
    elif credential == "garbage":
        ws = communicator(job.public_id, token="not.a.token")
    elif credential == "refresh":
        refresh = await sync_to_async(lambda: token_pair_issue(user=user).refresh_token)()
        ws = communicator(job.public_id, token=refresh)
    elif credential == "other_user":
        other, _ = await sync_to_async(make_user)("intruder@example.com")
        ws = communicator(job.public_id, token=await sync_to_async(access)(other))
    else:
        ticket = await sync_to_async(
            lambda: ticket_issue(credentials=signed_in(user), scope="job_train_someotherjob")
        )()
        ws = communicator(job.public_id, ticket=ticket)

    connected, _ = await ws.connect()
    await ws.disconnect()

    assert not connected


async def test_a_client_without_origin_is_judged_by_its_credentials(owner_job: tuple[User, Job]) -> None:
    """Non-browser clients send no Origin header: a valid token connects, no token does not."""
    user, job = owner_job
    with_token = communicator(job.public_id, token=await sync_to_async(access)(user), origin=None)
    connected, _ = await with_token.connect()
    assert connected
    assert (await with_token.receive_json_from(timeout=5))["job_id"] == job.public_id
    await with_token.disconnect()

    without = communicator(job.public_id, origin=None)
    refused, _ = await without.connect()
    await without.disconnect()
    assert not refused


async def test_a_foreign_browser_origin_is_refused_even_with_a_valid_token(owner_job: tuple[User, Job]) -> None:
    user, job = owner_job
    ws = communicator(job.public_id, token=await sync_to_async(access)(user), origin="https://evil.example.net")
    connected, _ = await ws.connect()
    await ws.disconnect()
    assert not connected


def _logout(refresh_token: str) -> None:
    from accounts.services import token_revoke

    token_revoke(refresh_token=refresh_token)


def _deactivate(user: User) -> None:
    user.is_active = False
    user.save()


def _short_lived_access(user: User, seconds: float) -> str:
    from datetime import timedelta

    from rest_framework_simplejwt.tokens import AccessToken

    credentials = signed_in(user)
    token = AccessToken.for_user(user)
    token["sid"] = credentials.session_id
    token.set_exp(lifetime=timedelta(seconds=seconds))
    return str(token)


@pytest.mark.parametrize("ending", ["logout", "deactivation", "expiry", "ticket_session_logout"])
async def test_an_open_socket_closes_when_its_credentials_stop_being_valid(
    owner_job: tuple[User, Job], settings: Any, ending: str
) -> None:
    settings.CREDENTIALS_RECHECK_SECONDS = 0.2
    user, job = owner_job
    pair = await sync_to_async(token_pair_issue)(user=user)
    if ending == "expiry":
        ws = communicator(job.public_id, token=await sync_to_async(_short_lived_access)(user, 2))
    elif ending == "ticket_session_logout":
        credentials = await sync_to_async(credentials_from_access_token)(pair.access_token)
        assert credentials is not None
        ticket = await sync_to_async(lambda: ticket_issue(credentials=credentials, scope=job.public_id))()
        ws = communicator(job.public_id, ticket=ticket)
    else:
        ws = communicator(job.public_id, token=pair.access_token)
    connected, _ = await ws.connect()
    assert connected
    assert (await ws.receive_json_from(timeout=5))["status"] == "pending"
    await asyncio.sleep(0.5)
    assert await ws.receive_nothing(timeout=0.1)  # still open while the credentials hold

    if ending in ("logout", "ticket_session_logout"):
        await in_thread(_logout, pair.refresh_token)
    elif ending == "deactivation":
        await in_thread(_deactivate, user)

    closed = await ws.receive_output(timeout=5)
    assert closed == {"type": "websocket.close", "code": 4401}
    await ws.disconnect()


async def test_a_ticket_of_an_ended_session_opens_nothing(owner_job: tuple[User, Job]) -> None:
    user, job = owner_job
    pair = await sync_to_async(token_pair_issue)(user=user)
    credentials = await sync_to_async(credentials_from_access_token)(pair.access_token)
    assert credentials is not None
    ticket = await sync_to_async(lambda: ticket_issue(credentials=credentials, scope=job.public_id))()
    await in_thread(_logout, pair.refresh_token)

    ws = communicator(job.public_id, ticket=ticket)
    connected, _ = await ws.connect()
    await ws.disconnect()

    assert not connected
