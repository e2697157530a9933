"""The web server's own limits, against the real process (voxify_project.http_server): bodies
over the limit are refused before they are read, bodies are never parsed by the server,
chunked bodies reach Django whole, long URLs are answered."""

from __future__ import annotations

import os
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import psutil
import pytest

from tests.support.processes import ApiUser, ServiceStack
from tests.support.speech_data import recording

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]
MB = 1024 * 1024
BOUNDARY = "voxifytestboundary"


@pytest.fixture(scope="module")
def stack(
    tmp_path_factory: pytest.TempPathFactory, django_db_setup: None, django_db_blocker: Any
) -> Iterator[ServiceStack]:
    with django_db_blocker.unblock():
        services = ServiceStack(Path(tmp_path_factory.mktemp("http-server")) / "var", CONFIG_REFRESH_SECONDS="0.5")
        services.start()
    try:
        yield services
    finally:
        services.stop()


@pytest.fixture
def user(stack: ServiceStack) -> ApiUser:
    """A fresh user per test (in the real-services mode the stack shares the test database,
    which is emptied after each test)."""
    return ApiUser(stack, f"limits-{uuid.uuid4().hex[:12]}@example.com")


def multipart(payload: bytes, *, filename: str = "a.wav") -> bytes:
    return (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
        f"Content-Type: audio/wav\r\n\r\n".encode()
        + payload
        + f"\r\n--{BOUNDARY}--\r\n".encode()
    )


def in_chunks(body: bytes, size: int = 64 * 1024) -> Iterator[bytes]:
    for start in range(0, len(body), size):
        yield body[start : start + size]


MULTIPART = {"content-type": f"multipart/form-data; boundary={BOUNDARY}"}


def test_a_90_mb_anonymous_multipart_post_is_refused_before_it_is_read(stack: ServiceStack) -> None:
    web = psutil.Process(stack.processes["web"].pid)
    body = multipart(os.urandom(90 * MB))
    before = web.memory_info().rss
    peak, latencies, stop = [before], [], threading.Event()

    def watch_memory() -> None:
        while not stop.is_set():
            peak.append(web.memory_info().rss)
            time.sleep(0.01)

    def ask_health() -> None:
        with httpx.Client(base_url=stack.url, timeout=5) as client:
            while not stop.is_set():
                started = time.monotonic()
                assert client.get("/healthz").status_code == 200
                latencies.append(time.monotonic() - started)
                time.sleep(0.02)

    watchers = [threading.Thread(target=watch_memory), threading.Thread(target=ask_health)]
    for watcher in watchers:
        watcher.start()
    try:
        time.sleep(0.2)
        answer = httpx.post(f"{stack.url}/api/v1/auth/login", content=body, headers=MULTIPART, timeout=60)
        time.sleep(0.3)
    finally:
        stop.set()
        for watcher in watchers:
            watcher.join()

    assert answer.status_code == 413
    assert answer.json()["error"]["code"] == "PAYLOAD_TOO_LARGE"
    assert answer.json()["success"] is False
    assert max(peak) - before < 64 * MB, f"web process grew by {(max(peak) - before) / MB:.1f} MB"
    assert len(latencies) >= 5
    assert max(latencies) < 0.2, f"/healthz took up to {max(latencies) * 1000:.0f} ms"


def test_a_chunked_body_over_the_limit_is_refused_as_it_arrives(stack: ServiceStack) -> None:
    sent = [0]

    def endless() -> Iterator[bytes]:
        chunk = os.urandom(MB)
        for _ in range(200):  # 200 MB if nothing stopped it
            sent[0] += len(chunk)
            yield chunk

    try:
        answer = httpx.post(f"{stack.url}/api/v1/auth/login", content=endless(), headers=MULTIPART, timeout=60)
    except httpx.TransportError:  # the server closed while the client was still sending
        answer = None
    if answer is not None:
        assert answer.status_code == 413
        assert answer.json()["error"]["code"] == "PAYLOAD_TOO_LARGE"
    assert httpx.get(f"{stack.url}/healthz").status_code == 200


def test_expect_continue_gets_the_413_instead_of_a_100(stack: ServiceStack) -> None:
    with socket.create_connection(("127.0.0.1", stack.port), timeout=10) as raw:
        raw.sendall(
            b"POST /api/v1/files HTTP/1.1\r\nHost: localhost\r\nContent-Type: multipart/form-data; boundary=x\r\n"
            b"Content-Length: 94371840\r\nExpect: 100-continue\r\n\r\n"
        )
        answer = raw.recv(4096)
    assert answer.startswith(b"HTTP/1.1 413 ")
    assert b"100 Continue" not in answer
    assert b'"PAYLOAD_TOO_LARGE"' in answer


def test_a_chunked_upload_within_the_limit_reaches_django_whole(user: ApiUser) -> None:
    audio = recording("1089-134686-0000.wav").path.read_bytes()

    answer = user.http.post("/api/v1/files", content=in_chunks(multipart(audio)), headers=MULTIPART)

    assert answer.status_code == 201, answer.text
    assert answer.json()["data"]["size"] == len(audio)


@pytest.mark.parametrize(
    ("body", "size"),
    [(b"no multipart here at all", "small"), (b"x" * (60 * MB), "over the limit")],
)
def test_malformed_multipart_gets_the_envelope(user: ApiUser, body: bytes, size: str) -> None:
    answer = user.http.post("/api/v1/files", content=body, headers={"content-type": "multipart/form-data"})

    expected = (400, "MALFORMED_REQUEST") if size == "small" else (413, "PAYLOAD_TOO_LARGE")
    assert (answer.status_code, answer.json()["error"]["code"]) == expected


def test_a_streamed_synthesis_of_2800_accented_letters_is_answered(user: ApiUser) -> None:
    """2800 x "é" is inside the 5000-character limit, but ~17 KB of URL."""
    with user.http.stream("GET", "/api/v1/tts/synthesize/stream", params={"text": "é" * 2800}) as answer:
        assert len(str(answer.request.url)) > 16 * 1024
        assert answer.status_code == 200
        assert answer.headers["content-type"].startswith("text/event-stream")
        first = next(answer.iter_lines())
    assert first.startswith(("event:", "data:", ":"))


def test_request_lines_and_headers_beyond_the_server_limits_get_the_envelope(stack: ServiceStack) -> None:
    with socket.create_connection(("127.0.0.1", stack.port), timeout=10) as raw:
        raw.sendall(b"GET /api/v1/tts/synthesize/stream?text=" + b"a" * (70 * 1024) + b" HTTP/1.1\r\nHost: x\r\n\r\n")
        too_long = raw.recv(4096)
    big_header = httpx.get(f"{stack.url}/healthz", headers={"x-filler": "a" * (100 * 1024)})

    assert too_long.startswith(b"HTTP/1.1 414 ") and b'"URI_TOO_LONG"' in too_long
    assert big_header.status_code == 431
    assert big_header.json()["error"]["code"] == "HEADERS_TOO_LARGE"


def test_the_server_follows_the_live_max_upload_mb(stack: ServiceStack, user: ApiUser) -> None:
    stack.create_staff("limits-staff@example.com")
    staff = ApiUser(stack, "limits-staff@example.com", register=False)
    two_mb = multipart(os.urandom(2 * MB))
    assert staff.http.put("/api/v1/admin/config", json={"max_upload_mb": 1}).status_code == 200
    try:
        deadline = time.monotonic() + 15
        # The web server reads the live configuration every CONFIG_REFRESH_SECONDS (the Django
        # middleware may refuse first, with its own message, until then).
        while True:
            refused = user.http.post("/api/v1/files", content=two_mb, headers=MULTIPART)
            server_said = refused.status_code == 413 and "at most" in refused.json()["message"]
            if server_said or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        assert refused.status_code == 413
        assert refused.json()["error"]["code"] == "PAYLOAD_TOO_LARGE"
        # The server's own answer (it names its limit: 1 MB + 1 MB for the form), not the middleware's.
        assert f"at most {2 * MB} bytes" in refused.json()["message"]
    finally:
        assert staff.http.put("/api/v1/admin/config", json={"max_upload_mb": 50}).status_code == 200
