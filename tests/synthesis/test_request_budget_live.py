"""The request budget and linear text processing against the real web server (daphne), with
the web process's memory and ``/healthz`` measured from outside it, as an attacker's victims
would see them: a dictionary that multiplies the text, a large dictionary over a long text,
one long run of raw phonemes, and word timestamps over one long token."""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import psutil
import pytest

from tests.support.processes import ApiUser, ServiceStack, started_stack

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]
STREAM = "/api/v1/tts/synthesize/stream"
MB = 1024 * 1024


@pytest.fixture(scope="module")
def stack(
    tmp_path_factory: pytest.TempPathFactory, django_db_setup: None, django_db_blocker: Any
) -> Iterator[ServiceStack]:
    # Async syntheses here are refused by the budget, never queued: a smaller audio limit than
    # the default makes the long text of the matching test one to refuse.
    with started_stack(tmp_path_factory, django_db_blocker, "budget", MAX_ASYNC_AUDIO_SECONDS="600") as services:
        yield services


@pytest.fixture
def user(stack: ServiceStack) -> ApiUser:
    return ApiUser(stack, f"budget-{uuid.uuid4().hex[:12]}@example.com")


class Watch:
    """While a request runs: the web process's resident memory and /healthz's answer times."""

    def __init__(self, stack: ServiceStack) -> None:
        self.stack = stack
        self.web = psutil.Process(stack.processes["web"].pid)
        self.before = self.web.memory_info().rss
        self.peak = self.before
        self.latencies: list[float] = []
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._memory), threading.Thread(target=self._health)]

    def _memory(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self.web.memory_info().rss)
            time.sleep(0.01)

    def _health(self) -> None:
        with httpx.Client(base_url=self.stack.url, timeout=120) as client:
            while not self._stop.is_set():
                started = time.monotonic()
                assert client.get("/healthz").status_code == 200
                self.latencies.append(time.monotonic() - started)
                time.sleep(0.05)

    def run(self, work: Callable[[], Any]) -> Any:
        for thread in self._threads:
            thread.start()
        try:
            time.sleep(0.2)
            return work()
        finally:
            self._stop.set()
            for thread in self._threads:
                thread.join()

    @property
    def grew_mb(self) -> float:
        return float(self.peak - self.before) / MB


def first_event(response: httpx.Response, kind: str) -> dict[str, Any]:
    for line in response.iter_lines():
        if line.startswith("data:"):
            event: dict[str, Any] = json.loads(line[5:])
            if event["type"] == kind:
                return event
            assert event["type"] != "error", event
    raise AssertionError(f"the stream ended without a {kind} event")


def test_a_dictionary_entry_cannot_multiply_a_request_past_its_budget(user: ApiUser, stack: ServiceStack) -> None:
    twelve_numbers = " ".join(str(123_456_789_012_345 + k) for k in range(12))
    made = user.http.post(
        "/api/v1/tts/dictionaries",
        json={"name": "numbers", "is_default": True, "entries": [{"term": "a", "alias": twelve_numbers}]},
    )
    assert made.status_code == 201, made.text
    started = time.monotonic()

    stream = user.http.get(STREAM, params={"text": "a " * 2500})
    sync = user.http.post("/api/v1/tts/synthesize", json={"text": "a " * 100})
    queued = user.http.post("/api/v1/tts/synthesize/async", json={"text": "a " * 50_000})

    assert time.monotonic() - started < 30
    for answer, limit in ((stream, "max_spoken_text_ratio"), (sync, "max_spoken_text_ratio"), (queued, None)):
        assert answer.status_code == 400, answer.text
        error = answer.json()["error"]
        assert error["code"] in ("SPOKEN_TEXT_TOO_LONG", "SPEECH_TOO_LONG")
        assert limit is None or error["details"]["limit"] == limit
    # Nothing was recorded, queued or charged for the refused work.
    history = user.http.get("/api/v1/tts/syntheses").json()["data"]
    assert history["pagination"]["total_count"] == 0
    assert user.http.get("/api/v1/jobs").json()["data"]["pagination"]["total_count"] == 0
    assert user.http.get("/api/v1/auth/usage").json()["data"]["syntheses"]["used"] == 0


def test_a_large_dictionary_over_a_long_text_keeps_the_web_process_answering(
    user: ApiUser, stack: ServiceStack
) -> None:
    # 1000 entries sharing a 40-word prefix; every word of the text starts a partial match.
    prefix = " ".join(["a"] * 40)
    entries = [{"term": f"{prefix} w{k:03d}", "alias": "b"} for k in range(1000)]
    made = user.http.post("/api/v1/tts/dictionaries", json={"name": "big", "is_default": True, "entries": entries})
    assert made.status_code == 201, made.text
    watch = Watch(stack)

    answer = watch.run(
        lambda: user.http.post("/api/v1/tts/synthesize/async", json={"text": "a " * 50_000}, timeout=120)
    )

    # Matched in full, then refused by the budget (about 7000 s of audio over the stack's 600).
    assert answer.status_code == 400, answer.text
    assert answer.json()["error"]["code"] == "SPEECH_TOO_LONG"
    assert answer.json()["error"]["details"]["limit"] == "max_async_audio_seconds"
    assert len(watch.latencies) >= 3
    assert max(watch.latencies) < 2.0, f"/healthz took up to {max(watch.latencies) * 1000:.0f} ms"


def test_a_long_run_of_raw_phonemes_is_spoken_in_bounded_parts(user: ApiUser, stack: ServiceStack) -> None:
    ipa = " ".join(["həlˈoʊ"] * 300)  # 2099 symbols in one <phoneme>
    markup = f'<speak><phoneme alphabet="ipa" ph="{ipa}">hello</phoneme></speak>'

    def first_chunk(text: str) -> dict[str, Any]:
        with user.http.stream("GET", STREAM, params={"text": text}, timeout=120) as response:
            assert response.status_code == 200, response.read()
            return first_event(response, "audio_chunk")

    first_chunk("<speak>Hello <phoneme ph='wˈɜːld'>world</phoneme>.</speak>")  # the models loaded
    watch = Watch(stack)
    chunk = watch.run(lambda: first_chunk(markup))

    assert chunk["chunk_id"] == 1
    # One call of the network over all 2099 symbols grew this process by well over 1 GB.
    assert watch.grew_mb < 400, f"the web process grew by {watch.grew_mb:.0f} MB"
    assert max(watch.latencies) < 2.0, f"/healthz took up to {max(watch.latencies) * 1000:.0f} ms"


def test_word_timestamps_over_one_long_token_start_at_once(user: ApiUser, stack: ServiceStack) -> None:
    # 2999 characters, one written word of about 3000 spoken ones (13,500 characters to speak,
    # about 960 s of audio: within the stream's budget).
    text = "1+" * 1499 + "1"
    started = time.monotonic()

    with user.http.stream("GET", STREAM, params={"text": text, "timestamps": "word"}, timeout=120) as response:
        assert response.status_code == 200, response.read()
        first_event(response, "audio_chunk")
        first_audio = time.monotonic() - started

    # The written word is matched to its spoken words before the first chunk, which itself is
    # spoken in well under a second: a quadratic match took tens of seconds here.
    assert first_audio < 10, f"first chunk after {first_audio:.1f} s"
