"""Reads of voice samples. Another user's sample is simply not found."""

from __future__ import annotations

from django.db.models import QuerySet

from accounts.models import User
from voices.models import VoiceSample
from voxify_project.errors import NotFound


def voice_sample_list(*, user: User, status: str | None = None, language: str | None = None) -> QuerySet[VoiceSample]:
    samples = VoiceSample.objects.filter(owner=user).order_by("-created_at", "-id")
    if status:
        samples = samples.filter(status=status)
    if language:
        samples = samples.filter(language__iexact=language)
    return samples


def voice_sample_get(*, user: User, sample_id: str) -> VoiceSample:
    sample = (
        VoiceSample.objects.select_related("source_file", "active_model__artefact_file")
        .filter(owner=user, public_id=sample_id)
        .first()
    )
    if sample is None:
        raise NotFound("Voice sample not found.", code="VOICE_SAMPLE_NOT_FOUND")
    return sample
