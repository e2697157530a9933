from django.contrib import admin

from files.models import StoredFile


@admin.register(StoredFile)
class StoredFileAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("public_id", "owner", "kind", "filename", "content_type", "size", "created_at", "expires_at")
    list_filter = ("kind", "content_type")
    search_fields = ("public_id", "filename", "owner__email")
    readonly_fields = ("public_id", "storage_key", "sha256", "size", "created_at")
    raw_id_fields = ("owner",)
