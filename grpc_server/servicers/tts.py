"""TTSService: adapters over synthesis.services, validated by the REST serializers."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import grpc
from django.conf import settings

from files.links import download_url
from grpc_server.convert import given, message_from, page_params
from grpc_server.protos import tts_pb2, tts_pb2_grpc
from grpc_server.rpc import rpc
from grpc_server.servicers.auth import validated
from grpc_server.servicers.uploads import received_upload
from synthesis import detection, dictionaries, services, streaming, work
from synthesis.requests import SynthesisRequest
from synthesis.serializers import (
    DetectInputSerializer,
    DictionaryInputSerializer,
    DictionaryListItemSerializer,
    DictionarySerializer,
    DictionaryUpdateSerializer,
    SynthesizeInputSerializer,
    VoiceListSerializer,
)
from synthesis.voices import voice_catalogue
from voxify_project.pagination import page_of

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

    @rpc()
    def CreateDictionary(
        self, request: tts_pb2.CreateDictionaryRequest, context: grpc.ServicerContext, user: User
    ) -> tts_pb2.DictionaryResponse:
        fields = given(request, "name", "description", "is_default")
        fields["entries"] = [entry_data(entry) for entry in request.entries]
        data = validated(DictionaryInputSerializer, fields)
        return dictionary_response(dictionaries.dictionary_create(user=user, **data))

    @rpc()
    def ListVoices(
        self, request: tts_pb2.ListVoicesRequest, context: grpc.ServicerContext, user: User
    ) -> tts_pb2.ListVoicesResponse:
        found = VoiceListSerializer({"voices": voice_catalogue(user=user)}).data["voices"]
        return tts_pb2.ListVoicesResponse(voices=[message_from(tts_pb2.Voice, voice) for voice in found])

    @rpc()
    def GetDictionary(
        self, request: tts_pb2.GetDictionaryRequest, context: grpc.ServicerContext, user: User
    ) -> tts_pb2.DictionaryResponse:
        return dictionary_response(dictionaries.dictionary_get(user=user, dictionary_id=request.dictionary_id))

    @rpc()
    def ListDictionaries(
        self, request: tts_pb2.ListDictionariesRequest, context: grpc.ServicerContext, user: User
    ) -> tts_pb2.ListDictionariesResponse:
        found, pagination = page_of(
            dictionaries.dictionary_list(user=user), page_params(request.page, request.page_size)
        )
        return tts_pb2.ListDictionariesResponse(
            dictionaries=[message_from(tts_pb2.Dictionary, DictionaryListItemSerializer(d).data) for d in found],
            pagination=tts_pb2.Pagination(**pagination),
        )

    @rpc()
    def UpdateDictionary(
        self, request: tts_pb2.UpdateDictionaryRequest, context: grpc.ServicerContext, user: User
    ) -> tts_pb2.DictionaryResponse:
        dictionary = dictionaries.dictionary_get(user=user, dictionary_id=request.dictionary_id)
        fields = given(request, "name", "description", "is_default")
        if request.replace_entries:
            fields["entries"] = [entry_data(entry) for entry in request.entries]
        data = validated(DictionaryUpdateSerializer, fields)
        return dictionary_response(dictionaries.dictionary_update(dictionary=dictionary, **data))

    @rpc()
    def DeleteDictionary(
        self, request: tts_pb2.GetDictionaryRequest, context: grpc.ServicerContext, user: User
    ) -> tts_pb2.DictionaryResponse:
        dictionary = dictionaries.dictionary_get(user=user, dictionary_id=request.dictionary_id)
        message = message_from(tts_pb2.Dictionary, DictionaryListItemSerializer(dictionary).data)
        dictionaries.dictionary_delete(dictionary=dictionary)
        return tts_pb2.DictionaryResponse(dictionary=message)

    @rpc()
    def DetectWatermark(
        self, request_iterator: Iterator[tts_pb2.DetectWatermarkRequest], context: grpc.ServicerContext, user: User
    ) -> tts_pb2.DetectWatermarkResponse:
        with received_upload(request_iterator) as (_, upload):
            found = detection.watermark_detect(
                user=user, upload=validated(DetectInputSerializer, {"file": upload})["file"]
            )
        return tts_pb2.DetectWatermarkResponse(**detection.as_dict(found))


def entry_data(entry: tts_pb2.DictionaryEntry) -> dict[str, Any]:
    """An entry as REST takes it: alias or phonemes only when given."""
    return given(entry, "term", "alias", "phonemes", "case_sensitive") | {"term": entry.term}


def dictionary_response(dictionary: Any) -> tts_pb2.DictionaryResponse:
    return tts_pb2.DictionaryResponse(
        dictionary=message_from(tts_pb2.Dictionary, DictionarySerializer(dictionary).data)
    )
