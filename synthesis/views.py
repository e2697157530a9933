"""TTS endpoints: voices, synthesis (sync, async, stream), the synthesis history,
pronunciation dictionaries and the watermark detector."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.selectors import user_from_request
from accounts.sessions import credentials_from_request, credentials_watch
from accounts.tickets import TICKET_TTL_S, ticket_issue
from files.links import download_url
from files.responses import file_response
from synthesis import detection, dictionaries, selectors, services, streaming, subtitles, work
from synthesis.authentication import STREAM_TICKET_SCOPE, StreamTicketAuthentication
from synthesis.serializers import (
    DetectInputSerializer,
    DetectOutputSerializer,
    DictionaryInputSerializer,
    DictionaryListItemSerializer,
    DictionarySerializer,
    DictionaryUpdateSerializer,
    StreamQuerySerializer,
    StreamTicketSerializer,
    SubtitlesQuerySerializer,
    SynthesisDetailSerializer,
    SynthesisFilterSerializer,
    SynthesisListItemSerializer,
    SynthesisUpdateSerializer,
    SynthesizeAsyncOutputSerializer,
    SynthesizeInputSerializer,
    SynthesizeOutputSerializer,
    VoiceListSerializer,
)
from synthesis.stream import synthesis_events
from synthesis.voices import voice_catalogue
from voxify_project.envelope import ok
from voxify_project.negotiation import JsonForAnyAccept
from voxify_project.openapi import enveloped, error_responses
from voxify_project.pagination import PAGE_PARAMETERS, paginated_as, paginated_response, paginated_schema


def _base_url(request: Request) -> str:
    return request.build_absolute_uri("/")


class VoiceListView(APIView):
    @extend_schema(
        operation_id="tts_voices",
        responses={200: enveloped(VoiceListSerializer, "VoiceListEnvelope"), **error_responses(401)},
        tags=["tts"],
        description="The built-in voices, then the caller's voice samples that have a trained voice. "
        "Any `voice_id` here can be used for synthesis.",
    )
    def get(self, request: Request) -> Response:
        voices = voice_catalogue(user=user_from_request(request))
        return ok(VoiceListSerializer({"voices": voices}).data)


def wants_audio(request: Request) -> bool:
    """The client asked for the audio itself (``Accept: audio/*`` or a specific audio type)."""
    return any(part.strip().lower().startswith("audio/") for part in request.headers.get("Accept", "").split(","))


class SynthesizeView(APIView):
    content_negotiation_class = JsonForAnyAccept  # Accept: audio/* is answered below, errors stay JSON

    @extend_schema(
        operation_id="tts_synthesize",
        request=SynthesizeInputSerializer,
        responses={
            200: enveloped(SynthesizeOutputSerializer, "SynthesizeEnvelope"),
            (200, "audio/*"): OpenApiResponse(
                OpenApiTypes.BINARY, description="With `Accept: audio/*`: the audio itself (X-Synthesis-Id header)."
            ),
            **error_responses(400, 401, 404, 409, 429),
        },
        tags=["tts"],
        description="Speak up to max_synthesis_length (1000) characters and answer when the file is ready. "
        "Longer texts get 400 TEXT_TOO_LONG: use the async endpoint. With `Accept: audio/*` (or any audio "
        "type) the answer is the audio file itself, in the requested format, instead of the JSON envelope; "
        "the synthesis is in the history either way. Unknown fields are refused (400 VALIDATION_ERROR).",
    )
    def post(self, request: Request) -> HttpResponseBase:
        serializer = SynthesizeInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        synthesis = services.synthesize_now(user=user_from_request(request), request=serializer.to_request())
        response: HttpResponseBase
        if wants_audio(request):
            assert synthesis.output_file is not None
            response = file_response(request, synthesis.output_file, as_attachment=False)
            response["X-Synthesis-Id"] = synthesis.public_id
        else:
            output = services.synthesis_output(synthesis)
            owner_id = synthesis.owner.public_id
            data = {
                **output,
                "audio_url": download_url(_base_url(request), output["file_id"], user_id=owner_id),
                "timestamps": synthesis.word_timestamps,
            }
            response = ok(SynthesizeOutputSerializer(data).data, "Speech synthesis completed")
        if synthesis.engine_seconds is not None:  # the engine's share of this answer (render + encode)
            response["Server-Timing"] = f"engine;dur={synthesis.engine_seconds * 1000:.1f}"
        return response


class SynthesizeAsyncView(APIView):
    @extend_schema(
        operation_id="tts_synthesize_async",
        request=SynthesizeInputSerializer,
        responses={
            202: enveloped(SynthesizeAsyncOutputSerializer, "SynthesizeAsyncEnvelope"),
            **error_responses(400, 401, 404, 409, 429),
        },
        tags=["tts"],
        description="Speak up to max_async_text_length (100,000) characters as a job (`job_syn_…`) with "
        "per-sentence progress over the jobs API and WebSocket. The finished job's result holds "
        "audio_url, file_id and duration.",
    )
    def post(self, request: Request) -> Response:
        serializer = SynthesizeInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        synthesis = work.synthesis_start_async(user=user_from_request(request), request=serializer.to_request())
        job = synthesis.job
        assert job is not None
        data = {
            "synthesis_id": synthesis.public_id,
            "job_id": job.public_id,
            "estimated_duration": int(job.estimated_duration),
            "status": job.status,
        }
        return ok(SynthesizeAsyncOutputSerializer(data).data, "Asynchronous speech synthesis job created", status=202)


class _JsonForAnyAccept(JsonForAnyAccept):
    """Errors before a stream starts are JSON whatever the client accepts
    (EventSource sends ``Accept: text/event-stream``)."""

    def select_parser(self, request: Request, parsers: Any) -> Any:
        return parsers[0] if parsers else None


# One Server-Sent Event as a client's parser sees it: ``data`` is one JSON object whose
# ``type`` is job_info, progress, audio_chunk, completed or error (docs/synthesis.md).
SSE_EVENT_SCHEMA = {
    "type": "object",
    "properties": {
        "event": {"type": "string"},
        "data": {"type": "string", "description": "One JSON object with a `type` field."},
        "id": {"type": "string"},
        "retry": {"type": "integer"},
    },
    "required": ["data"],
}


class SynthesizeStreamView(APIView):
    authentication_classes = [*APIView.authentication_classes, StreamTicketAuthentication]
    content_negotiation_class = _JsonForAnyAccept

    @extend_schema(
        operation_id="tts_synthesize_stream",
        parameters=[StreamQuerySerializer],
        responses={
            (200, "text/event-stream"): OpenApiResponse(
                SSE_EVENT_SCHEMA,
                description="Server-Sent Events: job_info, progress, audio_chunk (one per piece), completed; "
                "error on failure.",
            ),
            **error_responses(400, 401, 404, 409, 429),
        },
        tags=["tts"],
        description="Authenticate with `Authorization: Bearer …`, or (browsers' EventSource) with "
        "`ticket=` from POST /api/v1/tts/synthesize/stream/ticket. Disconnecting stops the synthesis.",
    )
    def get(self, request: Request) -> StreamingHttpResponse:
        query = StreamQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        synthesis, prepared = streaming.stream_open(user=user_from_request(request), request=query.to_request())
        should_stop = credentials_watch(credentials_from_request(request))
        response = StreamingHttpResponse(
            synthesis_events(synthesis, prepared, _base_url(request), should_stop=should_stop),
            content_type="text/event-stream",
        )
        response["Cache-Control"] = "no-cache"
        response["X-Accel-Buffering"] = "no"  # no proxy buffering (nginx)
        return response


class StreamTicketView(APIView):
    @extend_schema(
        operation_id="tts_synthesize_stream_ticket",
        request=None,
        responses={201: enveloped(StreamTicketSerializer, "StreamTicketEnvelope"), **error_responses(401)},
        tags=["tts"],
        description="A single-use ticket, valid for 60 s, for opening the synthesis stream from a browser's "
        "EventSource (which cannot send headers): `…/synthesize/stream?text=…&ticket=…`.",
    )
    def post(self, request: Request) -> Response:
        ticket = ticket_issue(credentials=credentials_from_request(request), scope=STREAM_TICKET_SCOPE)
        data = {"ticket": ticket, "expires_in": TICKET_TTL_S, "url": "/api/v1/tts/synthesize/stream"}
        return ok(StreamTicketSerializer(data).data, status=201)


class SynthesisListView(APIView):
    pagination_class = paginated_as("syntheses")

    @extend_schema(
        operation_id="tts_syntheses_list",
        parameters=[SynthesisFilterSerializer, *PAGE_PARAMETERS],
        responses={
            200: paginated_schema(pagination_class, SynthesisListItemSerializer, "SynthesisList"),
            **error_responses(400, 401),
        },
        tags=["tts"],
    )
    def get(self, request: Request) -> Response:
        filters = SynthesisFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        syntheses = selectors.synthesis_list(user=user_from_request(request), **filters.validated_data)
        return paginated_response(self.pagination_class, request, syntheses, SynthesisListItemSerializer)


class SynthesisDetailView(APIView):
    def _get(self, request: Request, synthesis_id: str) -> Any:
        return selectors.synthesis_get(user=user_from_request(request), synthesis_id=synthesis_id)

    def _data(self, request: Request, synthesis: Any) -> Any:
        return SynthesisDetailSerializer(synthesis, context={"request": request}).data

    @extend_schema(
        operation_id="tts_syntheses_get",
        responses={200: enveloped(SynthesisDetailSerializer, "SynthesisEnvelope"), **error_responses(401, 404)},
        tags=["tts"],
    )
    def get(self, request: Request, synthesis_id: str) -> Response:
        return ok(self._data(request, self._get(request, synthesis_id)))

    @extend_schema(
        operation_id="tts_syntheses_update",
        request=SynthesisUpdateSerializer,
        responses={
            200: enveloped(SynthesisDetailSerializer, "SynthesisEnvelope"),
            **error_responses(400, 401, 404, 410),
        },
        tags=["tts"],
        description="`keep: true` keeps the output file; `false` lets it expire file_ttl_hours after it was made.",
    )
    def patch(self, request: Request, synthesis_id: str) -> Response:
        update = SynthesisUpdateSerializer(data=request.data)
        update.is_valid(raise_exception=True)
        synthesis = services.synthesis_set_keep(
            synthesis=self._get(request, synthesis_id), keep=update.validated_data["keep"]
        )
        return ok(self._data(request, synthesis), "Synthesis updated")

    @extend_schema(
        operation_id="tts_syntheses_delete",
        responses={
            200: enveloped(SynthesisListItemSerializer, "SynthesisDeletedEnvelope"),
            **error_responses(401, 404),
        },
        tags=["tts"],
        description="Delete the record and its output file; an unfinished job is cancelled.",
    )
    def delete(self, request: Request, synthesis_id: str) -> Response:
        synthesis = self._get(request, synthesis_id)
        data = SynthesisListItemSerializer(synthesis, context={"request": request}).data
        services.synthesis_delete(synthesis=synthesis)
        return ok(data, "Synthesis deleted")


class SynthesisSubtitlesView(APIView):
    # Any Accept header gets the subtitles (errors are JSON envelopes).
    content_negotiation_class = JsonForAnyAccept

    @extend_schema(
        operation_id="tts_syntheses_subtitles",
        parameters=[SubtitlesQuerySerializer],
        responses={
            (200, "application/x-subrip"): OpenApiResponse(OpenApiTypes.STR, description="SubRip subtitles."),
            (200, "text/vtt"): OpenApiResponse(OpenApiTypes.STR, description="WebVTT subtitles."),
            **error_responses(400, 401, 404, 409),
        },
        tags=["tts"],
        description="The word timestamps of a completed synthesis made with `config.timestamps: word`, as "
        "subtitles: cues of one line of at most 42 characters and at most 5 s, ending at sentence ends. "
        "409 `TIMESTAMPS_NOT_AVAILABLE` when the synthesis has none (not asked for, or not completed).",
    )
    def get(self, request: Request, synthesis_id: str) -> HttpResponse:
        query = SubtitlesQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        fmt = query.validated_data["format"]
        synthesis = selectors.synthesis_get(user=user_from_request(request), synthesis_id=synthesis_id)
        text = subtitles.synthesis_subtitles(synthesis=synthesis, fmt=fmt)
        response = HttpResponse(text, content_type=f"{subtitles.FORMATS[fmt]}; charset=utf-8")
        response["Content-Disposition"] = f'inline; filename="{synthesis.public_id}.{fmt}"'
        return response


ENTRY_RULES = (
    "Each entry replaces a word or phrase (`term`, whole words, any whitespace between its words) with an "
    "`alias` or with IPA `phonemes`, before normalisation; case is ignored unless `case_sensitive`. The longest "
    "term wins; replacements are not matched again."
)


class DictionaryListCreateView(APIView):
    pagination_class = paginated_as("dictionaries")

    @extend_schema(
        operation_id="tts_dictionaries_list",
        parameters=PAGE_PARAMETERS,
        responses={
            200: paginated_schema(pagination_class, DictionaryListItemSerializer, "DictionaryList"),
            **error_responses(400, 401),
        },
        tags=["tts"],
        description="The user's pronunciation dictionaries, newest first, without their entries (`entry_count`).",
    )
    def get(self, request: Request) -> Response:
        found = dictionaries.dictionary_list(user=user_from_request(request))
        return paginated_response(self.pagination_class, request, found, DictionaryListItemSerializer)

    @extend_schema(
        operation_id="tts_dictionaries_create",
        request=DictionaryInputSerializer,
        responses={201: enveloped(DictionarySerializer, "DictionaryEnvelope"), **error_responses(400, 401)},
        tags=["tts"],
        description=f"{ENTRY_RULES} At most {dictionaries.MAX_DICTIONARIES_PER_USER} dictionaries per user and "
        f"{dictionaries.MAX_ENTRIES} entries each. `is_default: true` makes it the dictionary of every synthesis "
        "that names none (the previous default stops being one).",
    )
    def post(self, request: Request) -> Response:
        data = DictionaryInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        fields.setdefault("entries", [])
        dictionary = dictionaries.dictionary_create(user=user_from_request(request), **fields)
        return ok(DictionarySerializer(dictionary).data, "Dictionary created", status=201)


class DictionaryDetailView(APIView):
    @extend_schema(
        operation_id="tts_dictionaries_get",
        responses={200: enveloped(DictionarySerializer, "DictionaryEnvelope"), **error_responses(401, 404)},
        tags=["tts"],
    )
    def get(self, request: Request, dictionary_id: str) -> Response:
        dictionary = dictionaries.dictionary_get(user=user_from_request(request), dictionary_id=dictionary_id)
        return ok(DictionarySerializer(dictionary).data)

    @extend_schema(
        operation_id="tts_dictionaries_update",
        request=DictionaryUpdateSerializer,
        responses={200: enveloped(DictionarySerializer, "DictionaryEnvelope"), **error_responses(400, 401, 404)},
        tags=["tts"],
        description="Changes the fields given; `entries` replaces all of them. Syntheses already accepted keep "
        "what they were given.",
    )
    def patch(self, request: Request, dictionary_id: str) -> Response:
        dictionary = dictionaries.dictionary_get(user=user_from_request(request), dictionary_id=dictionary_id)
        data = DictionaryUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        dictionary = dictionaries.dictionary_update(dictionary=dictionary, **data.validated_data)
        return ok(DictionarySerializer(dictionary).data, "Dictionary updated")

    @extend_schema(
        operation_id="tts_dictionaries_delete",
        responses={
            200: enveloped(DictionaryListItemSerializer, "DictionaryDeletedEnvelope"),
            **error_responses(401, 404),
        },
        tags=["tts"],
    )
    def delete(self, request: Request, dictionary_id: str) -> Response:
        dictionary = dictionaries.dictionary_get(user=user_from_request(request), dictionary_id=dictionary_id)
        data = DictionaryListItemSerializer(dictionary).data
        dictionaries.dictionary_delete(dictionary=dictionary)
        return ok(data, "Dictionary deleted")


class WatermarkDetectView(APIView):
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        operation_id="tools_detect",
        request={"multipart/form-data": DetectInputSerializer},
        responses={
            200: enveloped(DetectOutputSerializer, "DetectEnvelope"),
            **error_responses(400, 401, 413, 415, 429),
        },
        tags=["tools"],
        description="Whether a recording carries the watermark that every Voxify output carries "
        "(docs/responsible-use.md): any input format the service reads, 1 s to the longest voice sample "
        "allowed. Nothing is stored and no quota is charged.",
    )
    def post(self, request: Request) -> Response:
        serializer = DetectInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        found = detection.watermark_detect(user=user_from_request(request), upload=serializer.validated_data["file"])
        return ok(DetectOutputSerializer(detection.as_dict(found)).data)
