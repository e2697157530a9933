"""Voice sample endpoints: thin adapters over ``voices.services`` and ``voices.selectors``."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.selectors import user_from_request
from speech.voice_methods.base import TrainingConfig
from voices import consent, selectors, services
from voices.serializers import (
    ConsentAnswerInputSerializer,
    ConsentCheckSerializer,
    SimilarOutputSerializer,
    SimilarQuerySerializer,
    TrainInputSerializer,
    TrainOutputSerializer,
    VoiceSampleDetailSerializer,
    VoiceSampleFilterSerializer,
    VoiceSampleListItemSerializer,
    VoiceSampleUploadSerializer,
)
from voices.training import voice_training_start
from voxify_project.envelope import ok
from voxify_project.openapi import enveloped, error_responses
from voxify_project.pagination import PAGE_PARAMETERS, paginated_as, paginated_response, paginated_schema
from voxify_project.parsers import SafeJSONParser


class VoiceSampleListCreateView(APIView):
    parser_classes = [MultiPartParser, FormParser, SafeJSONParser]
    pagination_class = paginated_as("samples")

    @extend_schema(
        operation_id="voice_samples_list",
        parameters=[VoiceSampleFilterSerializer, *PAGE_PARAMETERS],
        responses={
            200: paginated_schema(pagination_class, VoiceSampleListItemSerializer, "VoiceSampleList"),
            **error_responses(400, 401),
        },
        tags=["voice"],
    )
    def get(self, request: Request) -> Response:
        filters = VoiceSampleFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        samples = selectors.voice_sample_list(user=user_from_request(request), **filters.validated_data)
        return paginated_response(self.pagination_class, request, samples, VoiceSampleListItemSerializer)

    @extend_schema(
        operation_id="voice_samples_upload",
        request={"multipart/form-data": VoiceSampleUploadSerializer},
        responses={
            201: enveloped(VoiceSampleDetailSerializer, "VoiceSampleEnvelope"),
            **error_responses(400, 401, 413, 415, 422, 429),
        },
        tags=["voice"],
        description="Upload a recording (WAV, FLAC, Ogg Vorbis/Opus, MP3, WebM/Opus or MP4/AAC as browsers "
        "record, recognised by content). It is checked, analysed (quality score), embedded and, for English, "
        "transcribed.",
    )
    def post(self, request: Request) -> Response:
        serializer = VoiceSampleUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        sample = services.voice_sample_create(owner=user_from_request(request), upload=data.pop("file"), **data)
        return ok(VoiceSampleDetailSerializer(sample).data, "Voice sample uploaded successfully", status=201)


class VoiceSampleDetailView(APIView):
    @extend_schema(
        operation_id="voice_samples_get",
        responses={200: enveloped(VoiceSampleDetailSerializer, "VoiceSampleEnvelope"), **error_responses(401, 404)},
        tags=["voice"],
    )
    def get(self, request: Request, sample_id: str) -> Response:
        sample = selectors.voice_sample_get(user=user_from_request(request), sample_id=sample_id)
        return ok(VoiceSampleDetailSerializer(sample).data)

    @extend_schema(
        operation_id="voice_samples_delete",
        responses={
            200: enveloped(VoiceSampleListItemSerializer, "VoiceSampleDeletedEnvelope"),
            **error_responses(401, 404),
        },
        tags=["voice"],
    )
    def delete(self, request: Request, sample_id: str) -> Response:
        sample = selectors.voice_sample_get(user=user_from_request(request), sample_id=sample_id)
        data = VoiceSampleListItemSerializer(sample).data
        services.voice_sample_delete(sample=sample)
        return ok(data, "Voice sample deleted")


class VoiceSampleTrainView(APIView):
    @extend_schema(
        operation_id="voice_samples_train",
        request=TrainInputSerializer,
        responses={
            202: enveloped(TrainOutputSerializer, "TrainEnvelope"),
            **error_responses(400, 401, 403, 404, 409),
        },
        tags=["voice"],
        description="Start training a voice from the sample, as a job (`job_train_…`). Follow it with "
        "`GET /api/v1/jobs/{job_id}` or the progress WebSocket. 403 `CONSENT_REQUIRED` until the sample's "
        "speaker has passed the consent check (`POST /api/v1/voice/samples/{sample_id}/consent`).",
    )
    def post(self, request: Request, sample_id: str) -> Response:
        serializer = TrainInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        config = serializer.validated_data.get("config", {})  # absent: TrainingConfig's defaults
        sample = selectors.voice_sample_get(user=user_from_request(request), sample_id=sample_id)
        job = voice_training_start(sample=sample, config=TrainingConfig(**config))
        data = {
            "training_job_id": job.public_id,
            "estimated_duration": int(job.estimated_duration),
            "status": job.status,
        }
        return ok(TrainOutputSerializer(data).data, "Voice training job created", status=202)


class VoiceSampleSimilarView(APIView):
    @extend_schema(
        operation_id="voice_samples_similar",
        parameters=[SimilarQuerySerializer],
        responses={200: enveloped(SimilarOutputSerializer, "SimilarSamplesEnvelope"), **error_responses(400, 401, 404)},
        tags=["voice"],
    )
    def get(self, request: Request, sample_id: str) -> Response:
        query = SimilarQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        sample = selectors.voice_sample_get(user=user_from_request(request), sample_id=sample_id)
        similar = services.voice_sample_similar(sample=sample, limit=query.validated_data["limit"])
        return ok(SimilarOutputSerializer({"sample_id": sample.public_id, "similar": similar}).data)


CONSENT_FLOW = (
    "The spoken consent check (docs/responsible-use.md): the sample's speaker reads a random phrase, "
    "valid for 5 minutes and answered once; it passes when Whisper hears the phrase, both speaker "
    "encoders place the speaker with the sample, and the recording carries no Voxify watermark. "
    "Training answers 403 `CONSENT_REQUIRED` until a check has passed (while the live configuration's "
    "`consent_required` is on)."
)


class VoiceSampleConsentView(APIView):
    pagination_class = paginated_as("consent_checks")

    @extend_schema(
        operation_id="voice_samples_consent_issue",
        request=None,
        responses={201: enveloped(ConsentCheckSerializer, "ConsentCheckEnvelope"), **error_responses(401, 404)},
        tags=["voice"],
        description="A new consent phrase for the sample's speaker to read. " + CONSENT_FLOW,
    )
    def post(self, request: Request, sample_id: str) -> Response:
        sample = selectors.voice_sample_get(user=user_from_request(request), sample_id=sample_id)
        check = consent.consent_issue(sample=sample)
        return ok(ConsentCheckSerializer(check).data, "Consent phrase issued", status=201)

    @extend_schema(
        operation_id="voice_samples_consent_list",
        parameters=PAGE_PARAMETERS,
        responses={
            200: paginated_schema(pagination_class, ConsentCheckSerializer, "ConsentCheckList"),
            **error_responses(400, 401, 404),
        },
        tags=["voice"],
        description="The sample's consent phrases and their outcomes, newest first.",
    )
    def get(self, request: Request, sample_id: str) -> Response:
        sample = selectors.voice_sample_get(user=user_from_request(request), sample_id=sample_id)
        checks = sample.consent_checks.select_related("voice_sample").all()
        return paginated_response(self.pagination_class, request, checks, ConsentCheckSerializer)


class VoiceSampleConsentAnswerView(APIView):
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        operation_id="voice_samples_consent_answer",
        request={"multipart/form-data": ConsentAnswerInputSerializer},
        responses={
            200: enveloped(ConsentCheckSerializer, "ConsentCheckEnvelope"),
            **error_responses(400, 401, 404, 409, 410, 413, 415),
        },
        tags=["voice"],
        description="The recording of the speaker reading the phrase (1-30 s, any input format). The answer "
        "is the judged check: `passed`, or `reasons` for a refusal; either way the phrase is used up. Audio "
        "that cannot be judged (empty, not audio, too short or long) gets its 4xx and leaves the phrase "
        "unanswered. " + CONSENT_FLOW,
    )
    def post(self, request: Request, sample_id: str, consent_id: str) -> Response:
        serializer = ConsentAnswerInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        sample = selectors.voice_sample_get(user=user_from_request(request), sample_id=sample_id)
        check = consent.consent_answer(sample=sample, consent_id=consent_id, upload=serializer.validated_data["file"])
        message = "Consent passed" if check.outcome == check.Outcome.PASSED else "Consent refused"
        return ok(ConsentCheckSerializer(check).data, message)
