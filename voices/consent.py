"""Spoken consent before a voice is trained: issue a phrase, judge the recording that answers it.

``consent_issue`` draws a phrase (speech.consent) valid for ``CONSENT_TTL_S`` seconds.
``consent_answer`` judges one recording against it: Whisper hears the phrase, both speaker
encoders place the speaker with the sample, and the recording carries no Voxify watermark.
A phrase answers once: the first recording that can be judged uses it up, passed or
refused, and every answer is kept (who, when, the scores, the outcome) for staff. Audio that
cannot be judged at all (not audio, too short, too long) is refused with its 4xx and leaves
the phrase as it was. A pass marks the sample (``consent_passed_at``); training checks it
while the live configuration's ``consent_required`` is on (``consent_required_check``).
"""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import structlog
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from configuration.config import system_config
from files.services import local_upload_path
from files.uploads import upload_size_check
from speech.audio_io import AudioLimits, load_checked
from speech.consent import check_consent, new_phrase, sample_embeddings
from voices.models import ConsentCheck, VoiceSample
from voices.services import voice_sample_audio
from voxify_project import throttle
from voxify_project.errors import ApplicationError, Conflict, NotFound, PermissionDenied, speech_refusals

log = structlog.get_logger(__name__)

CONSENT_TTL_S = 300  # how long a phrase may be answered
CONSENT_MIN_SECONDS = 1.0
CONSENT_MAX_SECONDS = 30.0  # a few words; a long recording is not an answer to a phrase


class ConsentRequired(PermissionDenied):
    code = "CONSENT_REQUIRED"
    default_message = (
        "This voice sample's speaker has not passed the consent check. Ask for a phrase with "
        "POST /api/v1/voice/samples/{sample_id}/consent and upload a recording of the speaker reading it."
    )


class ConsentExpired(ApplicationError):
    code = "CONSENT_EXPIRED"
    status = 410
    default_message = "This consent phrase has expired; ask for a new one."


class ConsentAlreadyAnswered(Conflict):
    code = "CONSENT_ALREADY_ANSWERED"
    default_message = "This consent phrase has been answered already; ask for a new one."


def consent_required_check(sample: VoiceSample) -> None:
    """Refuse (403 CONSENT_REQUIRED) to train a sample whose speaker has not consented, while
    the live configuration asks for consent."""
    if system_config().consent_required and sample.consent_passed_at is None:
        raise ConsentRequired(details={"sample_id": sample.public_id})


def consent_issue(*, sample: VoiceSample) -> ConsentCheck:
    """A new phrase for ``sample``'s speaker to read, valid for CONSENT_TTL_S seconds."""
    now = timezone.now()
    check = ConsentCheck.objects.create(
        voice_sample=sample,
        owner=sample.owner,
        phrase=new_phrase(),
        created_at=now,
        expires_at=now + timedelta(seconds=CONSENT_TTL_S),
    )
    log.info("consent_issued", sample_id=sample.public_id, consent_id=check.public_id)
    return check


def consent_get(*, sample: VoiceSample, consent_id: str) -> ConsentCheck:
    check = ConsentCheck.objects.filter(voice_sample=sample, public_id=consent_id).first()
    if check is None:
        raise NotFound("Consent phrase not found.", code="CONSENT_NOT_FOUND")
    return check


def _answerable(check: ConsentCheck) -> None:
    if check.outcome != ConsentCheck.Outcome.PENDING:
        raise ConsentAlreadyAnswered(details={"consent_id": check.public_id, "outcome": check.outcome})


def consent_answer(*, sample: VoiceSample, consent_id: str, upload: UploadedFile[bytes]) -> ConsentCheck:
    """Judge ``upload`` as the answer to the phrase ``consent_id`` and record the outcome."""
    check = consent_get(sample=sample, consent_id=consent_id)
    _answerable(check)
    if timezone.now() >= check.expires_at:
        updated = ConsentCheck.objects.filter(pk=check.pk, outcome=ConsentCheck.Outcome.PENDING).update(
            outcome=ConsentCheck.Outcome.EXPIRED, answered_at=timezone.now()
        )
        if not updated:
            raise ConsentAlreadyAnswered(details={"consent_id": check.public_id})
        raise ConsentExpired(details={"consent_id": check.public_id, "expired_at": check.expires_at.isoformat()})

    upload_size_check(upload.size or 0)
    # Each judgement costs seconds of CPU, and a refusal tells a forger something: a few per
    # sample and per user in an hour (429 RATE_LIMITED with Retry-After past them).
    throttle.hit("consent-sample", sample.public_id, settings.CONSENT_ANSWERS_PER_SAMPLE)
    throttle.hit("consent-user", sample.owner.public_id, settings.CONSENT_ANSWERS_PER_USER)
    limits = AudioLimits(min_duration_s=CONSENT_MIN_SECONDS, max_duration_s=CONSENT_MAX_SECONDS)
    with local_upload_path(upload) as path, speech_refusals():
        _, audio = load_checked(path, limits)

    recorded = voice_sample_audio(sample)
    stored = np.frombuffer(bytes(sample.embedding), dtype="<f4").astype(np.float32)
    enrolled = sample_embeddings(recorded.samples, recorded.sample_rate, resemblyzer=stored)
    verdict = check_consent(audio.samples, audio.sample_rate, phrase=check.phrase, enrolled=enrolled)

    with transaction.atomic():
        check = ConsentCheck.objects.select_for_update().get(pk=check.pk)
        _answerable(check)  # another answer may have been judged meanwhile
        now = timezone.now()
        check.outcome = ConsentCheck.Outcome.PASSED if verdict.passed else ConsentCheck.Outcome.REFUSED
        check.reasons = list(verdict.reasons)
        check.transcript = verdict.transcript
        check.wer = verdict.wer
        check.similarity_resemblyzer = verdict.scores.resemblyzer
        check.similarity_dvector = verdict.scores.dvector
        check.watermark_confidence = verdict.watermark_confidence
        check.recording_seconds = round(audio.duration, 3)
        check.answered_at = now
        check.save()
        if verdict.passed:
            VoiceSample.objects.filter(pk=sample.pk, consent_passed_at__isnull=True).update(
                consent_passed_at=now, updated_at=now
            )
    log.info(
        "consent_answered",
        sample_id=sample.public_id,
        consent_id=check.public_id,
        outcome=check.outcome,
        reasons=check.reasons,
        wer=check.wer,
        resemblyzer=check.similarity_resemblyzer,
        dvector=check.similarity_dvector,
    )
    return check
