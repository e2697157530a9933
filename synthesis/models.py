"""Syntheses: one request to speak a text, made synchronously, as a job, or as a stream."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from jobs.models import WorkStatus
from voxify_project.ids import new_public_id


def new_synthesis_id() -> str:
    return new_public_id("syn")


class Synthesis(models.Model):
    """What was asked (text, voice, output settings) and what came of it (the file).

    For an asynchronous synthesis the job is the source of truth while it runs; the row is
    brought up to date when the job ends.
    """

    engine_seconds: float | None = None  # a synchronous synthesis's render + encode time (not stored)

    class Mode(models.TextChoices):
        SYNC = "sync", "Synchronous"
        ASYNC = "async", "Asynchronous job"
        STREAM = "stream", "Server-sent events stream"

    Status = WorkStatus  # the jobs' vocabulary; an async synthesis's job is the truth (selectors)
    TERMINAL = WorkStatus.terminal()

    public_id = models.CharField(max_length=32, unique=True, default=new_synthesis_id, editable=False)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="syntheses")
    mode = models.CharField(max_length=8, choices=Mode.choices)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING)
    voice_id = models.CharField(max_length=64, help_text="A built-in voice id or the voice sample's vs_ id.")
    voice_sample = models.ForeignKey(
        "voices.VoiceSample", null=True, blank=True, on_delete=models.SET_NULL, related_name="syntheses"
    )
    voice_model = models.ForeignKey(
        "voices.VoiceModel", null=True, blank=True, on_delete=models.SET_NULL, related_name="syntheses"
    )
    text = models.TextField(help_text="What is spoken, as written: an SSML request's text without its markup.")
    input_type = models.CharField(max_length=8, default="text", help_text="text or ssml: how the request's text read.")
    normalize = models.BooleanField(default=True, help_text="Numbers, dates and abbreviations expanded.")
    script = models.JSONField(
        null=True, blank=True, help_text="The pieces the engine reads, with their prosody and pauses (speech.script)."
    )
    dictionary_id = models.CharField(
        max_length=32, blank=True, help_text="The pronunciation dictionary applied (its dict_ id), if any."
    )
    characters = models.PositiveIntegerField()
    output_format = models.CharField(max_length=8)
    sample_rate = models.PositiveIntegerField()
    speed = models.FloatField(default=1.0)
    pitch = models.FloatField(default=1.0)
    volume = models.FloatField(default=1.0)
    similarity = models.FloatField(
        null=True, blank=True, help_text="Requested identity strength of a cloned voice (null: the voice's own)."
    )
    keep = models.BooleanField(default=False, help_text="Keep the output past FILE_TTL_HOURS.")
    timestamps = models.CharField(max_length=8, default="none", help_text="Requested timestamps: none or word.")
    word_timestamps = models.JSONField(
        null=True, blank=True, help_text="[{word, start, end}] in seconds of the output, for each written word."
    )
    watermark = models.CharField(
        max_length=40,
        blank=True,
        help_text="The watermark every piece of the output carries (speech.watermark); empty on outputs made before.",
    )
    pieces_total = models.PositiveIntegerField(default=0)
    pieces_done = models.PositiveIntegerField(default=0)
    budget_seconds = models.PositiveIntegerField(
        default=0,
        help_text="The request budget's estimate of its audio, rounded up: what the daily audio quota counts "
        "(ADR 0020); 0 on syntheses made before.",
    )
    duration = models.FloatField(null=True, blank=True, help_text="Seconds of audio produced.")
    output_file = models.ForeignKey(
        "files.StoredFile", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    job = models.OneToOneField("jobs.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="synthesis")
    error_code = models.CharField(max_length=64, blank=True)
    error_message = models.CharField(max_length=500, blank=True)
    processing_seconds = models.FloatField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at",)
        verbose_name_plural = "syntheses"
        indexes = [models.Index(fields=["owner", "-created_at"]), models.Index(fields=["status", "created_at"])]

    def __str__(self) -> str:
        return f"{self.public_id} {self.mode} {self.status}"

    @property
    def is_terminal(self) -> bool:
        return self.status in self.TERMINAL


def new_dictionary_id() -> str:
    return new_public_id("dict")


class PronunciationDictionary(models.Model):
    """A user's words and phrases with how to say them (speech.lexicon), chosen per synthesis
    (``config.dictionary_id``) or used by default (``is_default``, one per user)."""

    public_id = models.CharField(max_length=32, unique=True, default=new_dictionary_id, editable=False)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="dictionaries")
    name = models.CharField(max_length=100)
    description = models.CharField(max_length=500, blank=True)
    is_default = models.BooleanField(default=False)
    entries = models.JSONField(default=list, help_text="[{term, alias | phonemes, case_sensitive}], validated.")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("-created_at",)
        verbose_name_plural = "pronunciation dictionaries"
        constraints = [
            models.UniqueConstraint(
                fields=["owner"], condition=models.Q(is_default=True), name="one_default_dictionary_per_user"
            )
        ]

    def __str__(self) -> str:
        return f"{self.public_id} {self.name}"
