"""Writes of syntheses: synchronous, asynchronous (a job) and streamed, plus keep and delete.

Every mode validates the same way before any work: the voice (404 / 409 VOICE_NOT_READY),
the text (EMPTY_TEXT, TEXT_TOO_LONG) and the daily quota (429 QUOTA_EXCEEDED, counting
accepted syntheses that have not finished yet). The quota is charged inside the transaction
that stores the finished output, so failed or refused work is never counted.
"""

from __future__ import annotations

import io
import math
import tempfile
import time
from collections.abc import Generator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import IO, Any

import structlog
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from accounts.quotas import SYNTHESES, quota_check, quota_consume
from files.models import StoredFile
from files.quotas import storage_check
from files.services import storage_delete_quietly, stored_file_create, stored_file_delete
from jobs.models import Job
from jobs.runner import JobCancelled, JobError, Progress
from jobs.services import job_cancel, job_complete, job_create
from operations.config import system_config
from speech.audio_io import CONTENT_TYPES, EXTENSIONS, Encoder, encode
from speech.engine import (
    RenderOptions,
    ShouldStop,
    SynthesisCancelled,
    estimate_audio_seconds,
    render_piece,
    render_pieces,
    render_text,
)
from speech.text import PIECE_MAX_CHARS, STREAM_FIRST_PIECE_CHARS, clean, prepare
from synthesis.models import Synthesis
from synthesis.voices import ResolvedVoice, voice_artefact, voice_resolve
from voxify_project.errors import ApplicationError, FileExpired, InvalidInput

log = structlog.get_logger(__name__)

ASYNC_ENDPOINT = "/api/v1/tts/synthesize/async"
# Measured single-core real-time factors (bench/tts.py), rounded up, for estimates only.
RTF_BUILTIN = 0.1
RTF_CLONED = 0.3


class TextTooLong(ApplicationError):
    code = "TEXT_TOO_LONG"
    status = 400


class EmptyText(InvalidInput):
    code = "EMPTY_TEXT"
    default_message = "The text is empty: there is nothing to speak."


@dataclass(frozen=True)
class SynthesisRequest:
    text: str
    voice_id: str
    output_format: str
    sample_rate: int
    speed: float = 1.0
    pitch: float = 1.0
    volume: float = 1.0
    similarity: float | None = None
    keep: bool = False

    @property
    def options(self) -> RenderOptions:
        return RenderOptions(self.sample_rate, self.speed, self.pitch, self.volume, self.similarity)


@dataclass(frozen=True)
class Prepared:
    """A validated request: its voice and the pieces of text to speak."""

    request: SynthesisRequest
    voice: ResolvedVoice
    text: str
    pieces: list[str]

    @property
    def estimated_seconds(self) -> int:
        """Wall time, estimated from the text length and the voice's real-time factor."""
        audio = estimate_audio_seconds(len(self.text), self.request.speed)
        rtf = RTF_CLONED if self.voice.model is not None or self.request.pitch != 1.0 else RTF_BUILTIN
        return max(1, math.ceil(1 + audio * rtf))


def audio_url(base_url: str, file_id: str) -> str:
    return base_url.rstrip("/") + reverse("files-download", kwargs={"file_id": file_id})


def _expiry(keep: bool, now: datetime | None = None) -> datetime | None:
    return None if keep else (now or timezone.now()) + timedelta(hours=system_config().file_ttl_hours)


def in_flight(user: User) -> int:
    """Accepted syntheses of the last day that have not finished (they count once they do).

    An async synthesis whose job already ended (cancelled while pending) is not in flight,
    whatever its own row says; the job is the truth until the row is brought up to date.
    """
    since = timezone.now() - timedelta(days=1)
    return (
        Synthesis.objects.filter(
            owner=user, status__in=[Synthesis.Status.PENDING, Synthesis.Status.RUNNING], created_at__gte=since
        )
        .exclude(job__status__in=Job.TERMINAL)
        .count()
    )


def synthesis_prepare(
    *, user: User, request: SynthesisRequest, max_length: int, first_piece_chars: int = PIECE_MAX_CHARS
) -> Prepared:
    """Validate voice, text and quota; nothing is written."""
    voice = voice_resolve(user=user, voice_id=request.voice_id)
    text = clean(request.text)
    config = system_config()
    if len(text) > max_length:
        hint = f" Use POST {ASYNC_ENDPOINT} for texts up to {config.max_async_text_length} characters."
        raise TextTooLong(
            f"The text has {len(text)} characters; the maximum here is {max_length}."
            + (hint if max_length < config.max_async_text_length else ""),
            details={"length": len(text), "max_length": max_length, "async_endpoint": ASYNC_ENDPOINT},
        )
    pieces = prepare(text, first_max_chars=first_piece_chars)
    if not pieces:
        raise EmptyText(details={"length": len(text)})
    quota_check(user=user, kind=SYNTHESES, limit=config.syntheses_per_day, in_flight=in_flight(user))
    storage_check(user=user)  # outputs are stored: refuse now, not after the work, when nothing fits
    return Prepared(request, voice, text, pieces)


def _new_row(prepared: Prepared, *, owner: User, mode: str, status: str, **fields: Any) -> Synthesis:
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
        output_format=request.output_format,
        sample_rate=request.sample_rate,
        speed=request.speed,
        pitch=request.pitch,
        volume=request.volume,
        similarity=request.similarity,
        keep=request.keep,
        pieces_total=len(prepared.pieces),
        **fields,
    )


def _store_audio(
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


def synthesis_output(synthesis: Synthesis, *, base_url: str) -> dict[str, Any]:
    """What a finished synthesis answers with (REST, gRPC and the async job's result)."""
    output = synthesis.output_file
    assert output is not None and synthesis.duration is not None
    return {
        "synthesis_id": synthesis.public_id,
        "audio_url": audio_url(base_url, output.public_id),
        "file_id": output.public_id,
        "duration": synthesis.duration,
        "format": synthesis.output_format,
        "sample_rate": synthesis.sample_rate,
        "voice_id": synthesis.voice_id,
        "expires_at": output.expires_at,
    }


JOB_RESULT_FIELDS = ("synthesis_id", "file_id", "audio_url", "duration", "format", "sample_rate")


def _complete(synthesis: Synthesis, *, content: IO[bytes], duration: float, started: float) -> None:
    """Charge the quota and store the output with the row, all or nothing. In a transaction;
    callers remove the stored object if that transaction fails (``_removing_output``)."""
    if not Synthesis.objects.select_for_update().filter(pk=synthesis.pk).exists():
        raise SynthesisCancelled  # deleted meanwhile
    quota_consume(user=synthesis.owner, kind=SYNTHESES, limit=system_config().syntheses_per_day)
    synthesis.output_file = _store_audio(
        synthesis,
        kind=StoredFile.Kind.SYNTHESIS,
        name=synthesis.public_id,
        content=content,
        duration=duration,
        expires_at=_expiry(synthesis.keep),
    )
    synthesis.duration = round(duration, 3)
    synthesis.status = Synthesis.Status.COMPLETED
    synthesis.pieces_done = synthesis.pieces_total
    synthesis.processing_seconds = round(time.monotonic() - started, 3)
    synthesis.finished_at = timezone.now()
    synthesis.save()


@contextmanager
def _removing_output(synthesis: Synthesis) -> Iterator[None]:
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
    prepared = synthesis_prepare(user=user, request=request, max_length=system_config().max_synthesis_length)
    started = time.monotonic()
    audio = render_text(prepared.pieces, options=request.options, voice=voice_artefact(prepared.voice.model))
    data = encode(audio, request.sample_rate, request.output_format)
    engine_seconds = time.monotonic() - started
    synthesis = _new_row(prepared, owner=user, mode=Synthesis.Mode.SYNC, status=Synthesis.Status.RUNNING)
    synthesis.engine_seconds = engine_seconds  # not stored: the view reports it (Server-Timing)
    with _removing_output(synthesis), transaction.atomic():
        synthesis.save()
        _complete(synthesis, content=io.BytesIO(data), duration=len(audio) / request.sample_rate, started=started)
    log.info(
        "synthesis_completed",
        synthesis_id=synthesis.public_id,
        mode="sync",
        characters=synthesis.characters,
        duration=synthesis.duration,
        seconds=synthesis.processing_seconds,
    )
    return synthesis


def synthesis_start_async(*, user: User, request: SynthesisRequest, base_url: str) -> Synthesis:
    """POST /tts/synthesize/async: record the synthesis and its job; a worker speaks it."""
    prepared = synthesis_prepare(user=user, request=request, max_length=system_config().max_async_text_length)
    preview = prepared.text if len(prepared.text) <= 60 else prepared.text[:57].rstrip() + "..."
    with transaction.atomic():
        synthesis = _new_row(prepared, owner=user, mode=Synthesis.Mode.ASYNC, status=Synthesis.Status.PENDING)
        synthesis.job = job_create(
            owner=user,
            type=Job.Type.SYNTHESIS,
            title=f"Speech Synthesis - {preview}",
            params={"synthesis_id": synthesis.public_id, "base_url": base_url},
            estimated_duration=prepared.estimated_seconds,
            voice_sample=prepared.voice.sample,
        )
        synthesis.save()
    return synthesis


def _mark(synthesis_pk: int, status: str, *, code: str = "", message: str = "") -> None:
    Synthesis.objects.filter(pk=synthesis_pk).exclude(status__in=Synthesis.TERMINAL).update(
        status=status, error_code=code, error_message=message[:500], finished_at=timezone.now()
    )


def synthesis_job_work(job: Job, progress: Progress, should_stop: ShouldStop) -> None:
    """The work of a synthesis job: speak piece by piece into one file, then store it."""
    synthesis = Synthesis.objects.select_related("owner", "voice_model__artefact_file").filter(job_id=job.pk).first()
    if synthesis is None:
        raise JobCancelled  # the synthesis was deleted
    try:
        _run_async(job, synthesis, progress, should_stop)
    except JobCancelled:
        _mark(synthesis.pk, Synthesis.Status.CANCELLED)
        raise
    except (JobError, ApplicationError) as exc:
        _mark(synthesis.pk, Synthesis.Status.FAILED, code=exc.code, message=exc.message)
        raise
    except BaseException:
        _mark(synthesis.pk, Synthesis.Status.FAILED, code="INTERNAL_ERROR", message="The synthesis failed.")
        raise


def _run_async(job: Job, synthesis: Synthesis, progress: Progress, should_stop: ShouldStop) -> None:
    if synthesis.voice_sample_id is not None and synthesis.voice_model is None:
        raise JobError("VOICE_NOT_FOUND", "The voice was deleted before the synthesis ran.")
    started = time.monotonic()
    Synthesis.objects.filter(pk=synthesis.pk).update(status=Synthesis.Status.RUNNING, pieces_done=0)
    pieces = prepare(synthesis.text)
    options = RenderOptions(
        synthesis.sample_rate, synthesis.speed, synthesis.pitch, synthesis.volume, synthesis.similarity
    )
    artefact = voice_artefact(synthesis.voice_model)
    total = len(pieces)
    progress(0.0, f"Synthesizing {total} sentences")
    with tempfile.TemporaryDirectory(prefix="voxify-syn-") as folder:
        path = Path(folder) / f"out{EXTENSIONS[synthesis.output_format]}"
        with Encoder(path, synthesis.sample_rate, synthesis.output_format) as encoder:
            try:
                for done, audio in enumerate(
                    render_pieces(pieces, options=options, voice=artefact, should_stop=should_stop), 1
                ):
                    encoder.write(audio)
                    Synthesis.objects.filter(pk=synthesis.pk).update(pieces_done=done)
                    progress(0.98 * done / total, f"Sentence {done}/{total}")
            except SynthesisCancelled as exc:
                raise JobCancelled from exc
            duration = encoder.duration
        if should_stop():
            raise JobCancelled
        base_url = str(job.params.get("base_url", ""))
        with _removing_output(synthesis), transaction.atomic(), path.open("rb") as content:
            try:
                _complete(synthesis, content=content, duration=duration, started=started)
            except SynthesisCancelled as exc:
                raise JobCancelled from exc
            output = synthesis_output(synthesis, base_url=base_url)
            result = {field: output[field] for field in JOB_RESULT_FIELDS}
            if not job_complete(job=job, result=result):
                raise JobCancelled  # cancelled or taken over meanwhile: keep nothing
    log.info("synthesis_completed", synthesis_id=synthesis.public_id, mode="async", duration=duration)


# --- Streams ---------------------------------------------------------------------------


def stream_open(*, user: User, request: SynthesisRequest) -> tuple[Synthesis, Prepared]:
    prepared = synthesis_prepare(
        user=user,
        request=request,
        max_length=system_config().max_stream_synthesis_length,
        first_piece_chars=STREAM_FIRST_PIECE_CHARS,
    )
    synthesis = _new_row(prepared, owner=user, mode=Synthesis.Mode.STREAM, status=Synthesis.Status.RUNNING)
    synthesis.save()
    return synthesis, prepared


@dataclass(frozen=True)
class StreamChunk:
    index: int  # 1, 2, …
    total: int
    data: bytes  # the piece as a complete file in the output format
    file: StoredFile
    duration: float


def _store_chunk(synthesis: Synthesis, index: int, data: bytes, duration: float) -> StoredFile:
    stored = _store_audio(
        synthesis,
        kind=StoredFile.Kind.SYNTHESIS_CHUNK,
        name=f"{synthesis.public_id}-chunk{index}",
        content=io.BytesIO(data),
        duration=duration,
        expires_at=_expiry(False),
    )
    Synthesis.objects.filter(pk=synthesis.pk).update(pieces_done=index)
    return stored


def stream_chunks(
    synthesis: Synthesis, prepared: Prepared, *, should_stop: ShouldStop = lambda: False
) -> Generator[StreamChunk, None, None]:
    """Speak a stream piece by piece: each piece is stored as a chunk file (it plays on its
    own) and yielded as soon as it is ready; after the last one the whole is stored and the
    synthesis completed (``synthesis.output_file``).

    Whatever stops the stream early is recorded on the synthesis: the consumer closing the
    generator or ``should_stop()`` (the client went away) as ``cancelled``, an error as
    ``failed`` with its code (and re-raised).
    """
    started = time.monotonic()
    options = prepared.request.options
    total = len(prepared.pieces)
    outcome: tuple[str, str, str] | None = (Synthesis.Status.CANCELLED, "", "")
    try:
        artefact = voice_artefact(prepared.voice.model)
        with tempfile.TemporaryDirectory(prefix="voxify-stream-") as folder:
            path = Path(folder) / f"whole{EXTENSIONS[synthesis.output_format]}"
            with Encoder(path, synthesis.sample_rate, synthesis.output_format) as whole:
                for index, piece in enumerate(prepared.pieces, 1):
                    if should_stop():
                        raise SynthesisCancelled
                    audio = render_piece(piece, options=options, voice=artefact)
                    whole.write(audio)
                    data = encode(audio, synthesis.sample_rate, synthesis.output_format)
                    duration = len(audio) / synthesis.sample_rate
                    stored = _store_chunk(synthesis, index, data, duration)
                    yield StreamChunk(index, total, data, stored, duration)
                duration = whole.duration
            with _removing_output(synthesis), transaction.atomic(), path.open("rb") as content:
                _complete(synthesis, content=content, duration=duration, started=started)
        outcome = None
    except SynthesisCancelled:
        raise
    except ApplicationError as exc:
        outcome = (Synthesis.Status.FAILED, exc.code, exc.message)
        raise
    except Exception:
        outcome = (Synthesis.Status.FAILED, "INTERNAL_ERROR", "The synthesis failed unexpectedly.")
        raise
    finally:
        if outcome is not None:
            status, code, message = outcome
            _mark(synthesis.pk, status, code=code, message=message)
            log.info("synthesis_stream_ended", synthesis_id=synthesis.public_id, status=status, code=code)


# --- Upkeep ----------------------------------------------------------------------------

STREAM_LOST_AFTER = timedelta(minutes=30)


def syntheses_reap(*, now: datetime | None = None) -> dict[str, int]:
    """Bring unfinished rows up to date: an async synthesis whose job already ended takes the
    job's status (a job cancelled before it ran never touches its synthesis); a stream still
    ``running`` STREAM_LOST_AFTER after it began lost its web process and is ``failed``."""
    now = now or timezone.now()
    counts = {"from_jobs": 0, "lost_streams": 0}
    unfinished = [Synthesis.Status.PENDING, Synthesis.Status.RUNNING]
    for synthesis in Synthesis.objects.filter(
        mode=Synthesis.Mode.ASYNC, status__in=unfinished, job__status__in=Job.TERMINAL
    ).select_related("job"):
        assert synthesis.job is not None
        job = synthesis.job
        _mark(synthesis.pk, job.status, code=job.error_code, message=job.error_message)
        counts["from_jobs"] += 1
    counts["lost_streams"] = Synthesis.objects.filter(
        mode=Synthesis.Mode.STREAM, status__in=unfinished, created_at__lt=now - STREAM_LOST_AFTER
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
            output.expires_at = None if keep else _expiry(False, output.created_at)
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
