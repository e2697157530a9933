"""``GET /api/v1/tts/synthesize/stream``: Server-Sent Events while the text is spoken.

Events (each a ``data:`` line holding one JSON object, as in the API document):

- ``job_info``: synthesis_id, estimated_duration, pieces, voice_id, format, sample_rate;
- ``progress``: progress (0-1) and a message, after every piece;
- ``audio_chunk``: chunk_id (1, 2, …), audio_url and file_id of that piece as a complete
  file in the requested format, its duration and ``start`` (seconds into the whole); with
  ``timestamps=word``, also ``timestamps``: the written words this piece completes, with
  their times in the whole output; sent as soon as the piece is ready;
- ``completed``: audio_url, file_id and duration of the whole;
- ``error``: code and message, if the synthesis fails once the stream has started.

Everything that can be refused (authentication, parameters, voice, text, quota) is refused
before the stream starts, with the usual JSON error envelope and status. A client that
disconnects stops the work after the piece being synthesised; the synthesis is then
recorded as ``cancelled``.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import structlog
from asgiref.sync import sync_to_async

from files.links import download_url
from speech.engine import ShouldStop, SynthesisCancelled
from synthesis.models import Synthesis
from synthesis.requests import Prepared
from synthesis.streaming import StreamChunk, stream_chunks
from voxify_project.errors import ApplicationError

log = structlog.get_logger(__name__)


def sse(event: dict[str, Any]) -> bytes:
    return f"data: {json.dumps(event, separators=(',', ':'))}\n\n".encode()


_END = object()


async def synthesis_events(
    synthesis: Synthesis, prepared: Prepared, base_url: str, *, should_stop: ShouldStop = lambda: False
) -> AsyncIterator[bytes]:
    """The event stream of one synthesis; the caller has already validated everything.

    The work is ``stream_chunks``, a generator advanced one piece at a time on the
    request's worker thread, so the event loop stays free to notice a disconnect, which
    cancels this generator; closing the work generator then records the cancellation.
    """
    chunks = stream_chunks(synthesis, prepared, should_stop=should_stop)
    advance = sync_to_async(lambda: next(chunks, _END))
    owner_id = synthesis.owner.public_id  # loaded with the synthesis (select_related by the caller)
    try:
        yield sse(
            {
                "type": "job_info",
                "synthesis_id": synthesis.public_id,
                "estimated_duration": prepared.estimated_seconds,
                "pieces": len(prepared.pieces),
                "voice_id": synthesis.voice_id,
                "format": synthesis.output_format,
                "sample_rate": synthesis.sample_rate,
            }
        )
        yield sse({"type": "progress", "progress": 0.0, "message": "Starting processing..."})
        while (chunk := await advance()) is not _END:
            assert isinstance(chunk, StreamChunk)
            yield sse(
                {
                    "type": "audio_chunk",
                    "chunk_id": chunk.index,
                    "audio_url": download_url(base_url, chunk.file.public_id, user_id=owner_id),
                    "file_id": chunk.file.public_id,
                    "duration": round(chunk.duration, 3),
                    "start": chunk.start,
                    **({"timestamps": chunk.timestamps} if chunk.timestamps is not None else {}),
                }
            )
            yield sse(
                {
                    "type": "progress",
                    "progress": round(chunk.index / chunk.total, 4),
                    "message": f"Synthesized {chunk.index} of {chunk.total}",
                }
            )
        assert synthesis.output_file is not None
        yield sse(
            {
                "type": "completed",
                "synthesis_id": synthesis.public_id,
                "audio_url": download_url(base_url, synthesis.output_file.public_id, user_id=owner_id),
                "file_id": synthesis.output_file.public_id,
                "duration": synthesis.duration,
            }
        )
    except (asyncio.CancelledError, GeneratorExit):
        raise  # the client went away: closing the work below records it
    except SynthesisCancelled:
        pass  # the synthesis was deleted meanwhile: end the stream quietly
    except ApplicationError as exc:
        yield sse({"type": "error", "code": exc.code, "message": exc.message})
    except Exception:
        log.exception("synthesis_stream_failed", synthesis_id=synthesis.public_id)
        yield sse({"type": "error", "code": "INTERNAL_ERROR", "message": "The synthesis failed unexpectedly."})
    finally:
        await sync_to_async(chunks.close)()
