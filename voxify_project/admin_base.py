"""Shared pieces of the apps' admin pages."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest


class ApiMadeAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Admin for rows that only the service makes (through the API or a job): no add page."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
