"""Server streams cannot starve the server (a per-user and a total limit on open streams,
RESOURCE_EXHAUSTED beyond them), and end when their credentials stop being valid."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import grpc
import pytest
from django.db import transaction

from accounts.models import User
from accounts.services import token_pair_issue, token_revoke
from grpc_server.protos import job_pb2
from jobs.models import Job
from jobs.services import job_create
from tests.grpc_api.conftest import Stubs, error_code

pytestmark = pytest.mark.django_db(transaction=True)
MakeUser = Callable[[str], tuple[User, list[tuple[str, str]]]]


def pending_job(user: User) -> str:
    with transaction.atomic():
        job = job_create(owner=user, type=Job.Type.VOICE_TRAINING, title="Held", params={}, estimated_duration=9)
    return job.public_id


def open_progress(stubs: Stubs, job_id: str, metadata: Any) -> Any:
    """A progress stream that has started (its first message, the current state, is read)."""
    call = stubs.job.GetJobProgress(job_pb2.GetJobProgressRequest(job_id=job_id), metadata=metadata)
    assert next(call).status == "pending"
    return call


@pytest.fixture
def held() -> Iterator[list[Any]]:
    calls: list[Any] = []
    yield calls
    for call in calls:
        call.cancel()


@pytest.mark.parametrize("limit", ["per_user", "total"])
def test_streams_beyond_the_limit_are_refused_and_others_are_still_served(
    stubs: Stubs, grpc_user: MakeUser, settings: Any, held: list[Any], limit: str
) -> None:
    if limit == "per_user":
        settings.GRPC_MAX_STREAMS_PER_USER, settings.GRPC_MAX_STREAMS = 3, 6
    else:
        settings.GRPC_MAX_STREAMS_PER_USER, settings.GRPC_MAX_STREAMS = 10, 3
    greedy, greedy_md = grpc_user("greedy@example.com")
    _, other_md = grpc_user("other@example.com")
    job_id = pending_job(greedy)
    held.extend(open_progress(stubs, job_id, greedy_md) for _ in range(3))

    with pytest.raises(grpc.RpcError) as refused:
        open_progress(stubs, job_id, greedy_md)
    started = time.monotonic()
    answer = stubs.job.ListJobs(job_pb2.ListJobsRequest(), metadata=other_md, timeout=1.0)
    took = time.monotonic() - started

    assert refused.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
    assert error_code(refused.value) == "TOO_MANY_STREAMS"
    assert took < 1.0
    assert answer.pagination.total_count == 0

    # A closed stream gives its slot back.
    held.pop().cancel()
    deadline = time.monotonic() + 10
    while True:
        try:
            held.append(open_progress(stubs, job_id, greedy_md))
            break
        except grpc.RpcError as exc:
            assert exc.code() == grpc.StatusCode.RESOURCE_EXHAUSTED and time.monotonic() < deadline
            time.sleep(0.1)


def test_the_total_stream_limit_always_leaves_a_thread_for_unary_calls(
    stubs: Stubs, grpc_user: MakeUser, settings: Any, held: list[Any]
) -> None:
    """The test server has 8 threads: however high GRPC_MAX_STREAMS is set, 7 streams at most."""
    settings.GRPC_MAX_STREAMS_PER_USER, settings.GRPC_MAX_STREAMS = 100, 100
    users = [grpc_user(f"user{i}@example.com") for i in range(8)]
    for user, metadata in users[:7]:
        held.append(open_progress(stubs, pending_job(user), metadata))

    with pytest.raises(grpc.RpcError) as refused:
        open_progress(stubs, pending_job(users[7][0]), users[7][1])

    assert error_code(refused.value) == "TOO_MANY_STREAMS"
    assert stubs.job.ListJobs(job_pb2.ListJobsRequest(), metadata=users[7][1], timeout=1.0).pagination.total_count == 1


@pytest.mark.parametrize("ending", ["logout", "deactivation"])
def test_a_progress_stream_ends_when_its_credentials_stop_being_valid(
    stubs: Stubs, grpc_user: MakeUser, settings: Any, ending: str
) -> None:
    settings.CREDENTIALS_RECHECK_SECONDS = 0.2
    user, _ = grpc_user("watcher@example.com")
    pair = token_pair_issue(user=user)
    call = open_progress(stubs, pending_job(user), [("authorization", f"Bearer {pair.access_token}")])

    if ending == "logout":
        token_revoke(refresh_token=pair.refresh_token)
    else:
        user.is_active = False
        user.save()

    with pytest.raises(grpc.RpcError) as ended:
        next(call)
    assert ended.value.code() == grpc.StatusCode.UNAUTHENTICATED
    assert error_code(ended.value) == "INVALID_TOKEN"
