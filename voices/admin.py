from django.contrib import admin

from voices.models import VoiceSample


@admin.register(VoiceSample)
class VoiceSampleAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("public_id", "name", "owner", "status", "language", "duration", "quality_score", "created_at")
    list_filter = ("status", "language", "format")
    search_fields = ("public_id", "name", "owner__email")
    readonly_fields = ("public_id", "embedding", "quality_report", "transcript", "created_at", "updated_at")
    raw_id_fields = ("owner", "source_file")
