"""compose.yaml, the Dockerfile and .env.example: valid, complete, and free of secrets."""

from __future__ import annotations

import copy
import itertools
import os
import re
import secrets
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.support import compose
from voxify_project.management.commands.serve import service_commands

ROOT = compose.ROOT
CHECK_JSONSCHEMA = Path(sys.executable).parent / "check-jsonschema"
DATA_SERVICES = {"postgres", "redis", "rabbitmq", "minio", "chroma"}
ONE_SHOTS = {"migrate", "minio-bucket"}
PRODUCTION = DATA_SERVICES | ONE_SHOTS | {"web", "grpc", "worker", "worker-gpu", "beat", "proxy"}
SECRET_NAME = re.compile(r"PASSWORD|SECRET|SIGNING_KEY|ACCESS_KEY|TOKEN|AUTH|CREDENTIAL")
WHOLE_VARIABLE = re.compile(r"^\$\{[A-Z0-9_]+(:?[-?][^}]*)?\}$")
URL_PASSWORD = re.compile(r"://[^/@\s]*:(?P<password>[^@/\s]+)@")


def validate(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(CHECK_JSONSCHEMA), "--builtin-schema", "vendor.compose-spec", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
    )


def hard_coded_secrets(data: dict[str, Any]) -> list[str]:
    """Each place a service's environment, command or health check holds a literal secret: a
    secret-named variable whose value is not one ``${VAR}``, or a URL with a literal password."""
    found = []
    for name, service in data["services"].items():
        environment = service.get("environment") or {}
        if isinstance(environment, list):
            environment = dict(item.split("=", 1) for item in environment)
        for key, value in environment.items():
            value = str(value)
            if SECRET_NAME.search(key) and not WHOLE_VARIABLE.match(value):
                found.append(f"{name}.environment.{key}")
            for match in URL_PASSWORD.finditer(value):
                if not WHOLE_VARIABLE.match(match.group("password")):
                    found.append(f"{name}.environment.{key} (password in URL)")
        words = [str(part) for part in [*(service.get("command") or []), *(service.get("entrypoint") or [])]]
        for before, after in itertools.pairwise(words):
            if re.fullmatch(r"--?(requirepass|password|pass|secret)", before) and "$" not in after:
                found.append(f"{name}.command {before}")
    return found


@pytest.fixture(scope="module")
def spec() -> dict[str, Any]:
    return compose.load()


def test_compose_file_is_valid_against_the_compose_specification(tmp_path: Path) -> None:
    result = validate(compose.COMPOSE_FILE)
    assert result.returncode == 0, result.stdout + result.stderr
    # The check can fail: a misspelt key and a health check without its test are refused.
    broken = yaml.safe_load(compose.COMPOSE_FILE.read_text())
    broken["services"]["web"]["comand"] = broken["services"]["web"].pop("command")
    broken["services"]["grpc"]["healthcheck"]["interval"] = ["15s"]
    (tmp_path / "compose.yaml").write_text(yaml.safe_dump(broken))
    refused = validate(tmp_path / "compose.yaml")
    assert refused.returncode != 0
    assert "comand" in refused.stdout and "interval" in refused.stdout, refused.stdout


def test_profiles_hold_the_expected_services(spec: dict[str, Any]) -> None:
    profiles: dict[str, set[str]] = {}
    for name, service in spec["services"].items():
        assert service.get("profiles"), f"{name} runs in no profile"
        for profile in service["profiles"]:
            profiles.setdefault(profile, set()).add(name)
    assert profiles == {"embedded": {"voxify"}, "production": PRODUCTION}
    embedded = spec["services"]["voxify"]
    assert "manage.py serve" in embedded["command"][-1]
    assert any(volume.endswith(":/var/lib/voxify") for volume in embedded["volumes"])


def test_every_long_running_service_has_a_health_check_and_waits_for_what_it_needs(spec: dict[str, Any]) -> None:
    services = spec["services"]
    for name, service in services.items():
        if name in ONE_SHOTS:
            assert service["restart"] == "no", name
            continue
        test = service["healthcheck"]["test"]
        assert test[0] == "CMD" and len(test) > 1, (name, test)
    assert services["migrate"]["healthcheck"] == {"disable": True}
    assert services["migrate"]["depends_on"] == {"postgres": {"condition": "service_healthy"}}
    for role in ("web", "grpc", "worker", "worker-gpu", "beat"):
        depends = services[role]["depends_on"]
        assert depends["migrate"] == {"condition": "service_completed_successfully"}, role
        assert depends["minio-bucket"] == {"condition": "service_completed_successfully"}, role
        for data_service in DATA_SERVICES - {"postgres", "minio"}:  # postgres and minio: through the one-shots
            assert depends[data_service] == {"condition": "service_healthy"}, (role, data_service)
    assert services["proxy"]["depends_on"] == {"web": {"condition": "service_healthy"}}
    # The Voxify roles' checks are the probes of voxify_project.probe, one per role.
    probes = {role: compose.healthcheck(services[role])[2:] for role in ("web", "grpc", "worker", "worker-gpu", "beat")}
    assert probes["web"] == ["voxify_project.probe", "http", "--port", "8000"]
    assert probes["grpc"] == ["voxify_project.probe", "grpc", "--port", "50051"]
    assert probes["worker"][-2:] == ["--node", "default"] and probes["worker-gpu"][-2:] == ["--node", "gpu"]
    assert probes["beat"][:2] == ["voxify_project.probe", "beat"]


def test_roles_scale_and_are_placed_as_documented(spec: dict[str, Any]) -> None:
    services = spec["services"]
    web = services["web"]
    assert "ports" not in web and "container_name" not in web  # `--scale web=N` needs both absent
    assert services["beat"]["deploy"]["replicas"] == 1
    devices = services["worker-gpu"]["deploy"]["resources"]["reservations"]["devices"]
    assert devices == [{"driver": "nvidia", "count": 1, "capabilities": ["gpu"]}]
    commands = {role: services[role]["command"] for role in ("worker", "worker-gpu")}
    queue = {role: command[command.index("-Q") + 1] for role, command in commands.items()}
    assert queue == {"worker": "default", "worker-gpu": "gpu"}
    assert services["web"]["environment"]["TRAINING_QUEUE"] == "${TRAINING_QUEUE:-gpu}"
    assert "nvidia" not in str(services["worker"])


def test_the_web_command_is_the_one_manage_py_serve_runs(spec: dict[str, Any]) -> None:
    ports = {"8000": 18000, "50051": 15051}
    expected = service_commands(bind="127.0.0.1", port=18000, concurrency=1, var_dir=ROOT / "var", grpc_port=15051)
    assert compose.native(spec["services"]["web"]["command"], {}, ports) == expected["web"]
    grpc = compose.native(spec["services"]["grpc"]["command"], {}, ports)
    assert grpc[-4:] == expected["grpc"][-4:] and grpc[1:3] == expected["grpc"][1:3]
    worker = compose.native(spec["services"]["worker"]["command"], {}, ports)
    assert worker[:6] == expected["worker"][:6] and "--without-mingle" in worker


def test_no_service_hard_codes_a_secret(spec: dict[str, Any]) -> None:
    assert hard_coded_secrets(spec) == []
    # The check finds each kind of literal secret.
    tampered = copy.deepcopy(spec)
    tampered["services"]["web"]["environment"] = {
        **tampered["services"]["web"]["environment"],
        "SECRET_KEY": "abc123",
        "DATABASE_URL": "postgres://voxify:hunter2@postgres:5432/voxify",
    }
    tampered["services"]["redis"]["command"] = ["redis-server", "--requirepass", "hunter2"]
    assert sorted(hard_coded_secrets(tampered)) == [
        "redis.command --requirepass",
        "web.environment.DATABASE_URL (password in URL)",
        "web.environment.SECRET_KEY",
    ]
    # Every secret the production profile needs is required (`:?`), so an empty .env cannot start it.
    text = compose.COMPOSE_FILE.read_text()
    for name in ("SECRET_KEY", "JWT_SIGNING_KEY", "POSTGRES_PASSWORD", "REDIS_PASSWORD", "RABBITMQ_PASSWORD"):
        assert f"${{{name}:?" in text, name
    with pytest.raises(KeyError, match="POSTGRES_PASSWORD"):
        compose.interpolate(spec["services"]["web"]["environment"]["DATABASE_URL"], {"POSTGRES_PASSWORD": ""})


def _example_values() -> dict[str, str]:
    """.env.example's variables, set or commented out (``# NAME=value``)."""
    values = {}
    for line in compose.ENV_EXAMPLE.read_text().splitlines():
        match = re.match(r"^#? ?([A-Z][A-Z0-9_]*)=(.*)$", line)
        if match:
            values[match.group(1)] = match.group(2).split("    #")[0].strip()
    return values


def test_env_example_lists_every_variable_with_safe_placeholders() -> None:
    example = _example_values()
    documented = set(re.findall(r"^\| `([A-Z][A-Z0-9_]*)`", (ROOT / "docs/configuration.md").read_text(), re.M))
    assert documented - set(example) == set()
    assert compose.variables(compose.COMPOSE_FILE.read_text()) - set(example) == set()
    assert set(example) - documented - compose.variables(compose.COMPOSE_FILE.read_text()) == set()
    # Secrets are empty (compose then refuses to start); nothing in the file is a usable secret.
    set_lines = dict(
        line.split("=", 1) for line in compose.ENV_EXAMPLE.read_text().splitlines() if re.match(r"^[A-Z]", line)
    )
    for name in ("SECRET_KEY", "JWT_SIGNING_KEY", "POSTGRES_PASSWORD", "REDIS_PASSWORD", "RABBITMQ_PASSWORD"):
        assert set_lines[name] == "", name
    assert set_lines["S3_SECRET_ACCESS_KEY"] == ""
    assert ".env" in (ROOT / ".gitignore").read_text().split()


def test_the_image_installs_the_runtime_packages_with_the_makefiles_script_and_bakes_no_secret() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    runs = " ".join(re.findall(r"^RUN (.+?)(?<!\\)$", dockerfile.replace("\\\n", " "), re.M | re.S))
    # The same script as `make install`, without --dev: no test, lint or type-check tool in the image.
    assert re.search(r"bash scripts/install\.sh /opt/voxify/venv/bin/python(?! --dev)", runs), runs
    makefile = (ROOT / "Makefile").read_text()
    assert "bash scripts/install.sh $(PY) --dev" in makefile
    install = (ROOT / "scripts/install.sh").read_text()
    assert install.index("torch==2.13.0") < install.index("-r requirements.txt") < install.index("requirements-dev")
    assert "ARG TORCH_INDEX_URL=https://download.pytorch.org/whl/cpu" in dockerfile
    # Non-root, health-checked on /readyz, models loaded (offline) at build time.
    users = re.findall(r"^USER (\S+)", dockerfile, re.M)
    assert users and users[-1] not in {"root", "0"}
    healthcheck = re.search(r"^HEALTHCHECK .*?CMD (\[.*?\])$", dockerfile.replace("\\\n", " "), re.M)
    assert healthcheck is not None and '"http", "--port", "8000"' in healthcheck.group(1)
    assert "HF_HUB_OFFLINE=1" in dockerfile and "manage.py check_models" in dockerfile
    # No secret in ENV or ARG; the only keys are throwaway values of two build commands.
    for line in re.findall(r"^(?:ENV|ARG) .*$", dockerfile, re.M):
        assert not re.search(r"SECRET|PASSWORD|SIGNING_KEY", line), line
    assert set(re.findall(r"(?:SECRET_KEY|JWT_SIGNING_KEY)=(\S+)", dockerfile)) == {"image-build-only"}
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert {".env", "var", ".venv", ".git"} <= set(ignored)


@pytest.mark.skipif(shutil.which("nginx") is None, reason="nginx is not installed here")
def test_the_proxy_configuration_is_accepted_by_nginx(tmp_path: Path) -> None:
    conf = (ROOT / "deploy/nginx.conf").read_text().replace("server web:8000", "server 127.0.0.1:8000")
    conf = conf.replace("/etc/nginx/tls/", f"{tmp_path}/")
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost",
         "-keyout", str(tmp_path / "privkey.pem"), "-out", str(tmp_path / "fullchain.pem")],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    (tmp_path / "site.conf").write_text(conf)
    main = f"pid {tmp_path}/nginx.pid; error_log stderr; events {{}} http {{ include {tmp_path}/site.conf; }}"
    (tmp_path / "nginx.conf").write_text(main)
    result = subprocess.run(["nginx", "-t", "-c", str(tmp_path / "nginx.conf")], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    # A broken file is refused, so the check can fail.
    (tmp_path / "site.conf").write_text(conf.replace("proxy_buffering off;", "proxy_buffering of;"))
    broken = subprocess.run(["nginx", "-t", "-c", str(tmp_path / "nginx.conf")], capture_output=True, text=True)
    assert broken.returncode != 0 and "proxy_buffering" in broken.stderr


def test_the_proxy_logs_no_query_strings() -> None:
    """Signed links, tickets and streamed texts are in query strings: nginx's access log must
    not write them (the web server's own log redacts them too)."""
    conf = (ROOT / "deploy/nginx.conf").read_text()
    formats = re.findall(r"log_format\s+(\w+)\s+((?:'[^']*'\s*)+);", conf)
    logs = re.findall(r"^\s*access_log\s+(\S+)(?:\s+(\w+))?;", conf, flags=re.MULTILINE)
    assert formats and logs
    assert all(name in dict(formats) for _, name in logs)  # never the default "combined"
    for _, body in formats:
        assert not re.search(r"\$(request|args|query_string|request_uri|http_referer)\b", body), body


def test_the_production_environment_passes_djangos_deployment_checks(spec: dict[str, Any]) -> None:
    """compose.yaml's production environment, filled as .env.example asks, is what
    `manage.py check --deploy` wants: no warning at all."""
    filled = {name: secrets.token_urlsafe(48) for name in compose.variables(compose.COMPOSE_FILE.read_text())}
    filled |= {"ALLOWED_HOSTS": "voxify.example.com", "PUBLIC_BASE_URL": "https://voxify.example.com"}
    for name in ("TORCH_INDEX_URL", "TRAINING_QUEUE", "SYNTHESIS_QUEUE", "S3_BUCKET", "S3_ENDPOINT_URL", "S3_REGION"):
        filled.pop(name)  # their defaults
    environment = {
        key: compose.interpolate(str(value), filled) for key, value in spec["services"]["web"]["environment"].items()
    }
    keep = ("PATH", "HOME", "LANG")
    env = {key: value for key, value in os.environ.items() if key in keep} | environment
    env["VOXIFY_VAR_DIR"] = str(ROOT / "var" / "check-deploy")
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout
