"""What every RPC gets: fresh database connections, authentication and error mapping.

``@rpc()`` wraps a servicer method ``(self, request, context, user)``; ``@rpc(public=True)``
one without a user. Generator methods (server streaming) are wrapped so that errors raised
while streaming end the call with the right status too; each holds a server thread while it
runs, so a user may hold at most GRPC_MAX_STREAMS_PER_USER of them and all users together
GRPC_MAX_STREAMS (fewer than the server's threads: unary calls always find one), beyond
which a stream is refused with RESOURCE_EXHAUSTED / TOO_MANY_STREAMS. A stream ends with
UNAUTHENTICATED / INVALID_TOKEN once its credentials stop being valid (``credentials_check``).
No error ever leaves as an unexplained UNKNOWN: unexpected ones are logged and become INTERNAL / INTERNAL_ERROR.
"""

from __future__ import annotations

import functools
import inspect
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, NoReturn

import grpc
import structlog
from django.conf import settings
from django.db import close_old_connections

from accounts.sessions import Credentials, credentials_from_access_token, credentials_valid
from configuration.config import system_config
from grpc_server.errors import RpcError, unauthenticated
from voxify_project import throttle
from voxify_project.errors import TooManyStreams
from voxify_project.ids import new_public_id
from voxify_project.request_context import set_request_id

log = structlog.get_logger("voxify.grpc")


def _credentials_ended() -> RpcError:
    return RpcError(
        grpc.StatusCode.UNAUTHENTICATED, "INVALID_TOKEN", "The access token is invalid, expired or revoked."
    )


def authenticated_credentials(context: grpc.ServicerContext) -> Credentials:
    """The credentials of the call's ``authorization: Bearer <access token>`` metadata."""
    metadata = dict(context.invocation_metadata() or ())
    scheme, _, token = str(metadata.get("authorization", "")).partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise unauthenticated()
    credentials = credentials_from_access_token(token.strip())
    if credentials is None:
        raise _credentials_ended()
    return credentials


class _Watch:
    """A stream's credentials and when they were last found valid."""

    def __init__(self, credentials: Credentials) -> None:
        self.credentials = credentials
        self.checked = time.monotonic()


_watch: ContextVar[_Watch | None] = ContextVar("grpc_stream_credentials", default=None)
_call_credentials: ContextVar[Credentials | None] = ContextVar("grpc_call_credentials", default=None)


def call_credentials() -> Credentials | None:
    """The credentials the current call was authenticated with (None for public calls)."""
    return _call_credentials.get()


def credentials_check() -> None:
    """For long streams, between messages: raise UNAUTHENTICATED once the call's credentials
    stopped being valid (the token expired, the session ended, the user was deactivated).
    Looks at the database at most every CREDENTIALS_RECHECK_SECONDS."""
    watch = _watch.get()
    if watch is None:
        return
    if time.time() >= watch.credentials.expires_at:
        raise _credentials_ended()
    if time.monotonic() - watch.checked >= settings.CREDENTIALS_RECHECK_SECONDS:
        if not credentials_valid(watch.credentials):
            raise _credentials_ended()
        watch.checked = time.monotonic()


class StreamSlots:
    """Open server streams, per user and in all (this process): each holds a server thread."""

    def __init__(self, server_threads: int) -> None:
        self._lock = threading.Lock()
        self._by_user: Counter[str] = Counter()
        self.server_threads = server_threads

    def acquire(self, user_id: str) -> None:
        per_user = settings.GRPC_MAX_STREAMS_PER_USER
        total = min(settings.GRPC_MAX_STREAMS, self.server_threads - 1)  # a thread always stays for unary calls
        with self._lock:
            if self._by_user[user_id] >= per_user:
                raise TooManyStreams(
                    f"At most {per_user} streams may be open at once per user.",
                    details={"limit": per_user, "scope": "user"},
                )
            if sum(self._by_user.values()) >= total:
                raise TooManyStreams(
                    "The server has no free stream slot; try again shortly.",
                    details={"limit": total, "scope": "server"},
                )
            self._by_user[user_id] += 1

    def release(self, user_id: str) -> None:
        with self._lock:
            self._by_user[user_id] -= 1
            if self._by_user[user_id] <= 0:
                del self._by_user[user_id]


stream_slots = StreamSlots(settings.GRPC_MAX_WORKERS)  # replaced by build_server, one per server


def client_address(context: grpc.ServicerContext) -> str:
    """The peer's IP address (``ipv4:1.2.3.4:5678`` -> ``1.2.3.4``), for throttling."""
    peer = context.peer() or "unknown"
    kind, _, rest = peer.partition(":")
    if kind == "ipv6":
        return rest.rsplit(":", 1)[0].strip("[]") or "unknown"
    return rest.rsplit(":", 1)[0] or "unknown"


def _admitted(context: grpc.ServicerContext, public: bool) -> Credentials | None:
    """Authenticate (unless public) and count the call against the API rate limit, shared
    with REST: per user when signed in, per client IP for the public RPCs."""
    credentials = None if public else authenticated_credentials(context)
    throttle.api_request(
        user_id=credentials.user.public_id if credentials is not None else None,
        client_ip=client_address(context),
        per_minute=system_config().requests_per_minute,
    )
    return credentials


def _fail(exc: Exception, context: grpc.ServicerContext, method: str) -> NoReturn:
    error = RpcError.from_exception(exc)
    if error is None:
        log.exception("grpc_unhandled_error", method=method)
        error = RpcError(grpc.StatusCode.INTERNAL, "INTERNAL_ERROR", "An unexpected error occurred.")
    error.abort(context)
    raise AssertionError("context.abort returned")  # pragma: no cover


def _begin(context: grpc.ServicerContext) -> None:
    close_old_connections()
    request_id = new_public_id("req")
    set_request_id(request_id)
    structlog.contextvars.clear_contextvars()
    structlog.contextvars.bind_contextvars(request_id=request_id)
    context.set_trailing_metadata((("x-request-id", request_id),))


def _end() -> None:
    close_old_connections()
    structlog.contextvars.clear_contextvars()
    set_request_id(None)


@contextmanager
def _call(context: grpc.ServicerContext, *, name: str, public: bool, stream: bool) -> Iterator[tuple[Any, ...]]:
    """The one path of every call, unary or streaming: a request id and fresh connections,
    authentication (unless public), the API rate limit, for streams a slot and credentials
    watched, and every error mapped to a status. Yields the method's extra arguments
    (``(user,)`` or ``()``)."""
    _begin(context)
    slot: tuple[StreamSlots, str] | None = None
    try:
        credentials = _admitted(context, public)
        _call_credentials.set(credentials)
        if credentials is None:
            yield ()
            return
        if stream:
            slots = stream_slots
            slots.acquire(credentials.user.public_id)  # raises when no slot is free
            slot = (slots, credentials.user.public_id)
            _watch.set(_Watch(credentials))
        yield (credentials.user,)
    except Exception as exc:
        _fail(exc, context, name)
    finally:
        if slot is not None:
            slot[0].release(slot[1])
        _watch.set(None)
        _call_credentials.set(None)
        _end()


def rpc(*, public: bool = False) -> Callable[[Callable[..., Any]], Any]:
    """The method as gRPC calls it: ``(self, request, context)``."""

    def decorate(method: Callable[..., Any]) -> Any:
        name = method.__name__

        if inspect.isgeneratorfunction(method):

            @functools.wraps(method)
            def streaming(self: Any, request: Any, context: grpc.ServicerContext) -> Iterator[Any]:
                with _call(context, name=name, public=public, stream=True) as args:
                    for message in method(self, request, context, *args):
                        credentials_check()
                        yield message

            return streaming

        @functools.wraps(method)
        def unary(self: Any, request: Any, context: grpc.ServicerContext) -> Any:
            with _call(context, name=name, public=public, stream=False) as args:
                return method(self, request, context, *args)

        return unary

    return decorate
