"""Voxify's Python SDK: ``Voxify`` (synchronous) and ``AsyncVoxify`` (asyncio), the same
resources and methods; errors in ``voxify_client.errors``; the ``voxify`` command line in
``voxify_client.cli``."""

from voxify_client._async import AsyncVoxify
from voxify_client._base import AudioChunk
from voxify_client._sync import Job, Voxify
from voxify_client.errors import (
    AuthenticationError,
    ConflictError,
    JobFailedError,
    NotFoundError,
    PayloadTooLargeError,
    PermissionDeniedError,
    QuotaExceededError,
    RateLimitedError,
    ServerError,
    UnsupportedMediaError,
    ValidationError,
    VoxifyError,
)

__all__ = [
    "AsyncVoxify",
    "AudioChunk",
    "AuthenticationError",
    "ConflictError",
    "Job",
    "JobFailedError",
    "NotFoundError",
    "PayloadTooLargeError",
    "PermissionDeniedError",
    "QuotaExceededError",
    "RateLimitedError",
    "ServerError",
    "UnsupportedMediaError",
    "ValidationError",
    "Voxify",
    "VoxifyError",
]
__version__ = "0.1.0"
