from django.contrib import admin

from jobs.models import Job


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("public_id", "type", "status", "progress", "owner", "attempts", "created_at", "finished_at")
    list_filter = ("type", "status")
    search_fields = ("public_id", "title", "owner__email")
    readonly_fields = [field.name for field in Job._meta.fields]
