"""Asynchronous syntheses: recorded with a job in the request, spoken by a worker.

The job's result names the output by id (``JOB_RESULT_FIELDS``); whoever presents the job
adds the download link.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import structlog
from django.db import transaction

from accounts.models import User
from jobs.models import Job
from jobs.runner import JobCancelled, JobError, Progress
from jobs.services import job_complete, job_create
from speech.alignment import WordTime, written_word_times
from speech.audio_io import Encoder
from speech.engine import RenderOptions, ShouldStop, SynthesisCancelled, render_pieces
from speech.engines import is_builtin, looks_like_blend
from speech.formats import EXTENSIONS
from speech.script import Script, plain
from synthesis.models import Synthesis
from synthesis.requests import SynthesisRequest, synthesis_prepare
from synthesis.services import (
    removing_output,
    synthesis_complete,
    synthesis_mark,
    synthesis_output,
    synthesis_row_new,
)
from synthesis.voices import voice_artefact
from voxify_project.errors import ApplicationError

log = structlog.get_logger(__name__)

JOB_RESULT_FIELDS = ("synthesis_id", "file_id", "duration", "format", "sample_rate")


def synthesis_start_async(*, user: User, request: SynthesisRequest) -> Synthesis:
    """POST /tts/synthesize/async: record the synthesis and its job; a worker speaks it."""
    prepared = synthesis_prepare(user=user, request=request, mode="async")
    preview = prepared.text if len(prepared.text) <= 60 else prepared.text[:57].rstrip() + "..."
    with transaction.atomic():
        synthesis = synthesis_row_new(prepared, owner=user, mode=Synthesis.Mode.ASYNC, status=Synthesis.Status.PENDING)
        synthesis.job = job_create(
            owner=user,
            type=Job.Type.SYNTHESIS,
            title=f"Speech Synthesis - {preview}",
            params={"synthesis_id": synthesis.public_id},
            estimated_duration=prepared.estimated_seconds,
            subject=prepared.voice.sample.public_id if prepared.voice.sample is not None else "",
        )
        synthesis.save()
    return synthesis


def synthesis_job_work(job: Job, progress: Progress, should_stop: ShouldStop) -> None:
    """The work of a synthesis job: speak piece by piece into one file, then store it."""
    synthesis = Synthesis.objects.select_related("owner", "voice_model__artefact_file").filter(job_id=job.pk).first()
    if synthesis is None:
        raise JobCancelled  # the synthesis was deleted
    try:
        _run_async(job, synthesis, progress, should_stop)
    except JobCancelled:
        synthesis_mark(synthesis.pk, Synthesis.Status.CANCELLED)
        raise
    except (JobError, ApplicationError) as exc:
        synthesis_mark(synthesis.pk, Synthesis.Status.FAILED, code=exc.code, message=exc.message)
        raise
    except BaseException:
        synthesis_mark(synthesis.pk, Synthesis.Status.FAILED, code="INTERNAL_ERROR", message="The synthesis failed.")
        raise


def _run_async(job: Job, synthesis: Synthesis, progress: Progress, should_stop: ShouldStop) -> None:
    if synthesis.voice_sample_id is not None and synthesis.voice_model is None:
        raise JobError("VOICE_NOT_FOUND", "The voice was deleted before the synthesis ran.")
    started = time.monotonic()
    Synthesis.objects.filter(pk=synthesis.pk).update(status=Synthesis.Status.RUNNING, pieces_done=0)
    pieces = Script.from_json(synthesis.script).pieces if synthesis.script else plain(synthesis.text).pieces
    options = RenderOptions(
        synthesis.sample_rate, synthesis.speed, synthesis.pitch, synthesis.volume, synthesis.similarity
    )
    artefact = voice_artefact(synthesis.voice_model)
    base = None if artefact is not None else synthesis.voice_id  # a built-in voice or a blend
    if base is not None and not (is_builtin(base) or looks_like_blend(base)):
        raise JobError("VOICE_NOT_FOUND", "The voice was deleted before the synthesis ran.")
    total = len(pieces)
    progress(0.0, f"Synthesizing {total} sentences")
    with tempfile.TemporaryDirectory(prefix="voxify-syn-") as folder:
        path = Path(folder) / f"out{EXTENSIONS[synthesis.output_format]}"
        with Encoder(path, synthesis.sample_rate, synthesis.output_format) as encoder:
            spoken: list[WordTime] = []
            try:
                for done, (audio, words) in enumerate(
                    render_pieces(pieces, options=options, voice=artefact, base=base, should_stop=should_stop), 1
                ):
                    spoken += words
                    encoder.write(audio)
                    Synthesis.objects.filter(pk=synthesis.pk).update(pieces_done=done)
                    progress(0.98 * done / total, f"Sentence {done}/{total}")
            except SynthesisCancelled as exc:
                raise JobCancelled from exc
            duration = encoder.duration
        if synthesis.timestamps == "word":
            language = next((piece.language for piece in pieces if piece.text), "en")
            synthesis.word_timestamps = written_word_times(synthesis.text, spoken, language)
        if should_stop():
            raise JobCancelled
        with removing_output(synthesis), transaction.atomic(), path.open("rb") as content:
            try:
                synthesis_complete(synthesis, content=content, duration=duration, started=started)
            except SynthesisCancelled as exc:
                raise JobCancelled from exc
            output = synthesis_output(synthesis)
            result = {field: output[field] for field in JOB_RESULT_FIELDS}
            if not job_complete(job=job, result=result):
                raise JobCancelled  # cancelled or taken over meanwhile: keep nothing
    log.info("synthesis_completed", synthesis_id=synthesis.public_id, mode="async", duration=duration)
