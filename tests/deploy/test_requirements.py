"""The runtime requirements (what the image installs) are complete and closed, and hold no
test, lint or type-check tool; the development requirements add those on top."""

from __future__ import annotations

import ast
import re
import sys
from importlib import metadata
from pathlib import Path

from django.conf import settings
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]
# The service's code: every app and the project package (not tests, bench, scripts or clients).
RUNTIME_PACKAGES = [
    "accounts", "configuration", "files", "grpc_server", "jobs", "openai_api", "operations",
    "speech", "studio", "synthesis", "voices", "voxify_project",
]  # fmt: skip
# Modules whose distribution metadata does not name them.
MODULE_DISTRIBUTIONS = {"parselmouth": "praat-parselmouth"}
DEV_TOOLS = {"pytest", "ruff", "mypy", "moto", "hypothesis", "schemathesis", "playwright", "check-jsonschema"}


def pins(path: Path) -> dict[str, Requirement]:
    found: dict[str, Requirement] = {}
    for line in path.read_text().splitlines():
        line = line.split("#")[0].strip()
        if line and not line.startswith("-"):
            requirement = Requirement(line)
            found[canonicalize_name(requirement.name)] = requirement
    return found


RUNTIME = pins(ROOT / "requirements.txt")
DEV = pins(ROOT / "requirements-dev.txt")
NODEPS = pins(ROOT / "requirements-nodeps.txt")


def missing_requirements(selected: dict[str, Requirement]) -> dict[str, set[str]]:
    """Each distribution a selected one requires (markers and extras applied) that is not selected."""
    missing: dict[str, set[str]] = {}
    todo = [(name, frozenset(requirement.extras)) for name, requirement in selected.items()]
    seen: set[tuple[str, frozenset[str]]] = set()
    while todo:
        name, extras = todo.pop()
        if (name, extras) in seen:
            continue
        seen.add((name, extras))
        for spec in metadata.requires(name) or []:
            requirement = Requirement(spec)
            environments = [{"extra": extra} for extra in (*extras, "")]
            if requirement.marker is not None and not any(requirement.marker.evaluate(e) for e in environments):
                continue
            dependency = canonicalize_name(requirement.name)
            if dependency not in selected:
                missing.setdefault(dependency, set()).add(name)
            else:
                todo.append((dependency, frozenset(requirement.extras)))
    return missing


def imported_modules(paths: list[Path]) -> set[str]:
    modules = set()
    for path in paths:
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, ast.Import):
                modules |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                modules.add(node.module.split(".")[0])
    return modules


def configured_modules() -> set[str]:
    """Modules the settings name as strings: apps, middleware, backends."""
    dotted = [
        *settings.INSTALLED_APPS,
        *settings.MIDDLEWARE,
        *(cache["BACKEND"] for cache in settings.CACHES.values()),
        *(layer["BACKEND"] for layer in settings.CHANNEL_LAYERS.values()),
        *(storage["BACKEND"] for storage in settings.STORAGES.values()),
        "django.db.backends.postgresql",  # production mode's database
        "storages.backends.s3",  # STORAGE_BACKEND=s3
        "channels_redis.core",  # production mode's channel layer
        "psycopg",
    ]
    return {name.split(".")[0] for name in dotted}


def test_the_runtime_set_is_closed_under_its_own_requirements() -> None:
    assert missing_requirements(RUNTIME) == {}
    # The check fails when a package a runtime package needs is left out.
    without_amqp = {name: requirement for name, requirement in RUNTIME.items() if name != "amqp"}
    assert missing_requirements(without_amqp) == {"amqp": {"kombu"}}


def test_every_module_the_service_imports_comes_from_a_runtime_package() -> None:
    local = set(RUNTIME_PACKAGES) | {"manage", "tests"}
    paths = [path for package in RUNTIME_PACKAGES for path in (ROOT / package).rglob("*.py")] + [ROOT / "manage.py"]
    modules = (imported_modules(paths) | configured_modules()) - set(sys.stdlib_module_names) - local
    owners = metadata.packages_distributions()
    unowned, outside = [], []
    for module in sorted(modules):
        names = [MODULE_DISTRIBUTIONS[module]] if module in MODULE_DISTRIBUTIONS else owners.get(module)
        if not names:
            unowned.append(module)
        elif not {canonicalize_name(name) for name in names} & (RUNTIME.keys() | NODEPS.keys()):
            outside.append(f"{module} ({', '.join(names)})")
    assert unowned == [] and outside == [], (unowned, outside)
    assert {"torch", "chromadb", "daphne", "celery", "piper"} <= modules  # the scan sees the service


def test_development_tools_are_only_in_the_development_set() -> None:
    assert DEV.keys() >= DEV_TOOLS
    assert DEV_TOOLS & RUNTIME.keys() == set()
    assert DEV.keys() & RUNTIME.keys() == set()  # each package pinned once
    assert (ROOT / "requirements-dev.txt").read_text().splitlines()[3] == "-r requirements.txt"
    assert missing_requirements({**RUNTIME, **DEV}) == {}


def test_every_pin_is_exact_and_is_what_is_installed() -> None:
    wrong = []
    for name, requirement in {**RUNTIME, **DEV, **NODEPS}.items():
        installed = metadata.version(name)
        exact = re.fullmatch(r"==[\w.+]+", str(requirement.specifier))
        if not exact or not requirement.specifier.contains(installed, prereleases=True):
            wrong.append(f"{requirement} (installed {installed})")
    assert wrong == []
