"""VoiceService: adapters over voices.services / selectors, validated and serialised by the
REST serializers."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import grpc

from grpc_server.convert import given, message_from, page_params
from grpc_server.protos import voice_pb2, voice_pb2_grpc
from grpc_server.rpc import rpc
from grpc_server.servicers.auth import validated
from grpc_server.servicers.uploads import received_upload
from speech.voice_methods.base import TrainingConfig
from voices import consent, selectors, services
from voices.serializers import (
    ConsentAnswerInputSerializer,
    ConsentCheckSerializer,
    TrainingConfigSerializer,
    VoiceSampleDetailSerializer,
    VoiceSampleFilterSerializer,
    VoiceSampleListItemSerializer,
    VoiceSampleUploadSerializer,
)
from voices.training import voice_training_start
from voxify_project.pagination import page_of

if TYPE_CHECKING:  # models of other apps: for annotations only (adapters call services and selectors)
    from accounts.models import User


def sample_message(sample: Any) -> voice_pb2.VoiceSample:
    data = dict(VoiceSampleDetailSerializer(sample).data)
    model = data.pop("voice_model", None)
    message = message_from(voice_pb2.VoiceSample, data)
    if model:
        validation = model.pop("validation", {}) or {}
        message.voice_model.CopyFrom(
            message_from(
                voice_pb2.VoiceModel,
                {**model, **{k: validation.get(k) for k in ("similarity", "baseline_similarity", "wer")}},
            )
        )
    return message


class VoiceServicer(voice_pb2_grpc.VoiceServiceServicer):
    @rpc()
    def UploadVoiceSample(
        self, request_iterator: Iterator[voice_pb2.UploadVoiceSampleRequest], context: grpc.ServicerContext, user: User
    ) -> voice_pb2.UploadVoiceSampleResponse:
        with received_upload(request_iterator) as (metadata, upload):
            fields: dict[str, Any] = {"name": metadata.name, "file": upload}
            if metadata.description:
                fields["description"] = metadata.description
            if metadata.language:
                fields["language"] = metadata.language
            data = validated(VoiceSampleUploadSerializer, fields)
            sample = services.voice_sample_create(owner=user, upload=data.pop("file"), **data)
        return voice_pb2.UploadVoiceSampleResponse(sample=sample_message(sample))

    @rpc()
    def GetVoiceSamples(
        self, request: voice_pb2.GetVoiceSamplesRequest, context: grpc.ServicerContext, user: User
    ) -> voice_pb2.GetVoiceSamplesResponse:
        filters = validated(VoiceSampleFilterSerializer, given(request, "status", "language"))
        samples, pagination = page_of(
            selectors.voice_sample_list(user=user, **filters), page_params(request.page, request.page_size)
        )
        return voice_pb2.GetVoiceSamplesResponse(
            samples=[
                message_from(voice_pb2.VoiceSampleSummary, VoiceSampleListItemSerializer(s).data) for s in samples
            ],
            pagination=voice_pb2.Pagination(**pagination),
        )

    @rpc()
    def TrainVoice(
        self, request: voice_pb2.TrainVoiceRequest, context: grpc.ServicerContext, user: User
    ) -> voice_pb2.TrainVoiceResponse:
        fields = given(request.config)
        config = validated(TrainingConfigSerializer, fields) if fields else {}
        sample = selectors.voice_sample_get(user=user, sample_id=request.sample_id)
        job = voice_training_start(sample=sample, config=TrainingConfig(**config))
        return voice_pb2.TrainVoiceResponse(
            training_job_id=job.public_id, estimated_duration=int(job.estimated_duration), status=job.status
        )

    @rpc()
    def DeleteVoiceSample(
        self, request: voice_pb2.DeleteVoiceSampleRequest, context: grpc.ServicerContext, user: User
    ) -> voice_pb2.DeleteVoiceSampleResponse:
        sample = selectors.voice_sample_get(user=user, sample_id=request.sample_id)
        summary = message_from(voice_pb2.VoiceSampleSummary, VoiceSampleListItemSerializer(sample).data)
        services.voice_sample_delete(sample=sample)
        return voice_pb2.DeleteVoiceSampleResponse(sample=summary)

    @rpc()
    def RequestConsent(
        self, request: voice_pb2.RequestConsentRequest, context: grpc.ServicerContext, user: User
    ) -> voice_pb2.ConsentCheck:
        sample = selectors.voice_sample_get(user=user, sample_id=request.sample_id)
        check = consent.consent_issue(sample=sample)
        return message_from(voice_pb2.ConsentCheck, ConsentCheckSerializer(check).data)

    @rpc()
    def AnswerConsent(
        self, request_iterator: Iterator[voice_pb2.AnswerConsentRequest], context: grpc.ServicerContext, user: User
    ) -> voice_pb2.ConsentCheck:
        with received_upload(request_iterator) as (metadata, upload):
            sample = selectors.voice_sample_get(user=user, sample_id=metadata.sample_id)
            data = validated(ConsentAnswerInputSerializer, {"file": upload})
            check = consent.consent_answer(sample=sample, consent_id=metadata.consent_id, upload=data["file"])
        return message_from(voice_pb2.ConsentCheck, ConsentCheckSerializer(check).data)
