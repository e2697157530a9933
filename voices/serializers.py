from __future__ import annotations

from typing import Any

from rest_framework import serializers

from voices.models import VoiceSample

LANGUAGE_PATTERN = r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$"


class VoiceSampleUploadSerializer(serializers.Serializer[Any]):
    name = serializers.CharField(max_length=100)
    description = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    language = serializers.RegexField(LANGUAGE_PATTERN, max_length=16, required=False, default="en-US")
    # Empty files are accepted here so the service can answer with its own EMPTY_FILE code.
    file = serializers.FileField(allow_empty_file=True, use_url=False)


class VoiceSampleFilterSerializer(serializers.Serializer[Any]):
    status = serializers.ChoiceField(choices=VoiceSample.Status.choices, required=False)
    language = serializers.RegexField(LANGUAGE_PATTERN, max_length=16, required=False)


class VoiceSampleListItemSerializer(serializers.Serializer[Any]):
    sample_id = serializers.CharField(source="public_id")
    name = serializers.CharField()
    status = serializers.CharField()
    duration = serializers.FloatField()
    language = serializers.CharField()
    quality_score = serializers.FloatField()
    created_at = serializers.DateTimeField()


class QualityIssueSerializer(serializers.Serializer[Any]):
    code = serializers.CharField()
    message = serializers.CharField()


class VoiceSampleDetailSerializer(serializers.Serializer[Any]):
    sample_id = serializers.CharField(source="public_id")
    name = serializers.CharField()
    description = serializers.CharField()
    status = serializers.CharField()
    format = serializers.CharField()
    duration = serializers.FloatField()
    language = serializers.CharField()
    file_size = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    quality_score = serializers.FloatField()
    quality_issues = serializers.SerializerMethodField()
    sample_rate = serializers.IntegerField()
    transcript = serializers.CharField()
    file_id = serializers.CharField(source="source_file.public_id")

    def get_quality_issues(self, sample: VoiceSample) -> list[dict[str, str]]:
        issues = sample.quality_report.get("issues", [])
        return [{"code": issue["code"], "message": issue["message"]} for issue in issues]


class SimilarQuerySerializer(serializers.Serializer[Any]):
    limit = serializers.IntegerField(min_value=1, max_value=50, required=False, default=5)


class SimilarItemSerializer(serializers.Serializer[Any]):
    sample_id = serializers.CharField(source="sample.public_id")
    name = serializers.CharField(source="sample.name")
    score = serializers.FloatField(help_text="Cosine similarity of the two speaker embeddings (1 = identical).")


class SimilarOutputSerializer(serializers.Serializer[Any]):
    sample_id = serializers.CharField()
    similar = SimilarItemSerializer(many=True)
