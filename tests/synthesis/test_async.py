"""POST /api/v1/tts/synthesize/async: a synthesis job, run in-process through the job runner
(the worker-process path is in test_stream_live.py)."""

from __future__ import annotations

import io
import itertools
from typing import Any

import numpy as np
import pytest
import soundfile as sf
from rest_framework.test import APIClient

from accounts.models import DailyUsage, User
from jobs import runner, services
from jobs.models import Job
from jobs.runner import run_job
from speech.watermark import detect_watermark
from synthesis.models import Synthesis
from synthesis.work import synthesis_job_work
from tests.support.uploads import stored_keys
from tests.synthesis.conftest import download

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_heartbeat_thread_writes")]
URL = "/api/v1/tts/synthesize/async"
SENTENCES = [
    "The museum will be closed on Monday for maintenance.",
    "Please call me back when you have a moment this afternoon.",
    "The weather today is sunny with a light breeze from the west.",
    "Thank you for your patience while we look into this problem.",
    "Our new library opens next week with a large collection of books for children.",
]
TEXT = " ".join(SENTENCES)


def start(client: APIClient, text: str = TEXT, **fields: Any) -> Any:
    return client.post(URL, {"text": text, **fields}, format="json")


def test_async_synthesis_runs_to_a_finished_job_with_per_sentence_progress(
    alice: tuple[User, APIClient], progress_log: list[tuple[float, str]]
) -> None:
    user, client = alice

    response = start(client, config={"output_format": "mp3", "sample_rate": 44100})

    assert response.status_code == 202, response.json()
    body = response.json()
    assert body["message"] == "Asynchronous speech synthesis job created"
    data = body["data"]
    assert set(data) == {"synthesis_id", "job_id", "estimated_duration", "status"}
    assert data["synthesis_id"].startswith("syn_")
    assert data["job_id"].startswith("job_syn_")
    assert data["status"] == "pending"
    assert data["estimated_duration"] >= 1
    job = Job.objects.get(public_id=data["job_id"])
    assert job.type == "synthesis"

    run_job(job.public_id, 1, synthesis_job_work)

    job_data = client.get(f"/api/v1/jobs/{job.public_id}").json()["data"]
    assert job_data["status"] == "completed", job_data
    result = job_data["result"]
    assert result["synthesis_id"] == data["synthesis_id"]
    assert result["audio_url"].startswith(f"http://testserver/api/v1/files/audio/{result['file_id']}?token=")
    assert APIClient().get(result["audio_url"]).status_code == 200  # signed: no header needed
    raw = download(client, result["audio_url"])
    info = sf.info(io.BytesIO(raw))
    assert (info.format, info.samplerate) == ("MP3", 44100)
    assert info.duration == pytest.approx(result["duration"], rel=0.05)
    assert result["duration"] > 10
    samples, rate = sf.read(io.BytesIO(raw), dtype="float32")
    assert detect_watermark(samples, rate).watermarked
    sentence_messages = [message for _, message in progress_log if message.startswith("Sentence ")]
    assert sentence_messages == [f"Sentence {i}/{len(SENTENCES)}" for i in range(1, len(SENTENCES) + 1)]
    fractions = [fraction for fraction, _ in progress_log]
    assert fractions == sorted(fractions)
    detail = client.get(f"/api/v1/tts/syntheses/{data['synthesis_id']}").json()["data"]
    assert (detail["status"], detail["pieces_done"], detail["pieces_total"]) == ("completed", 5, 5)
    assert detail["audio_url"].split("?")[0] == result["audio_url"].split("?")[0]  # tokens differ by their time
    assert DailyUsage.objects.get(user=user, kind="syntheses").count == 1


def test_pieces_are_joined_without_clicks_or_loudness_jumps(alice: tuple[User, APIClient]) -> None:
    _, client = alice
    job_id = start(client).json()["data"]["job_id"]

    run_job(job_id, 1, synthesis_job_work)

    result = client.get(f"/api/v1/jobs/{job_id}").json()["data"]["result"]
    samples, rate = sf.read(io.BytesIO(download(client, result["audio_url"])), dtype="float32")
    # Pieces are separated by pauses of digital silence (16-bit WAV keeps them exact).
    silent = np.concatenate([[False], samples == 0.0, [False]])
    edges = np.flatnonzero(np.diff(silent.astype(np.int8)))
    runs = [(a, b) for a, b in zip(edges[::2], edges[1::2], strict=True) if b - a >= int(0.15 * rate)]
    bounds = [0, *[(a + b) // 2 for a, b in runs if a > 0 and b < len(samples)], len(samples)]
    pieces = [samples[a:b] for a, b in itertools.pairwise(bounds) if b - a > rate // 2]
    assert len(pieces) == len(SENTENCES)
    levels = [20 * np.log10(_active_rms(piece, rate)) for piece in pieces]
    assert max(levels) - min(levels) < 1.5, levels
    # No step anywhere bigger than the steps inside speech: no clicks at the joints.
    steps = np.abs(np.diff(samples))
    assert float(steps.max()) <= float(np.percentile(steps, 99.99)) * 3


def _active_rms(audio: np.ndarray[Any, Any], rate: int) -> float:
    frame = rate // 50
    count = len(audio) // frame
    energies = np.mean(audio[: count * frame].reshape(count, frame).astype(np.float64) ** 2, axis=1)
    return float(np.sqrt(energies[energies >= energies.max() * 1e-3].mean()))


def test_text_up_to_the_async_limit_is_accepted_and_beyond_it_refused(
    alice: tuple[User, APIClient], limits: Any
) -> None:
    _, client = alice
    limits(max_async_text_length=2000)

    accepted = start(client, ("A sentence of some length. " * 80)[:2000])
    refused = start(client, "x" * 2001)

    assert accepted.status_code == 202
    assert refused.status_code == 400
    assert refused.json()["error"]["code"] == "TEXT_TOO_LONG"
    assert refused.json()["error"]["details"]["max_length"] == 2000


def test_the_default_async_limit_is_a_hundred_thousand_characters(alice: tuple[User, APIClient]) -> None:
    _, client = alice

    refused = start(client, "word " * 20_000 + "x")

    assert refused.status_code == 400
    assert refused.json()["error"]["details"] == {
        "length": 100_001,
        "max_length": 100_000,
        "async_endpoint": "/api/v1/tts/synthesize/async",
    }


def test_a_job_cancelled_while_pending_never_runs_and_costs_nothing(alice: tuple[User, APIClient]) -> None:
    user, client = alice
    data = start(client).json()["data"]
    keys = stored_keys()

    assert client.post(f"/api/v1/jobs/{data['job_id']}/cancel").status_code == 200
    run_job(data["job_id"], 1, synthesis_job_work)

    detail = client.get(f"/api/v1/tts/syntheses/{data['synthesis_id']}").json()["data"]
    assert detail["status"] == "cancelled"
    assert detail["audio_url"] is None
    assert stored_keys() == keys
    assert not DailyUsage.objects.filter(user=user, kind="syntheses").exists()


def test_a_job_cancelled_while_running_stops_between_sentences(alice: tuple[User, APIClient]) -> None:
    user, client = alice
    data = start(client).json()["data"]
    keys = stored_keys()
    job = Job.objects.get(public_id=data["job_id"])
    calls = {"n": 0}

    def stop_after_two_checks() -> bool:
        calls["n"] += 1
        return calls["n"] > 2

    started = services.job_start(job_id=job.public_id, attempt=1)
    assert started is not None
    with pytest.raises(runner.JobCancelled):
        synthesis_job_work(started, lambda fraction, message: None, stop_after_two_checks)

    synthesis = Synthesis.objects.get(public_id=data["synthesis_id"])
    assert synthesis.status == "cancelled"
    assert 1 <= synthesis.pieces_done < synthesis.pieces_total
    assert synthesis.output_file is None
    assert stored_keys() == keys
    assert not DailyUsage.objects.filter(user=user, kind="syntheses").exists()


def test_deleting_the_voice_cancels_its_pending_syntheses(alice: tuple[User, APIClient], cloned_voice: str) -> None:
    _, client = alice
    data = start(client, voice_id=cloned_voice).json()["data"]

    assert client.delete(f"/api/v1/voice/samples/{cloned_voice}").status_code == 200
    run_job(data["job_id"], 1, synthesis_job_work)

    assert client.get(f"/api/v1/jobs/{data['job_id']}").json()["data"]["status"] == "cancelled"
    assert client.get(f"/api/v1/tts/syntheses/{data['synthesis_id']}").json()["data"]["status"] == "cancelled"


def test_async_with_a_cloned_voice(alice: tuple[User, APIClient], cloned_voice: str) -> None:
    _, client = alice
    data = start(client, " ".join(SENTENCES[:2]), voice_id=cloned_voice).json()["data"]

    run_job(data["job_id"], 1, synthesis_job_work)

    job = client.get(f"/api/v1/jobs/{data['job_id']}").json()["data"]
    assert job["status"] == "completed", job
    info = sf.info(io.BytesIO(download(client, job["result"]["audio_url"])))
    assert info.duration == pytest.approx(job["result"]["duration"], rel=0.05)
