"""A real gRPC server on a free port (in this process, on its own threads and database
connections) and a real channel to it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import grpc
import pytest

from accounts.models import User
from accounts.services import token_pair_issue
from grpc_server.protos import auth_pb2_grpc, file_pb2_grpc, job_pb2_grpc, tts_pb2_grpc, voice_pb2_grpc
from grpc_server.server import build_server
from tests.support.api import STRONG_PASSWORD


@pytest.fixture
def grpc_port(transactional_db: None) -> Iterator[int]:
    server, port = build_server(bind="127.0.0.1", port=0, max_workers=8)
    server.start()
    try:
        yield port
    finally:
        server.stop(grace=None).wait()


@pytest.fixture
def channel(grpc_port: int) -> Iterator[grpc.Channel]:
    with grpc.insecure_channel(f"127.0.0.1:{grpc_port}") as open_channel:
        yield open_channel


class Stubs:
    def __init__(self, channel: grpc.Channel) -> None:
        self.auth = auth_pb2_grpc.AuthServiceStub(channel)
        self.voice = voice_pb2_grpc.VoiceServiceStub(channel)
        self.tts = tts_pb2_grpc.TTSServiceStub(channel)
        self.job = job_pb2_grpc.JobServiceStub(channel)
        self.file = file_pb2_grpc.FileServiceStub(channel)


@pytest.fixture
def stubs(channel: grpc.Channel) -> Stubs:
    return Stubs(channel)


def bearer(user: User) -> list[tuple[str, str]]:
    return [("authorization", f"Bearer {token_pair_issue(user=user).access_token}")]


@pytest.fixture
def grpc_user(transactional_db: None) -> Callable[[str], tuple[User, list[tuple[str, str]]]]:
    def make(email: str) -> tuple[User, list[tuple[str, str]]]:
        user = User.objects.create_user(email, STRONG_PASSWORD)
        return user, bearer(user)

    return make


def error_code(error: grpc.RpcError) -> str:
    """The REST error code the server sent in the trailing metadata."""
    metadata: Any = error.trailing_metadata() or ()
    return str(dict(metadata).get("error-code", ""))
