"""Streamed syntheses: piece by piece, each piece stored and handed out as soon as it is
ready (the SSE adapter is ``stream.py``, the gRPC one ``SynthesizeTextStream``)."""

from __future__ import annotations

import io
import math
import tempfile
import time
from collections.abc import Generator
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import structlog
from django.db import transaction

from accounts.models import User
from accounts.quotas import AUDIO_SECONDS, quota_add
from files.models import StoredFile
from speech.alignment import SpokenWordClock, WrittenWordClock
from speech.audio_io import ChunkEncoder, Encoder, Samples, encode
from speech.engine import ShouldStop, SynthesisCancelled, render_pieces
from speech.formats import EXTENSIONS
from speech.text import STREAM_FIRST_PIECE_CHARS, normalize
from synthesis.models import Synthesis
from synthesis.requests import Prepared, SynthesisRequest, synthesis_prepare
from synthesis.services import (
    output_expiry,
    removing_output,
    synthesis_audio_store,
    synthesis_complete,
    synthesis_mark,
    synthesis_row_new,
)
from synthesis.voices import voice_artefact
from voxify_project.errors import ApplicationError

log = structlog.get_logger(__name__)


def stream_open(*, user: User, request: SynthesisRequest, mode: str = "stream") -> tuple[Synthesis, Prepared]:
    """Validate and record a streamed synthesis (``running``) under ``mode``'s limits (the
    stream's own by default; /v1/audio/speech streams within the synchronous ones)."""
    prepared = synthesis_prepare(user=user, request=request, mode=mode, first_piece_chars=STREAM_FIRST_PIECE_CHARS)
    synthesis = synthesis_row_new(prepared, owner=user, mode=Synthesis.Mode.STREAM, status=Synthesis.Status.RUNNING)
    synthesis.save()
    return synthesis, prepared


@dataclass(frozen=True)
class StreamChunk:
    index: int  # 1, 2, …
    total: int
    data: bytes  # the piece as a complete file in the output format
    file: StoredFile
    duration: float
    start: float  # seconds into the whole output
    timestamps: list[dict[str, Any]] | None  # written words completed by this chunk (timestamps: word)


def _speak(
    synthesis: Synthesis, prepared: Prepared, should_stop: ShouldStop
) -> Generator[tuple[int, Samples, float, list[dict[str, Any]]], None, None]:
    """Each piece's audio as soon as it is rendered, ``(index, samples, start, words)``: where
    it starts in the whole, and the written words it completes with their times; the whole is
    encoded alongside and, after the last piece, stored and the synthesis completed.

    Whatever stops it early is recorded on the synthesis: the generator closed or
    ``should_stop()`` (the client went away) as ``cancelled``, an error as ``failed`` with
    its code (and re-raised).
    """
    started = time.monotonic()
    options = prepared.request.options
    outcome: tuple[str, str, str] | None = (Synthesis.Status.CANCELLED, "", "")
    spoken = 0.0  # seconds handed out so far
    try:
        artefact = voice_artefact(prepared.voice.model)
        timed = synthesis.timestamps == "word"
        clock: WrittenWordClock | SpokenWordClock | None = None
        if timed and prepared.language != "en":
            clock = SpokenWordClock()
        elif timed:
            clock = WrittenWordClock(prepared.text, [p.text for p in prepared.pieces], normalize)
        with tempfile.TemporaryDirectory(prefix="voxify-stream-") as folder:
            path = Path(folder) / f"whole{EXTENSIONS[synthesis.output_format]}"
            with Encoder(path, synthesis.sample_rate, synthesis.output_format) as whole:
                pieces = render_pieces(
                    prepared.pieces,
                    options=options,
                    voice=artefact,
                    base=prepared.voice.base,
                    should_stop=should_stop,
                )
                for index, (audio, words) in enumerate(pieces, 1):
                    start = whole.duration
                    whole.write(audio)
                    spoken = whole.duration
                    yield index, audio, start, (clock.add(words) if clock is not None else [])
                    Synthesis.objects.filter(pk=synthesis.pk).update(pieces_done=index)
                duration = whole.duration
            if clock is not None:
                synthesis.word_timestamps = clock.all
            with removing_output(synthesis), transaction.atomic(), path.open("rb") as content:
                synthesis_complete(synthesis, content=content, duration=duration, started=started)
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
            synthesis_mark(synthesis.pk, status, code=code, message=message)
            # What was spoken before the end counts against the day's audio all the same.
            quota_add(user=synthesis.owner, kind=AUDIO_SECONDS, amount=math.ceil(spoken))
            log.info("synthesis_stream_ended", synthesis_id=synthesis.public_id, status=status, code=code)


def stream_chunks(
    synthesis: Synthesis, prepared: Prepared, *, should_stop: ShouldStop = lambda: False
) -> Generator[StreamChunk, None, None]:
    """Speak a stream piece by piece: each piece is stored as a chunk file (it plays on its
    own) and yielded as soon as it is ready; after the last one the whole is stored and the
    synthesis completed (``synthesis.output_file``). Ending early is recorded (``_speak``)."""
    total = len(prepared.pieces)
    with closing(_speak(synthesis, prepared, should_stop)) as pieces:
        for index, audio, start, words in pieces:
            data = encode(audio, synthesis.sample_rate, synthesis.output_format)
            duration = len(audio) / synthesis.sample_rate
            stored = synthesis_audio_store(
                synthesis,
                kind=StoredFile.Kind.SYNTHESIS_CHUNK,
                name=f"{synthesis.public_id}-chunk{index}",
                content=io.BytesIO(data),
                duration=duration,
                expires_at=output_expiry(False),
            )
            timestamps = words if synthesis.timestamps == "word" else None
            yield StreamChunk(index, total, data, stored, duration, round(start, 3), timestamps)


def stream_bytes(
    synthesis: Synthesis, prepared: Prepared, *, should_stop: ShouldStop = lambda: False, whole: bool = False
) -> Generator[bytes, None, None]:
    """Speak a stream as one continuous file in the output format, handed out as it is
    encoded (a streamed HTTP body): the first bytes follow the first piece. The whole is
    stored and the synthesis completed after the last piece; ending early is recorded.

    ``whole``: one file, encoded after the last piece, with the header fields a stream leaves
    unknown written (a FLAC's length, which some decoders need)."""
    if whole:
        parts: list[Samples] = []
        with closing(_speak(synthesis, prepared, should_stop)) as pieces:
            for _, audio, _, _ in pieces:
                parts.append(audio)
        joined = np.concatenate(parts) if parts else np.zeros(0, dtype=np.float32)
        yield encode(joined, synthesis.sample_rate, synthesis.output_format)
        return
    encoder = ChunkEncoder(synthesis.sample_rate, synthesis.output_format)
    with closing(_speak(synthesis, prepared, should_stop)) as pieces:
        for _, audio, _, _ in pieces:
            data = encoder.write(audio)
            if data:
                yield data
        tail = encoder.close()
    if tail:
        yield tail
