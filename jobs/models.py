"""Jobs: long-running work (voice training, synthesis) with status, progress and result.

The row is the source of truth. Celery carries the work and the channel layer carries
notifications; either may lose a message, the row never lies.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class WorkStatus(models.TextChoices):
    """The one status vocabulary of long work: jobs and syntheses."""

    PENDING = "pending", "Pending"
    RUNNING = "running", "Running"
    COMPLETED = "completed", "Completed"
    FAILED = "failed", "Failed"
    CANCELLED = "cancelled", "Cancelled"

    @classmethod
    def terminal(cls) -> tuple[WorkStatus, ...]:
        return (cls.COMPLETED, cls.FAILED, cls.CANCELLED)


class Job(models.Model):
    class Type(models.TextChoices):
        VOICE_TRAINING = "voice_training", "Voice training"
        SYNTHESIS = "synthesis", "Synthesis"

    Status = WorkStatus
    TERMINAL = WorkStatus.terminal()
    ID_PREFIXES = {Type.VOICE_TRAINING: "job_train", Type.SYNTHESIS: "job_syn"}

    public_id = models.CharField(max_length=40, unique=True, editable=False)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="jobs")
    type = models.CharField(max_length=20, choices=Type.choices)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING, db_index=True)
    progress = models.FloatField(default=0.0)
    message = models.CharField(max_length=255, blank=True)
    title = models.CharField(max_length=200)
    params = models.JSONField(default=dict, blank=True)
    result = models.JSONField(null=True, blank=True)
    error_code = models.CharField(max_length=64, blank=True)
    error_message = models.CharField(max_length=500, blank=True)
    subject = models.CharField(
        max_length=40,
        blank=True,
        db_index=True,
        help_text="The public id of what the job works on (a voice sample's vs_ id), to find and cancel its jobs.",
    )
    cancel_requested = models.BooleanField(default=False)
    attempts = models.PositiveSmallIntegerField(default=0, help_text="How many times a worker started this job.")
    max_attempts = models.PositiveSmallIntegerField(default=2)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    enqueued_at = models.DateTimeField(null=True, blank=True)
    estimated_duration = models.FloatField(default=0.0, help_text="Seconds, estimated at creation.")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    estimated_completion = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at",)
        indexes = [models.Index(fields=["owner", "-created_at"]), models.Index(fields=["status", "heartbeat_at"])]

    def __str__(self) -> str:
        return f"{self.public_id} {self.type} {self.status}"

    @property
    def is_terminal(self) -> bool:
        return self.status in self.TERMINAL
