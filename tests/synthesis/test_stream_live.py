"""Streaming (SSE) and async synthesis against real processes: daphne, the Celery worker and
beat, over real HTTP and WebSocket clients."""

from __future__ import annotations

import asyncio
import io
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import soundfile as sf

from speech.alignment import input_words
from tests.support.api import STRONG_PASSWORD
from tests.support.processes import ApiUser, ServiceStack, watch

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]
STREAM = "/api/v1/tts/synthesize/stream"
SENTENCES = [
    "The museum will be closed on Monday for maintenance.",
    "Please call me back when you have a moment this afternoon.",
    "The weather today is sunny with a light breeze from the west.",
    "Thank you for your patience while we look into this problem.",
    "Our new library opens next week with a large collection of books for children.",
    "She packed her bags, locked the door, and caught the early train to the city.",
]


@pytest.fixture(scope="module")
def stack(
    tmp_path_factory: pytest.TempPathFactory, django_db_setup: None, django_db_blocker: Any
) -> Iterator[ServiceStack]:
    with django_db_blocker.unblock():
        services = ServiceStack(Path(tmp_path_factory.mktemp("stream")) / "var", CREDENTIALS_RECHECK_SECONDS="0.3")
        services.log_files = True  # the access log is read by a test
        services.start()
    try:
        yield services
    finally:
        services.stop()


def events(response: httpx.Response) -> Iterator[dict[str, Any]]:
    """Parse Server-Sent Events: ``data:`` lines, an empty line ends each event."""
    data: list[str] = []
    for line in response.iter_lines():
        if line.startswith("data:"):
            data.append(line[5:].strip())
        elif not line and data:
            yield json.loads("\n".join(data))
            data = []


def fetch_audio(user: ApiUser, url: str) -> tuple[Any, bytes]:
    response = user.http.get(url)
    assert response.status_code == 200, response.text
    return sf.info(io.BytesIO(response.content)), response.content


def detected(user: ApiUser, audio: bytes) -> dict[str, Any]:
    """The watermark detector's answer for ``audio``, over HTTP."""
    response = user.http.post("/api/v1/tools/detect", files={"file": ("audio.mp3", audio)})
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()["data"]
    return answer


def test_stream_sends_events_in_order_with_chunks_that_play_on_their_own(stack: ServiceStack) -> None:
    user = ApiUser(stack, "stream@example.com")
    text = " ".join(SENTENCES)
    received: list[dict[str, Any]] = []
    state_at_first_chunk: dict[str, Any] = {}

    started = time.monotonic()
    with user.http.stream("GET", STREAM, params={"text": text, "format": "mp3"}) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        assert response.headers["cache-control"] == "no-cache"
        for event in events(response):
            event["_t"] = time.monotonic() - started
            received.append(event)
            if event["type"] == "audio_chunk" and not state_at_first_chunk:
                synthesis_id = received[0]["synthesis_id"]
                state_at_first_chunk = user.http.get(f"/api/v1/tts/syntheses/{synthesis_id}").json()["data"]

    types = [event["type"] for event in received]
    info = received[0]
    assert types[0] == "job_info"
    assert info["synthesis_id"].startswith("syn_")
    assert info["pieces"] == len(SENTENCES)
    assert (info["format"], info["sample_rate"]) == ("mp3", 22050)
    assert types[1] == "progress" and received[1]["progress"] == 0.0
    assert types[-1] == "completed"
    assert types[2:-1] == ["audio_chunk", "progress"] * len(SENTENCES)
    chunks = [event for event in received if event["type"] == "audio_chunk"]
    assert [chunk["chunk_id"] for chunk in chunks] == list(range(1, len(SENTENCES) + 1))
    progress = [event["progress"] for event in received if event["type"] == "progress"]
    assert progress == sorted(progress) and progress[-1] == 1.0
    # The first chunk went out while the rest was still being synthesised.
    assert state_at_first_chunk["status"] == "running"
    assert state_at_first_chunk["pieces_done"] < state_at_first_chunk["pieces_total"]
    assert chunks[0]["_t"] < received[-1]["_t"] - 0.3
    print(f"first audio_chunk after {chunks[0]['_t']:.2f} s, completed after {received[-1]['_t']:.2f} s")

    total = 0.0
    for chunk in chunks:
        assert chunk["audio_url"].startswith(f"{stack.url}/api/v1/files/audio/{chunk['file_id']}?token=")
        chunk_info, chunk_audio = fetch_audio(user, chunk["audio_url"])
        assert (chunk_info.format, chunk_info.samplerate, chunk_info.channels) == ("MP3", 22050, 1)
        assert chunk_info.duration == pytest.approx(chunk["duration"], rel=0.05)
        assert detected(user, chunk_audio)["watermarked"]  # each chunk carries the mark on its own
        total += chunk_info.duration
    completed = received[-1]
    whole, whole_audio = fetch_audio(user, completed["audio_url"])
    assert whole.format == "MP3"
    assert detected(user, whole_audio)["watermarked"]
    assert whole.duration == pytest.approx(completed["duration"], rel=0.05)
    assert whole.duration == pytest.approx(total, rel=0.05)
    detail = user.http.get(f"/api/v1/tts/syntheses/{info['synthesis_id']}").json()["data"]
    assert (detail["mode"], detail["status"], detail["file_id"]) == ("stream", "completed", completed["file_id"])


def test_stream_chunks_carry_the_times_of_the_words_they_complete(stack: ServiceStack) -> None:
    user = ApiUser(stack, "stream-times@example.com")
    text = "It costs $5.50 today. " + " ".join(SENTENCES[:2])
    with user.http.stream("GET", STREAM, params={"text": text, "timestamps": "word"}) as response:
        received = list(events(response))
    chunks = [event for event in received if event["type"] == "audio_chunk"]
    assert len(chunks) == 3 and chunks[0]["start"] == 0.0
    words = [word for chunk in chunks for word in chunk["timestamps"]]
    assert [w["word"] for w in words] == input_words(text)
    for chunk in chunks:  # each chunk's words lie inside it, in the whole output's timeline
        assert all(
            chunk["start"] <= w["start"] < w["end"] <= chunk["start"] + chunk["duration"] for w in chunk["timestamps"]
        )
    assert chunks[1]["start"] == pytest.approx(chunks[0]["duration"], abs=0.01)
    detail = user.http.get(f"/api/v1/tts/syntheses/{received[0]['synthesis_id']}").json()["data"]
    assert detail["timestamps"] == words
    subtitles = user.http.get(
        f"/api/v1/tts/syntheses/{received[0]['synthesis_id']}/subtitles", params={"format": "vtt"}
    )
    assert subtitles.status_code == 200 and subtitles.text.startswith("WEBVTT")


def test_ssml_and_a_dictionary_on_the_stream(stack: ServiceStack) -> None:
    user = ApiUser(stack, "stream-ssml@example.com")
    entries = [{"term": "URL", "alias": "earl"}]
    made = user.http.post("/api/v1/tts/dictionaries", json={"name": "Web", "entries": entries}).json()["data"]
    markup = '<speak>Open the URL.<break time="700ms"/>Then wait.</speak>'
    params = {"text": markup, "timestamps": "word", "dictionary_id": made["dictionary_id"]}
    with user.http.stream("GET", STREAM, params=params) as response:
        received = list(events(response))
    chunks = [event for event in received if event["type"] == "audio_chunk"]
    words = [word for chunk in chunks for word in chunk["timestamps"]]
    assert len(chunks) == 2 and [w["word"] for w in words] == ["Open", "the", "URL", "Then", "wait"]
    assert words[3]["start"] - words[2]["end"] >= 0.7 - 0.03  # the break
    detail = user.http.get(f"/api/v1/tts/syntheses/{received[0]['synthesis_id']}").json()["data"]
    assert (detail["input_type"], detail["dictionary_id"]) == ("ssml", made["dictionary_id"])


def test_a_client_that_disconnects_stops_the_work(stack: ServiceStack) -> None:
    user = ApiUser(stack, "leaver@example.com")
    text = " ".join(SENTENCES * 4)

    with user.http.stream("GET", STREAM, params={"text": text}) as response:
        for event in events(response):
            if event["type"] == "job_info":
                synthesis_id = event["synthesis_id"]
                total = event["pieces"]
            if event["type"] == "audio_chunk":
                break  # close the connection after the first chunk

    deadline = time.monotonic() + 30
    detail: dict[str, Any] = {}
    while time.monotonic() < deadline:
        detail = user.http.get(f"/api/v1/tts/syntheses/{synthesis_id}").json()["data"]
        if detail["status"] != "running":
            break
        time.sleep(0.2)
    assert detail["status"] == "cancelled", detail
    done = detail["pieces_done"]
    time.sleep(2)
    later = user.http.get(f"/api/v1/tts/syntheses/{synthesis_id}").json()["data"]
    assert later["pieces_done"] == done < total == len(SENTENCES) * 4
    assert later["audio_url"] is None
    # Not a finished synthesis, but what was spoken counts against the day's audio.
    usage = user.http.get("/api/v1/auth/usage").json()["data"]
    assert usage["syntheses"]["used"] == 0 and usage["audio_seconds"]["used"] >= 1
    assert usage["audio_seconds"]["in_flight"] == 0


def test_revoking_the_key_ends_the_sse_stream_and_the_openai_stream(stack: ServiceStack) -> None:
    user = ApiUser(stack, f"revoker-{time.monotonic_ns()}@example.com")
    text = " ".join(SENTENCES * 4)

    def key() -> tuple[str, httpx.Client]:
        made = user.http.post("/api/v1/auth/api-keys", json={"name": "stream", "password": STRONG_PASSWORD})
        assert made.status_code == 201, made.text
        data = made.json()["data"]
        client = httpx.Client(base_url=stack.url, timeout=60, headers={"Authorization": f"Bearer {data['key']}"})
        return data["key_id"], client

    key_id, as_key = key()
    received: list[dict[str, Any]] = []
    with as_key.stream("GET", STREAM, params={"text": text}) as response:
        for event in events(response):
            received.append(event)
            if event["type"] == "audio_chunk" and event["chunk_id"] == 1:
                assert user.http.delete(f"/api/v1/auth/api-keys/{key_id}").status_code == 200
    kinds = [event["type"] for event in received]
    assert "completed" not in kinds
    assert received[-1] == {"type": "error", "code": "INVALID_TOKEN", "message": received[-1]["message"]}
    assert kinds.count("audio_chunk") < len(SENTENCES) * 4
    synthesis = user.http.get(f"/api/v1/tts/syntheses/{received[0]['synthesis_id']}").json()["data"]
    assert (synthesis["status"], synthesis["audio_url"]) == ("failed", None)

    key_id, as_key = key()
    text = " ".join(SENTENCES * 2)  # within /v1's 1000 characters
    body = {"model": "tts-1", "voice": "alloy", "input": text, "stream_format": "sse"}
    deltas, last = 0, {}
    with as_key.stream("POST", "/v1/audio/speech", json=body) as response:
        assert response.status_code == 200
        for event in events(response):
            last = event
            if event["type"] == "speech.audio.delta":
                deltas += 1
                if deltas == 1:
                    assert user.http.delete(f"/api/v1/auth/api-keys/{key_id}").status_code == 200
    assert last["type"] == "error" and last["error"]["code"] == "INVALID_TOKEN", last
    assert deltas < len(SENTENCES) * 2


def test_browsers_use_a_single_use_ticket_and_refusals_come_before_the_stream(stack: ServiceStack) -> None:
    user = ApiUser(stack, "browser@example.com")

    def new_ticket() -> str:
        return str(user.http.post(f"{STREAM}/ticket").json()["data"]["ticket"])

    ticket = new_ticket()
    browser = httpx.Client(base_url=stack.url, timeout=60, headers={"Accept": "text/event-stream"})
    params = {"text": "Hello from a browser.", "ticket": ticket}

    with browser.stream("GET", STREAM, params=params) as response:
        assert response.status_code == 200
        assert [event["type"] for event in events(response)][-1] == "completed"
    reused = browser.get(STREAM, params=params)
    anonymous = browser.get(STREAM, params={"text": "Hello."})
    empty = user.http.get(STREAM, params={"text": "  "}, headers={"Accept": "text/event-stream"})
    unknown_voice = user.http.get(STREAM, params={"text": "Hello.", "voice_id": "vs_nope"})
    bad_format = user.http.get(STREAM, params={"text": "Hello.", "format": "wma"})

    # The access log shows the requests, but not their ticket, text or signed-link token.
    with browser.stream("GET", STREAM, params={"text": "Whisper the secret word.", "ticket": new_ticket()}) as r:
        audio_url = next(e for e in events(r) if e["type"] == "completed")["audio_url"]
    assert httpx.get(audio_url).status_code == 200
    token = audio_url.split("token=")[1]
    log = stack.log()
    assert "GET /api/v1/tts/synthesize/stream?text=redacted&ticket=redacted" in log
    assert "token=redacted" in log
    for secret in ("secret", ticket, token):
        assert secret not in log
    for refused, status, code in (
        (reused, 401, "INVALID_TOKEN"),
        (anonymous, 401, "NOT_AUTHENTICATED"),
        (empty, 400, "EMPTY_TEXT"),
        (unknown_voice, 404, "VOICE_NOT_FOUND"),
        (bad_format, 400, "VALIDATION_ERROR"),
    ):
        assert refused.status_code == status, refused.text
        assert refused.headers["content-type"] == "application/json"
        assert refused.json()["error"]["code"] == code


def test_async_synthesis_through_the_worker_with_progress_over_the_websocket(stack: ServiceStack) -> None:
    user = ApiUser(stack, "async@example.com")
    # Twelve sentences: long enough to span several 0.25 s notification windows on any machine
    # (four short ones could all finish inside one window, leaving a single progress message).
    text = " ".join(SENTENCES * 2)
    response = user.http.post("/api/v1/tts/synthesize/async", json={"text": text, "config": {"output_format": "ogg"}})
    assert response.status_code == 202, response.text
    job_id = response.json()["data"]["job_id"]

    messages = asyncio.run(asyncio.wait_for(watch(stack, job_id, user.token), timeout=180))

    assert messages[-1]["status"] == "completed", messages[-1]
    sentence_messages = [m["message"] for m in messages if m["message"].startswith("Sentence ")]
    # Notifications are throttled (0.25 s), so some sentences may share one message.
    assert len(set(sentence_messages)) >= 2, messages
    assert set(sentence_messages) <= {f"Sentence {i}/12" for i in range(1, 13)}
    done = [int(m.split()[1].split("/")[0]) for m in sentence_messages]
    assert done == sorted(done)
    result = user.job(job_id)["result"]
    info, _ = fetch_audio(user, result["audio_url"])
    assert (info.format, info.samplerate) == ("OGG", 22050)
    assert info.duration == pytest.approx(result["duration"], rel=0.05)
