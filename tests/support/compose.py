"""compose.yaml read as an operator's `docker compose` would: merge keys resolved, ``${...}``
interpolated, and each Voxify role's command turned into the same command on this machine."""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = ROOT / "compose.yaml"
ENV_EXAMPLE = ROOT / ".env.example"
# The roles run from Voxify's own image, in the production profile.
VOXIFY_ROLES = ("migrate", "web", "grpc", "worker", "worker-gpu", "beat")
# What each container listens on; a native process gets a free port instead.
CONTAINER_PORTS = {"8000", "50051"}

_VARIABLE = re.compile(r"\$\{(?P<name>[A-Z0-9_]+)(?:(?P<op>:?[-?])(?P<arg>[^}]*))?\}")


def load() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(COMPOSE_FILE.read_text())
    return data


def variables(text: str) -> set[str]:
    """Every ``${NAME...}`` a compose text interpolates (``$${...}`` is a literal dollar)."""
    return {m.group("name") for m in _VARIABLE.finditer(text.replace("$$", ""))}


def interpolate(value: str, env: dict[str, str]) -> str:
    """Compose's interpolation: ``${X}``, ``${X:-default}``, ``${X-default}``, ``${X:?error}``."""

    def replace(match: re.Match[str]) -> str:
        name, op, arg = match.group("name"), match.group("op"), match.group("arg")
        present = name in env and (env[name] != "" or not (op or "").startswith(":"))
        if present:
            return env[name]
        if op in (":?", "?"):
            raise KeyError(f"{name}: {arg}")
        return arg or ""

    return _VARIABLE.sub(replace, value).replace("$$", "$")


def native(argv: list[str], env: dict[str, str], ports: dict[str, int]) -> list[str]:
    """A container command as a process here: ``python`` is this interpreter, ``0.0.0.0`` is
    loopback, and a container port (8000, 50051) is the port chosen for this process."""
    command = [interpolate(str(part), env) for part in argv]
    out = []
    for part in command:
        if part == "python":
            part = sys.executable
        elif part == "0.0.0.0":  # noqa: S104 - the container address being replaced
            part = "127.0.0.1"
        elif part in CONTAINER_PORTS:
            part = str(ports[part])
        out.append(part)
    return out


def healthcheck(service: dict[str, Any]) -> list[str]:
    """The health check's command (``CMD`` form) of a service."""
    test = service["healthcheck"]["test"]
    assert isinstance(test, list) and test[0] == "CMD", test
    return [str(part) for part in test[1:]]
