"""``manage.py serve``: the whole service on one machine, as one supervised process tree.

Starts, in order: the embedded Redis (only when ``REDIS_URL`` is not set), daphne (HTTP +
WebSocket), the Celery worker and Celery beat, and the gRPC server when the ``rungrpc``
command is installed. SIGINT/SIGTERM stop every child (TERM, then KILL after a grace
period). If any child dies on its own, the others are stopped and ``serve`` exits with
status 1: the service never runs half-up.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from voxify_project.embedded_redis import embedded_redis_socket, redis_answers, start_embedded_redis


def service_commands(
    *, bind: str, port: int, concurrency: int, var_dir: Path, grpc_port: int | None = None
) -> dict[str, list[str]]:
    """The command lines of the web server, the Celery worker, Celery beat and (given a port)
    the gRPC server."""
    python = sys.executable
    commands = {
        "web": [
            python,
            "-m",
            "voxify_project.http_server",  # daphne with bounded request bodies
            "-b",
            bind,
            "-p",
            str(port),
            "--application-close-timeout",
            "10",
            "voxify_project.asgi:application",
        ],
        "worker": [
            python,
            "-m",
            "celery",
            "-A",
            "voxify_project",
            "worker",
            "-Q",
            "default,gpu",
            "-c",
            str(concurrency),
            "--loglevel",
            "INFO",
            "--without-gossip",
            "--without-mingle",
        ],
        "beat": [
            python,
            "-m",
            "celery",
            "-A",
            "voxify_project",
            "beat",
            "--loglevel",
            "INFO",
            "--schedule",
            str(var_dir / "celerybeat-schedule"),
        ],
    }
    if grpc_port is not None:
        commands["grpc"] = [python, "manage.py", "rungrpc", "--bind", bind, "--port", str(grpc_port)]
    return commands


@dataclass
class Child:
    name: str
    process: subprocess.Popen[bytes]


class Command(BaseCommand):
    help = "Run Voxify on one machine: embedded Redis (unless REDIS_URL), daphne, Celery worker and beat, gRPC."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--bind", default=settings.SERVE_BIND, help="Address to listen on (default %(default)s).")
        parser.add_argument("--port", type=int, default=settings.SERVE_HTTP_PORT, help="HTTP port (%(default)s).")
        parser.add_argument("--grpc-port", type=int, default=settings.GRPC_PORT, help="gRPC port (%(default)s).")
        parser.add_argument(
            "--concurrency", type=int, default=settings.CELERY_WORKER_CONCURRENCY, help="Celery worker processes."
        )
        parser.add_argument("--stop-timeout", type=float, default=15.0, help="Seconds to wait before SIGKILL.")

    def handle(self, *args: Any, **options: Any) -> None:
        self.stopping = False
        self.children: list[Child] = []
        signal.signal(signal.SIGTERM, self._on_signal)
        signal.signal(signal.SIGINT, self._on_signal)
        exit_code = 0
        try:
            self._start_all(options)
            exit_code = self._supervise()
        except Exception as exc:
            self.stderr.write(f"serve: {exc}")
            exit_code = 1
        finally:
            self._stop_all(options["stop_timeout"])
        if exit_code:
            raise SystemExit(exit_code)
        self.stdout.write("serve: stopped cleanly.")

    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        self.stopping = True

    def _start_all(self, options: dict[str, Any]) -> None:
        if not os.environ.get("REDIS_URL"):
            sock = embedded_redis_socket(settings.VAR_DIR)
            if redis_answers(sock):
                raise CommandError(f"a Redis already answers on {sock}: is another 'serve' running on this var/?")
            self.children.append(Child("redis", start_embedded_redis(settings.VAR_DIR)))
            self.stdout.write(f"serve: embedded Redis on {sock}")
        for name, argv in service_commands(
            bind=options["bind"],
            port=options["port"],
            concurrency=options["concurrency"],
            var_dir=settings.VAR_DIR,
            grpc_port=options["grpc_port"],
        ).items():
            self._spawn(name, argv)
        self._wait_for_port(options["bind"], options["port"])
        self.stdout.write(f"serve: Voxify is up at http://{options['bind']}:{options['port']}/ (Ctrl-C stops it)")

    def _spawn(self, name: str, argv: list[str]) -> None:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "voxify_project.settings"),
        }
        # Own session: a Ctrl-C in the terminal reaches only serve, which then stops the
        # children in order; and each child's own subprocesses can be killed as a group.
        process = subprocess.Popen(
            argv, env=env, stdin=subprocess.DEVNULL, start_new_session=True, cwd=settings.BASE_DIR
        )
        self.children.append(Child(name, process))

    def _wait_for_port(self, host: str, port: int, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.stopping:
                return
            self._check_children()
            try:
                with socket.create_connection((host, port), timeout=0.5):
                    return
            except OSError:
                time.sleep(0.2)
        raise CommandError(f"the web server did not open {host}:{port} within {timeout:.0f} s")

    def _check_children(self) -> None:
        for child in self.children:
            code = child.process.poll()
            if code is not None:
                raise CommandError(f"{child.name} (pid {child.process.pid}) exited with code {code}; stopping")

    def _supervise(self) -> int:
        while not self.stopping:
            try:
                self._check_children()
            except CommandError as exc:
                self.stderr.write(f"serve: {exc}")
                return 1
            time.sleep(0.2)
        return 0

    def _stop_all(self, timeout: float) -> None:
        # Stop in reverse order of start: the web and workers before the Redis they use.
        for child in reversed(self.children):
            if child.process.poll() is None:
                child.process.send_signal(signal.SIGTERM)
                try:
                    child.process.wait(timeout=timeout if child.name != "redis" else 5)
                except subprocess.TimeoutExpired:
                    self.stderr.write(f"serve: {child.name} did not stop in time; killing it")
            # Kill whatever is left of the child's group (e.g. worker pool processes).
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(child.process.pid, signal.SIGKILL)
            child.process.wait()
