"""Voice training: start a training job for a sample, and the work the job runs.

The sample's status goes ``training`` -> ``ready`` (or ``failed`` with a reason) on its
first training. Retraining a ready sample keeps it ``ready`` and its current model in use
until the new version succeeds; a failed or cancelled retraining leaves it as it was.
"""

from __future__ import annotations

import io
import math
import tempfile
from dataclasses import asdict
from pathlib import Path
from typing import Any

import structlog
from django.conf import settings
from django.db import transaction

from files.models import StoredFile
from files.quotas import storage_check
from files.services import storage_delete_quietly, stored_file_create
from files.storage import file_storage
from jobs.models import Job
from jobs.runner import JobCancelled, JobError, Progress, ShouldStop
from jobs.services import job_complete, job_create
from speech.audio_io import decode, probe
from speech.training import train_voice
from speech.voice_methods.base import TrainingCancelled, TrainingConfig, TrainingFailed
from speech.voice_methods.world import INITIAL_RADIUS
from voices.models import VoiceModel, VoiceSample
from voxify_project.errors import Conflict

log = structlog.get_logger(__name__)


class TrainingInProgress(Conflict):
    code = "TRAINING_IN_PROGRESS"
    default_message = "This voice sample is already being trained."


def training_estimate_seconds(*, duration: float, config: TrainingConfig) -> int:
    """A rough wall-time estimate on a 2-core CPU, from measured stage costs (the WORLD
    methods' warp search grows with the config; the other methods' work does not)."""
    epochs = min(config.epochs, max(1, math.ceil(math.log2(INITIAL_RADIUS / config.learning_rate)) + 1))
    evaluations = 1 + epochs * max(config.batch_size - 1, 1)
    return int(15 + 0.5 * duration + 0.35 * evaluations)


def voice_training_start(*, sample: VoiceSample, config: TrainingConfig) -> Job:
    """Create the training job (sent to a worker after commit)."""
    storage_check(user=sample.owner)  # the voice model is stored: refuse now when nothing fits
    with transaction.atomic():
        sample = VoiceSample.objects.select_for_update().get(pk=sample.pk)
        if Job.objects.filter(
            voice_sample=sample, type=Job.Type.VOICE_TRAINING, status__in=[Job.Status.PENDING, Job.Status.RUNNING]
        ).exists():
            raise TrainingInProgress()
        job = job_create(
            owner=sample.owner,
            type=Job.Type.VOICE_TRAINING,
            title=f"Voice Model Training - {sample.name}",
            params={"sample_id": sample.public_id, "config": asdict(config)},
            estimated_duration=training_estimate_seconds(duration=sample.duration, config=config),
            voice_sample=sample,
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
        VoiceSample.objects.select_related("source_file", "owner").filter(pk=job.voice_sample_id).first()
        if job.voice_sample_id is not None
        else None
    )
    if sample is None:
        raise JobCancelled  # the sample was deleted
    config = TrainingConfig(**job.params.get("config", {}))
    try:
        with tempfile.TemporaryDirectory(prefix="voxify-train-") as folder:
            path = Path(folder) / "sample"
            with file_storage().open(sample.source_file.storage_key, "rb") as source:
                path.write_bytes(source.read())
            audio = decode(path, probe(path))
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
    stored: StoredFile | None = None
    try:
        with transaction.atomic():
            locked = VoiceSample.objects.select_for_update().filter(pk=sample.pk).first()
            if locked is None:
                raise JobCancelled
            version = (
                VoiceModel.objects.filter(voice_sample=locked)
                .order_by("-version")
                .values_list("version", flat=True)
                .first()
                or 0
            ) + 1
            stored = stored_file_create(
                owner=locked.owner,
                kind=StoredFile.Kind.VOICE_MODEL,
                content=io.BytesIO(artefact.to_json()),
                filename=f"{locked.public_id}-v{version}.json",
                extension=".json",
                content_type="application/json",
            )
            model = VoiceModel.objects.create(
                voice_sample=locked,
                version=version,
                method=artefact.method,
                artefact_file=stored,
                config=artefact.config,
                validation=artefact.validation,
                fit=artefact.fit,
            )
            locked.active_model = model
            locked.status = VoiceSample.Status.READY
            locked.failure_reason = ""
            locked.save(update_fields=["active_model", "status", "failure_reason", "updated_at"])
            result = {
                "sample_id": locked.public_id,
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
        if stored is not None:
            storage_delete_quietly(stored.storage_key)
        raise
    log.info("voice_trained", sample_id=sample.public_id, version=version, **artefact.validation)
