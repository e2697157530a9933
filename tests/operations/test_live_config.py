"""The live configuration and the rate limit with real processes: two web processes, the gRPC
server and the Celery worker, one database and one Redis."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import grpc
import httpx
import pytest
from django.conf import settings

from grpc_server.protos import job_pb2, tts_pb2
from tests.grpc_api.conftest import Stubs
from tests.operations.ratelimits import fresh_window
from tests.support.processes import ApiUser, ServiceStack

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]
TEXT_40 = "A sentence that is forty characters long"


@pytest.fixture(scope="module")
def stack(
    tmp_path_factory: pytest.TempPathFactory, django_db_setup: None, django_db_blocker: Any
) -> Iterator[ServiceStack]:
    with django_db_blocker.unblock():
        services = ServiceStack(Path(tmp_path_factory.mktemp("live-config")) / "var").start()
    try:
        services.second_url = services.add_web()  # type: ignore[attr-defined]
        yield services
    finally:
        services.stop()


def until(check: Callable[[], bool], timeout: float) -> float:
    """Seconds until ``check()`` holds (polled every 0.1 s); fails after ``timeout``."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if check():
            return time.monotonic() - started
        time.sleep(0.1)
    raise AssertionError(f"not within {timeout} s")


def grpc_code(call: Callable[[], Any]) -> str:
    try:
        call()
    except grpc.RpcError as error:
        return str(dict(error.trailing_metadata() or ()).get("error-code", ""))
    return "OK"


def ttl_hours(user: ApiUser, job_id: str) -> float:
    job = user.wait_job(job_id, lambda j: j["status"] in {"completed", "failed", "cancelled"}, timeout=120)
    assert job["status"] == "completed", job
    info = user.http.get(f"/api/v1/files/{job['result']['file_id']}/info").json()["data"]
    created, expires = datetime.fromisoformat(info["created_at"]), datetime.fromisoformat(info["expires_at"])
    return (expires - created).total_seconds() / 3600


def test_config_reaches_every_process_and_the_rate_limit_spans_two_web_processes(
    stack: ServiceStack, capsys: pytest.CaptureFixture[str]
) -> None:
    stack.create_staff("ops@example.com")
    staff = ApiUser(stack, "ops@example.com", register=False)
    user = ApiUser(stack, "live@example.com")
    user_id = user.http.get("/api/v1/auth/me").json()["data"]["user_id"]
    other_web = httpx.Client(base_url=stack.second_url, headers=user.http.headers, timeout=60)  # type: ignore[attr-defined]
    channel = grpc.insecure_channel(stack.grpc_target)
    stubs = Stubs(channel)
    tts, jobs = stubs.tts, stubs.job
    metadata = [("authorization", f"Bearer {user.token}")]

    def rest_code(client: httpx.Client) -> str:
        response = client.post("/api/v1/tts/synthesize", json={"text": TEXT_40})
        return "OK" if response.status_code == 200 else str(response.json()["error"]["code"])

    def async_synthesis() -> str:
        response = user.http.post("/api/v1/tts/synthesize/async", json={"text": "Short."})
        assert response.status_code == 202, response.text
        return str(response.json()["data"]["job_id"])

    # Before: every process takes 40 characters; the worker stores outputs for 24 h.
    assert rest_code(user.http) == rest_code(other_web) == "OK"
    assert grpc_code(lambda: tts.SynthesizeText(tts_pb2.SynthesizeTextRequest(text=TEXT_40), metadata=metadata)) == "OK"
    assert ttl_hours(user, async_synthesis()) == pytest.approx(24, abs=0.05)

    changed = staff.http.put("/api/v1/admin/config", json={"max_synthesis_length": 30, "file_ttl_hours": 5})
    assert changed.status_code == 200, changed.text
    delays = {
        "web 2": until(lambda: rest_code(other_web) == "TEXT_TOO_LONG", timeout=15),
        "grpc": until(
            lambda: (
                grpc_code(lambda: tts.SynthesizeText(tts_pb2.SynthesizeTextRequest(text=TEXT_40), metadata=metadata))
                == "TEXT_TOO_LONG"
            ),
            timeout=15,
        ),
    }
    assert rest_code(user.http) == "TEXT_TOO_LONG"
    time.sleep(settings.CONFIG_REFRESH_SECONDS + 0.5)  # the worker's copy is at most this old
    assert ttl_hours(user, async_synthesis()) == pytest.approx(5, abs=0.05)
    with capsys.disabled():
        print(f"\n  config change seen after: {', '.join(f'{k} {v:.1f} s' for k, v in delays.items())}")

    # requests_per_minute = 10, counted in Redis whichever web process answers.
    assert staff.http.put("/api/v1/admin/config", json={"requests_per_minute": 10}).status_code == 200
    time.sleep(settings.CONFIG_REFRESH_SECONDS + 0.5)
    fresh_window(user_id)
    answers = []
    for i in range(20):
        client = user.http if i % 2 == 0 else other_web
        response = client.get("/api/v1/jobs")
        answers.append((i % 2, response.status_code, response.headers.get("Retry-After")))
    grpc_refused = grpc_code(lambda: jobs.ListJobs(job_pb2.ListJobsRequest(), metadata=metadata))

    assert [status for _, status, _ in answers] == [200] * 10 + [429] * 10
    assert {web for web, status, _ in answers if status == 200} == {0, 1}  # both processes served some
    assert {web for web, status, _ in answers if status == 429} == {0, 1}  # and both refused
    assert all(1 <= int(retry) <= 61 for _, status, retry in answers if status == 429)
    assert grpc_refused == "RATE_LIMITED"
    channel.close()
