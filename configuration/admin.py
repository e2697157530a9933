"""The configuration page: one row, edited in place (no list, no add, no delete)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from configuration.config import system_config, system_config_forget
from configuration.models import SystemConfig


@admin.register(SystemConfig)
class SystemConfigAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    # By name: every field of CONFIG_FIELDS in exactly one group (a test checks it).
    fieldsets = (
        (
            "Voice samples and uploads",
            {
                "fields": (
                    "max_voice_samples_per_user",
                    "max_upload_mb",
                    "uploads_per_day",
                    "voice_sample_min_seconds",
                    "voice_sample_max_seconds",
                )
            },
        ),
        (
            "Synthesis",
            {
                "fields": (
                    "max_synthesis_length",
                    "max_stream_synthesis_length",
                    "max_async_text_length",
                    "default_sample_rate",
                    "default_output_format",
                )
            },
        ),
        (
            "Request budget: what a request will really speak (ADR 0020)",
            {
                "fields": (
                    "max_synthesis_audio_seconds",
                    "max_stream_audio_seconds",
                    "max_async_audio_seconds",
                    "max_spoken_text_ratio",
                    "max_pieces_ratio",
                )
            },
        ),
        ("Daily quotas", {"fields": ("syntheses_per_day", "audio_seconds_per_day")}),
        ("API and files", {"fields": ("requests_per_minute", "file_ttl_hours", "storage_mb_per_user")}),
        ("Responsible use", {"fields": ("consent_required",)}),
        ("Last change", {"fields": ("updated_at", "updated_by")}),
    )
    readonly_fields = ("updated_at", "updated_by")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        config = system_config()  # creates the row on first use
        return HttpResponseRedirect(reverse("admin:configuration_systemconfig_change", args=[config.pk]))

    def save_model(self, request: HttpRequest, obj: SystemConfig, form: Any, change: bool) -> None:
        obj.updated_by = request.user  # type: ignore[assignment]
        super().save_model(request, obj, form, change)
        system_config_forget()
        messages.info(request, "Every process uses the new values within a few seconds.")
