"""Live configuration: one database row that every process reads (``configuration.config``).

The ground floor: every app may import this app, and it imports none of them (only the user
model, through settings.AUTH_USER_MODEL, and the numpy-free ``speech.formats``)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from speech.formats import MAX_RATE, MIN_RATE, OUTPUT_FORMATS


def _int(low: int, high: int, help_text: str) -> models.PositiveIntegerField[int, int]:
    return models.PositiveIntegerField(
        validators=[MinValueValidator(low), MaxValueValidator(high)], help_text=f"{help_text} ({low} to {high})."
    )


def _float(low: float, high: float, help_text: str) -> models.FloatField[float, float]:
    return models.FloatField(
        validators=[MinValueValidator(low), MaxValueValidator(high)], help_text=f"{help_text} ({low:g} to {high:g})."
    )


class SystemConfig(models.Model):
    """The limits and defaults of the service. Exactly one row (pk 1); the environment
    variables of the same names only seed it the first time it is read."""

    SINGLETON_PK = 1

    max_voice_samples_per_user = _int(1, 10_000, "Voice samples a user may keep")
    max_upload_mb = _int(1, 1024, "Largest upload, in MB")
    uploads_per_day = _int(0, 1_000_000, "Uploads per user per UTC day; 0 pauses uploads")
    voice_sample_min_seconds = _float(0.5, 60.0, "Shortest voice sample, in seconds")
    voice_sample_max_seconds = _float(5.0, 3600.0, "Longest voice sample or uploaded recording, in seconds")
    max_synthesis_length = _int(1, 100_000, "Characters per synchronous synthesis")
    max_stream_synthesis_length = _int(1, 100_000, "Characters per streamed synthesis")
    max_async_text_length = _int(1, 1_000_000, "Characters per async synthesis")
    # The request budget (ADR 0020): what a request will really speak, after dictionaries,
    # SSML, say-as and normalisation, checked before any work is queued or streamed.
    max_synthesis_audio_seconds = _int(
        1, 86_400, "Estimated seconds of audio per synchronous synthesis (and POST /v1/audio/speech)"
    )
    max_stream_audio_seconds = _int(1, 86_400, "Estimated seconds of audio per streamed synthesis")
    max_async_audio_seconds = _int(1, 604_800, "Estimated seconds of audio per async synthesis")
    max_spoken_text_ratio = _float(
        1.0, 100.0, "Spoken characters (after dictionaries, SSML and normalisation) per character of the mode's limit"
    )
    max_pieces_ratio = _float(0.01, 10.0, "Pieces (sentences, clauses, breaks) per character of the mode's limit")
    syntheses_per_day = _int(0, 1_000_000, "Syntheses per user per UTC day; 0 pauses synthesis")
    audio_seconds_per_day = _int(
        0, 100_000_000, "Estimated seconds of audio per user per UTC day, all modes (the request budget's figure)"
    )
    default_sample_rate = _int(MIN_RATE, MAX_RATE, "Output sample rate when a request names none, in Hz")
    default_output_format = models.CharField(
        max_length=8,
        choices=[(name, name) for name in OUTPUT_FORMATS],
        help_text="Output format when a request names none.",
    )
    requests_per_minute = _int(1, 1_000_000, "API requests per user (anonymous: per IP) per minute, REST and gRPC")
    file_ttl_hours = _float(0.1, 8760.0, "Hours a synthesis output is kept unless marked keep")
    storage_mb_per_user = _int(
        1, 100_000_000, "Bytes a user may keep stored (samples, files, voice models, synthesis outputs), in MB"
    )
    consent_required = models.BooleanField(
        help_text="Training a voice needs its sample's speaker to pass the spoken consent check "
        "(docs/responsible-use.md)."
    )

    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        db_table = "operations_systemconfig"  # the table it had before the app moved; data kept
        verbose_name = "system configuration"
        verbose_name_plural = "system configuration"

    def __str__(self) -> str:
        return "System configuration"

    def clean(self) -> None:
        super().clean()
        errors: dict[str, Any] = {}
        low, high = self.voice_sample_min_seconds, self.voice_sample_max_seconds
        if low is not None and high is not None and low >= high:
            errors["voice_sample_min_seconds"] = "Must be less than voice_sample_max_seconds."
        sync, longest = self.max_synthesis_length, self.max_async_text_length
        if sync is not None and longest is not None and sync > longest:
            errors["max_synthesis_length"] = "Must not exceed max_async_text_length."
        if errors:
            raise ValidationError(errors)
