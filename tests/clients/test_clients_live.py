"""The client libraries against a live stack (web, worker, beat, gRPC), in both run modes: the
Python SDK (``Voxify``, ``AsyncVoxify``), the ``voxify`` command line in a subprocess, and the
JavaScript client under Node's own test runner. Each uploads the example recording, trains a
voice following its progress, speaks in it (sync, async, stream), lists, deletes, and meets the
common errors."""

from __future__ import annotations

import io
import json
import os
import shutil
import stat
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import soundfile as sf
from django.conf import settings

from tests.support.api import STRONG_PASSWORD
from tests.support.processes import ServiceStack, started_stack
from voxify_client import (
    AsyncVoxify,
    AuthenticationError,
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitedError,
    ValidationError,
    Voxify,
)

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]
EXAMPLE = Path(settings.BASE_DIR) / "examples" / "speech" / "LJ001-0006.wav"
NODE = shutil.which("node")


@pytest.fixture(scope="module")
def stack(
    tmp_path_factory: pytest.TempPathFactory, django_db_setup: None, django_db_blocker: Any
) -> Iterator[ServiceStack]:
    with started_stack(tmp_path_factory, django_db_blocker, "clients") as services:
        yield services


def new_email(kind: str) -> str:
    return f"{kind}-{uuid.uuid4().hex[:10]}@example.com"


def rate_limited_login(client: Voxify, email: str) -> RateLimitedError:
    """Wrong passwords for one email until the per-email sign-in throttle answers 429."""
    for attempt in range(40):
        try:
            client.auth.login(email, f"Wrong-password-{attempt}")
        except RateLimitedError as limited:
            return limited
        except AuthenticationError:
            continue
    raise AssertionError("the sign-in throttle never answered")


def test_python_sdk(stack: ServiceStack, tmp_path: Path) -> None:
    email = new_email("sdk")
    Voxify(stack.url).auth.register(email, STRONG_PASSWORD)
    with Voxify(stack.url, email=email, password=STRONG_PASSWORD) as client:  # signs in on first use
        assert client.auth.me()["email"] == email
        sample = client.samples.upload(EXAMPLE, name="Example")
        assert sample["quality_score"] > 0 and sample["duration"] == pytest.approx(5.68, abs=0.05)
        assert [s["sample_id"] for s in client.samples.list(page_size=1)] == [sample["sample_id"]]

        updates: list[dict[str, Any]] = []
        job = client.samples.train(sample["sample_id"])
        with pytest.raises(ConflictError):
            client.samples.train(sample["sample_id"])  # TRAINING_IN_PROGRESS
        trained = job.wait(progress=updates.append, timeout=300)
        assert trained["status"] == "completed" and trained["result"]["sample_id"] == sample["sample_id"]
        fractions = [update["progress"] for update in updates]
        assert len(updates) >= 3 and fractions == sorted(fractions) and updates[-1]["status"] == "completed"

        voice = sample["sample_id"]
        spoken = client.tts.synthesize("The museum opens at nine.", voice_id=voice, output_format="wav")
        saved = client.files.download(spoken["file_id"], to=tmp_path / "spoken.wav")
        assert sf.info(str(saved)).duration == pytest.approx(spoken["duration"], abs=0.05)
        audio = client.tts.synthesize_audio("Straight to the bytes.", voice_id=voice, output_format="mp3")
        assert sf.info(io.BytesIO(audio)).format == "MP3"
        assert client.tools.detect(audio)["watermarked"] is True  # every output carries the mark
        later = client.tts.synthesize_async("Spoken later. In two sentences.", voice_id=voice).wait(timeout=300)
        assert later["result"]["file_id"].startswith("file_")
        chunks = list(client.tts.stream("First part here. And the second part.", voice_id=voice, output_format="wav"))
        assert [chunk.index for chunk in chunks] == list(range(1, len(chunks) + 1)) and len(chunks) >= 2
        assert all(chunk.data[:4] == b"RIFF" for chunk in chunks)
        timed = client.tts.synthesize("Nine o'clock, sharp.", voice_id=voice, timestamps="word")
        assert [w["word"] for w in timed["timestamps"]] == ["Nine", "o'clock", "sharp"]
        assert client.tts.subtitles(timed["synthesis_id"], "vtt").startswith("WEBVTT\n\n00:00:00.")
        timed_chunks = list(client.tts.stream("One. Two.", timestamps="word"))
        assert [[w["word"] for w in chunk.timestamps or []] for chunk in timed_chunks] == [["One"], ["Two"]]
        assert timed_chunks[1].start == pytest.approx(timed_chunks[0].duration, abs=0.01)

        ssml = client.tts.synthesize('<speak>Wait<break time="500ms"/>now.</speak>', timestamps="word")
        assert [w["word"] for w in ssml["timestamps"]] == ["Wait", "now"]
        names = client.dictionaries.create("Names", entries=[{"term": "Bruce", "alias": "Wayne"}], is_default=True)
        assert client.dictionaries.update(names["dictionary_id"], name="People")["entries"][0]["alias"] == "Wayne"
        assert [d["name"] for d in client.dictionaries.list()] == ["People"]
        named = client.tts.synthesize("Bruce.", dictionary_id=names["dictionary_id"])
        assert client.tts.get(named["synthesis_id"])["dictionary_id"] == names["dictionary_id"]
        client.dictionaries.delete(names["dictionary_id"])
        with pytest.raises(NotFoundError):
            client.dictionaries.get(names["dictionary_id"])

        history = [item["synthesis_id"] for item in client.tts.history(page_size=2)]
        assert spoken["synthesis_id"] in history and len(history) >= 4  # iterated over pages of 2
        client.tts.delete(spoken["synthesis_id"])
        with pytest.raises(NotFoundError) as missing:
            client.tts.get(spoken["synthesis_id"])
        assert missing.value.code == "SYNTHESIS_NOT_FOUND" and missing.value.status == 404

        with pytest.raises(ValidationError) as invalid:
            client.tts.synthesize("Hello", speed=9)
        assert invalid.value.code == "VALIDATION_ERROR" and "config" in invalid.value.details
        with pytest.raises(AuthenticationError) as refused:
            Voxify(stack.url, email=email, password="Not-the-password-1").auth.me()
        assert refused.value.code == "INVALID_CREDENTIALS"
        limited = rate_limited_login(Voxify(stack.url), email)
        assert limited.code == "RATE_LIMITED" and limited.retry_after and limited.retry_after > 0

        client.samples.delete(sample["sample_id"])
        assert list(client.samples.list()) == []
        with pytest.raises(PermissionDeniedError):
            client.admin.stats()

    staff = new_email("staff")
    stack.create_staff(staff)
    with Voxify(stack.url, email=staff, password=STRONG_PASSWORD) as admin:
        assert email in {user["email"] for user in admin.admin.users(search="sdk-", page_size=1)}
        assert admin.admin.stats()["users"]["total"] >= 2
        assert admin.admin.config()["syntheses_per_day"] >= 1


async def test_async_python_sdk_with_an_api_key(stack: ServiceStack) -> None:
    email = new_email("async")
    Voxify(stack.url).auth.register(email, STRONG_PASSWORD)
    key = Voxify(stack.url, email=email, password=STRONG_PASSWORD).auth.api_keys.create(
        "async tests", password=STRONG_PASSWORD
    )["key"]
    async with AsyncVoxify(stack.url, api_key=key) as client:
        assert (await client.auth.me())["email"] == email
        sample = await client.samples.upload(EXAMPLE, name="Async")
        assert [s["sample_id"] async for s in client.samples.list()] == [sample["sample_id"]]
        with pytest.raises(ConflictError):  # VOICE_NOT_READY: not trained
            await client.tts.synthesize("Hello", voice_id=sample["sample_id"])
        chunks = [chunk async for chunk in client.tts.stream("One piece. Two pieces.", output_format="mp3")]
        assert len(chunks) >= 2 and all(chunk.timestamps is None for chunk in chunks)
        spoken = await client.tts.synthesize("Timed.", timestamps="word")
        assert (await client.tts.subtitles(spoken["synthesis_id"])).startswith("1\n00:00:00,")
        made = await client.dictionaries.create("Async", entries=[{"term": "URL", "phonemes": "ˈɜːl"}])
        assert (await client.dictionaries.get(made["dictionary_id"]))["entries"][0]["phonemes"] == "ˈɜːl"
        assert [d["entry_count"] async for d in client.dictionaries.list()] == [1]
        await client.dictionaries.update(made["dictionary_id"], entries=[])
        assert (await client.dictionaries.delete(made["dictionary_id"]))["entry_count"] == 0
        updates: list[dict[str, Any]] = []
        job = await client.tts.synthesize_async("Waited for without blocking.")
        done = await job.wait(progress=updates.append, timeout=300)
        assert done["status"] == "completed" and updates[-1]["status"] == "completed"
        await client.samples.delete(sample["sample_id"])
        with pytest.raises(NotFoundError):
            await client.samples.get(sample["sample_id"])


def voxify(config: Path, *args: str, password: str = STRONG_PASSWORD) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "VOXIFY_CONFIG": str(config), "VOXIFY_PASSWORD": password}
    env.pop("VOXIFY_API_KEY", None)
    command = [str(Path(sys.executable).with_name("voxify")), *args]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=600)


def test_command_line(stack: ServiceStack, tmp_path: Path) -> None:
    email = new_email("cli")
    Voxify(stack.url).auth.register(email, STRONG_PASSWORD)
    config = tmp_path / "config" / "voxify.json"

    wrong = voxify(config, "--url", stack.url, "login", "--email", email, password="Not-the-password-1")
    assert wrong.returncode == 3 and "error: INVALID_CREDENTIALS" in wrong.stderr
    assert voxify(config, "samples", "list").returncode == 3  # not signed in
    login = voxify(config, "--url", stack.url, "login", "--email", email)
    assert login.returncode == 0, login.stderr
    assert stat.S_IMODE(config.stat().st_mode) == 0o600
    assert json.loads(config.read_text())["url"] == stack.url

    uploaded = voxify(config, "--json", "samples", "upload", str(EXAMPLE), "--name", "From the CLI")
    assert uploaded.returncode == 0, uploaded.stderr
    sample_id = json.loads(uploaded.stdout)["sample_id"]
    listed = voxify(config, "samples", "list", "--json")
    assert [s["sample_id"] for s in json.loads(listed.stdout)] == [sample_id]
    assert "From the CLI" in voxify(config, "samples", "list").stdout

    trained = voxify(config, "train", sample_id, "--wait")
    assert trained.returncode == 0, trained.stderr
    assert "[##############################] 100%" in trained.stderr  # the progress bar, drawn in place
    assert trained.stderr.count("%") >= 3  # redrawn as the job goes (\r, read here as line ends)
    assert "completed" in trained.stdout

    out = tmp_path / "said.wav"
    said = voxify(
        config, "say", "Hello from the command line.", "--voice", sample_id, "-o", str(out), "--format", "wav"
    )
    assert said.returncode == 0, said.stderr
    assert sf.info(str(out)).duration > 1.0
    streamed = tmp_path / "streamed.mp3"
    result = voxify(config, "--json", "say", "One part. Two parts.", "--stream", "-o", str(streamed), "--format", "mp3")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["pieces"] >= 2 and streamed.stat().st_size > 1000

    jobs = json.loads(voxify(config, "jobs", "list", "--json").stdout)
    assert any(job["type"] == "voice_training" and job["status"] == "completed" for job in jobs)
    shown = voxify(config, "--json", "jobs", "show", jobs[0]["job_id"])
    assert json.loads(shown.stdout)["job_id"] == jobs[0]["job_id"]
    history = json.loads(voxify(config, "history", "--json", "--limit", "5").stdout)
    assert {item["text_preview"] for item in history} >= {"Hello from the command line.", "One part. Two parts."}

    missing = voxify(config, "samples", "show", "vs_doesnotexist")
    assert missing.returncode == 4 and "error: VOICE_SAMPLE_NOT_FOUND" in missing.stderr
    invalid = voxify(config, "--json", "say", "Hi", "--speed", "9", "-o", str(tmp_path / "x.wav"))
    assert invalid.returncode == 6 and json.loads(invalid.stdout)["error"]["code"] == "VALIDATION_ERROR"
    removed = voxify(config, "samples", "rm", sample_id)
    assert removed.returncode == 0
    assert json.loads(voxify(config, "samples", "list", "--json").stdout) == []
    throttled = None
    for attempt in range(40):
        attempt_run = voxify(config, "login", "--email", email, password=f"Wrong-password-{attempt}")
        if attempt_run.returncode != 3:
            throttled = attempt_run
            break
    assert throttled is not None and throttled.returncode == 5 and "RATE_LIMITED" in throttled.stderr

    for command in (
        [], ["login"], ["logout"], ["whoami"], ["usage"], ["samples"], ["samples", "upload"], ["samples", "list"],
        ["samples", "show"], ["samples", "rm"], ["train"], ["say"], ["jobs"], ["jobs", "list"], ["jobs", "show"],
        ["jobs", "cancel"], ["jobs", "watch"], ["history"],
    ):  # fmt: skip
        helped = voxify(config, *command, "--help")
        assert helped.returncode == 0 and helped.stdout.startswith("usage: voxify"), command
    assert voxify(config, "logout").returncode == 0
    assert not config.exists()


def test_javascript_client(stack: ServiceStack) -> None:
    if NODE is None:
        if os.environ.get("CI"):
            pytest.fail("node is not installed")
        pytest.skip("node is not installed")
    js = Path(settings.BASE_DIR) / "clients" / "js"
    result = subprocess.run(
        [NODE, "--experimental-websocket", "--test", "test/"],
        cwd=js,
        env={**os.environ, "VOXIFY_URL": stack.url, "VOXIFY_SPEECH": str(EXAMPLE)},
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "# pass 3" in result.stdout and "# skipped 0" in result.stdout
