"""Shapes of the admin API (GET /api/v1/admin/stats, /users, GET/PUT /config)."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers


class _UserStatsSerializer(serializers.Serializer[Any]):
    total = serializers.IntegerField()
    active_today = serializers.IntegerField(
        help_text="Signed in, refreshed a token, uploaded, trained or synthesised today (UTC)."
    )
    new_this_week = serializers.IntegerField(help_text="Registered in the last 7 days, today included.")


class _VoiceSampleStatsSerializer(serializers.Serializer[Any]):
    total = serializers.IntegerField()
    training = serializers.IntegerField()
    ready = serializers.IntegerField()


class _SynthesisStatsSerializer(serializers.Serializer[Any]):
    today = serializers.IntegerField(help_text="Completed syntheses today (UTC).")
    this_week = serializers.IntegerField(help_text="In the last 7 days, today included.")
    total = serializers.IntegerField()


class _SystemStatsSerializer(serializers.Serializer[Any]):
    cpu_usage = serializers.FloatField(help_text="Percent, over 0.1 s.")
    memory_usage = serializers.FloatField(help_text="Percent of the machine's memory in use.")
    disk_usage = serializers.FloatField(help_text="Percent of the data folder's file system in use.")


class _StorageStatsSerializer(serializers.Serializer[Any]):
    used_bytes = serializers.IntegerField(help_text="Bytes stored for all users (every stored file).")
    files = serializers.IntegerField(help_text="Stored files, of every kind.")
    limit_per_user_mb = serializers.IntegerField(help_text="The per-user storage cap in force (storage_mb_per_user).")


class AdminStatsSerializer(serializers.Serializer[Any]):
    users = _UserStatsSerializer()
    voice_samples = _VoiceSampleStatsSerializer()
    syntheses = _SynthesisStatsSerializer()
    storage = _StorageStatsSerializer()
    system = _SystemStatsSerializer()


class AdminUserFilterSerializer(serializers.Serializer[Any]):
    search = serializers.CharField(required=False, allow_blank=True, default="", help_text="Email or name contains.")
    is_active = serializers.BooleanField(required=False, allow_null=True, default=None)
    is_staff = serializers.BooleanField(required=False, allow_null=True, default=None)


class AdminUserSerializer(serializers.Serializer[Any]):
    user_id = serializers.CharField(source="public_id")
    email = serializers.EmailField()
    first_name = serializers.CharField()
    last_name = serializers.CharField()
    is_active = serializers.BooleanField()
    is_staff = serializers.BooleanField()
    created_at = serializers.DateTimeField()
    last_login = serializers.DateTimeField(allow_null=True)
    voice_samples = serializers.IntegerField(source="voice_sample_count")
    voices_consented = serializers.IntegerField(
        source="consented_voice_count", help_text="Voice samples whose speaker passed the spoken consent check."
    )
    jobs = serializers.IntegerField(source="job_count")
    syntheses = serializers.IntegerField(source="synthesis_count")
    outputs_watermarked = serializers.IntegerField(
        source="watermarked_output_count", help_text="Syntheses whose output carries the watermark."
    )
    storage_used_bytes = serializers.IntegerField(help_text="Bytes this user stores (of storage_mb_per_user).")
