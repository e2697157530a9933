"""Input and output shapes of the auth endpoints, as in the API document."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers


class RegisterInputSerializer(serializers.Serializer[Any]):
    email = serializers.CharField(max_length=254)
    password = serializers.CharField(max_length=128, trim_whitespace=False, style={"input_type": "password"})
    first_name = serializers.CharField(max_length=150, required=False, allow_blank=True, default="")
    last_name = serializers.CharField(max_length=150, required=False, allow_blank=True, default="")


class LoginInputSerializer(serializers.Serializer[Any]):
    email = serializers.CharField(max_length=254)
    password = serializers.CharField(max_length=128, trim_whitespace=False, style={"input_type": "password"})


class PasswordChangeInputSerializer(serializers.Serializer[Any]):
    current_password = serializers.CharField(max_length=128, trim_whitespace=False, style={"input_type": "password"})
    new_password = serializers.CharField(max_length=128, trim_whitespace=False, style={"input_type": "password"})


class RefreshInputSerializer(serializers.Serializer[Any]):
    refresh_token = serializers.CharField(
        required=False,
        help_text="The refresh token. May instead be sent as `Authorization: Bearer <refresh_token>`.",
    )


class TokenUserSerializer(serializers.Serializer[Any]):
    user_id = serializers.CharField(source="public_id")
    email = serializers.EmailField()
    first_name = serializers.CharField()
    last_name = serializers.CharField()


class UserOutputSerializer(TokenUserSerializer):
    created_at = serializers.DateTimeField()


class TokenPairOutputSerializer(serializers.Serializer[Any]):
    access_token = serializers.CharField()
    refresh_token = serializers.CharField()
    expires_in = serializers.IntegerField(help_text="Seconds until the access token expires.")
    user = TokenUserSerializer()


class ApiKeyCreateInputSerializer(serializers.Serializer[Any]):
    name = serializers.CharField(max_length=100, help_text="What the key is for, to recognise it later.")
    password = serializers.CharField(
        max_length=256,
        trim_whitespace=False,
        write_only=True,
        help_text="Your current password: a key outlives access tokens, so making one asks for it.",
    )
    expires_at = serializers.DateTimeField(required=False, allow_null=True, help_text="Optional; never by default.")


class ApiKeySerializer(serializers.Serializer[Any]):
    key_id = serializers.CharField(source="public_id")
    name = serializers.CharField()
    prefix = serializers.CharField(help_text="The key's first characters (the key itself is never shown again).")
    created_at = serializers.DateTimeField()
    expires_at = serializers.DateTimeField(allow_null=True)
    last_used_at = serializers.DateTimeField(allow_null=True)
    revoked_at = serializers.DateTimeField(allow_null=True)


class ApiKeyCreatedSerializer(ApiKeySerializer):
    key = serializers.CharField(help_text="The key itself: shown this once, store it now (Bearer credential).")


class UsageCountSerializer(serializers.Serializer[Any]):
    used = serializers.IntegerField()
    limit = serializers.IntegerField()


class SynthesisUsageSerializer(UsageCountSerializer):
    in_flight = serializers.IntegerField(help_text="Accepted and unfinished: counted once they succeed.")


class LimitsSerializer(serializers.Serializer[Any]):
    max_upload_bytes = serializers.IntegerField(help_text="Largest upload (voice sample or file).")
    voice_sample_min_seconds = serializers.FloatField()
    voice_sample_max_seconds = serializers.FloatField()
    max_synthesis_length = serializers.IntegerField(help_text="Characters per synchronous synthesis.")
    max_stream_synthesis_length = serializers.IntegerField(help_text="Characters per streamed synthesis.")
    max_async_text_length = serializers.IntegerField(help_text="Characters per async synthesis.")
    max_synthesis_audio_seconds = serializers.IntegerField(
        help_text="Estimated seconds of audio per synchronous synthesis (and /v1/audio/speech)."
    )
    max_stream_audio_seconds = serializers.IntegerField(help_text="Estimated seconds of audio per streamed synthesis.")
    max_async_audio_seconds = serializers.IntegerField(help_text="Estimated seconds of audio per async synthesis.")
    max_spoken_text_ratio = serializers.FloatField(
        help_text="Characters spoken (after dictionaries, SSML and normalisation) per character of the mode's limit."
    )
    max_pieces_ratio = serializers.FloatField(
        help_text="Pieces (sentences, clauses, breaks) per character of the mode's limit."
    )


class UsageOutputSerializer(serializers.Serializer[Any]):
    day = serializers.DateField(help_text="The UTC day the daily counts are for; they reset at midnight UTC.")
    uploads = UsageCountSerializer(help_text="Uploads today (voice samples and files).")
    syntheses = SynthesisUsageSerializer(help_text="Successful syntheses today.")
    audio_seconds = SynthesisUsageSerializer(
        help_text="Estimated seconds of audio of today's successful syntheses (the request budget's figure, "
        "rounded up per synthesis); accepted, unfinished ones in in_flight."
    )
    storage_bytes = UsageCountSerializer(help_text="Bytes stored now (samples, files, models, outputs).")
    voice_samples = UsageCountSerializer(help_text="Voice samples kept now.")
    limits = LimitsSerializer(help_text="The live limits on single requests.")
