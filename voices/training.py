"""Voice training: start a training job for a sample, and the work the job runs.

The sample's status goes ``training`` -> ``ready`` (or ``failed`` with a reason) on its
first training. Retraining a ready sample keeps it ``ready`` and its current model in use
until the new version succeeds; a failed or cancelled retraining leaves it as it was.
"""

from __future__ import annotations

import math
from dataclasses import asdict, replace
from typing import Any

import structlog
from django.conf import settings
from django.db import transaction

from files.quotas import storage_check
from files.services import storage_delete_quietly
from jobs.models import Job
from jobs.runner import JobCancelled, JobError, Progress, ShouldStop
from jobs.services import job_complete, job_create
from speech.bases import AUTO_BASE
from speech.training import train_voice
from speech.transcription import is_english
from speech.voice_methods import get_method
from speech.voice_methods.base import TrainingCancelled, TrainingConfig, TrainingFailed
from speech.voice_methods.world import INITIAL_RADIUS
from voices.consent import ConsentRequired, consent_required_check
from voices.models import VoiceModel, VoiceSample
from voices.services import voice_model_create, voice_sample_audio
from voxify_project.errors import ApplicationError, Conflict, InvalidInput, NotFound

log = structlog.get_logger(__name__)


class TrainingInProgress(Conflict):
    code = "TRAINING_IN_PROGRESS"
    default_message = "This voice sample is already being trained."


class LanguageNotSupported(ApplicationError):
    """Training reads the sample's words with speech recognition, which reads English only here."""

    code = "LANGUAGE_NOT_SUPPORTED"
    status = 400


def training_language_check(sample: VoiceSample) -> None:
    """400 LANGUAGE_NOT_SUPPORTED for a sample that is not in English (nothing is written)."""
    if not is_english(sample.language):
        raise LanguageNotSupported(
            f"Samples in {sample.language} cannot be trained: training hears what the sample says with speech "
            "recognition that reads English only. Upload an English recording of the same speaker; a voice "
            "trained on a Kokoro base (config.base) speaks Japanese too.",
            details={"language": sample.language, "supported": ["en"]},
        )


def training_estimate_seconds(*, duration: float, config: TrainingConfig) -> int:
    """A rough wall-time estimate on a 2-core CPU, from measured stage costs (the WORLD
    methods' warp search grows with the config; the other methods' work does not)."""
    epochs = min(config.epochs, max(1, math.ceil(math.log2(INITIAL_RADIUS / config.learning_rate)) + 1))
    evaluations = 1 + epochs * max(config.batch_size - 1, 1)
    # A named Kokoro base reads the sample's words and the selection sentences with Kokoro
    # (about 2 times Piper's training); auto also speaks its candidates (about 5 times).
    factor = 5.0 if config.base == AUTO_BASE else 2.0 if config.base else 1.0
    return int(factor * (15 + 0.5 * duration) + 0.35 * evaluations)


def configured(config: TrainingConfig) -> TrainingConfig:
    """``config`` with the installation's default base where none was given
    (VOICE_TRAINING_BASE; Piper's voice for a method that converts Piper's voice only)."""
    if config.base is not None:
        return config
    takes_bases = getattr(get_method(settings.VOICE_METHOD), "bases", False)
    return replace(config, base=settings.VOICE_TRAINING_BASE if takes_bases else "")


def voice_training_start(*, sample: VoiceSample, config: TrainingConfig) -> Job:
    """Create the training job (sent to a worker after commit)."""
    training_language_check(sample)
    consent_required_check(sample)
    config = configured(config)
    if config.base and not getattr(get_method(settings.VOICE_METHOD), "bases", False):
        raise InvalidInput(
            details={"config": {"base": [f"The voice method {settings.VOICE_METHOD} converts Piper's voice only."]}}
        )
    storage_check(user=sample.owner)  # the voice model is stored: refuse now when nothing fits
    with transaction.atomic():
        sample = VoiceSample.objects.select_for_update().get(pk=sample.pk)
        if Job.objects.filter(
            subject=sample.public_id, type=Job.Type.VOICE_TRAINING, status__in=[Job.Status.PENDING, Job.Status.RUNNING]
        ).exists():
            raise TrainingInProgress()
        job = job_create(
            owner=sample.owner,
            type=Job.Type.VOICE_TRAINING,
            title=f"Voice Model Training - {sample.name}",
            params={"sample_id": sample.public_id, "config": asdict(config)},
            estimated_duration=training_estimate_seconds(duration=sample.duration, config=config),
            subject=sample.public_id,
        )
        if sample.active_model_id is None:
            sample.status = VoiceSample.Status.TRAINING
            sample.failure_reason = ""
            sample.save(update_fields=["status", "failure_reason", "updated_at"])
        return job


def _restore_status(sample_pk: int, *, failure: str | None) -> None:
    """After a failed or cancelled training: ready if a model exists, else failed/uploaded."""
    sample = VoiceSample.objects.filter(pk=sample_pk).first()
    if sample is None:
        return
    if sample.active_model_id is not None:
        sample.status = VoiceSample.Status.READY
    elif failure is not None:
        sample.status = VoiceSample.Status.FAILED
        sample.failure_reason = failure[:500]
    else:
        sample.status = VoiceSample.Status.UPLOADED
    sample.save(update_fields=["status", "failure_reason", "updated_at"])


def train_sample_work(job: Job, progress: Progress, should_stop: ShouldStop) -> None:
    """The job's work: decode the stored sample, fit the voice, store the new version."""
    sample = (
        VoiceSample.objects.select_related("source_file", "owner").filter(public_id=job.subject).first()
        if job.subject
        else None
    )
    if sample is None:
        raise JobCancelled  # the sample was deleted
    config = TrainingConfig(**job.params.get("config", {}))
    try:
        consent_required_check(sample)  # again when it runs: the live setting may have changed
    except ConsentRequired as exc:
        _restore_status(sample.pk, failure=None)
        raise JobError(exc.code, exc.message) from exc
    try:
        audio = voice_sample_audio(sample)
        artefact = train_voice(
            audio.samples,
            audio.sample_rate,
            config=config,
            progress=progress,
            should_stop=should_stop,
            transcript=sample.transcript or None,
            method=settings.VOICE_METHOD,
        )
    except TrainingCancelled as exc:
        _restore_status(sample.pk, failure=None)
        raise JobCancelled from exc
    except TrainingFailed as exc:
        _restore_status(sample.pk, failure=exc.message)
        raise JobError(exc.code, exc.message) from exc
    except BaseException:
        _restore_status(sample.pk, failure="Training failed unexpectedly.")
        raise
    if should_stop():
        _restore_status(sample.pk, failure=None)
        raise JobCancelled
    _store_model(job, sample, artefact)


def _store_model(job: Job, sample: VoiceSample, artefact: Any) -> None:
    model: VoiceModel | None = None
    try:
        with transaction.atomic():
            try:
                model = voice_model_create(sample=sample, artefact=artefact)
            except NotFound as exc:
                raise JobCancelled from exc  # the sample was deleted meanwhile
            version = model.version
            result = {
                "sample_id": sample.public_id,
                "model_id": model.public_id,
                "version": version,
                "validation": artefact.validation,
                "method": artefact.method,
            }
            if not artefact.validation.get("better_than_builtin", True):
                result["warning"] = (
                    "The trained voice is not closer to this speaker than the built-in voice "
                    "(validation similarity below the built-in voice's); a longer, cleaner recording may help."
                )
            if not job_complete(job=job, result=result):
                raise JobCancelled  # cancelled or taken over meanwhile: keep nothing
    except BaseException:
        if model is not None:
            storage_delete_quietly(model.artefact_file.storage_key)
        raise
    log.info("voice_trained", sample_id=sample.public_id, version=version, **artefact.validation)
