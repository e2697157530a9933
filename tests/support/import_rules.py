"""The import rule of each layer (docs/architecture.md, "Layers and the import rule"), checked
on the source tree by reading every module's imports (``ast``; nothing is imported).

- ``speech/`` is framework-free: no Django, DRF, Channels, Celery or gRPC, no project app.
- The ground floor (``configuration``, and the core modules of ``voxify_project`` listed in
  CORE) imports no app above it.
- Domain apps are ranked (APP_RANK): a domain module imports only apps of a lower rank, and
  never an adapter module.
- Adapters (views, serializers, admin, urls, consumers, authentication, the SSE stream and
  all of ``grpc_server``) may call any app's services and selectors but import no other
  app's models at run time (``if TYPE_CHECKING:`` imports for annotations are allowed).

Migrations and generated protobuf code are not checked.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

FRAMEWORKS = ("django", "rest_framework", "drf_spectacular", "channels", "celery", "grpc", "asgiref", "daphne")
APP_RANK = {"configuration": 0, "accounts": 1, "files": 2, "jobs": 3, "voices": 4, "synthesis": 5, "operations": 6}
ADAPTER_APPS = ("grpc_server", "openai_api", "studio")  # whole apps that only adapt services to a protocol
PROJECT = {*APP_RANK, "speech", "voxify_project", *ADAPTER_APPS}
# voxify_project modules every layer may import: they import no app.
CORE = {
    "voxify_project.errors",
    "voxify_project.ids",
    "voxify_project.envelope",
    "voxify_project.body_limits",
    "voxify_project.negotiation",
    "voxify_project.strict",
    "voxify_project.request_context",
}
ADAPTER_MODULES = {
    "views",
    "serializers",
    "admin",
    "admin_site",
    "urls",
    "consumers",
    "routing",
    "authentication",
    "stream",
    "apps",
    "links",
    "responses",
}


@dataclass(frozen=True)
class Violation:
    path: str
    line: int
    imported: str
    rule: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: imports {self.imported}: {self.rule}"


def _imports(tree: ast.Module) -> list[tuple[int, str, bool]]:
    """(line, module, only for type checking) of every absolute import."""
    typing_only: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in node.body:
                for inner in ast.walk(child):
                    typing_only.add(id(inner))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        else:
            continue
        for name in names:
            found.append((node.lineno, name, id(node) in typing_only))
    return found


def _is_adapter(parts: tuple[str, ...]) -> bool:
    return parts[0] in ADAPTER_APPS or Path(parts[-1]).stem in ADAPTER_MODULES


def _module_names(imported: str) -> tuple[str, str]:
    """(top package, the imported module's own file name) of ``a.b.c``."""
    pieces = imported.split(".")
    return pieces[0], pieces[1] if len(pieces) > 1 else ""


def check_file(root: Path, path: Path) -> list[Violation]:
    relative = path.relative_to(root)
    parts = relative.parts
    layer = parts[0]
    module = ".".join((*parts[:-1], path.stem))
    violations: list[Violation] = []

    def flag(line: int, imported: str, rule: str) -> None:
        violations.append(Violation(str(relative), line, imported, rule))

    for line, imported, typing_only in _imports(ast.parse(path.read_text(encoding="utf-8"))):
        top, submodule = _module_names(imported)
        if layer == "speech":
            if top in FRAMEWORKS:
                flag(line, imported, "speech/ is framework-free")
            elif top in PROJECT and top != "speech":
                flag(line, imported, "speech/ imports no project app")
            continue
        if (
            top == layer
            and not _is_adapter(parts)
            and submodule in ADAPTER_MODULES
            and layer not in ("grpc_server", "voxify_project")
        ):
            flag(line, imported, "domain code does not import adapters")
            continue
        if top not in PROJECT or top == layer or top == "speech":
            continue
        if typing_only:
            continue
        if top == "voxify_project":
            if (layer == "configuration" or module in CORE) and not any(
                imported == core or imported.startswith(core + ".") for core in CORE
            ):
                flag(line, imported, "the ground floor imports only the core voxify_project modules")
            continue
        if module in CORE:
            flag(line, imported, "core voxify_project modules import no app")
            continue
        if layer == "voxify_project":
            continue  # settings, urls, asgi, middleware: the project wires every app together
        if top in ADAPTER_APPS:
            flag(line, imported, f"nothing imports the {top} adapter")
            continue
        if _is_adapter(parts):
            if submodule == "models" and top != "configuration":
                flag(line, imported, "adapters use services and selectors, not another app's models")
            continue
        if submodule in ADAPTER_MODULES:
            flag(line, imported, "domain code does not import adapters")
        elif APP_RANK.get(top, 99) >= APP_RANK.get(layer, -1):
            flag(line, imported, f"{layer} may import only apps below it ({_below(layer)})")
    return violations


def _below(layer: str) -> str:
    rank = APP_RANK.get(layer, -1)
    return ", ".join(app for app, other in APP_RANK.items() if other < rank) or "none"


def check_tree(root: Path) -> list[Violation]:
    violations: list[Violation] = []
    for package in sorted(PROJECT):
        folder = root / package
        if not folder.is_dir():
            continue
        for path in sorted(folder.rglob("*.py")):
            if "migrations" in path.parts or path.name.endswith(("_pb2.py", "_pb2_grpc.py")):
                continue
            violations.extend(check_file(root, path))
    return violations
