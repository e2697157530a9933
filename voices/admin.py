from django.contrib import admin

from files.admin import stored_file_player
from voices.models import VoiceSample
from voxify_project.admin_base import ApiMadeAdmin


@admin.register(VoiceSample)
class VoiceSampleAdmin(ApiMadeAdmin):
    list_display = ("public_id", "name", "owner", "status", "language", "duration", "quality_score", "created_at")
    list_filter = ("status", "language", "format")
    search_fields = ("public_id", "name", "owner__email")
    list_select_related = ("owner",)
    readonly_fields = (
        "public_id",
        "recording",
        "embedding",
        "quality_report",
        "transcript",
        "created_at",
        "updated_at",
    )
    raw_id_fields = ("owner", "source_file")

    @admin.display(description="Recording")
    def recording(self, obj: VoiceSample) -> str:
        return stored_file_player(obj.source_file if obj.pk else None)
