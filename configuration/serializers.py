"""The configuration API's shape (GET/PUT /api/v1/admin/config, served by operations)."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from configuration.config import CONFIG_FIELDS, unknown_field_errors
from configuration.models import SystemConfig


class SystemConfigSerializer(serializers.ModelSerializer[SystemConfig]):
    """Every field is optional on PUT (a partial update); unknown names are refused."""

    class Meta:
        model = SystemConfig
        fields = (*CONFIG_FIELDS, "updated_at")
        read_only_fields = ("updated_at",)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        unknown = unknown_field_errors(self.initial_data) if isinstance(self.initial_data, dict) else {}
        if unknown:
            raise serializers.ValidationError(unknown)
        return attrs
