"""For programs outside the suite (bench/): Django set up on a private var/ folder, so that a
service stack (``tests.support.processes.ServiceStack``) can be started on it. Imports no
Django at module level: call it before importing anything that needs settings."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def standalone_django(prefix: str) -> Path:
    """Point VOXIFY_VAR_DIR at a fresh folder, set Django up, and return the folder."""
    var_dir = Path(tempfile.mkdtemp(prefix=prefix)) / "var"
    os.environ["VOXIFY_VAR_DIR"] = str(var_dir)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "voxify_project.settings")
    import django

    django.setup()
    return var_dir
