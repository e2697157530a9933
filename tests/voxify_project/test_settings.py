"""Production settings: secrets are required and ``check --deploy`` is clean."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from django.conf import settings

PRODUCTION_ENV = {
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/voxify",
    "REDIS_URL": "redis://127.0.0.1:6379/15",
    "CELERY_BROKER_URL": "amqp://guest:guest@127.0.0.1:5672//",
    "SECRET_KEY": "k" * 20 + "production-secret-key-with-enough-entropy-0123456789",
    "JWT_SIGNING_KEY": "j" * 20 + "production-jwt-key-with-enough-entropy-0123456789",
    "ALLOWED_HOSTS": "voxify.example.com",
}


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in PRODUCTION_ENV and not k.startswith("SECURE_")}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_with_production_variables() -> None:
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_secret_key() -> None:
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "SECRET_KEY"}

    result = manage("check", env=env)

    assert result.returncode != 0
    assert "SECRET_KEY (or SECRET_KEY_FILE) must be set" in result.stderr


def test_short_jwt_signing_key_is_refused() -> None:
    result = manage("check", env={**PRODUCTION_ENV, "JWT_SIGNING_KEY": "short"})

    assert result.returncode != 0
    assert "JWT_SIGNING_KEY must be at least 32 characters" in result.stderr


def test_an_unknown_training_base_is_refused_at_start() -> None:
    result = manage("check", env={**PRODUCTION_ENV, "VOICE_TRAINING_BASE": "jf_alpha+nobody"})

    assert result.returncode != 0
    assert "VOICE_TRAINING_BASE" in result.stderr and "nobody" in result.stderr


def test_secret_can_come_from_a_file(tmp_path: Path) -> None:
    secret_file = tmp_path / "secret"
    secret_file.write_text("f" * 60 + "\n")
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "SECRET_KEY"}
    script = "from django.conf import settings; print(settings.SECRET_KEY == 'f' * 60)"

    result = manage("shell", "--no-imports", "-c", script, env={**env, "SECRET_KEY_FILE": str(secret_file)})

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "True"


def test_embedded_mode_generates_private_secrets(tmp_path: Path) -> None:
    script = "from django.conf import settings; print(settings.EMBEDDED, len(settings.SECRET_KEY))"

    result = manage("shell", "--no-imports", "-c", script, env={"VOXIFY_VAR_DIR": str(tmp_path)})

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "86"]
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600
    assert (tmp_path / "jwt_signing_key").stat().st_mode & 0o777 == 0o600


def test_every_environment_variable_is_documented() -> None:
    source = (Path(settings.BASE_DIR) / "voxify_project" / "settings.py").read_text()
    read = set(re.findall(r'env\.\w+\("([A-Z0-9_]+)"', source)) | set(re.findall(r'_secret\("([A-Z0-9_]+)"', source))
    doc = (Path(settings.BASE_DIR) / "docs" / "configuration.md").read_text()
    documented = set(re.findall(r"^\| `([A-Z0-9_]+)` \|", doc, flags=re.MULTILINE))

    assert read, "no variables found: the pattern no longer matches settings.py"
    assert read - documented == set()
