"""One gRPC server for the five services, the standard health service and reflection."""

from __future__ import annotations

from concurrent import futures
from pathlib import Path

import grpc
from django.conf import settings
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection

from grpc_server import rpc
from grpc_server.protos import (
    auth_pb2,
    auth_pb2_grpc,
    file_pb2,
    file_pb2_grpc,
    job_pb2,
    job_pb2_grpc,
    tts_pb2,
    tts_pb2_grpc,
    voice_pb2,
    voice_pb2_grpc,
)
from grpc_server.servicers.auth import AuthServicer
from grpc_server.servicers.file import FileServicer
from grpc_server.servicers.job import JobServicer
from grpc_server.servicers.tts import TTSServicer
from grpc_server.servicers.voice import VoiceServicer

SERVICE_NAMES = tuple(
    module.DESCRIPTOR.services_by_name[name].full_name
    for module, name in (
        (auth_pb2, "AuthService"),
        (voice_pb2, "VoiceService"),
        (tts_pb2, "TTSService"),
        (job_pb2, "JobService"),
        (file_pb2, "FileService"),
    )
)


def build_server(*, bind: str, port: int, max_workers: int | None = None) -> tuple[grpc.Server, int]:
    """A configured server (not started) and the port it is bound to (``port`` 0: any free one)."""
    max_bytes = settings.GRPC_MAX_MESSAGE_MB * 1024 * 1024
    threads = max_workers or settings.GRPC_MAX_WORKERS
    rpc.stream_slots = rpc.StreamSlots(threads)
    server = grpc.server(
        futures.ThreadPoolExecutor(max_workers=threads, thread_name_prefix="grpc"),
        options=[("grpc.max_receive_message_length", max_bytes), ("grpc.max_send_message_length", max_bytes)],
    )
    auth_pb2_grpc.add_AuthServiceServicer_to_server(AuthServicer(), server)
    voice_pb2_grpc.add_VoiceServiceServicer_to_server(VoiceServicer(), server)
    tts_pb2_grpc.add_TTSServiceServicer_to_server(TTSServicer(), server)
    job_pb2_grpc.add_JobServiceServicer_to_server(JobServicer(), server)
    file_pb2_grpc.add_FileServiceServicer_to_server(FileServicer(), server)

    health_servicer = health.HealthServicer()
    health_pb2_grpc.add_HealthServicer_to_server(health_servicer, server)
    for name in ("", *SERVICE_NAMES):
        health_servicer.set(name, health_pb2.HealthCheckResponse.SERVING)
    reflection.enable_server_reflection((*SERVICE_NAMES, health.SERVICE_NAME, reflection.SERVICE_NAME), server)

    address = f"{bind}:{port}"
    if settings.GRPC_TLS_CERT_FILE and settings.GRPC_TLS_KEY_FILE:
        credentials = grpc.ssl_server_credentials(
            [(Path(settings.GRPC_TLS_KEY_FILE).read_bytes(), Path(settings.GRPC_TLS_CERT_FILE).read_bytes())]
        )
        bound = server.add_secure_port(address, credentials)
    else:
        bound = server.add_insecure_port(address)
    if not bound:
        raise OSError(f"gRPC could not bind {address}")
    return server, bound
