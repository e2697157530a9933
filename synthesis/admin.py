from django.contrib import admin
from django.http import HttpRequest

from synthesis.models import Synthesis


@admin.register(Synthesis)
class SynthesisAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("public_id", "owner", "mode", "status", "voice_id", "characters", "duration", "created_at")
    list_filter = ("mode", "status", "output_format")
    search_fields = ("public_id", "owner__email", "voice_id")
    readonly_fields = ("public_id", "created_at", "finished_at", "processing_seconds")
    raw_id_fields = ("owner", "voice_sample", "voice_model", "output_file", "job")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # made through the API only
