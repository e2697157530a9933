"""gRPC applies the API rate limit (requests_per_minute) in the same counters as REST."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import grpc
import pytest

from accounts.models import User
from grpc_server.protos import auth_pb2, file_pb2, job_pb2
from tests.grpc_api.conftest import Stubs, error_code
from tests.operations.ratelimits import fresh_window
from tests.support.api import client_for

JOBS = "/api/v1/jobs"


@pytest.mark.django_db(transaction=True)
def test_grpc_counts_with_rest_and_answers_resource_exhausted(
    stubs: Stubs, grpc_user: Callable[[str], tuple[User, list[tuple[str, str]]]], limits: Callable[..., Any]
) -> None:
    limits(requests_per_minute=4)
    user, metadata = grpc_user("dave@example.com")
    client = client_for(user)
    fresh_window(user.public_id, "127.0.0.1")

    assert client.get(JOBS).status_code == 200
    assert client.get(JOBS).status_code == 200
    stubs.job.ListJobs(job_pb2.ListJobsRequest(), metadata=metadata)
    stubs.job.ListJobs(job_pb2.ListJobsRequest(), metadata=metadata)
    with pytest.raises(grpc.RpcError) as refused:
        stubs.job.ListJobs(job_pb2.ListJobsRequest(), metadata=metadata)
    rest_refused = client.get(JOBS)

    assert refused.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
    assert error_code(refused.value) == "RATE_LIMITED"
    trailing = dict(refused.value.trailing_metadata() or ())
    assert 1 <= int(trailing["retry-after"]) <= 61
    assert rest_refused.status_code == 429

    # Public RPCs count per client IP.
    wrong = auth_pb2.LoginRequest(email="dave@example.com", password="not-the-password")
    answers = []
    for _ in range(5):
        with pytest.raises(grpc.RpcError) as failed:
            stubs.auth.Login(wrong)
        answers.append(failed.value.code())
    assert answers == [grpc.StatusCode.UNAUTHENTICATED] * 4 + [grpc.StatusCode.RESOURCE_EXHAUSTED]


@pytest.mark.django_db(transaction=True)
def test_server_streaming_rpcs_count_against_the_rate_limit(
    stubs: Stubs, grpc_user: Callable[[str], tuple[User, list[tuple[str, str]]]], limits: Callable[..., Any]
) -> None:
    limits(requests_per_minute=3)
    user, metadata = grpc_user("erin@example.com")
    fresh_window(user.public_id, "127.0.0.1")

    codes = []
    for _ in range(3):
        with pytest.raises(grpc.RpcError) as missing:
            list(stubs.file.DownloadFile(file_pb2.DownloadFileRequest(file_id="file_missing"), metadata=metadata))
        codes.append(missing.value.code())
    with pytest.raises(grpc.RpcError) as refused:
        list(stubs.job.GetJobProgress(job_pb2.GetJobProgressRequest(job_id="job_train_missing"), metadata=metadata))

    assert codes == [grpc.StatusCode.NOT_FOUND] * 3
    assert refused.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
    assert error_code(refused.value) == "RATE_LIMITED"
