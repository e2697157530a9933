"""The OpenAI-compatible API and personal API keys, driven by the official ``openai`` Python
package against a live stack (daphne, worker, gRPC), as a program using Voxify would."""

from __future__ import annotations

import base64
import io
import json
import time
import uuid
from collections.abc import Iterator
from typing import Any

import av
import grpc
import httpx
import openai
import pytest
import soundfile as sf

from grpc_server.protos import auth_pb2, auth_pb2_grpc, job_pb2, job_pb2_grpc
from tests.support.api import STRONG_PASSWORD
from tests.support.processes import ApiUser, ServiceStack, started_stack

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]
SENTENCE = "The museum will be closed on Monday for maintenance."
PARAGRAPH = " ".join(
    [
        SENTENCE,
        "Please call me back when you have a moment this afternoon.",
        "The weather today is sunny with a light breeze from the west.",
        "Thank you for your patience while we look into this problem.",
        "Our new library opens next week with a large collection of books for children.",
    ]
)
BUILTIN = "piper-en_US-joe-medium"


@pytest.fixture(scope="module")
def stack(
    tmp_path_factory: pytest.TempPathFactory, django_db_setup: None, django_db_blocker: Any
) -> Iterator[ServiceStack]:
    # log_files: the test reads the logs for the key
    with started_stack(tmp_path_factory, django_db_blocker, "openai", log_files=True) as services:
        yield services


@pytest.fixture
def user(stack: ServiceStack) -> ApiUser:
    """A new user for each test: in the real-services mode the stack shares the test database,
    which is emptied after every test."""
    return ApiUser(stack, f"sdk-{uuid.uuid4().hex[:12]}@example.com")


def create_key(user: ApiUser, name: str = "sdk") -> dict[str, Any]:
    response = user.http.post("/api/v1/auth/api-keys", json={"name": name, "password": STRONG_PASSWORD})
    assert response.status_code == 201, response.text
    data: dict[str, Any] = response.json()["data"]
    return data


def client(stack: ServiceStack, key: str) -> openai.OpenAI:
    return openai.OpenAI(api_key=key, base_url=f"{stack.url}/v1", max_retries=0, timeout=120)


def decoded(data: bytes, fmt: str) -> tuple[float, int]:
    """(seconds, sample rate) of the audio, decoded by FFmpeg; pcm is raw s16le at 24 kHz."""
    if fmt == "pcm":
        return len(data) / 2 / 24000, 24000
    container = av.open(io.BytesIO(data), mode="r")
    frames, rate = 0, 0
    for frame in container.decode(audio=0):
        frames += frame.samples
        rate = frame.sample_rate
    return frames / rate, rate


@pytest.mark.parametrize("fmt", ["mp3", "opus", "aac", "flac", "wav", "pcm"])
def test_speech_in_every_response_format(stack: ServiceStack, user: ApiUser, fmt: str) -> None:
    key = create_key(user, f"format {fmt}")["key"]

    audio = client(stack, key).audio.speech.create(model="tts-1", voice="alloy", input=SENTENCE, response_format=fmt)  # type: ignore[arg-type]

    seconds, rate = decoded(audio.content, fmt)
    assert 2.0 < seconds < 8.0, seconds
    assert rate == (48000 if fmt == "opus" else 24000)  # Opus always decodes at 48 kHz
    if fmt == "flac":  # libsndfile needs the length in the header
        samples, sf_rate = sf.read(io.BytesIO(audio.content))
        assert (len(samples) / sf_rate, sf_rate) == (pytest.approx(seconds, abs=0.01), 24000)
    history = user.http.get("/api/v1/tts/syntheses", params={"page_size": 100}).json()["data"]["syntheses"]
    assert any(item["format"] == fmt and item["status"] == "completed" for item in history)


def test_the_first_bytes_arrive_before_the_whole_text_is_spoken(stack: ServiceStack, user: ApiUser) -> None:
    sdk = client(stack, create_key(user, "stream")["key"])
    started = time.monotonic()
    chunks: list[tuple[float, int]] = []
    with sdk.audio.speech.with_streaming_response.create(
        model="voxify-tts", voice=BUILTIN, input=PARAGRAPH, response_format="pcm"
    ) as response:
        for chunk in response.iter_bytes():
            chunks.append((time.monotonic() - started, len(chunk)))
    first, last = chunks[0][0], chunks[-1][0]
    total_seconds = sum(size for _, size in chunks) / 2 / 24000
    print(f"first bytes after {first:.2f} s, the whole after {last:.2f} s ({total_seconds:.1f} s of audio)")
    assert total_seconds > 10
    assert first < last / 2, (first, last)


def test_sse_events_carry_the_audio(stack: ServiceStack, user: ApiUser) -> None:
    key = create_key(user, "sse")["key"]
    with httpx.stream(
        "POST",
        f"{stack.url}/v1/audio/speech",
        headers={"Authorization": f"Bearer {key}"},
        json={"model": "tts-1", "voice": "nova", "input": SENTENCE, "response_format": "wav", "stream_format": "sse"},
        timeout=120,
    ) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        events = [json.loads(line[5:]) for line in response.iter_lines() if line.startswith("data:")]
    assert [event["type"] for event in events[-1:]] == ["speech.audio.done"]
    assert {event["type"] for event in events[:-1]} == {"speech.audio.delta"}
    audio = b"".join(base64.b64decode(event["audio"]) for event in events[:-1])
    seconds, rate = decoded(audio, "wav")
    assert rate == 24000 and seconds > 2.0


def test_a_cloned_voice_by_id(stack: ServiceStack, user: ApiUser) -> None:
    sample_id = user.upload("LJ001-0006.wav")
    response = user.http.post(
        f"/api/v1/voice/samples/{sample_id}/train",
        json={"config": {"epochs": 2, "learning_rate": 0.05, "batch_size": 2}},
    )
    assert response.status_code == 202, response.text
    user.wait_job(response.json()["data"]["training_job_id"], lambda job: job["status"] == "completed", 600)
    sdk = client(stack, create_key(user, "clone")["key"])

    voices = sdk.get("/audio/voices", cast_to=object)
    audio = sdk.audio.speech.create(model="tts-1", voice={"id": sample_id}, input=SENTENCE, response_format="mp3")

    assert sample_id in {voice["id"] for voice in voices["data"]}  # type: ignore[index]
    assert decoded(audio.content, "mp3")[0] > 2.0
    history = user.http.get("/api/v1/tts/syntheses", params={"page_size": 100}).json()["data"]["syntheses"]
    assert any(item["voice_id"] == sample_id for item in history)
    found = user.http.post("/api/v1/tools/detect", files={"file": ("speech.mp3", audio.content)})
    assert found.status_code == 200 and found.json()["data"]["watermarked"] is True


def test_bad_requests_get_the_sdks_own_exceptions(stack: ServiceStack, user: ApiUser) -> None:
    sdk = client(stack, create_key(user, "errors")["key"])
    speech = sdk.audio.speech

    with pytest.raises(openai.BadRequestError) as unknown_voice:
        speech.create(model="tts-1", voice="vs_doesnotexist", input=SENTENCE)
    with pytest.raises(openai.BadRequestError) as bad_format:
        speech.create(model="tts-1", voice="alloy", input=SENTENCE, response_format="wma")  # type: ignore[arg-type]
    with pytest.raises(openai.BadRequestError) as empty:
        speech.create(model="tts-1", voice="alloy", input="   ")
    with pytest.raises(openai.BadRequestError) as too_long:
        speech.create(model="tts-1", voice="alloy", input="word " * 2000)

    number = httpx.post(
        f"{stack.url}/v1/audio/speech",
        json={"model": "tts-1", "voice": "alloy", "input": 123},
        headers={"Authorization": f"Bearer {sdk.api_key}"},
    )

    assert unknown_voice.value.body["code"] == "VOICE_NOT_FOUND"  # type: ignore[index]
    assert unknown_voice.value.body["param"] == "voice"  # type: ignore[index]
    assert bad_format.value.body["param"] == "response_format"  # type: ignore[index]
    assert empty.value.body["code"] == "EMPTY_TEXT"  # type: ignore[index]
    assert too_long.value.body["code"] == "TEXT_TOO_LONG"  # type: ignore[index]
    assert empty.value.body["param"] == too_long.value.body["param"] == "input"  # type: ignore[index]
    assert (number.status_code, number.json()["error"]["param"]) == (400, "input")
    assert too_long.value.body["type"] == "invalid_request_error"  # type: ignore[index]
    assert [model.id for model in sdk.models.list()][:1] == ["voxify-tts"]


def test_api_keys_are_stored_hashed_and_a_revoked_key_fails_everywhere(stack: ServiceStack, user: ApiUser) -> None:
    created = create_key(user, "everywhere")
    key, key_id = created["key"], created["key_id"]
    assert key.startswith("vx_") and len(key) >= 3 + 32  # 256 bits, base64url
    bearer = {"Authorization": f"Bearer {key}"}
    as_key = httpx.Client(base_url=stack.url, headers=bearer, timeout=60)
    metadata = [("authorization", f"Bearer {key}")]
    channel = grpc.insecure_channel(stack.grpc_target)
    jobs = job_pb2_grpc.JobServiceStub(channel)  # type: ignore[no-untyped-call]

    # The key acts as its user on REST, the ticket endpoints and gRPC...
    assert (
        as_key.get("/api/v1/auth/me").json()["data"]["email"]
        == user.http.get("/api/v1/auth/me").json()["data"]["email"]
    )
    ticket = as_key.post("/api/v1/tts/synthesize/stream/ticket")
    assert ticket.status_code == 201, ticket.text
    assert jobs.ListJobs(job_pb2.ListJobsRequest(), metadata=metadata).pagination.page == 1
    # ...but cannot make keys or change the password.
    assert (
        as_key.post("/api/v1/auth/api-keys", json={"name": "child", "password": STRONG_PASSWORD}).json()["error"][
            "code"
        ]
        == "FORBIDDEN"
    )
    listed = user.http.get("/api/v1/auth/api-keys", params={"page_size": 100}).json()["data"]["api_keys"]
    assert {"key_id": key_id, "prefix": key[:10]}.items() <= next(k for k in listed if k["key_id"] == key_id).items()
    assert all("key" not in item for item in listed)

    # Only a hash is stored, and the key is in no log.
    rows = stack.query("SELECT * FROM accounts_apikey WHERE public_id = %s", key_id)
    assert len(rows) == 1 and not any(key in str(value) for value in rows[0])
    assert key not in stack.log()

    revoked = user.http.delete(f"/api/v1/auth/api-keys/{key_id}")
    assert revoked.status_code == 200 and revoked.json()["data"]["revoked_at"]

    assert as_key.get("/api/v1/auth/me").status_code == 401
    assert as_key.post("/api/v1/tts/synthesize/stream/ticket").status_code == 401
    # A ticket issued before the key was revoked no longer opens a stream.
    stream = httpx.get(
        f"{stack.url}/api/v1/tts/synthesize/stream",
        params={"text": SENTENCE, "ticket": ticket.json()["data"]["ticket"]},
        timeout=60,
    )
    assert stream.status_code == 401
    job_ticket = as_key.post("/api/v1/jobs/job_train_none/progress/ticket")
    assert job_ticket.status_code == 401
    with pytest.raises(grpc.RpcError) as refused:
        jobs.ListJobs(job_pb2.ListJobsRequest(), metadata=metadata)
    assert refused.value.code() == grpc.StatusCode.UNAUTHENTICATED
    with pytest.raises(openai.AuthenticationError):
        client(stack, key).audio.speech.create(model="tts-1", voice="alloy", input=SENTENCE)
    channel.close()


def test_api_keys_over_grpc(stack: ServiceStack, user: ApiUser) -> None:
    channel = grpc.insecure_channel(stack.grpc_target)
    auth = auth_pb2_grpc.AuthServiceStub(channel)  # type: ignore[no-untyped-call]
    signed_in = [("authorization", f"Bearer {user.token}")]

    created = auth.CreateApiKey(
        auth_pb2.CreateApiKeyRequest(name="from grpc", password=STRONG_PASSWORD), metadata=signed_in
    )
    as_key = [("authorization", f"Bearer {created.key}")]
    listed = auth.ListApiKeys(auth_pb2.ListApiKeysRequest(page_size=100), metadata=as_key)
    with pytest.raises(grpc.RpcError) as child:
        auth.CreateApiKey(auth_pb2.CreateApiKeyRequest(name="child", password=STRONG_PASSWORD), metadata=as_key)
    revoked = auth.RevokeApiKey(auth_pb2.RevokeApiKeyRequest(key_id=created.api_key.key_id), metadata=signed_in)
    with pytest.raises(grpc.RpcError) as after:
        auth.ListApiKeys(auth_pb2.ListApiKeysRequest(), metadata=as_key)
    channel.close()

    assert created.key.startswith("vx_") and created.api_key.prefix == created.key[:10]
    assert created.api_key.key_id in {key.key_id for key in listed.api_keys}
    assert child.value.code() == grpc.StatusCode.PERMISSION_DENIED
    assert revoked.api_key.HasField("revoked_at")
    assert after.value.code() == grpc.StatusCode.UNAUTHENTICATED
