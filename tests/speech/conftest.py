"""The speech tests use no database, broker, cache, storage or vector store: what the run mode
changes. They run in the embedded half only, and the services half says so."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings

HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if settings.EMBEDDED:
        return
    skip = pytest.mark.skip(reason="pure speech, no service the run mode changes: runs in the embedded half")
    for item in items:
        if HERE in Path(item.path).resolve().parents:
            item.add_marker(skip)
