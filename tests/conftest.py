"""Suite-wide fixtures. The suite runs against whatever the environment configures: the
embedded default (SQLite + embedded Redis, started here) or real services (PostgreSQL,
Redis, RabbitMQ), exactly as the service would."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable, Iterator
from typing import Any
from unittest import mock

import pytest
from django.conf import settings
from django.core.cache import cache
from rest_framework.test import APIClient

from accounts.models import User
from configuration.config import system_config_forget, system_config_update
from configuration.models import SystemConfig
from jobs import runner
from jobs import services as job_services
from jobs.models import Job
from speech.audio_io import decode, probe
from speech.training import train_voice
from speech.voice_methods.base import Artefact as VoiceArtefact
from speech.voice_methods.base import TrainingConfig
from tests.support.api import STRONG_PASSWORD, SUITE_REQUESTS_PER_MINUTE, client_for, login, register
from tests.support.speech_data import recording
from voxify_project.embedded_redis import embedded_redis_socket, redis_answers, start_embedded_redis


@pytest.fixture(scope="session", autouse=True)
def redis_server() -> Iterator[None]:
    """Start the embedded Redis for the session when no REDIS_URL is configured."""
    process: subprocess.Popen[bytes] | None = None
    if not os.environ.get("REDIS_URL") and not redis_answers(embedded_redis_socket(settings.VAR_DIR)):
        process = start_embedded_redis(settings.VAR_DIR)
    yield
    if process is not None:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture(autouse=True)
def _isolated_cache(redis_server: None) -> Iterator[None]:
    """Throttle counters and cached values never leak from one test into the next."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _fresh_system_config(settings: Any) -> Iterator[None]:
    """Each test starts from the configuration the environment seeds, read afresh.

    The suite's own bursts of requests are not what it tests, so the request rate limit is
    seeded high; the rate-limit tests set theirs explicitly. Likewise the spoken consent check
    before training is seeded off (the data set's speakers cannot read random phrases);
    tests/voices/test_consent.py turns it on and checks that a fresh installation has it on.
    """
    settings.REQUESTS_PER_MINUTE = SUITE_REQUESTS_PER_MINUTE
    settings.CONSENT_REQUIRED = False
    settings.VOICE_TRAINING_BASE = ""  # Piper's voice, whatever the environment sets; the choice is tested apart
    system_config_forget()
    yield
    system_config_forget()


@pytest.fixture
def limits(db: None) -> Callable[..., SystemConfig]:
    """Change the live configuration, as staff would: ``limits(syntheses_per_day=2)``."""

    def change(**values: Any) -> SystemConfig:
        return system_config_update(changes=values)

    return change


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    # The production hasher costs ~0.5 s per hash by design; tests hash hundreds of times.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


@pytest.fixture
def user_tokens(db: None, api_client: APIClient) -> dict[str, Any]:
    """A registered user and a fresh login: the login response's ``data``."""
    assert register(api_client, "ada@example.com", first_name="Ada", last_name="Lovelace").status_code == 201
    response = login(api_client, "ada@example.com")
    assert response.status_code == 200
    data: dict[str, Any] = response.json()["data"]
    return data


@pytest.fixture
def make_user(db: None) -> Callable[[str], tuple[User, APIClient]]:
    def make(email: str) -> tuple[User, APIClient]:
        user = User.objects.create_user(email, STRONG_PASSWORD)
        return user, client_for(user)

    return make


@pytest.fixture
def alice(make_user: Callable[[str], tuple[User, APIClient]]) -> tuple[User, APIClient]:
    return make_user("alice@example.com")


@pytest.fixture
def no_heartbeat_thread_writes(settings: Any) -> None:
    """For jobs run in-process inside a test's transaction: the heartbeat thread writes through
    its own connection, which would wait on that open transaction (the worker-process tests
    cover heartbeats)."""
    settings.JOB_HEARTBEAT_INTERVAL = 3600


@pytest.fixture
def progress_log() -> Iterator[list[tuple[float, str]]]:
    """Every (fraction, message) a job running in-process reports, in order."""
    seen: list[tuple[float, str]] = []
    real = job_services.job_progress

    def record(*, job: Job, progress: float, message: str) -> None:
        seen.append((progress, message))
        real(job=job, progress=progress, message=message)

    with mock.patch.object(runner, "job_progress", side_effect=record):
        yield seen


VOICE_RECORDING = "LJ001-0006.wav"  # the session's trained voice: an LJSpeech recording


@pytest.fixture(scope="session")
def trained_artefact() -> VoiceArtefact:
    """A real voice artefact, fitted to an LJSpeech recording with a short search."""
    rec = recording(VOICE_RECORDING)
    audio = decode(rec.path, probe(rec.path))
    artefact: VoiceArtefact = train_voice(
        audio.samples,
        audio.sample_rate,
        config=TrainingConfig(epochs=2, learning_rate=0.05, batch_size=2),
        progress=lambda fraction, message: None,
        should_stop=lambda: False,
        transcript=rec.transcript,
    )
    return artefact
