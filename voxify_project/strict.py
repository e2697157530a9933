"""Serializers that refuse fields they do not know: a typo (``"voice"`` for ``"voice_id"``,
``"format"`` outside ``config``) must not silently change the result."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rest_framework import serializers


class StrictFields:
    """Mix into a DRF serializer (before it): unknown keys are a 400 VALIDATION_ERROR naming
    each one, nested serializers included (their errors sit under the parent field)."""

    fields: Any

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, Mapping):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                raise serializers.ValidationError({name: ["Unknown field."] for name in unknown})
        return super().to_internal_value(data)  # type: ignore[misc]
