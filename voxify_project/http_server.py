"""The web server: daphne (HTTP + WebSocket) with bounded work per request.

``python -m voxify_project.http_server`` takes daphne's own command line. It is daphne with
three changes at the HTTP layer, made before Django (or anything else) runs:

- **A body over the limit is refused before it is read.** The limit is the live
  ``max_upload_mb`` (plus 1 MB for the form fields) for ``multipart/form-data`` and
  ``MAX_JSON_BODY_BYTES`` for anything else, the same numbers as the body-size middleware.
  A declared ``Content-Length`` over it is answered at once with 413 and the error envelope
  (no ``100 Continue`` is sent); a chunked body is counted as it arrives and refused the
  moment it passes the limit. What the client still sends is read and dropped (so that it
  can read the answer), up to 1 GiB, and the connection is then closed.
- **Bodies are not parsed or held in memory by the server.** Twisted would parse every
  multipart POST in memory before the application sees it (``parsePOSTFormSubmission``), and
  daphne would queue the whole body in memory for the application; here the body goes to a
  temporary file and is handed to Django a 64 KB chunk at a time as Django reads it (Django
  spools it to disk and parses it as a stream). A chunked body gets
  its ``Content-Length`` once it is complete, so Django parses it instead of seeing nothing.
- **Long request lines are answered, not dropped.** A streamed synthesis carries its text in
  the URL: request lines up to 64 KiB are accepted, longer ones get 414 and headers over
  96 KiB 431, with the envelope; malformed requests get 400 with the envelope.

The limits are read from the live configuration off the reactor thread, every
``CONFIG_REFRESH_SECONDS``.
"""

from __future__ import annotations

import asyncio
import io
import json
import logging
from functools import partial
from typing import Any

from daphne import server as daphne_server
from daphne.cli import CommandLineInterface
from daphne.http_protocol import HTTPFactory, WebRequest
from twisted.internet import task, threads
from twisted.web import http

from voxify_project.body_limits import MB, body_limit
from voxify_project.envelope import error_body
from voxify_project.log_redaction import redacted_url

log = logging.getLogger("voxify.http")

DRAIN_LIMIT = 1024 * MB  # an over-limit body is read and dropped up to this, then the connection closes
REQUEST_LINE_LIMIT = 64 * 1024
HEADERS_LIMIT = 96 * 1024

_REASONS = {
    400: b"Bad Request",
    413: b"Payload Too Large",
    414: b"URI Too Long",
    431: b"Request Header Fields Too Large",
}


class BodyLimits:
    """The largest bodies accepted now, in bytes (kept current by ``refresh``)."""

    def __init__(self) -> None:
        from django.conf import settings

        self.max_upload_mb = int(settings.MAX_UPLOAD_MB)
        self.other = int(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)

    def for_content_type(self, value: bytes) -> int:
        media_type = value.split(b";", 1)[0].decode("latin-1")
        return body_limit(media_type, max_upload_mb=lambda: self.max_upload_mb, other=self.other)

    def refresh(self) -> Any:
        """Read the live configuration in a worker thread (never on the reactor)."""

        def read() -> int:
            from django.db import close_old_connections

            from configuration.config import system_config

            close_old_connections()
            try:
                return int(system_config().max_upload_mb)
            finally:
                close_old_connections()

        def store(upload_mb: int) -> None:
            self.max_upload_mb = upload_mb

        def keep(failure: Any) -> None:  # the database is away: keep the last known limit
            log.warning("body_limit_refresh_failed", extra={"error": failure.getErrorMessage()})

        return threads.deferToThread(read).addCallbacks(store, keep)


limits: BodyLimits | None = None


def _limits() -> BodyLimits:
    global limits
    if limits is None:
        limits = BodyLimits()
    return limits


def answer_and_close(transport: Any, status: int, code: str, message: str) -> None:
    """Write a complete error response with the envelope; the connection closes after it."""
    body = json.dumps(error_body(code, message)).encode()
    head = b"HTTP/1.1 %d %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\nConnection: close\r\n\r\n" % (
        status,
        _REASONS[status],
        len(body),
    )
    transport.write(head + body)


class LimitedRequest(WebRequest):  # type: ignore[misc]
    """daphne's request, with the body limit and without Twisted's in-memory form parsing."""

    def __init__(self, channel: Any, *args: Any, **kwargs: Any) -> None:
        kwargs["parsePOSTFormSubmission"] = False
        self.body_limit = 0
        self.body_received = 0
        self.refused = False
        super().__init__(channel, *args, **kwargs)

    def gotLength(self, length: int | None) -> None:
        content_type = (self.requestHeaders.getRawHeaders(b"content-type") or [b""])[0]
        self.body_limit = _limits().for_content_type(content_type)
        if length is not None and length > self.body_limit:
            self._refuse()
            return
        super().gotLength(length)

    def handleContentChunk(self, data: bytes) -> None:
        self.body_received += len(data)
        if self.refused:
            if self.body_received > DRAIN_LIMIT:
                self.channel.transport.loseConnection()
            return
        if self.body_received > self.body_limit:
            self.content.close()
            self._refuse()
            return
        super().handleContentChunk(data)

    def _refuse(self) -> None:
        self.refused = True
        self.content = io.BytesIO()  # nothing of the body is kept
        log.info("request_body_refused", extra={"limit": self.body_limit})
        answer_and_close(
            self.channel.transport,
            413,
            "PAYLOAD_TOO_LARGE",
            f"The request body is too large (at most {self.body_limit} bytes).",
        )

    def requestReceived(self, command: bytes, path: bytes, version: bytes) -> None:
        if self.refused:
            self.channel.transport.loseConnection()
            return
        if not self.requestHeaders.hasHeader(b"content-length") and self.requestHeaders.hasHeader(b"transfer-encoding"):
            # Decoded and complete now: tell the application its length.
            self.requestHeaders.removeHeader(b"transfer-encoding")
            self.requestHeaders.setRawHeaders(b"content-length", [b"%d" % self.content.tell()])
        super().requestReceived(command, path, version)


class LimitedChannel(http.HTTPChannel):
    MAX_LENGTH = REQUEST_LINE_LIMIT
    totalHeadersSize = HEADERS_LIMIT

    def _send100Continue(self) -> None:
        if self.requests and getattr(self.requests[-1], "refused", False):
            return  # the 413 is the answer: the client must not send the body
        super()._send100Continue()  # type: ignore[no-untyped-call]

    def lineLengthExceeded(self, line: bytes) -> None:
        if not self.requests:  # still the request line
            answer_and_close(self.transport, 414, "URI_TOO_LONG", "The request line is too long.")
        else:
            answer_and_close(self.transport, 431, "HEADERS_TOO_LARGE", "A request header is too long.")
        self.loseConnection()  # type: ignore[no-untyped-call]

    def _respondToBadRequestAndDisconnect(self) -> None:
        if self._receivedHeaderSize > self.totalHeadersSize:
            answer_and_close(self.transport, 431, "HEADERS_TOO_LARGE", "The request headers are too large.")
        else:
            answer_and_close(self.transport, 400, "MALFORMED_REQUEST", "The request is not valid HTTP.")
        self.loseConnection()  # type: ignore[no-untyped-call]


class LimitedHTTPFactory(HTTPFactory):  # type: ignore[misc]
    def protocol(self) -> Any:
        return http._GenericHTTPChannelProtocol(LimitedChannel())  # type: ignore[no-untyped-call]

    def buildProtocol(self, addr: Any) -> Any:
        built = super().buildProtocol(addr)
        built.requestFactory = LimitedRequest
        return built


class BodyFromFile(asyncio.Queue[dict[str, Any]]):
    """The application's input queue for one HTTP request, serving the request body from the
    server's temporary file a chunk at a time, as the application asks for it.

    daphne would read the whole body into the queue at once (its chunks then wait in memory
    until Django has spooled them to disk); here only one chunk is in memory at a time. The
    messages daphne itself puts in (the final empty body, ``http.disconnect``) follow."""

    CHUNK = 64 * 1024

    def __init__(self, body: Any) -> None:
        super().__init__()
        self.body: Any = body

    async def get(self) -> dict[str, Any]:
        if self.body is not None:
            chunk = self.body.read(self.CHUNK)
            if chunk:
                return {"type": "http.request", "body": chunk, "more_body": True}
            self.body.close()
            self.body = None
        return await super().get()


class LimitedServer(daphne_server.Server):  # type: ignore[misc]
    def create_application(self, protocol: Any, scope: dict[str, Any]) -> Any:
        if not isinstance(protocol, LimitedRequest) or scope.get("type") != "http":
            return super().create_application(protocol, scope)
        # daphne reads protocol.content into the queue right after this returns: hand it an
        # empty body (it then sends the final, empty message) and serve the real one lazily.
        # (daphne's own create_application, with this queue.)
        assert "application_instance" not in self.connections[protocol]
        body, protocol.content = protocol.content, io.BytesIO()
        body.seek(0)
        input_queue = BodyFromFile(body)
        scope.setdefault("asgi", {"version": "3.0"})
        instance = self.application(scope=scope, receive=input_queue.get, send=partial(self.handle_reply, protocol))
        if protocol not in self.connections:
            return None
        self.connections[protocol]["application_instance"] = asyncio.ensure_future(
            instance, loop=asyncio.get_event_loop()
        )
        return input_queue

    def log_action(self, protocol: str, action: str, details: dict[str, Any]) -> None:
        """daphne's access log, with the query's tokens, tickets and texts redacted."""
        if isinstance(details.get("path"), str):
            details = {**details, "path": redacted_url(details["path"])}
        super().log_action(protocol, action, details)

    def run(self) -> None:
        from twisted.internet import reactor  # the one daphne installed (asyncio)

        refresher = task.LoopingCall(_limits().refresh)

        def start() -> None:
            from django.conf import settings

            refresher.start(settings.CONFIG_REFRESH_SECONDS, now=True)

        reactor.callWhenRunning(start)
        super().run()


class LimitedCommandLine(CommandLineInterface):  # type: ignore[misc]
    server_class = LimitedServer


# daphne builds its HTTP factory inside Server.run() from this module-level name; this is the
# one place it can be given ours (daphne is pinned; tests/voxify_project/test_http_server.py
# runs the real server and fails if the limits are not in force).
daphne_server.HTTPFactory = LimitedHTTPFactory


if __name__ == "__main__":
    LimitedCommandLine.entrypoint()
