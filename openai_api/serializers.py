"""Request shapes of the OpenAI-compatible API."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from voxify_project.strict import StrictFields

OPENAI_FORMATS = ("mp3", "opus", "aac", "flac", "wav", "pcm")
MODELS = ("voxify-tts", "tts-1", "tts-1-hd", "gpt-4o-mini-tts")  # OpenAI's names are aliases


@extend_schema_field(
    {
        "oneOf": [
            {"type": "string", "description": "A voice id, the built-in voice's id or an OpenAI voice name."},
            {"type": "object", "properties": {"id": {"type": "string"}}, "required": ["id"]},
        ]
    }
)
class VoiceField(serializers.Field):  # type: ignore[type-arg]
    """A voice id string, or OpenAI's custom-voice object ``{"id": "..."}``."""

    def to_internal_value(self, data: Any) -> str:
        if isinstance(data, dict) and isinstance(data.get("id"), str):
            data = data["id"]
        if not isinstance(data, str) or not data.strip() or len(data) > 64:
            raise serializers.ValidationError('A voice id, or an object {"id": "..."}.')
        return data.strip()

    def to_representation(self, value: Any) -> Any:
        return value


class StrictCharField(serializers.CharField):
    """A string and nothing else: DRF's CharField would read ``123`` or ``true`` as text."""

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        return str(super().to_internal_value(data))


class SpeechInputSerializer(StrictFields, serializers.Serializer[Any]):
    model = serializers.ChoiceField(choices=MODELS)
    input = StrictCharField(allow_blank=True, trim_whitespace=False)
    voice = VoiceField()
    response_format = serializers.ChoiceField(choices=OPENAI_FORMATS, default="mp3")
    speed = serializers.FloatField(min_value=0.25, max_value=4.0, default=1.0)
    instructions = serializers.CharField(required=False, allow_blank=True, help_text="Accepted and ignored.")
    stream_format = serializers.ChoiceField(choices=("audio", "sse"), default="audio")


class _OpenAIErrorDetailSerializer(serializers.Serializer[Any]):
    message = serializers.CharField()
    type = serializers.CharField(help_text="invalid_request_error, authentication_error, rate_limit_error, …")
    param = serializers.CharField(allow_null=True, help_text="The request field at fault, if one is.")
    code = serializers.CharField(help_text="Voxify's stable error code (docs/errors.md).")


class OpenAIErrorSerializer(serializers.Serializer[Any]):
    error = _OpenAIErrorDetailSerializer()
