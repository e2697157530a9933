"""TTSService: adapters over synthesis.services, validated by the REST serializers."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import grpc
from django.conf import settings

from files.links import download_url
from grpc_server.convert import given
from grpc_server.protos import tts_pb2, tts_pb2_grpc
from grpc_server.rpc import rpc
from synthesis import services, streaming, work
from synthesis.requests import SynthesisRequest
from synthesis.serializers import SynthesizeInputSerializer

if TYPE_CHECKING:  # models of other apps: for annotations only (adapters call services and selectors)
    from accounts.models import User


def request_from(request: Any) -> SynthesisRequest:
    """The REST input serializer's request from a SynthesizeText(Async)Request."""
    data: dict[str, Any] = {"text": request.text, "keep": request.keep, "config": given(request.config)}
    if request.voice_id:
        data["voice_id"] = request.voice_id
    serializer = SynthesizeInputSerializer(data=data)
    serializer.is_valid(raise_exception=True)
    return serializer.to_request()


def word_timestamps(words: list[dict[str, Any]] | None) -> list[tts_pb2.WordTimestamp]:
    return [tts_pb2.WordTimestamp(word=w["word"], start=w["start"], end=w["end"]) for w in words or []]


def public_audio_url(file_id: str, *, user: User) -> str:
    return download_url(settings.PUBLIC_BASE_URL, file_id, user_id=user.public_id)


class TTSServicer(tts_pb2_grpc.TTSServiceServicer):
    @rpc()
    def SynthesizeText(
        self, request: tts_pb2.SynthesizeTextRequest, context: grpc.ServicerContext, user: User
    ) -> tts_pb2.SynthesizeTextResponse:
        synthesis = services.synthesize_now(user=user, request=request_from(request))
        output = services.synthesis_output(synthesis)
        output["audio_url"] = public_audio_url(output["file_id"], user=user)
        del output["expires_at"]  # not in the message: FileService.GetFileInfo has it
        return tts_pb2.SynthesizeTextResponse(**output, timestamps=word_timestamps(synthesis.word_timestamps))

    @rpc()
    def SynthesizeTextStream(
        self, request: tts_pb2.SynthesizeTextRequest, context: grpc.ServicerContext, user: User
    ) -> Iterator[tts_pb2.SynthesizeTextStreamResponse]:
        synthesis, prepared = streaming.stream_open(user=user, request=request_from(request))
        chunks = streaming.stream_chunks(synthesis, prepared, should_stop=lambda: not context.is_active())
        try:
            yield tts_pb2.SynthesizeTextStreamResponse(
                info=tts_pb2.StreamInfo(
                    synthesis_id=synthesis.public_id,
                    pieces=len(prepared.pieces),
                    estimated_duration=prepared.estimated_seconds,
                    format=synthesis.output_format,
                    sample_rate=synthesis.sample_rate,
                    voice_id=synthesis.voice_id,
                )
            )
            for chunk in chunks:
                yield tts_pb2.SynthesizeTextStreamResponse(
                    chunk=tts_pb2.AudioChunk(
                        sequence=chunk.index,
                        audio=chunk.data,
                        file_id=chunk.file.public_id,
                        duration=chunk.duration,
                        start=chunk.start,
                        timestamps=word_timestamps(chunk.timestamps),
                    )
                )
            output = synthesis.output_file
            assert output is not None and synthesis.duration is not None
            yield tts_pb2.SynthesizeTextStreamResponse(
                completed=tts_pb2.StreamCompleted(
                    synthesis_id=synthesis.public_id,
                    file_id=output.public_id,
                    audio_url=public_audio_url(output.public_id, user=user),
                    duration=synthesis.duration,
                )
            )
        finally:
            chunks.close()  # a client that went away: the synthesis is recorded as cancelled

    @rpc()
    def SynthesizeTextAsync(
        self, request: tts_pb2.SynthesizeTextAsyncRequest, context: grpc.ServicerContext, user: User
    ) -> tts_pb2.SynthesizeTextAsyncResponse:
        synthesis = work.synthesis_start_async(user=user, request=request_from(request))
        job = synthesis.job
        assert job is not None
        return tts_pb2.SynthesizeTextAsyncResponse(
            synthesis_id=synthesis.public_id,
            job_id=job.public_id,
            estimated_duration=int(job.estimated_duration),
            status=job.status,
        )
