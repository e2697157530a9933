"""The committed OpenAPI schema is exactly what the code generates, and the docs are offline."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from django.conf import settings
from rest_framework.test import APIClient

COMMITTED = Path(settings.BASE_DIR) / "docs" / "openapi.yaml"


def test_committed_schema_matches_a_fresh_generation(tmp_path: Path) -> None:
    fresh = tmp_path / "openapi.yaml"
    result = subprocess.run(
        [sys.executable, "manage.py", "spectacular", "--file", str(fresh), "--validate", "--fail-on-warn"],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stderr
    assert fresh.read_text() == COMMITTED.read_text(), "docs/openapi.yaml is stale: run `make schema` and commit it"


def test_schema_documents_the_auth_endpoints() -> None:
    schema = yaml.safe_load(COMMITTED.read_text())

    assert schema["openapi"].startswith("3.")
    assert {
        "/api/v1/auth/register",
        "/api/v1/auth/login",
        "/api/v1/auth/refresh",
        "/api/v1/auth/logout",
        "/api/v1/auth/me",
    } <= set(schema["paths"])
    login_ok = schema["paths"]["/api/v1/auth/login"]["post"]["responses"]["200"]
    ref = login_ok["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    assert set(schema["components"]["schemas"][ref]["properties"]) == {"success", "data", "message", "error"}


@pytest.mark.django_db
def test_schema_endpoint_and_swagger_ui_are_served_without_a_cdn(api_client: APIClient) -> None:
    schema = api_client.get("/api/v1/schema", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == 200
    assert "/api/v1/auth/login" in schema.json()["paths"]

    page = api_client.get("/api/docs")
    assert page.status_code == 200
    html = page.content.decode()
    assert "swagger-ui" in html
    assert "cdn.jsdelivr.net" not in html and "unpkg.com" not in html
    bundle = next(line for line in html.splitlines() if "swagger-ui-bundle.js" in line)
    static_path = bundle.split('src="', 1)[1].split('"', 1)[0]
    asset = api_client.get(static_path)
    assert asset.status_code == 200
    assert b"SwaggerUIBundle" in b"".join(asset.streaming_content)  # type: ignore[attr-defined]


def test_every_reference_in_the_schema_is_defined() -> None:
    text = COMMITTED.read_text()
    schema = yaml.safe_load(text)
    defined = set(schema["components"]["schemas"])

    referenced = set(re.findall(r"\$ref: '#/components/schemas/([^']+)'", text))

    assert referenced and referenced <= defined, sorted(referenced - defined)


def test_list_endpoints_document_their_page_bounds_and_items() -> None:
    from voxify_project.pagination import MAX_PAGE, MAX_PAGE_SIZE

    schema = yaml.safe_load(COMMITTED.read_text())
    lists = {"/api/v1/jobs": "jobs", "/api/v1/voice/samples": "samples", "/api/v1/admin/users": "users"}
    for path, key in lists.items():
        operation = schema["paths"][path]["get"]
        params = {p["name"]: p["schema"] for p in operation["parameters"]}
        assert (params["page"]["minimum"], params["page"]["maximum"]) == (1, MAX_PAGE)
        assert (params["page_size"]["minimum"], params["page_size"]["maximum"]) == (1, MAX_PAGE_SIZE)
        envelope = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
        data = schema["components"]["schemas"][envelope]["properties"]["data"]["$ref"].rsplit("/", 1)[-1]
        page = schema["components"]["schemas"][data]["properties"]
        assert set(page) == {key, "pagination"}
        assert page[key]["items"]["$ref"].rsplit("/", 1)[-1] in schema["components"]["schemas"]
