"""Writes of syntheses shared by every mode, the synchronous mode itself, keep and delete.

The modes: synchronous here (``synthesize_now``), asynchronous as a job in ``work.py``, and
streamed in ``streaming.py``; each validates through ``requests.synthesis_prepare`` first. The
quota is charged inside the transaction that stores the finished output
(``synthesis_complete``), so failed or refused work is never counted. Services name files by
id; the adapters turn ids into download links (``files.links``).
"""

from __future__ import annotations

import io
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import IO, Any

import structlog
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from accounts.quotas import AUDIO_SECONDS, SYNTHESES, quota_consume
from configuration.config import system_config
from files.models import StoredFile
from files.services import storage_delete_quietly, stored_file_create, stored_file_delete
from jobs.services import job_cancel
from speech.alignment import written_word_times
from speech.audio_io import encode
from speech.engine import SynthesisCancelled, render_text_timed
from speech.formats import CONTENT_TYPES, EXTENSIONS
from speech.watermark import DETECTOR
from synthesis.models import Synthesis
from synthesis.requests import Prepared, SynthesisRequest, synthesis_prepare
from synthesis.selectors import UNFINISHED, syntheses_behind_their_job
from synthesis.voices import voice_artefact
from voxify_project.errors import FileExpired

log = structlog.get_logger(__name__)


def output_expiry(keep: bool, now: datetime | None = None) -> datetime | None:
    return None if keep else (now or timezone.now()) + timedelta(hours=system_config().file_ttl_hours)


def synthesis_row_new(prepared: Prepared, *, owner: User, mode: str, status: str, **fields: Any) -> Synthesis:
    request = prepared.request
    return Synthesis(
        owner=owner,
        mode=mode,
        status=status,
        voice_id=prepared.voice.voice_id,
        voice_sample=prepared.voice.sample,
        voice_model=prepared.voice.model,
        text=prepared.text,
        characters=len(prepared.text),
        input_type="ssml" if request.is_ssml else "text",
        normalize=request.normalize,
        script=prepared.script.to_json(),
        dictionary_id=prepared.dictionary_id,
        output_format=request.output_format,
        sample_rate=request.sample_rate,
        speed=request.speed,
        pitch=request.pitch,
        volume=request.volume,
        similarity=request.similarity,
        keep=request.keep,
        timestamps=request.timestamps,
        pieces_total=len(prepared.pieces),
        budget_seconds=prepared.budget.charged_seconds,
        watermark=DETECTOR,
        **fields,
    )


def synthesis_audio_store(
    synthesis: Synthesis, *, kind: str, name: str, content: IO[bytes], duration: float, expires_at: datetime | None
) -> StoredFile:
    """Store audio of ``synthesis`` (its format and rate) as ``name`` + the format's extension."""
    fmt = synthesis.output_format
    return stored_file_create(
        owner=synthesis.owner,
        kind=kind,
        content=content,
        filename=f"{name}{EXTENSIONS[fmt]}",
        extension=EXTENSIONS[fmt],
        content_type=CONTENT_TYPES[fmt],
        duration=round(duration, 3),
        sample_rate=synthesis.sample_rate,
        expires_at=expires_at,
    )


def synthesis_output(synthesis: Synthesis) -> dict[str, Any]:
    """What a finished synthesis answers with (REST, gRPC and the async job's result); the
    adapters add its ``audio_url``."""
    output = synthesis.output_file
    assert output is not None and synthesis.duration is not None
    return {
        "synthesis_id": synthesis.public_id,
        "file_id": output.public_id,
        "duration": synthesis.duration,
        "format": synthesis.output_format,
        "sample_rate": synthesis.sample_rate,
        "voice_id": synthesis.voice_id,
        "expires_at": output.expires_at,
    }


def synthesis_complete(synthesis: Synthesis, *, content: IO[bytes], duration: float, started: float) -> None:
    """Charge the quota and store the output with the row, all or nothing. In a transaction;
    callers remove the stored object if that transaction fails (``removing_output``)."""
    if not Synthesis.objects.select_for_update().filter(pk=synthesis.pk).exists():
        raise SynthesisCancelled  # deleted meanwhile
    config = system_config()
    quota_consume(user=synthesis.owner, kind=SYNTHESES, limit=config.syntheses_per_day)
    if synthesis.budget_seconds:
        quota_consume(
            user=synthesis.owner,
            kind=AUDIO_SECONDS,
            limit=config.audio_seconds_per_day,
            amount=synthesis.budget_seconds,
        )
    synthesis.output_file = synthesis_audio_store(
        synthesis,
        kind=StoredFile.Kind.SYNTHESIS,
        name=synthesis.public_id,
        content=content,
        duration=duration,
        expires_at=output_expiry(synthesis.keep),
    )
    synthesis.duration = round(duration, 3)
    synthesis.status = Synthesis.Status.COMPLETED
    synthesis.pieces_done = synthesis.pieces_total
    synthesis.processing_seconds = round(time.monotonic() - started, 3)
    synthesis.finished_at = timezone.now()
    synthesis.save()


@contextmanager
def removing_output(synthesis: Synthesis) -> Iterator[None]:
    """Remove the stored output again if the block (its transaction) fails."""
    try:
        yield
    except BaseException:
        if synthesis.output_file is not None:
            storage_delete_quietly(synthesis.output_file.storage_key)
            synthesis.output_file = None
        raise


def synthesize_now(*, user: User, request: SynthesisRequest) -> Synthesis:
    """POST /tts/synthesize: speak the text inside the request and store the file."""
    prepared = synthesis_prepare(user=user, request=request, mode="sync")
    started = time.monotonic()
    artefact = voice_artefact(prepared.voice.model)
    audio, spoken = render_text_timed(
        prepared.pieces, options=request.options, voice=artefact, base=prepared.voice.base
    )
    word_timestamps = (
        written_word_times(prepared.text, spoken, prepared.language) if request.timestamps == "word" else None
    )
    data = encode(audio, request.sample_rate, request.output_format)
    engine_seconds = time.monotonic() - started
    synthesis = synthesis_row_new(
        prepared,
        owner=user,
        mode=Synthesis.Mode.SYNC,
        status=Synthesis.Status.RUNNING,
        word_timestamps=word_timestamps,
    )
    synthesis.engine_seconds = engine_seconds  # not stored: the view reports it (Server-Timing)
    with removing_output(synthesis), transaction.atomic():
        synthesis.save()
        synthesis_complete(
            synthesis, content=io.BytesIO(data), duration=len(audio) / request.sample_rate, started=started
        )
    log.info(
        "synthesis_completed",
        synthesis_id=synthesis.public_id,
        mode="sync",
        characters=synthesis.characters,
        duration=synthesis.duration,
        seconds=synthesis.processing_seconds,
    )
    return synthesis


def synthesis_mark(synthesis_pk: int, status: str, *, code: str = "", message: str = "") -> None:
    Synthesis.objects.filter(pk=synthesis_pk).exclude(status__in=Synthesis.TERMINAL).update(
        status=status, error_code=code, error_message=message[:500], finished_at=timezone.now()
    )


# --- Upkeep ----------------------------------------------------------------------------

STREAM_LOST_AFTER = timedelta(minutes=30)


def syntheses_reap(*, now: datetime | None = None) -> dict[str, int]:
    """Bring unfinished rows up to date: an async synthesis whose job already ended takes the
    job's status (a job cancelled before it ran never touches its synthesis); a stream still
    ``running`` STREAM_LOST_AFTER after it began lost its web process and is ``failed``."""
    now = now or timezone.now()
    counts = {"from_jobs": 0, "lost_streams": 0}
    for synthesis in syntheses_behind_their_job():
        assert synthesis.job is not None
        job = synthesis.job
        synthesis_mark(synthesis.pk, job.status, code=job.error_code, message=job.error_message)
        counts["from_jobs"] += 1
    counts["lost_streams"] = Synthesis.objects.filter(
        mode=Synthesis.Mode.STREAM, status__in=UNFINISHED, created_at__lt=now - STREAM_LOST_AFTER
    ).update(
        status=Synthesis.Status.FAILED,
        error_code="STREAM_LOST",
        error_message="The stream's server process stopped before it finished.",
        finished_at=now,
    )
    return counts


# --- History ---------------------------------------------------------------------------


def synthesis_set_keep(*, synthesis: Synthesis, keep: bool) -> Synthesis:
    """Keep the output (no expiry) or let it expire file_ttl_hours after it was made."""
    with transaction.atomic():
        output = synthesis.output_file
        if output is not None and output.is_expired():
            raise FileExpired("The output has already expired and was deleted.")
        synthesis.keep = keep
        synthesis.save(update_fields=["keep"])
        if output is not None:
            output.expires_at = None if keep else output_expiry(False, output.created_at)
            output.save(update_fields=["expires_at"])
    return synthesis


def synthesis_delete(*, synthesis: Synthesis) -> None:
    """Delete the record and its output; an unfinished async synthesis's job is cancelled."""
    with transaction.atomic():
        if synthesis.job is not None and not synthesis.job.is_terminal:
            job_cancel(job=synthesis.job)
        output = synthesis.output_file
        synthesis.delete()
        if output is not None:
            stored_file_delete(stored_file=output)
