"""``manage.py rungrpc``: serve the gRPC API until SIGTERM or Ctrl-C, then stop gracefully."""

from __future__ import annotations

import signal
import threading
from types import FrameType
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from grpc_server.server import build_server


class Command(BaseCommand):
    help = "Serve the five gRPC services (plus health and reflection) on one port."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--bind", default=settings.GRPC_BIND, help="Address (%(default)s).")
        parser.add_argument("--port", type=int, default=settings.GRPC_PORT, help="Port (%(default)s).")
        parser.add_argument("--max-workers", type=int, default=settings.GRPC_MAX_WORKERS)
        parser.add_argument("--grace", type=float, default=10.0, help="Seconds running calls get to finish.")

    def handle(self, *args: Any, **options: Any) -> None:
        server, port = build_server(bind=options["bind"], port=options["port"], max_workers=options["max_workers"])
        stop = threading.Event()

        def on_signal(signum: int, frame: FrameType | None) -> None:
            stop.set()

        signal.signal(signal.SIGTERM, on_signal)
        signal.signal(signal.SIGINT, on_signal)
        server.start()
        tls = " (TLS)" if settings.GRPC_TLS_CERT_FILE and settings.GRPC_TLS_KEY_FILE else ""
        self.stdout.write(f"rungrpc: serving on {options['bind']}:{port}{tls}", ending="\n")
        self.stdout.flush()
        stop.wait()
        self.stdout.write("rungrpc: stopping", ending="\n")
        server.stop(grace=options["grace"]).wait()
        self.stdout.write("rungrpc: stopped cleanly.")
