"""Real service processes for end-to-end tests: web (daphne), Celery worker and beat, and the
embedded Redis in embedded mode, each a separate process that a test can kill or restart."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import grpc
import httpx
import psutil
import psycopg
import websockets
from django.conf import settings
from django.db import connection

from tests.support.api import STRONG_PASSWORD, SUITE_REQUESTS_PER_MINUTE
from tests.support.speech_data import recording
from voxify_project.embedded_redis import start_embedded_redis
from voxify_project.management.commands.serve import service_commands

# Job settings under which a worker's death is noticed in seconds (production: 30 s).
FAST_REAPER = {"JOB_HEARTBEAT_INTERVAL": "1", "JOB_HEARTBEAT_TIMEOUT": "8", "JOB_REAPER_INTERVAL": "2"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def service_env(var_dir: Path, **extra: str) -> dict[str, str]:
    """The test's environment, pointed at a private var/ and (real mode) the test database."""
    env = {
        **os.environ,
        "VOXIFY_VAR_DIR": str(var_dir),
        "LOG_LEVEL": "WARNING",
        "REQUESTS_PER_MINUTE": str(SUITE_REQUESTS_PER_MINUTE),
        # The suite's voices are trained without the spoken consent check (real speakers cannot
        # read random phrases here); tests/voices/test_consent.py turns it on.
        "CONSENT_REQUIRED": "false",
        # Their trainings start from Piper's voice whatever the environment configures (the
        # choice of base costs several times more); tests/voices/test_training.py trains with it.
        "VOICE_TRAINING_BASE": "",
        **extra,
    }
    if not settings.EMBEDDED:
        db = connection.settings_dict
        env["DATABASE_URL"] = f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    return env


def migrate(env: dict[str, str]) -> None:
    result = subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr


def wait_ready(port: int, process: subprocess.Popen[bytes] | None = None, timeout: float = 120) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    last: Exception | None = None
    while time.monotonic() < deadline:
        assert process is None or process.poll() is None, f"process exited early with {process.returncode}"
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=5) as response:
                body: dict[str, Any] = json.load(response)
                return body
        except (urllib.error.URLError, ConnectionError, TimeoutError) as exc:
            last = exc
            time.sleep(0.5)
    raise AssertionError(f"/readyz never answered 200: {last}")


def kill_tree(process: subprocess.Popen[bytes] | psutil.Process, sig: int = signal.SIGKILL) -> None:
    try:
        proc = process if isinstance(process, psutil.Process) else psutil.Process(process.pid)
        family = [*proc.children(recursive=True), proc]
    except psutil.NoSuchProcess:
        return
    for member in family:
        with contextlib.suppress(psutil.NoSuchProcess):
            member.send_signal(sig)
    psutil.wait_procs(family, timeout=15)


def stop_all(processes: list[subprocess.Popen[bytes]]) -> None:
    """SIGTERM to each, a grace period, then SIGKILL to whatever is left of each tree."""
    for process in processes:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    for process in processes:
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=20)
        kill_tree(process)


class ServiceStack:
    """Web + worker + beat (+ embedded Redis), started from one var/ and one database."""

    def __init__(self, var_dir: Path, **env: str) -> None:
        self.var_dir = var_dir
        self.log_files = False  # set before start(): each process's output to var_dir/<name>.log (log())
        self.env = service_env(var_dir, **env)
        self.port = free_port()
        self.grpc_port = free_port()
        self.redis: subprocess.Popen[bytes] | None = None
        self.processes: dict[str, subprocess.Popen[bytes]] = {}

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _spawn(self, name: str, *argv: str) -> None:
        output: Any = None
        if self.log_files:
            self.var_dir.mkdir(parents=True, exist_ok=True)
            output = (self.var_dir / f"{name}.log").open("ab")
        self.processes[name] = subprocess.Popen(
            list(argv),
            cwd=settings.BASE_DIR,
            env=self.env,
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT if output is not None else None,
            start_new_session=True,
        )
        if output is not None:
            output.close()  # the child has its own copy

    def log(self) -> str:
        """Everything the stack's processes wrote so far (``log_files=True``)."""
        return "".join(path.read_text(errors="replace") for path in sorted(self.var_dir.glob("*.log")))

    def query(self, sql: str, *params: Any) -> list[tuple[Any, ...]]:
        """Rows from the stack's own database, as its processes see it."""
        if settings.EMBEDDED:
            with contextlib.closing(sqlite3.connect(self.var_dir / "voxify.sqlite3", timeout=30)) as db:
                return list(db.execute(sql.replace("%s", "?"), params).fetchall())
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return list(cursor.fetchall())

    def start(self) -> ServiceStack:
        migrate(self.env)
        if settings.EMBEDDED:
            self.redis = start_embedded_redis(self.var_dir)
        commands = service_commands(
            bind="127.0.0.1", port=self.port, concurrency=1, var_dir=self.var_dir, grpc_port=self.grpc_port
        )
        for name, argv in commands.items():
            self._spawn(name, *argv)
        wait_ready(self.port, self.processes["web"])
        with grpc.insecure_channel(self.grpc_target) as channel:
            grpc.channel_ready_future(channel).result(timeout=120)
        return self

    def respawn(self, name: str) -> None:
        """Start one of the stack's processes again (after a test killed it)."""
        argv = service_commands(
            bind="127.0.0.1", port=self.port, concurrency=1, var_dir=self.var_dir, grpc_port=self.grpc_port
        )[name]
        self._spawn(name, *argv)

    def restart_redis(self) -> None:
        """Stop Redis (cache, rate limits, channel layer; in embedded mode also the broker) for a
        moment and start it again: the embedded one, or the machine's on 6379."""
        if settings.EMBEDDED:
            self.restart_broker()
            return
        subprocess.run(["redis-cli", "-p", "6379", "shutdown", "nosave"], capture_output=True, timeout=60)
        time.sleep(2)
        subprocess.run(["bash", "scripts/ensure_services.sh"], cwd=settings.BASE_DIR, check=True, timeout=120)

    @contextlib.contextmanager
    def database_locked(self, table: str = "accounts_user") -> Iterator[None]:
        """Another connection holds the database's write lock (SQLite) or an exclusive lock
        on ``table`` (PostgreSQL) while the block runs."""
        if settings.EMBEDDED:
            holder = sqlite3.connect(self.var_dir / "voxify.sqlite3", isolation_level=None, timeout=30)
            holder.execute("BEGIN EXCLUSIVE")
            try:
                yield
            finally:
                holder.execute("ROLLBACK")
                holder.close()
            return
        db = connection.settings_dict
        with psycopg.connect(host=db["HOST"], port=db["PORT"], user=db["USER"], dbname=db["NAME"]) as locker:
            locker.execute(f"LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE")  # in the open transaction
            try:
                yield
            finally:
                locker.rollback()

    def add_web(self) -> str:
        """Another web process on the same database, Redis and storage; its base URL."""
        port = free_port()
        argv = service_commands(
            bind="127.0.0.1", port=port, concurrency=1, var_dir=self.var_dir, grpc_port=self.grpc_port
        )["web"]
        self._spawn(f"web-{port}", *argv)
        wait_ready(port, self.processes[f"web-{port}"])
        return f"http://127.0.0.1:{port}"

    def create_staff(self, email: str) -> None:
        """A superuser made the documented way (``createsuperuser``) in the stack's database."""
        result = subprocess.run(
            [sys.executable, "manage.py", "createsuperuser", "--noinput", "--email", email],
            cwd=settings.BASE_DIR,
            env={**self.env, "DJANGO_SUPERUSER_PASSWORD": STRONG_PASSWORD},
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 0, result.stderr

    @property
    def grpc_target(self) -> str:
        return f"127.0.0.1:{self.grpc_port}"

    def worker_pool_processes(self) -> list[psutil.Process]:
        children: list[psutil.Process] = psutil.Process(self.processes["worker"].pid).children(recursive=True)
        return children

    def restart_broker(self) -> None:
        """Stop the broker for a moment and start it again."""
        if settings.EMBEDDED:
            assert self.redis is not None
            self.redis.terminate()
            self.redis.wait(timeout=20)
            time.sleep(2)
            self.redis = start_embedded_redis(self.var_dir)
        else:
            subprocess.run(["rabbitmqctl", "stop_app"], check=True, capture_output=True, timeout=120)
            time.sleep(2)
            subprocess.run(["rabbitmqctl", "start_app"], check=True, capture_output=True, timeout=120)

    def stop(self) -> None:
        stop_all(list(self.processes.values()))
        if self.redis is not None:
            self.redis.terminate()
            self.redis.wait(timeout=20)


@contextlib.contextmanager
def started_stack(
    tmp_path_factory: Any, django_db_blocker: Any, name: str, *, log_files: bool = False, **env: str
) -> Iterator[ServiceStack]:
    """A ServiceStack in a fresh var/ for a module's tests (use in a module-scoped fixture that
    depends on ``django_db_setup``), stopped afterwards."""
    with django_db_blocker.unblock():
        services = ServiceStack(Path(tmp_path_factory.mktemp(name)) / "var", **env)
        services.log_files = log_files
        services.start()
    try:
        yield services
    finally:
        services.stop()


class ApiUser:
    """A registered user talking to a live stack over HTTP, as a user's program would."""

    def __init__(self, stack: ServiceStack, email: str, *, register: bool = True) -> None:
        self.http = httpx.Client(base_url=stack.url, timeout=60)
        if register:
            credentials = {"email": email, "password": STRONG_PASSWORD}
            self.http.post("/api/v1/auth/register", json=credentials).raise_for_status()
        login = self.http.post("/api/v1/auth/login", json={"email": email, "password": STRONG_PASSWORD})
        self.token = login.json()["data"]["access_token"]
        self.http.headers["Authorization"] = f"Bearer {self.token}"

    def upload(self, clip: str) -> str:
        path = recording(clip).path
        response = self.http.post(
            "/api/v1/voice/samples", data={"name": clip}, files={"file": (path.name, path.read_bytes())}
        )
        assert response.status_code == 201, response.text
        return str(response.json()["data"]["sample_id"])

    def train(self, sample_id: str) -> str:
        response = self.http.post(f"/api/v1/voice/samples/{sample_id}/train", json={})
        assert response.status_code == 202, response.text
        return str(response.json()["data"]["training_job_id"])

    def job(self, job_id: str) -> dict[str, Any]:
        data: dict[str, Any] = self.http.get(f"/api/v1/jobs/{job_id}").json()["data"]
        return data

    def wait_job(self, job_id: str, until: Any, timeout: float) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            job = self.job(job_id)
            if until(job):
                return job
            time.sleep(0.1)
        raise AssertionError(f"job {job_id} never reached the state; last: {self.job(job_id)}")


async def watch(stack: ServiceStack, job_id: str, token: str) -> list[dict[str, Any]]:
    """Every message of a job's progress WebSocket, until the server closes it."""
    url = stack.url.replace("http://", "ws://") + f"/api/v1/jobs/{job_id}/progress/ws"
    messages: list[dict[str, Any]] = []
    async with websockets.connect(
        url, additional_headers={"Authorization": f"Bearer {token}"}, origin=websockets.Origin("http://localhost")
    ) as ws:
        async for raw in ws:
            messages.append(json.loads(raw))
    return messages
