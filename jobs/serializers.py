from __future__ import annotations

from typing import Any

from rest_framework import serializers

from jobs.models import Job


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


class JobErrorSerializer(serializers.Serializer[Any]):
    code = serializers.CharField()
    message = serializers.CharField()


class JobDetailSerializer(JobListItemSerializer):
    message = serializers.CharField()
    started_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)
    attempts = serializers.IntegerField()
    result = serializers.JSONField(allow_null=True)
    error = serializers.SerializerMethodField()

    def get_error(self, job: Job) -> dict[str, str] | None:
        if not job.error_code:
            return None
        return {"code": job.error_code, "message": job.error_message}


class ProgressTicketSerializer(serializers.Serializer[Any]):
    ticket = serializers.CharField()
    expires_in = serializers.IntegerField()
    url = serializers.CharField(help_text="The WebSocket path to open with this ticket.")
