"""``GET /api/v1/tts/synthesize/stream``: Server-Sent Events while the text is spoken.

Events (each a ``data:`` line holding one JSON object, as in the API document):

- ``job_info``: synthesis_id, estimated_duration, pieces, voice_id, format, sample_rate;
- ``progress``: progress (0-1) and a message, after every piece;
- ``audio_chunk``: chunk_id (1, 2, …), audio_url and file_id of that piece as a complete
  file in the requested format, and its duration; sent as soon as the piece is ready;
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
import tempfile
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import structlog
from asgiref.sync import sync_to_async

from speech.audio_io import EXTENSIONS, Encoder
from speech.engine import SynthesisCancelled, render_piece
from synthesis import services
from synthesis.models import Synthesis
from synthesis.services import Prepared, audio_url
from synthesis.voices import voice_artefact
from voxify_project.errors import ApplicationError

log = structlog.get_logger(__name__)


def sse(event: dict[str, Any]) -> bytes:
    return f"data: {json.dumps(event, separators=(',', ':'))}\n\n".encode()


async def synthesis_events(synthesis: Synthesis, prepared: Prepared, base_url: str) -> AsyncIterator[bytes]:
    """The event stream of one synthesis; the caller has already validated everything."""
    started = time.monotonic()
    pieces = prepared.pieces
    total = len(pieces)
    options = prepared.request.options
    outcome: tuple[str, str, str] = (Synthesis.Status.CANCELLED, "", "")
    folder = tempfile.TemporaryDirectory(prefix="voxify-stream-")
    try:
        yield sse(
            {
                "type": "job_info",
                "synthesis_id": synthesis.public_id,
                "estimated_duration": prepared.estimated_seconds,
                "pieces": total,
                "voice_id": synthesis.voice_id,
                "format": synthesis.output_format,
                "sample_rate": synthesis.sample_rate,
            }
        )
        yield sse({"type": "progress", "progress": 0.0, "message": "Starting processing..."})
        artefact = await sync_to_async(voice_artefact)(prepared.voice.model)
        path = Path(folder.name) / f"whole{EXTENSIONS[synthesis.output_format]}"
        with Encoder(path, synthesis.sample_rate, synthesis.output_format) as whole:
            for index, piece in enumerate(pieces, 1):
                # The engine runs on a worker thread; the event loop stays free to notice a
                # disconnect, which cancels this generator at the next await.
                audio = await sync_to_async(render_piece, thread_sensitive=False)(
                    piece, options=options, voice=artefact
                )
                whole.write(audio)
                chunk = await sync_to_async(services.stream_store_chunk)(synthesis=synthesis, index=index, audio=audio)
                yield sse(
                    {
                        "type": "audio_chunk",
                        "chunk_id": index,
                        "audio_url": audio_url(base_url, chunk.public_id),
                        "file_id": chunk.public_id,
                        "duration": chunk.duration,
                    }
                )
                yield sse(
                    {
                        "type": "progress",
                        "progress": round(index / total, 4),
                        "message": f"Synthesized {index} of {total}",
                    }
                )
            duration = whole.duration
        await sync_to_async(services.stream_finish)(synthesis=synthesis, path=path, duration=duration, started=started)
        assert synthesis.output_file is not None
        outcome = (Synthesis.Status.COMPLETED, "", "")
        yield sse(
            {
                "type": "completed",
                "synthesis_id": synthesis.public_id,
                "audio_url": audio_url(base_url, synthesis.output_file.public_id),
                "file_id": synthesis.output_file.public_id,
                "duration": synthesis.duration,
            }
        )
    except (asyncio.CancelledError, GeneratorExit):
        raise  # the client went away: recorded as cancelled below
    except SynthesisCancelled:
        pass  # the synthesis was deleted meanwhile: end the stream quietly
    except ApplicationError as exc:
        outcome = (Synthesis.Status.FAILED, exc.code, exc.message)
        yield sse({"type": "error", "code": exc.code, "message": exc.message})
    except Exception:
        log.exception("synthesis_stream_failed", synthesis_id=synthesis.public_id)
        outcome = (Synthesis.Status.FAILED, "INTERNAL_ERROR", "The synthesis failed unexpectedly.")
        yield sse({"type": "error", "code": outcome[1], "message": outcome[2]})
    finally:
        folder.cleanup()
        status, code, message = outcome
        if status != Synthesis.Status.COMPLETED:
            await sync_to_async(services.stream_end)(synthesis=synthesis, status=status, code=code, message=message)
            log.info("synthesis_stream_ended", synthesis_id=synthesis.public_id, status=status)
