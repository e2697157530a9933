"""File endpoints: metadata, and downloads with ETag and HTTP Range."""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO, Any

from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.utils.http import content_disposition_header
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.selectors import user_from_request
from files import services
from files.models import StoredFile
from files.ranges import UnsatisfiableRange, parse_range
from files.selectors import stored_file_get_for_user, stored_file_get_live
from files.serializers import FileInfoOutputSerializer
from files.storage import file_storage
from voxify_project.envelope import ok
from voxify_project.errors import RangeNotSatisfiable
from voxify_project.openapi import enveloped, error_responses

CHUNK = 64 * 1024


def _live_file(request: Request, file_id: str) -> StoredFile:
    return stored_file_get_live(user=user_from_request(request), file_id=file_id)


def _stream(handle: IO[bytes], start: int, length: int) -> Iterator[bytes]:
    try:
        handle.seek(start)
        remaining = length
        while remaining > 0:
            chunk = handle.read(min(CHUNK, remaining))
            if not chunk:
                break
            remaining -= len(chunk)
            yield chunk
    finally:
        handle.close()


def file_response(request: HttpRequest, stored_file: StoredFile, *, as_attachment: bool = True) -> HttpResponseBase:
    """The file's bytes with ETag / If-None-Match and HTTP Range (206, 416) handled."""
    headers = {
        "ETag": stored_file.etag,
        "Accept-Ranges": "bytes",
        "X-Content-Type-Options": "nosniff",
        "Cache-Control": "private, max-age=0, must-revalidate",
        "Content-Disposition": content_disposition_header(as_attachment=as_attachment, filename=stored_file.filename)
        or "attachment",
    }
    if stored_file.etag in request.headers.get("If-None-Match", ""):
        return HttpResponse(status=304, headers=headers)
    size = stored_file.size
    wanted = request.headers.get("Range")
    if_range = request.headers.get("If-Range")
    if if_range is not None and if_range != stored_file.etag:
        wanted = None  # the client's copy is stale: send the whole file
    try:
        byte_range = parse_range(wanted, size)
    except UnsatisfiableRange as exc:
        raise RangeNotSatisfiable(details={"size": size}, headers={"Content-Range": f"bytes */{size}"}) from exc
    start, end = byte_range if byte_range else (0, size - 1)
    length = end - start + 1 if size else 0
    handle = file_storage().open(stored_file.storage_key, "rb")
    response = StreamingHttpResponse(
        _stream(handle, start, length),
        status=206 if byte_range else 200,
        content_type=stored_file.content_type,
        headers=headers,
    )
    response["Content-Length"] = str(length)
    if byte_range:
        response["Content-Range"] = f"bytes {start}-{end}/{size}"
    return response


class FileInfoView(APIView):
    @extend_schema(
        operation_id="files_info",
        responses={200: enveloped(FileInfoOutputSerializer, "FileInfoEnvelope"), **error_responses(401, 404, 410)},
        tags=["files"],
    )
    def get(self, request: Request, file_id: str) -> Response:
        return ok(FileInfoOutputSerializer(_live_file(request, file_id)).data)


class FileDownloadView(APIView):
    @extend_schema(
        operation_id="files_download",
        responses={
            (200, "application/octet-stream"): OpenApiResponse(OpenApiTypes.BINARY, description="The whole file."),
            (206, "application/octet-stream"): OpenApiResponse(OpenApiTypes.BINARY, description="A byte range."),
            304: OpenApiResponse(description="Not modified (If-None-Match)."),
            **error_responses(401, 404, 410, 416),
        },
        tags=["files"],
    )
    def get(self, request: Request, file_id: str) -> HttpResponseBase:
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
        description="Store an audio file (WAV, FLAC, Ogg Vorbis/Opus or MP3, recognised by content, at most "
        "max_upload_mb); it expires after file_ttl_hours.",
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
