from __future__ import annotations

from typing import Any

from rest_framework import serializers

from speech.bases import AUTO_BASE
from speech.engines import parse_voice
from speech.voice_methods.base import TrainingConfig
from voices.models import ConsentCheck, VoiceSample

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


class VoiceModelSerializer(serializers.Serializer[Any]):
    model_id = serializers.CharField(source="public_id")
    version = serializers.IntegerField()
    file_id = serializers.CharField(source="artefact_file.public_id", help_text="The artefact (JSON) in storage.")
    method = serializers.CharField()
    created_at = serializers.DateTimeField()
    validation = serializers.JSONField(
        help_text="The trained voice judged on test_sentence: similarity and dvec_similarity (two speaker "
        "encoders, to the sample), naturalness (DistillMOS 1-5), wer, the built-in voice's baseline_* values, "
        "better_than_builtin, similarity_setting (the voice's default similarity)"
    )


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
    failure_reason = serializers.CharField()
    voice_model = VoiceModelSerializer(source="active_model", allow_null=True)
    consent_passed_at = serializers.DateTimeField(
        allow_null=True, help_text="When the speaker passed the spoken consent check; null: not yet."
    )

    def get_quality_issues(self, sample: VoiceSample) -> list[dict[str, str]]:
        issues = sample.quality_report.get("issues", [])
        return [{"code": issue["code"], "message": issue["message"]} for issue in issues]


class TrainingConfigSerializer(serializers.Serializer[Any]):
    epochs = serializers.IntegerField(
        min_value=1,
        max_value=1000,
        default=TrainingConfig.epochs,
        help_text="Upper bound on search epochs (the fit stops when converged).",
    )
    learning_rate = serializers.FloatField(
        min_value=0.0001,
        max_value=0.1,
        default=TrainingConfig.learning_rate,
        help_text="Resolution of the fit: stop when the search step is below it.",
    )
    batch_size = serializers.IntegerField(
        min_value=2, max_value=64, default=TrainingConfig.batch_size, help_text="Candidate voices evaluated per epoch."
    )
    base = serializers.CharField(
        max_length=64,
        required=False,
        allow_blank=True,
        help_text="The voice the clone starts from; not given: the installation's VOICE_TRAINING_BASE (Piper's "
        "voice unless configured). Empty for Piper's voice, a built-in voice (jf_alpha) or a blend of Kokoro's "
        "voices (jf_alpha(2)+jm_kumo(1)), or auto: the voice nearest the sample among the built-in voices, "
        "their blends and a fitted style (docs/jobs.md).",
    )

    def validate_base(self, value: str) -> str:
        if value in ("", AUTO_BASE):
            return value
        try:
            return parse_voice(value).spec
        except ValueError as error:
            raise serializers.ValidationError(str(error)) from error


class TrainInputSerializer(serializers.Serializer[Any]):
    config = TrainingConfigSerializer(required=False)


class TrainOutputSerializer(serializers.Serializer[Any]):
    training_job_id = serializers.CharField()
    estimated_duration = serializers.IntegerField(help_text="Seconds.")
    status = serializers.CharField()


class SimilarQuerySerializer(serializers.Serializer[Any]):
    limit = serializers.IntegerField(min_value=1, max_value=50, required=False, default=5)


class SimilarItemSerializer(serializers.Serializer[Any]):
    sample_id = serializers.CharField(source="sample.public_id")
    name = serializers.CharField(source="sample.name")
    score = serializers.FloatField(help_text="Cosine similarity of the two speaker embeddings (1 = identical).")


class SimilarOutputSerializer(serializers.Serializer[Any]):
    sample_id = serializers.CharField()
    similar = SimilarItemSerializer(many=True)


class ConsentAnswerInputSerializer(serializers.Serializer[Any]):
    # Empty files are accepted here so the service can answer with its own EMPTY_FILE code.
    file = serializers.FileField(allow_empty_file=True, use_url=False)


class ConsentCheckSerializer(serializers.Serializer[Any]):
    consent_id = serializers.CharField(source="public_id")
    sample_id = serializers.CharField(source="voice_sample.public_id")
    phrase = serializers.CharField(help_text="What the sample's speaker is to read, as it is written.")
    outcome = serializers.CharField(help_text="pending, passed, refused or expired.")
    passed = serializers.SerializerMethodField()
    reasons = serializers.ListField(
        child=serializers.CharField(),
        help_text="Why it was refused: PHRASE_NOT_HEARD, SPEAKER_MISMATCH, SYNTHETIC_SPEECH.",
    )
    transcript = serializers.CharField(help_text="What Whisper heard (empty until answered).")
    created_at = serializers.DateTimeField()
    expires_at = serializers.DateTimeField()
    answered_at = serializers.DateTimeField(allow_null=True)

    def get_passed(self, check: ConsentCheck) -> bool:
        return check.outcome == ConsentCheck.Outcome.PASSED
