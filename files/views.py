"""File endpoints: metadata, and downloads with ETag and HTTP Range."""

from __future__ import annotations

from typing import Any

from django.http.response import HttpResponseBase
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.selectors import user_from_request
from accounts.sessions import SessionJWTAuthentication
from files import services
from files.authentication import SignedLinkAuthentication, link_grant_check
from files.models import StoredFile
from files.responses import file_response
from files.selectors import stored_file_get_for_user, stored_file_get_live
from files.serializers import FileInfoOutputSerializer
from voxify_project.envelope import ok
from voxify_project.openapi import enveloped, error_responses


def _live_file(request: Request, file_id: str) -> StoredFile:
    return stored_file_get_live(user=user_from_request(request), file_id=file_id)


class FileInfoView(APIView):
    @extend_schema(
        operation_id="files_info",
        responses={200: enveloped(FileInfoOutputSerializer, "FileInfoEnvelope"), **error_responses(401, 404, 410)},
        tags=["files"],
    )
    def get(self, request: Request, file_id: str) -> Response:
        return ok(FileInfoOutputSerializer(_live_file(request, file_id)).data)


class FileDownloadView(APIView):
    authentication_classes = [SessionJWTAuthentication, SignedLinkAuthentication]

    @extend_schema(
        operation_id="files_download",
        responses={
            (200, "application/octet-stream"): OpenApiResponse(OpenApiTypes.BINARY, description="The whole file."),
            (206, "application/octet-stream"): OpenApiResponse(OpenApiTypes.BINARY, description="A byte range."),
            304: OpenApiResponse(description="Not modified (If-None-Match)."),
            **error_responses(401, 403, 404, 410, 416),
        },
        tags=["files"],
        description="With `Authorization: Bearer …`, or with the signed `token` of an `audio_url` (no header "
        "needed: for `<audio src>` and download links; valid DOWNLOAD_LINK_TTL_S seconds, for that file only; "
        "an altered or expired token is 403 LINK_INVALID / LINK_EXPIRED).",
    )
    def get(self, request: Request, file_id: str) -> HttpResponseBase:
        link_grant_check(request, file_id)
        return file_response(request, _live_file(request, file_id))


class FileUploadSerializer(serializers.Serializer[Any]):
    # Empty files pass here so the service answers with its own EMPTY_FILE code.
    file = serializers.FileField(allow_empty_file=True, use_url=False)


class FileUploadView(APIView):
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        operation_id="files_upload",
        request={"multipart/form-data": FileUploadSerializer},
        responses={
            201: enveloped(FileInfoOutputSerializer, "FileInfoEnvelope"),
            **error_responses(400, 401, 413, 415),
        },
        tags=["files"],
        description="Store an audio file (WAV, FLAC, Ogg Vorbis/Opus, MP3, WebM/Opus or MP4/AAC as browsers "
        "record, recognised by content, at most max_upload_mb); it expires after file_ttl_hours.",
    )
    def post(self, request: Request) -> Response:
        serializer = FileUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        upload = serializer.validated_data["file"]
        stored = services.stored_file_upload(owner=user_from_request(request), upload=upload, filename=upload.name)
        return ok(FileInfoOutputSerializer(stored).data, "File uploaded", status=201)


class FileDetailView(APIView):
    @extend_schema(
        operation_id="files_delete",
        responses={200: enveloped(FileInfoOutputSerializer, "FileInfoEnvelope"), **error_responses(401, 404, 409)},
        tags=["files"],
        description="Delete a file. A voice sample's recording or a voice model's artefact is deleted with its "
        "voice sample only (409 FILE_IN_USE).",
    )
    def delete(self, request: Request, file_id: str) -> Response:
        stored = stored_file_get_for_user(user=user_from_request(request), file_id=file_id)
        data = FileInfoOutputSerializer(stored).data
        services.stored_file_delete_by_owner(stored_file=stored)
        return ok(data, "File deleted")
