"""Writes of voice samples: upload (validate, analyse, embed, store), delete, similarity.

An upload is all-or-nothing: the stored file, the database rows (sample, file, daily usage)
and the Chroma vector are written together, or every one of them is undone. Nothing is
counted against a quota unless the upload succeeds.
"""

from __future__ import annotations

import io
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import structlog
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from accounts.models import User
from accounts.quotas import UPLOADS, quota_consume
from configuration.config import system_config
from files.models import StoredFile
from files.services import local_upload_path, storage_delete_quietly, stored_file_create, stored_file_delete
from files.storage import file_storage
from files.uploads import upload_admit, upload_size_check
from jobs.services import jobs_cancel_for_subject
from speech.analysis import analyse
from speech.audio_io import AudioLimits, DecodedAudio, decode, load_checked, probe
from speech.embedding import speaker_embedding
from speech.formats import INPUT_CONTENT_TYPES, INPUT_EXTENSIONS
from speech.transcription import is_english, transcribe
from speech.voice_methods.base import Artefact
from voices import vectors
from voices.models import VoiceModel, VoiceSample, new_sample_id
from voxify_project.errors import NotFound, QuotaExceeded, speech_refusals

log = structlog.get_logger(__name__)


def audio_limits() -> AudioLimits:
    config = system_config()
    return AudioLimits(min_duration_s=config.voice_sample_min_seconds, max_duration_s=config.voice_sample_max_seconds)


def _check_sample_count(owner: User) -> None:
    limit = system_config().max_voice_samples_per_user
    count = VoiceSample.objects.filter(owner=owner).count()
    if count >= limit:
        raise QuotaExceeded(
            f"You have {count} voice samples; the limit is {limit}. Delete one to upload another.",
            details={"kind": "voice_samples", "limit": limit, "used": count},
        )


def voice_sample_create(
    *, owner: User, upload: UploadedFile[bytes], name: str, description: str = "", language: str = "en-US"
) -> VoiceSample:
    """Validate, analyse, embed and store one recording as a new voice sample."""
    upload_size_check(upload.size or 0)
    _check_sample_count(owner)
    upload_admit(owner=owner, size=upload.size or 0)

    with local_upload_path(upload) as path:
        with speech_refusals():
            info, audio = load_checked(path, audio_limits())
            analysis = analyse(audio.samples, audio.sample_rate)
        embedding = speaker_embedding(audio.samples, audio.sample_rate)
        transcript = transcribe(audio.samples, audio.sample_rate) if is_english(language) else ""

        sample_id = new_sample_id()
        stored: StoredFile | None = None
        vector_written = False
        try:
            with transaction.atomic():
                User.objects.select_for_update().filter(pk=owner.pk).first()  # one upload per user at a time
                _check_sample_count(owner)
                quota_consume(user=owner, kind=UPLOADS, limit=system_config().uploads_per_day)
                with path.open("rb") as content:
                    stored = stored_file_create(
                        owner=owner,
                        kind=StoredFile.Kind.VOICE_SAMPLE,
                        content=content,
                        filename=upload.name,
                        extension=INPUT_EXTENSIONS[info.format],
                        content_type=INPUT_CONTENT_TYPES[info.format],
                        duration=audio.duration,
                        sample_rate=audio.sample_rate,
                    )
                sample = VoiceSample.objects.create(
                    public_id=sample_id,
                    owner=owner,
                    name=name,
                    description=description,
                    language=language,
                    format=info.format,
                    duration=round(audio.duration, 3),
                    sample_rate=audio.sample_rate,
                    channels=info.channels,
                    file_size=stored.size,
                    quality_score=analysis.quality_score,
                    quality_report=analysis.as_dict(),
                    transcript=transcript,
                    embedding=embedding.astype("<f4").tobytes(),
                    source_file=stored,
                )
                # Last step inside the transaction: if Chroma fails, the rows roll back.
                vectors.vector_upsert(sample_id=sample_id, owner_id=owner.public_id, embedding=embedding)
                vector_written = True
        except BaseException:
            if stored is not None:
                storage_delete_quietly(stored.storage_key)
            if vector_written:
                _vector_delete_quietly(sample_id)
            raise
    log.info("voice_sample_created", sample_id=sample_id, duration=sample.duration, quality=sample.quality_score)
    return sample


def voice_sample_audio(sample: VoiceSample) -> DecodedAudio:
    """The sample's stored recording, decoded (training and the consent check read it)."""
    with tempfile.TemporaryDirectory(prefix="voxify-sample-") as folder:
        path = Path(folder) / "sample"
        with file_storage().open(sample.source_file.storage_key, "rb") as source:
            path.write_bytes(source.read())
        return decode(path, probe(path))


def voice_model_create(*, sample: VoiceSample, artefact: Artefact) -> VoiceModel:
    """Store a trained artefact as the sample's next version and make it the voice in use.

    Call inside the transaction that commits the work (a training job's completion): the
    sample's row is locked for the version number. NotFound when the sample was deleted
    meanwhile. If the caller's transaction fails afterwards, the caller removes the stored
    object (``model.artefact_file.storage_key``); a failure in here removes it already.
    """
    locked = VoiceSample.objects.select_for_update().filter(pk=sample.pk).first()
    if locked is None:
        raise NotFound("Voice sample not found.", code="VOICE_NOT_FOUND")
    version = (
        VoiceModel.objects.filter(voice_sample=locked).order_by("-version").values_list("version", flat=True).first()
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
    try:
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
    except BaseException:
        storage_delete_quietly(stored.storage_key)
        raise
    return model


def _vector_delete_quietly(sample_id: str) -> None:
    try:
        vectors.vector_delete(sample_id=sample_id)
    except Exception:
        log.exception("vector_delete_failed", sample_id=sample_id)


def voice_sample_delete(*, sample: VoiceSample) -> None:
    """Cancel the sample's jobs, then delete its row, models, stored files and vector."""
    sample_id = sample.public_id
    jobs_cancel_for_subject(subject=sample.public_id)
    with transaction.atomic():
        files = [sample.source_file, *(model.artefact_file for model in sample.models.select_related("artefact_file"))]
        sample.delete()
        for stored_file in files:
            stored_file_delete(stored_file=stored_file)
        transaction.on_commit(lambda: _vector_delete_quietly(sample_id))


@dataclass(frozen=True)
class SimilarSample:
    sample: VoiceSample
    score: float


def voice_sample_similar(*, sample: VoiceSample, limit: int) -> list[SimilarSample]:
    """The owner's other samples whose voices are nearest to this one's (cosine similarity)."""
    embedding = np.frombuffer(bytes(sample.embedding), dtype="<f4").astype(np.float32)
    neighbours = vectors.vector_nearest(
        owner_id=sample.owner.public_id, embedding=embedding, limit=limit, exclude=sample.public_id
    )
    by_id = {s.public_id: s for s in VoiceSample.objects.filter(public_id__in=[n.sample_id for n in neighbours])}
    return [SimilarSample(by_id[n.sample_id], n.score) for n in neighbours if n.sample_id in by_id]
