from __future__ import annotations

from typing import Any

from rest_framework import serializers


class FileInfoOutputSerializer(serializers.Serializer[Any]):
    file_id = serializers.CharField(source="public_id")
    filename = serializers.CharField()
    content_type = serializers.CharField()
    size = serializers.IntegerField()
    duration = serializers.FloatField(allow_null=True)
    sample_rate = serializers.IntegerField(allow_null=True)
    created_at = serializers.DateTimeField()
    expires_at = serializers.DateTimeField(allow_null=True)
