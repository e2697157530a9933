"""Debian's Chromium for the browser tests: found on PATH, required in CI."""

from __future__ import annotations

import os
import shutil

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def require_chromium() -> str:
    """The browser's path. ``make test`` installs it; elsewhere a test is skipped without it,
    but in CI (``CI`` set) a missing browser is a failure, not a silent skip."""
    if CHROMIUM is None:
        message = "Debian's chromium is not installed (make browser installs it)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return CHROMIUM
