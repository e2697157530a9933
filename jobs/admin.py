from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from jobs.models import Job
from jobs.services import JobNotCancellable, job_cancel
from voxify_project.admin_base import ApiMadeAdmin


@admin.register(Job)
class JobAdmin(ApiMadeAdmin):
    list_display = ("public_id", "type", "status", "progress", "owner", "attempts", "created_at", "finished_at")
    list_filter = ("type", "status", "created_at")
    search_fields = ("public_id", "title", "owner__email")
    list_select_related = ("owner",)
    readonly_fields = [field.name for field in Job._meta.fields]
    actions = ("cancel_jobs",)

    @admin.action(description="Cancel selected jobs")
    def cancel_jobs(self, request: HttpRequest, queryset: QuerySet[Job]) -> None:
        cancelled, finished = 0, 0
        for job in queryset:
            try:
                job_cancel(job=job)
                cancelled += 1
            except JobNotCancellable:
                finished += 1
        if cancelled:
            self.message_user(request, f"Cancelled {cancelled} job(s).", messages.SUCCESS)
        if finished:
            self.message_user(request, f"{finished} job(s) had already finished; left as they are.", messages.WARNING)
