"""The production profile of compose.yaml as native processes on this machine's real services.

Each Voxify role's command and health check are read from compose.yaml (tests.support.compose)
and run here; compose's connection variables are replaced by the services the caller's
environment names (PostgreSQL, Redis, RabbitMQ, S3, Chroma: ``make test-services``). Used by
tests/deploy/test_topology.py and bench/scale.py.
"""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

from django.conf import settings

from tests.support import compose
from tests.support.processes import free_port, service_env, stop_all

# Set by compose from the operator's .env, and replaced here by this machine's services.
CONNECTIONS = {
    "DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "STORAGE_BACKEND", "AWS_STORAGE_BUCKET_NAME",
    "AWS_S3_ENDPOINT_URL", "AWS_S3_REGION_NAME", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "CHROMA_URL",
    "SECRET_KEY", "JWT_SIGNING_KEY", "PUBLIC_BASE_URL",
}  # fmt: skip
# What an operator's .env gives compose for the rest.
OPERATOR_ENV = {"ALLOWED_HOSTS": "127.0.0.1", "WORKER_CONCURRENCY": "1", "GPU_WORKER_CONCURRENCY": "1"}


class Topology:
    """``migrate`` once, then the instances asked for: ``{"web": 2, "grpc": 1, "worker": 1, ...}``.

    Instances are named ``web-1``, ``web-2``, ``worker-1``…; each web and gRPC instance gets a
    free port for the container's 8000 / 50051, and the second and later instances of a worker
    role get their own Celery node name (``default2@host``), as separate containers would by
    their host names.
    """

    def __init__(self, var_dir: Path, roles: dict[str, int], **env: str) -> None:
        self.var_dir = var_dir
        self.var_dir.mkdir(parents=True, exist_ok=True)
        self.roles = roles
        self.spec = compose.load()["services"]
        self.names = [f"{role}-{index}" for role, count in roles.items() for index in range(1, count + 1)]
        self.port = {name: free_port() for name in self.names if name.startswith(("web-", "grpc-"))}
        self.env = service_env(var_dir, LOG_LEVEL="INFO")
        production = self.spec["web"]["environment"]
        missing = [key for key in CONNECTIONS & production.keys() if key != "PUBLIC_BASE_URL" and not self.env.get(key)]
        assert not missing, f"no real service given for {missing}"
        for key, value in production.items():
            if key not in CONNECTIONS:
                self.env[key] = compose.interpolate(str(value), OPERATOR_ENV)
        self.env.update(env)
        self.processes: dict[str, subprocess.Popen[bytes]] = {}

    @staticmethod
    def role(name: str) -> str:
        return name.rsplit("-", 1)[0]

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.port[name]}"

    @property
    def web_urls(self) -> list[str]:
        return [self.url(name) for name in self.names if name.startswith("web-")]

    @property
    def grpc_target(self) -> str:
        return f"127.0.0.1:{self.port['grpc-1']}"

    def _native(self, name: str, argv: list[str]) -> list[str]:
        ports = {"8000": self.port.get(name, 0), "50051": self.port.get(name, self.port.get("grpc-1", 0))}
        command = compose.native(argv, OPERATOR_ENV, ports)
        index = int(name.rsplit("-", 1)[1])
        if index > 1 and self.role(name).startswith("worker"):
            # -n default@%h / --node default: one node name per instance
            for position, part in enumerate(command):
                if position and command[position - 1] in ("-n", "--node"):
                    node, _, host = part.partition("@")
                    command[position] = f"{node}{index}" + (f"@{host}" if host else "")
        return command

    def command(self, name: str) -> list[str]:
        return self._native(name, self.spec[self.role(name)]["command"])

    def spawn(self, name: str) -> None:
        log = (self.var_dir / f"{name}.log").open("ab")
        self.processes[name] = subprocess.Popen(
            self.command(name),
            cwd=settings.BASE_DIR,
            env=self.env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()

    def healthy(self, name: str, timeout: float = 180) -> None:
        """The role's own compose health check, run here until it passes."""
        argv = self._native(name, compose.healthcheck(self.spec[self.role(name)]))
        deadline = time.monotonic() + timeout
        while True:
            process = self.processes[name]
            assert process.poll() is None, f"{name} exited with {process.returncode}:\n{self.log(name)[-3000:]}"
            result = subprocess.run(argv, cwd=settings.BASE_DIR, env=self.env, capture_output=True, text=True)
            if result.returncode == 0:
                return
            assert time.monotonic() < deadline, f"{name} never healthy: {result.stderr}\n{self.log(name)[-3000:]}"
            time.sleep(1)

    def log(self, name: str) -> str:
        return (self.var_dir / f"{name}.log").read_text(errors="replace")

    def start(self) -> Topology:
        migrate = subprocess.run(
            self._native("migrate-1", self.spec["migrate"]["command"]),
            cwd=settings.BASE_DIR,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert migrate.returncode == 0, migrate.stderr
        for name in self.names:
            self.spawn(name)
        for name in self.names:
            self.healthy(name)
        return self

    def stop(self) -> None:
        stop_all(list(self.processes.values()))
