"""The spoken consent check with real speech: the sample's speaker reading the phrase passes;
another speaker, other words, and the sample's own clone saying the phrase are refused; every
attempt is kept; training waits for a pass while the live configuration asks for one."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from datetime import datetime, timedelta
from typing import Any

import pytest
import soundfile as sf
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import User
from configuration.models import SystemConfig
from jobs.runner import run_job
from speech.consent import (
    DVECTOR_THRESHOLD,
    MAX_PHRASE_WER,
    PHRASE_NOT_HEARD,
    PHRASE_WORDS,
    RESEMBLYZER_THRESHOLD,
    SPEAKER_MISMATCH,
    SYNTHETIC_SPEECH,
    WORDS,
)
from speech.engine import RenderOptions, render_text
from speech.text import prepare
from speech.voice_methods.base import Artefact
from speech.watermark import WATERMARK_THRESHOLD
from tests.support.speech_data import recording
from tests.support.uploads import upload
from voices.models import ConsentCheck, VoiceSample
from voices.training import train_sample_work

SAMPLE = "LJ001-0001.wav"  # the enrolled sample: LJSpeech's speaker
SAME_SPEAKER = "LJ001-0004.wav"  # another recording of her, with its transcript
OTHER_SPEAKER = "1089-134691-0000.wav"  # a LibriSpeech reader, with his transcript


@pytest.fixture
def sample_id(alice: tuple[User, APIClient], limits: Any) -> str:
    limits(consent_required=True)
    _, client = alice
    response = upload(client, recording(SAMPLE).path, name="LJ")
    assert response.status_code == 201
    sample: str = response.json()["data"]["sample_id"]
    return sample


def issue(client: APIClient, sample_id: str, *, phrase: str | None = None) -> dict[str, Any]:
    """A phrase for the sample; ``phrase`` stands in for the drawn one where a test needs the
    words a real recording of the data set says."""
    response = client.post(f"/api/v1/voice/samples/{sample_id}/consent")
    assert response.status_code == 201, response.json()
    data: dict[str, Any] = response.json()["data"]
    if phrase is not None:
        ConsentCheck.objects.filter(public_id=data["consent_id"]).update(phrase=phrase)
        data["phrase"] = phrase
    return data


def answer(client: APIClient, sample_id: str, consent_id: str, audio: bytes, name: str = "consent.wav") -> Any:
    return client.post(
        f"/api/v1/voice/samples/{sample_id}/consent/{consent_id}",
        {"file": SimpleUploadedFile(name, audio)},
        format="multipart",
    )


def train(client: APIClient, sample_id: str) -> Any:
    return client.post(f"/api/v1/voice/samples/{sample_id}/train", {}, format="json")


def test_a_phrase_is_a_few_ordinary_words_valid_for_minutes(alice: tuple[User, APIClient], sample_id: str) -> None:
    _, client = alice
    first, second = issue(client, sample_id), issue(client, sample_id)
    words = first["phrase"].split()
    assert len(words) == PHRASE_WORDS == len(set(words)) and set(words) <= set(WORDS)
    assert first["phrase"] != second["phrase"]  # drawn afresh (125 words choose 6: a repeat is negligible)
    assert first["consent_id"].startswith("cns_") and first["outcome"] == "pending" and first["passed"] is False
    assert "scores" not in first and "thresholds" not in first  # for staff only
    issued = timezone.now()
    expires = datetime.fromisoformat(first["expires_at"])
    assert timedelta(minutes=3) < expires - issued <= timedelta(minutes=5)


def test_the_speaker_reading_the_phrase_passes_and_then_training_starts(
    alice: tuple[User, APIClient], sample_id: str
) -> None:
    _, client = alice
    assert train(client, sample_id).status_code == 403
    refused = train(client, sample_id).json()["error"]
    assert refused["code"] == "CONSENT_REQUIRED" and refused["details"]["sample_id"] == sample_id

    clip = recording(SAME_SPEAKER)
    check = issue(client, sample_id, phrase=clip.transcript)
    response = answer(client, sample_id, check["consent_id"], clip.path.read_bytes())

    assert response.status_code == 200, response.json()
    result = response.json()["data"]
    assert result["passed"] is True and result["outcome"] == "passed" and result["reasons"] == []
    assert set(result) == ANSWER_FIELDS  # pass or fail and why: no scores, no thresholds
    row = ConsentCheck.objects.get(public_id=check["consent_id"])  # what staff see
    assert row.wer is not None and row.wer <= MAX_PHRASE_WER
    assert row.similarity_resemblyzer is not None and row.similarity_resemblyzer >= RESEMBLYZER_THRESHOLD
    assert row.similarity_dvector is not None and row.similarity_dvector >= DVECTOR_THRESHOLD
    assert row.watermark_confidence is not None and row.watermark_confidence < WATERMARK_THRESHOLD
    sample = client.get(f"/api/v1/voice/samples/{sample_id}").json()["data"]
    assert sample["consent_passed_at"] is not None
    assert train(client, sample_id).status_code == 202


def test_another_speaker_reading_the_phrase_is_refused(alice: tuple[User, APIClient], sample_id: str) -> None:
    _, client = alice
    clip = recording(OTHER_SPEAKER)
    check = issue(client, sample_id, phrase=clip.transcript)

    result = answer(client, sample_id, check["consent_id"], clip.path.read_bytes()).json()["data"]

    assert result["passed"] is False and result["outcome"] == "refused"
    assert result["reasons"] == [SPEAKER_MISMATCH], result  # the phrase itself was heard
    assert VoiceSample.objects.get(public_id=sample_id).consent_passed_at is None
    assert train(client, sample_id).status_code == 403


def test_the_speaker_saying_other_words_is_refused(alice: tuple[User, APIClient], sample_id: str) -> None:
    _, client = alice
    check = issue(client, sample_id)  # a drawn phrase; the recording says something else

    result = answer(client, sample_id, check["consent_id"], recording(SAME_SPEAKER).path.read_bytes()).json()["data"]

    assert result["passed"] is False and result["reasons"] == [PHRASE_NOT_HEARD], result
    assert ConsentCheck.objects.get(public_id=check["consent_id"]).wer > MAX_PHRASE_WER  # type: ignore[operator]


def test_the_samples_own_clone_saying_the_phrase_is_refused(
    alice: tuple[User, APIClient], sample_id: str, trained_artefact: Artefact
) -> None:
    """The session's voice is a clone of the same LJSpeech speaker: it says the phrase it was
    given, as anyone with the service could make it do."""
    _, client = alice
    check = issue(client, sample_id)
    spoken = render_text(prepare(check["phrase"]), options=RenderOptions(), voice=trained_artefact)
    buffer = io.BytesIO()
    sf.write(buffer, spoken, 22050, format="WAV")

    result = answer(client, sample_id, check["consent_id"], buffer.getvalue()).json()["data"]

    assert result["passed"] is False and SYNTHETIC_SPEECH in result["reasons"], result
    confidence = ConsentCheck.objects.get(public_id=check["consent_id"]).watermark_confidence
    assert confidence is not None and confidence >= WATERMARK_THRESHOLD


ANSWER_FIELDS = {
    "consent_id",
    "sample_id",
    "phrase",
    "outcome",
    "passed",
    "reasons",
    "transcript",
    "created_at",
    "expires_at",
    "answered_at",
}


def test_answers_are_throttled_per_sample_and_per_user(
    alice: tuple[User, APIClient], sample_id: str, settings: Any
) -> None:
    _, client = alice
    audio = recording(SAME_SPEAKER).path.read_bytes()

    def attempts(count: int) -> list[Any]:
        return [answer(client, sample_id, issue(client, sample_id)["consent_id"], audio) for _ in range(count)]

    settings.CONSENT_ANSWERS_PER_SAMPLE, settings.CONSENT_ANSWERS_PER_USER = "2/h", "100/h"
    per_sample = attempts(3)
    # (A rate is counted under its own key: the new one below starts from nothing.)
    settings.CONSENT_ANSWERS_PER_SAMPLE, settings.CONSENT_ANSWERS_PER_USER = "100/h", "1/h"
    per_user = attempts(2)

    assert [a.status_code for a in per_sample] == [200, 200, 429]
    assert [a.status_code for a in per_user] == [200, 429]
    for refused in (per_sample[2], per_user[1]):
        assert refused.json()["error"]["code"] == "RATE_LIMITED" and int(refused["Retry-After"]) > 0
    judged = ConsentCheck.objects.filter(voice_sample__public_id=sample_id).exclude(outcome="pending")
    assert judged.count() == 3  # the refused attempts were never judged


def test_a_phrase_answers_once_and_expires(alice: tuple[User, APIClient], sample_id: str) -> None:
    _, client = alice
    audio = recording(SAME_SPEAKER).path.read_bytes()
    used = issue(client, sample_id)
    assert answer(client, sample_id, used["consent_id"], audio).status_code == 200
    again = answer(client, sample_id, used["consent_id"], audio)
    assert again.status_code == 409 and again.json()["error"]["code"] == "CONSENT_ALREADY_ANSWERED"

    late = issue(client, sample_id)
    ConsentCheck.objects.filter(public_id=late["consent_id"]).update(expires_at=timezone.now() - timedelta(seconds=1))
    expired = answer(client, sample_id, late["consent_id"], audio)
    assert expired.status_code == 410 and expired.json()["error"]["code"] == "CONSENT_EXPIRED"
    assert ConsentCheck.objects.get(public_id=late["consent_id"]).outcome == "expired"  # the attempt is kept


def test_audio_that_cannot_be_judged_is_refused_and_leaves_the_phrase_open(
    alice: tuple[User, APIClient], sample_id: str
) -> None:
    _, client = alice
    check = issue(client, sample_id)
    samples, rate = sf.read(recording(SAME_SPEAKER).path, dtype="float32")
    short = io.BytesIO()
    sf.write(short, samples[: rate // 2], rate, format="WAV")

    too_short = answer(client, sample_id, check["consent_id"], short.getvalue())
    empty = answer(client, sample_id, check["consent_id"], b"")
    missing = client.post(f"/api/v1/voice/samples/{sample_id}/consent/{check['consent_id']}", {}, format="multipart")

    assert (too_short.status_code, too_short.json()["error"]["code"]) == (400, "AUDIO_TOO_SHORT")
    assert (empty.status_code, empty.json()["error"]["code"]) == (400, "EMPTY_FILE")
    assert (missing.status_code, missing.json()["error"]["code"]) == (400, "VALIDATION_ERROR")
    assert ConsentCheck.objects.get(public_id=check["consent_id"]).outcome == "pending"


def test_ownership_and_unknown_ids(alice: tuple[User, APIClient], make_user: Any, sample_id: str) -> None:
    _, client = alice
    _, mallory = make_user("mallory@example.com")
    check = issue(client, sample_id)
    audio = recording(SAME_SPEAKER).path.read_bytes()

    assert mallory.post(f"/api/v1/voice/samples/{sample_id}/consent").status_code == 404
    stolen = answer(mallory, sample_id, check["consent_id"], audio)
    assert (stolen.status_code, stolen.json()["error"]["code"]) == (404, "VOICE_SAMPLE_NOT_FOUND")
    unknown = answer(client, sample_id, "cns_unknown", audio)
    assert (unknown.status_code, unknown.json()["error"]["code"]) == (404, "CONSENT_NOT_FOUND")
    assert ConsentCheck.objects.get(public_id=check["consent_id"]).outcome == "pending"


def test_the_sample_lists_its_attempts_and_staff_see_them_in_the_admin(
    alice: tuple[User, APIClient], sample_id: str, admin_client: Any
) -> None:
    _, client = alice
    clip = recording(OTHER_SPEAKER)
    check = issue(client, sample_id, phrase=clip.transcript)
    answer(client, sample_id, check["consent_id"], clip.path.read_bytes())
    issue(client, sample_id)

    listed = client.get(f"/api/v1/voice/samples/{sample_id}/consent").json()["data"]
    assert [c["outcome"] for c in listed["consent_checks"]] == ["pending", "refused"]
    assert listed["pagination"]["total_count"] == 2

    page = admin_client.get("/admin/voices/consentcheck/")
    assert page.status_code == 200 and check["consent_id"] in page.content.decode()
    row = ConsentCheck.objects.get(public_id=check["consent_id"])
    detail = admin_client.get(f"/admin/voices/consentcheck/{row.pk}/change/")
    assert detail.status_code == 200 and "alice@example.com" in detail.content.decode()
    assert SPEAKER_MISMATCH in detail.content.decode()


def test_staff_can_switch_the_check_off(alice: tuple[User, APIClient], sample_id: str, limits: Any) -> None:
    _, client = alice
    assert train(client, sample_id).status_code == 403
    limits(consent_required=False)
    assert train(client, sample_id).status_code == 202


@pytest.mark.usefixtures("no_heartbeat_thread_writes")
def test_consent_is_checked_again_when_the_training_job_runs(
    alice: tuple[User, APIClient], sample_id: str, limits: Any
) -> None:
    _, client = alice
    limits(consent_required=False)
    job_id = train(client, sample_id).json()["data"]["training_job_id"]
    limits(consent_required=True)  # switched on while the job waited in the queue

    run_job(job_id, 1, train_sample_work)

    job = client.get(f"/api/v1/jobs/{job_id}").json()["data"]
    assert (job["status"], job["error"]["code"]) == ("failed", "CONSENT_REQUIRED")
    sample = client.get(f"/api/v1/voice/samples/{sample_id}").json()["data"]
    assert sample["status"] == "uploaded" and sample["voice_model"] is None


def test_a_fresh_installation_asks_for_consent() -> None:
    env = {k: v for k, v in os.environ.items() if k != "CONSENT_REQUIRED"}
    code = "import django; django.setup(); from django.conf import settings; print(settings.CONSENT_REQUIRED)"
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "True"
    field = SystemConfig._meta.get_field("consent_required")
    assert not field.has_default()  # seeded from CONSENT_REQUIRED, like every live setting
