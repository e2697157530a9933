"""Stored files: every byte a user uploads or Voxify produces, behind a public ``file_…`` id."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone

from voxify_project.ids import new_public_id


def new_file_id() -> str:
    return new_public_id("file")


class StoredFile(models.Model):
    """A file in the configured storage. The key is chosen by the server, never by the user."""

    class Kind(models.TextChoices):
        VOICE_SAMPLE = "voice_sample", "Voice sample"
        SYNTHESIS = "synthesis", "Synthesis output"
        SYNTHESIS_CHUNK = "synthesis_chunk", "Streamed synthesis chunk"
        UPLOAD = "upload", "Uploaded audio file"
        VOICE_MODEL = "voice_model", "Voice model artefact"

    public_id = models.CharField(max_length=32, unique=True, default=new_file_id, editable=False)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="files")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    storage_key = models.CharField(max_length=255, unique=True)
    filename = models.CharField(max_length=255, help_text="Display name, sanitised; not used for storage.")
    content_type = models.CharField(max_length=100)
    size = models.BigIntegerField()
    sha256 = models.CharField(max_length=64)
    duration = models.FloatField(null=True, blank=True)
    sample_rate = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    expires_at = models.DateTimeField(null=True, blank=True, db_index=True)

    class Meta:
        ordering = ("-created_at",)
        indexes = [models.Index(fields=["owner", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.public_id} ({self.filename})"

    @property
    def etag(self) -> str:
        return f'"{self.sha256}"'

    # Files that belong to a voice sample or model go with it, never on their own.
    OWNED_KINDS = (Kind.VOICE_SAMPLE, Kind.VOICE_MODEL)

    def is_expired(self, now: datetime | None = None) -> bool:
        return self.expires_at is not None and self.expires_at <= (now or timezone.now())
