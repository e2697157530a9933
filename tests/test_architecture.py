"""The layering of docs/architecture.md, enforced: the import rule per layer, and a
``django.setup()`` that does not load the audio stack."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

from tests.support.import_rules import check_tree

ROOT = Path(__file__).resolve().parent.parent


def test_the_source_tree_keeps_the_import_rule() -> None:
    violations = check_tree(ROOT)
    assert violations == [], "\n".join(str(v) for v in violations)


def _tree(root: Path, files: dict[str, str]) -> None:
    for name, source in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(source))


def test_each_kind_of_violation_is_reported(tmp_path: Path) -> None:
    _tree(
        tmp_path,
        {
            "speech/engine.py": "from django.conf import settings\nfrom voices.models import VoiceSample\n",
            "accounts/services.py": "from synthesis.services import synthesize_now\n",
            "files/services.py": "from files.views import FileInfoView\nfrom accounts.quotas import quota_check\n",
            "synthesis/views.py": "from voices.models import VoiceSample\nfrom synthesis import services\n",
            "configuration/config.py": "from voxify_project.throttle import api_request\n",
            "grpc_server/servicers/voice.py": (
                "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from voices.models import VoiceSample\n"
                "from voices.selectors import voice_sample_get\n"
            ),
            "jobs/services.py": "from grpc_server.rpc import rpc\n",
        },
    )
    found = {(v.path, v.imported.split(".")[0] + "." + v.imported.split(".")[1]): v.rule for v in check_tree(tmp_path)}

    assert found == {
        ("speech/engine.py", "django.conf"): "speech/ is framework-free",
        ("speech/engine.py", "voices.models"): "speech/ imports no project app",
        ("accounts/services.py", "synthesis.services"): "accounts may import only apps below it (configuration)",
        ("files/services.py", "files.views"): "domain code does not import adapters",
        ("synthesis/views.py", "voices.models"): "adapters use services and selectors, not another app's models",
        ("configuration/config.py", "voxify_project.throttle"): (
            "the ground floor imports only the core voxify_project modules"
        ),
        ("jobs/services.py", "grpc_server.rpc"): "nothing imports the grpc_server adapter",
    }


def test_django_setup_leaves_numpy_unimported() -> None:
    """Every process (web, gRPC, worker, beat, manage.py) starts without the audio stack;
    only the code that speaks or analyses loads numpy, scipy and torch."""
    script = (
        "import json, sys, django; django.setup(); "
        "print(json.dumps(sorted(m for m in ('numpy', 'scipy', 'torch', 'onnxruntime') if m in sys.modules)))"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "voxify_project.settings"}
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=True
    )
    assert json.loads(done.stdout.strip().splitlines()[-1]) == []
