"""Every operation of docs/openapi.yaml has a method in the Python SDK (sync and async) and in
the JavaScript client, and no client method names an operation the API does not have: the
clients cannot drift from the API."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.conf import settings

from voxify_client import AsyncVoxify, Voxify

ROOT = Path(settings.BASE_DIR)


def api_operations() -> set[str]:
    schema = yaml.safe_load((ROOT / "docs" / "openapi.yaml").read_text())
    return {
        operation["operationId"]
        for methods in schema["paths"].values()
        for method, operation in methods.items()
        if method in ("get", "post", "put", "patch", "delete")
    }


def sdk_operations(client: Any) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    resources = [
        (name, getattr(client, name))
        for name in ("auth", "samples", "tts", "dictionaries", "jobs", "files", "tools", "admin", "openai")
    ]
    resources.append(("auth.api_keys", client.auth.api_keys))
    for name, resource in resources:
        for attribute in dir(resource):
            operation = getattr(getattr(resource, attribute), "operation_id", None)
            if operation:
                found.setdefault(operation, []).append(f"{name}.{attribute}")
    return found


@pytest.mark.parametrize("client_class", [Voxify, AsyncVoxify])
def test_every_operation_has_a_python_method(client_class: type[Any]) -> None:
    found = sdk_operations(client_class("http://localhost"))
    assert api_operations() - set(found) == set(), "operations without a method"
    assert set(found) - api_operations() == set(), "methods naming no operation"


def test_every_operation_has_a_javascript_method() -> None:
    node = shutil.which("node")
    if node is None:
        if os.environ.get("CI"):
            pytest.fail("node is not installed")
        pytest.skip("node is not installed")
    script = (
        "const m = await import('./src/index.js'); const c = new m.Voxify({baseUrl: 'http://localhost'});"
        "console.log(JSON.stringify(Object.entries(m.OPERATIONS).filter(([, p]) => {"
        "const [r, f] = p.split('.'); return typeof c[r]?.[f] === 'function'; }).map(([o]) => o)));"
    )
    result = subprocess.run(
        [node, "--input-type=module", "-e", script], cwd=ROOT / "clients" / "js", capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    mapped = set(json.loads(result.stdout))
    assert api_operations() - mapped == set(), "operations without a JavaScript method"
    assert mapped - api_operations() == set(), "JavaScript methods naming no operation"


def test_the_type_declarations_name_every_javascript_method() -> None:
    source = (ROOT / "clients" / "js" / "src" / "index.js").read_text()
    declarations = (ROOT / "clients" / "js" / "src" / "index.d.ts").read_text()
    mapped = re.findall(r"^  (\w+): '(\w+)\.(\w+)',$", source, flags=re.MULTILINE)
    assert len(mapped) == len(api_operations())
    for operation, _, method in mapped:
        assert re.search(rf"^  {method}\(", declarations, flags=re.MULTILINE), (operation, method)
