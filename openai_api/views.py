"""The OpenAI-compatible speech API at ``/v1`` (an OpenAI client's ``base_url`` is
``http://host:port/v1``): ``POST /v1/audio/speech``, ``GET /v1/models``,
``GET /v1/audio/voices``. Authentication is the usual Bearer header: an access token or,
for programs, a personal API key. Every call is a synthesis in the caller's history, with
the caller's quotas and rate limit. Errors are in OpenAI's shape (``errors.py``).
"""

from __future__ import annotations

import base64
import json
from collections.abc import AsyncIterator, Callable, Generator
from contextlib import closing
from typing import Any

from asgiref.sync import sync_to_async
from django.conf import settings
from django.http import StreamingHttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.selectors import user_from_request
from accounts.sessions import credentials_from_request, credentials_watch
from openai_api.errors import openai_error, openai_exception_handler
from openai_api.serializers import MODELS, OpenAIErrorSerializer, SpeechInputSerializer
from speech.formats import CONTENT_TYPES
from synthesis.requests import SynthesisRequest
from synthesis.streaming import stream_bytes, stream_open
from synthesis.voices import voice_catalogue
from voxify_project.errors import ApplicationError
from voxify_project.negotiation import JsonForAnyAccept

SAMPLE_RATE = 24_000  # every format, as OpenAI's speech endpoint answers
MODELS_CREATED = 1_764_547_200  # 2025-12-01, a fixed "created" for the model list


def openai_voice_map() -> dict[str, str]:
    """OpenAI's voice names -> the voice each stands for here (OPENAI_VOICES, docs/configuration.md)."""
    return dict(settings.OPENAI_VOICES)


def openai_errors(*statuses: int) -> dict[int, OpenApiResponse]:
    return {
        status: OpenApiResponse(OpenAIErrorSerializer, description="An OpenAI-shaped error.") for status in statuses
    }


class OpenAIView(APIView):
    content_negotiation_class = JsonForAnyAccept

    def get_exception_handler(self) -> Callable[[Exception, dict[str, Any]], Response]:
        return openai_exception_handler


async def _served(chunks: Generator[bytes, None, None]) -> AsyncIterator[bytes]:
    """The body as the server sends it: each chunk as soon as the work generator gives it.
    (Django would read a synchronous iterator to its end before sending anything.) The work
    advances on the request's worker thread; a client that goes away cancels this generator,
    and closing the work records the synthesis as cancelled."""
    advance = sync_to_async(lambda: next(chunks, None))
    try:
        while (chunk := await advance()) is not None:
            yield chunk
    finally:
        await sync_to_async(chunks.close)()


def _sse(event: dict[str, Any]) -> bytes:
    return f"data: {json.dumps(event, separators=(',', ':'))}\n\n".encode()


def _sse_events(chunks: Generator[bytes, None, None], characters: int) -> Generator[bytes, None, None]:
    """OpenAI's speech events: ``speech.audio.delta`` with base64 audio, then ``speech.audio.done``."""
    with closing(chunks):
        try:
            for chunk in chunks:
                yield _sse({"type": "speech.audio.delta", "audio": base64.b64encode(chunk).decode()})
        except ApplicationError as exc:  # the credentials ended mid-way, or the work failed
            yield _sse({"type": "error", **openai_error(exc.status, exc.code, exc.message)})
            return
    usage = {"input_tokens": characters, "output_tokens": 0, "total_tokens": characters}
    yield _sse({"type": "speech.audio.done", "usage": usage})


class SpeechView(OpenAIView):
    @extend_schema(
        operation_id="openai_audio_speech",
        request=SpeechInputSerializer,
        responses={
            (200, "audio/*"): OpenApiResponse(OpenApiTypes.BINARY, description="The audio, streamed."),
            (200, "text/event-stream"): OpenApiResponse(OpenApiTypes.STR, description="stream_format=sse."),
            **openai_errors(400, 401, 403, 404, 409, 429),
        },
        tags=["openai"],
        description="OpenAI's `POST /v1/audio/speech`. `input` up to max_synthesis_length characters; `voice` "
        "is one of the caller's voice ids, the built-in voice's id, or an OpenAI voice name (mapped by "
        "OPENAI_VOICES); `response_format` mp3, opus, aac, flac, wav or pcm (raw 16-bit little-endian mono), "
        "all at 24 kHz; `speed` 0.25-4.0; `instructions` is accepted and ignored. The body is streamed as the "
        "sentences are spoken (`stream_format: audio`), or as `speech.audio.delta` / `speech.audio.done` "
        "events (`sse`). Errors: `{error: {message, type, param, code}}` with the API's statuses and codes.",
    )
    def post(self, request: Request) -> StreamingHttpResponse:
        serializer = SpeechInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        voice = openai_voice_map().get(data["voice"], data["voice"])
        synthesis_request = SynthesisRequest(
            text=data["input"],
            voice_id=voice,
            output_format=data["response_format"],
            sample_rate=SAMPLE_RATE,
            speed=data["speed"],
        )
        synthesis, prepared = stream_open(
            user=user_from_request(request),
            request=synthesis_request,
            mode="sync",
        )
        chunks = stream_bytes(
            synthesis,
            prepared,
            should_stop=credentials_watch(credentials_from_request(request)),
            # A FLAC body is sent whole, its length in the header: decoders such as
            # libsndfile (soundfile, librosa) refuse a FLAC stream of unknown length.
            whole=data["response_format"] == "flac" and data["stream_format"] == "audio",
        )
        if data["stream_format"] == "sse":
            response = StreamingHttpResponse(
                _served(_sse_events(chunks, len(prepared.text))), content_type="text/event-stream"
            )
            response["Cache-Control"] = "no-cache"
        else:
            response = StreamingHttpResponse(_served(chunks), content_type=CONTENT_TYPES[data["response_format"]])
        response["X-Synthesis-Id"] = synthesis.public_id
        response["X-Accel-Buffering"] = "no"
        return response


class ModelListView(OpenAIView):
    @extend_schema(
        operation_id="openai_models", responses={200: OpenApiTypes.OBJECT, **openai_errors(401, 429)}, tags=["openai"]
    )
    def get(self, request: Request) -> Response:
        return Response(
            {
                "object": "list",
                "data": [
                    {"id": name, "object": "model", "created": MODELS_CREATED, "owned_by": "voxify"} for name in MODELS
                ],
            }
        )


class VoiceListView(OpenAIView):
    @extend_schema(
        operation_id="openai_voices", responses={200: OpenApiTypes.OBJECT, **openai_errors(401, 429)}, tags=["openai"]
    )
    def get(self, request: Request) -> Response:
        voices = [
            {
                "id": voice["voice_id"],
                "name": voice["name"],
                "object": "voice",
                "type": voice["type"],
                "gender": voice["gender"],
                "language": voice["language"],
                "description": voice["description"],
            }
            for voice in voice_catalogue(user=user_from_request(request))
        ]
        aliases = [
            {"id": name, "name": name, "object": "voice", "type": "alias", "voice_id": target}
            for name, target in openai_voice_map().items()
        ]
        return Response({"object": "list", "data": voices + aliases})
