from django.contrib import admin

from synthesis.models import PronunciationDictionary, Synthesis
from voxify_project.admin_base import ApiMadeAdmin


@admin.register(Synthesis)
class SynthesisAdmin(ApiMadeAdmin):
    list_display = ("public_id", "owner", "mode", "status", "voice_id", "characters", "duration", "created_at")
    list_filter = ("mode", "status", "output_format")
    search_fields = ("public_id", "owner__email", "voice_id")
    readonly_fields = ("public_id", "created_at", "finished_at", "processing_seconds")
    raw_id_fields = ("owner", "voice_sample", "voice_model", "output_file", "job")


@admin.register(PronunciationDictionary)
class PronunciationDictionaryAdmin(ApiMadeAdmin):
    list_display = ("public_id", "owner", "name", "is_default", "created_at")
    list_filter = ("is_default",)
    search_fields = ("public_id", "owner__email", "name")
    readonly_fields = ("public_id", "created_at", "updated_at")
    raw_id_fields = ("owner",)
