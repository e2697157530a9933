from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from files.admin import stored_file_player
from voices.models import ConsentCheck, VoiceModel, VoiceSample
from voxify_project.admin_base import ApiMadeAdmin

CONSENT_FIELDS = (
    "public_id",
    "outcome",
    "phrase",
    "transcript",
    "wer",
    "similarity_resemblyzer",
    "similarity_dvector",
    "watermark_confidence",
    "reasons",
    "created_at",
    "answered_at",
)


class ConsentCheckInline(admin.TabularInline):  # type: ignore[type-arg]
    model = ConsentCheck
    fields = CONSENT_FIELDS
    readonly_fields = CONSENT_FIELDS
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(VoiceSample)
class VoiceSampleAdmin(ApiMadeAdmin):
    list_display = (
        "public_id",
        "name",
        "owner",
        "status",
        "consent_passed_at",
        "language",
        "duration",
        "quality_score",
        "created_at",
    )
    list_filter = ("status", "language", "format", ("consent_passed_at", admin.EmptyFieldListFilter))
    inlines = (ConsentCheckInline,)
    search_fields = ("public_id", "name", "owner__email")
    list_select_related = ("owner",)
    # What the service measured or decided is shown, not edited: only the name, description,
    # language and the choice among the sample's own voice models are staff's to change.
    readonly_fields = (
        "public_id",
        "owner",
        "source_file",
        "recording",
        "status",
        "format",
        "duration",
        "sample_rate",
        "channels",
        "file_size",
        "quality_score",
        "failure_reason",
        "embedding",
        "quality_report",
        "transcript",
        "consent_passed_at",
        "created_at",
        "updated_at",
    )

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        """The active model is chosen among this sample's own versions, never another's."""
        if db_field.name == "active_model":
            match = getattr(request, "resolver_match", None)
            sample_id = match.kwargs.get("object_id") if match is not None else None
            kwargs["queryset"] = (
                VoiceModel.objects.filter(voice_sample_id=sample_id) if sample_id else VoiceModel.objects.none()
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description="Recording")
    def recording(self, obj: VoiceSample) -> str:
        return stored_file_player(obj.source_file if obj.pk else None)


@admin.register(ConsentCheck)
class ConsentCheckAdmin(ApiMadeAdmin):
    """Every consent attempt: who, when, what was heard, the scores and the outcome. Read-only:
    the record of what happened."""

    list_display = (
        "public_id",
        "owner",
        "voice_sample",
        "outcome",
        "wer",
        "similarity_resemblyzer",
        "similarity_dvector",
        "watermark_confidence",
        "created_at",
        "answered_at",
    )
    list_filter = ("outcome", "created_at")
    search_fields = ("public_id", "owner__email", "voice_sample__public_id")
    list_select_related = ("owner", "voice_sample")
    readonly_fields = (*CONSENT_FIELDS, "owner", "voice_sample", "expires_at", "recording_seconds")

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False  # viewed, never edited

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
