"""Voice samples: a user's recording, its analysis, and its speaker embedding."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from voxify_project.ids import new_public_id


def new_sample_id() -> str:
    return new_public_id("vs")


class VoiceSample(models.Model):
    """One uploaded recording of a speaker. Its vector lives in Chroma under ``public_id``."""

    class Status(models.TextChoices):
        UPLOADED = "uploaded", "Uploaded"
        TRAINING = "training", "Training"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"

    public_id = models.CharField(max_length=32, unique=True, default=new_sample_id, editable=False)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="voice_samples")
    name = models.CharField(max_length=100)
    description = models.CharField(max_length=500, blank=True)
    language = models.CharField(max_length=16, default="en-US")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.UPLOADED)
    format = models.CharField(max_length=8)
    duration = models.FloatField()
    sample_rate = models.PositiveIntegerField()
    channels = models.PositiveSmallIntegerField()
    file_size = models.BigIntegerField()
    quality_score = models.FloatField()
    quality_report = models.JSONField(default=dict, help_text="Measurements and issues behind the score.")
    transcript = models.TextField(blank=True)
    embedding = models.BinaryField(help_text="256 float32 values; the copy Chroma can be rebuilt from.")
    source_file = models.ForeignKey("files.StoredFile", on_delete=models.PROTECT, related_name="+")
    active_model = models.ForeignKey(
        "voices.VoiceModel",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The trained voice used for synthesis; replaced only when a newer training succeeds.",
    )
    failure_reason = models.CharField(max_length=500, blank=True)
    consent_passed_at = models.DateTimeField(
        null=True, blank=True, help_text="When the sample's speaker passed the spoken consent check (voices.consent)."
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("-created_at",)
        indexes = [models.Index(fields=["owner", "-created_at"]), models.Index(fields=["owner", "status"])]

    def __str__(self) -> str:
        return f"{self.public_id} {self.name}"


def new_model_id() -> str:
    return new_public_id("vm")


class VoiceModel(models.Model):
    """One trained version of a sample's voice: a small artefact in storage plus its scores."""

    public_id = models.CharField(max_length=32, unique=True, default=new_model_id, editable=False)
    voice_sample = models.ForeignKey(VoiceSample, on_delete=models.CASCADE, related_name="models")
    version = models.PositiveIntegerField()
    method = models.CharField(max_length=40)
    artefact_file = models.ForeignKey("files.StoredFile", on_delete=models.PROTECT, related_name="+")
    config = models.JSONField(default=dict)
    validation = models.JSONField(default=dict, help_text="Similarity to the sample, WER of a test sentence.")
    fit = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ("-version",)
        constraints = [models.UniqueConstraint(fields=["voice_sample", "version"], name="voice_model_version_unique")]

    def __str__(self) -> str:
        return f"{self.voice_sample.public_id} v{self.version}"


def new_consent_id() -> str:
    return new_public_id("cns")


class ConsentCheck(models.Model):
    """One consent phrase issued for a sample, and the recording that answered it.

    A phrase is valid for a few minutes and answers once: the first recording that can be
    judged uses it up, whatever the outcome. The row is the record of the attempt (who, when,
    the scores, the outcome); the recording itself is not kept.
    """

    class Outcome(models.TextChoices):
        PENDING = "pending", "Waiting for the recording"
        PASSED = "passed", "Passed"
        REFUSED = "refused", "Refused"
        EXPIRED = "expired", "Answered after it expired"

    public_id = models.CharField(max_length=32, unique=True, default=new_consent_id, editable=False)
    voice_sample = models.ForeignKey(VoiceSample, on_delete=models.CASCADE, related_name="consent_checks")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="consent_checks")
    phrase = models.CharField(max_length=200)
    outcome = models.CharField(max_length=8, choices=Outcome.choices, default=Outcome.PENDING)
    reasons = models.JSONField(default=list, blank=True, help_text="Why it was refused (speech.consent codes).")
    transcript = models.TextField(blank=True, help_text="What Whisper heard.")
    wer = models.FloatField(null=True, blank=True, help_text="Word error rate of the transcript against the phrase.")
    similarity_resemblyzer = models.FloatField(null=True, blank=True)
    similarity_dvector = models.FloatField(null=True, blank=True)
    watermark_confidence = models.FloatField(null=True, blank=True)
    recording_seconds = models.FloatField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    expires_at = models.DateTimeField()
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at",)
        indexes = [models.Index(fields=["voice_sample", "-created_at"]), models.Index(fields=["owner", "outcome"])]

    def __str__(self) -> str:
        return f"{self.public_id} {self.outcome}"
