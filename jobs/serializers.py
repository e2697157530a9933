from __future__ import annotations

from typing import Any

from django.conf import settings
from rest_framework import serializers

from files.links import download_url
from jobs.models import Job


class JobResultField(serializers.JSONField):
    """The job's result; one that names an output file (``file_id``) also gets its
    ``audio_url``, against the caller's base URL (REST: the request's; gRPC: PUBLIC_BASE_URL)."""

    def get_attribute(self, instance: Job) -> Any:
        return (super().get_attribute(instance), instance.owner.public_id)

    def to_representation(self, value: Any) -> Any:
        value, owner_id = value
        if not isinstance(value, dict) or not isinstance(value.get("file_id"), str):
            return super().to_representation(value)
        request = self.context.get("request")
        base_url = request.build_absolute_uri("/") if request is not None else settings.PUBLIC_BASE_URL
        shown: dict[str, Any] = {}
        for key, item in value.items():
            shown[key] = item
            if key == "file_id":
                shown["audio_url"] = download_url(base_url, item, user_id=owner_id)
        return super().to_representation(shown)


class JobFilterSerializer(serializers.Serializer[Any]):
    status = serializers.ChoiceField(choices=Job.Status.choices, required=False)
    type = serializers.ChoiceField(choices=Job.Type.choices, required=False)


class JobListItemSerializer(serializers.Serializer[Any]):
    job_id = serializers.CharField(source="public_id")
    type = serializers.CharField()
    status = serializers.CharField()
    progress = serializers.FloatField()
    title = serializers.CharField()
    created_at = serializers.DateTimeField()
    estimated_completion = serializers.DateTimeField(allow_null=True)


class JobDetailSerializer(JobListItemSerializer):
    message = serializers.CharField()
    started_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)
    attempts = serializers.IntegerField()
    result = JobResultField(allow_null=True)
    error = serializers.SerializerMethodField()

    def get_error(self, job: Job) -> dict[str, str] | None:
        if not job.error_code:
            return None
        return {"code": job.error_code, "message": job.error_message}


class ProgressTicketSerializer(serializers.Serializer[Any]):
    ticket = serializers.CharField()
    expires_in = serializers.IntegerField()
    url = serializers.CharField(help_text="The WebSocket path to open with this ticket.")
