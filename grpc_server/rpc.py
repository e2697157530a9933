"""What every RPC gets: fresh database connections, authentication and error mapping.

``@rpc()`` wraps a servicer method ``(self, request, context, user)``; ``@rpc(public=True)``
one without a user. Generator methods (server streaming) are wrapped so that errors raised
while streaming end the call with the right status too. No error ever leaves as an
unexplained UNKNOWN: unexpected ones are logged and become INTERNAL / INTERNAL_ERROR.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Iterator
from typing import Any, NoReturn

import grpc
import structlog
from django.db import close_old_connections

from accounts.models import User
from accounts.selectors import user_from_access_token
from grpc_server.errors import RpcError, unauthenticated
from operations.config import system_config
from voxify_project import throttle
from voxify_project.ids import new_public_id
from voxify_project.request_context import set_request_id

log = structlog.get_logger("voxify.grpc")


def authenticated_user(context: grpc.ServicerContext) -> User:
    """The user of the call's ``authorization: Bearer <access token>`` metadata."""
    metadata = dict(context.invocation_metadata() or ())
    scheme, _, token = str(metadata.get("authorization", "")).partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise unauthenticated()
    user = user_from_access_token(token.strip())
    if user is None:
        raise RpcError(
            grpc.StatusCode.UNAUTHENTICATED, "INVALID_TOKEN", "The access token is invalid, expired or revoked."
        )
    return user


def client_address(context: grpc.ServicerContext) -> str:
    """The peer's IP address (``ipv4:1.2.3.4:5678`` -> ``1.2.3.4``), for throttling."""
    peer = context.peer() or "unknown"
    kind, _, rest = peer.partition(":")
    if kind == "ipv6":
        return rest.rsplit(":", 1)[0].strip("[]") or "unknown"
    return rest.rsplit(":", 1)[0] or "unknown"


def _admitted(context: grpc.ServicerContext, public: bool) -> tuple[()] | tuple[User]:
    """Authenticate (unless public) and count the call against the API rate limit, shared
    with REST: per user when signed in, per client IP for the public RPCs."""
    user = None if public else authenticated_user(context)
    throttle.api_request(
        user_id=user.public_id if user is not None else None,
        client_ip=client_address(context),
        per_minute=system_config().requests_per_minute,
    )
    return () if user is None else (user,)


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


def rpc(*, public: bool = False) -> Callable[[Callable[..., Any]], Any]:
    """The method as gRPC calls it: ``(self, request, context)``."""

    def decorate(method: Callable[..., Any]) -> Any:
        name = method.__name__

        if inspect.isgeneratorfunction(method):

            @functools.wraps(method)
            def streaming(self: Any, request: Any, context: grpc.ServicerContext) -> Iterator[Any]:
                _begin(context)
                try:
                    args = _admitted(context, public)  # streams count against the rate limit too
                    yield from method(self, request, context, *args)
                except Exception as exc:
                    _fail(exc, context, name)
                finally:
                    _end()

            return streaming

        @functools.wraps(method)
        def unary(self: Any, request: Any, context: grpc.ServicerContext) -> Any:
            _begin(context)
            try:
                args = _admitted(context, public)
                return method(self, request, context, *args)
            except Exception as exc:
                _fail(exc, context, name)
            finally:
                _end()

        return unary

    return decorate
