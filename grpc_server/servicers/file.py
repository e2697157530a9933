"""FileService: adapters over files.services / selectors (the same rules as /api/v1/files)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import grpc

from files import services
from files.selectors import stored_file_get_for_user, stored_file_get_live
from files.serializers import FileInfoOutputSerializer
from files.storage import file_storage
from grpc_server.convert import message_from
from grpc_server.protos import file_pb2, file_pb2_grpc
from grpc_server.rpc import rpc
from grpc_server.servicers.uploads import received_upload

if TYPE_CHECKING:  # models of other apps: for annotations only (adapters call services and selectors)
    from accounts.models import User
    from files.models import StoredFile

CHUNK = 64 * 1024


def file_proto(stored: StoredFile) -> file_pb2.FileInfo:
    return message_from(file_pb2.FileInfo, FileInfoOutputSerializer(stored).data)


class FileServicer(file_pb2_grpc.FileServiceServicer):
    @rpc()
    def UploadFile(
        self, request_iterator: Iterator[file_pb2.UploadFileRequest], context: grpc.ServicerContext, user: User
    ) -> file_pb2.UploadFileResponse:
        with received_upload(request_iterator) as (metadata, upload):
            stored = services.stored_file_upload(owner=user, upload=upload, filename=metadata.filename)
        return file_pb2.UploadFileResponse(file=file_proto(stored))

    @rpc()
    def DownloadFile(
        self, request: file_pb2.DownloadFileRequest, context: grpc.ServicerContext, user: User
    ) -> Iterator[file_pb2.DownloadFileResponse]:
        stored = stored_file_get_live(user=user, file_id=request.file_id)
        first = True
        with file_storage().open(stored.storage_key, "rb") as handle:
            while chunk := handle.read(CHUNK):
                yield file_pb2.DownloadFileResponse(chunk=chunk, file=file_proto(stored) if first else None)
                first = False
        if first:  # an empty file still says what it is
            yield file_pb2.DownloadFileResponse(file=file_proto(stored))

    @rpc()
    def GetFileInfo(
        self, request: file_pb2.GetFileInfoRequest, context: grpc.ServicerContext, user: User
    ) -> file_pb2.GetFileInfoResponse:
        return file_pb2.GetFileInfoResponse(file=file_proto(stored_file_get_live(user=user, file_id=request.file_id)))

    @rpc()
    def DeleteFile(
        self, request: file_pb2.DeleteFileRequest, context: grpc.ServicerContext, user: User
    ) -> file_pb2.DeleteFileResponse:
        stored = stored_file_get_for_user(user=user, file_id=request.file_id)
        info = file_proto(stored)
        services.stored_file_delete_by_owner(stored_file=stored)
        return file_pb2.DeleteFileResponse(file=info)
