from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html

from files.models import StoredFile
from files.responses import file_response
from voxify_project.admin_base import ApiMadeAdmin
from voxify_project.errors import RangeNotSatisfiable


def _content_url(stored_file: StoredFile) -> str:
    return reverse("admin:files_storedfile_content", args=[stored_file.pk])


def stored_file_player(stored_file: StoredFile | None) -> str:
    """An inline <audio> player for staff pages (the bytes come from the admin's own view)."""
    if stored_file is None:
        return "-"
    url = _content_url(stored_file)
    return format_html(
        '<audio controls preload="none" src="{}" type="{}"></audio> <a href="{}">{}</a>',
        url,
        stored_file.content_type,
        url,
        stored_file.filename,
    )


@admin.register(StoredFile)
class StoredFileAdmin(ApiMadeAdmin):
    list_display = ("public_id", "owner", "kind", "filename", "content_type", "size", "created_at", "expires_at")
    list_filter = ("kind", "content_type")
    search_fields = ("public_id", "filename", "owner__email")
    readonly_fields = ("public_id", "storage_key", "sha256", "size", "created_at", "player")
    raw_id_fields = ("owner",)

    @admin.display(description="Content")
    def player(self, obj: StoredFile) -> str:
        if obj.content_type.startswith("audio/"):
            return stored_file_player(obj)
        return format_html('<a href="{}">{}</a>', _content_url(obj), obj.filename)

    def get_urls(self) -> list[Any]:
        extra: list[URLPattern] = [
            path(
                "<int:pk>/content/",
                self.admin_site.admin_view(self.content_view),
                name="files_storedfile_content",
            )
        ]
        return extra + super().get_urls()

    def content_view(self, request: HttpRequest, pk: int) -> HttpResponseBase:
        """The file's bytes for staff (inline, Range-capable so the player can seek)."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        stored_file = get_object_or_404(StoredFile, pk=pk)
        try:
            return file_response(request, stored_file, as_attachment=False)
        except RangeNotSatisfiable:
            return HttpResponse(status=416, headers={"Content-Range": f"bytes */{stored_file.size}"})
