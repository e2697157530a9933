"""The configuration page: one row, edited in place (no list, no add, no delete)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from configuration.config import CONFIG_FIELDS, system_config, system_config_forget
from configuration.models import SystemConfig


@admin.register(SystemConfig)
class SystemConfigAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    fieldsets = (
        ("Voice samples and uploads", {"fields": CONFIG_FIELDS[:5]}),
        ("Synthesis", {"fields": CONFIG_FIELDS[5:11]}),
        ("API and files", {"fields": CONFIG_FIELDS[11:14]}),
        ("Responsible use", {"fields": CONFIG_FIELDS[14:]}),
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
