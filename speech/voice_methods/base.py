"""The interface every voice method implements, and what training hands it.

A method ``fit``s an artefact to an analysed sample (reporting progress between 0 and 1 of
its own share, checking ``check`` between steps) and ``convert``s speech of the base voice
with an artefact. An artefact is a frozen dataclass that the method writes as JSON with its
``method`` name and ``format`` (the method's schema version) and reads back with ``load``;
training adds ``config``, ``validation`` and ``fit`` (speech.training). ``similarity`` in
``convert`` is how much of the learned identity to apply (0-1); None means the strength
chosen for the voice at training (``default_similarity``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from speech.audio_io import Samples

Progress = Callable[[float, str], None]
Check = Callable[[], None]


class TrainingCancelled(Exception):
    """``should_stop`` said to stop; nothing was produced."""


class TrainingFailed(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class TrainingConfig:
    epochs: int = 12
    learning_rate: float = 0.01
    batch_size: int = 3
    # The voice the method starts from: "" Piper's voice, a built-in voice or blend of
    # Kokoro's styles, or "auto" (speech.bases.choose_base). Only methods with ``bases``.
    # None: not given; the service puts its configured default in (voices.training), the
    # speech core alone reads it as Piper's voice.
    base: str | None = None


@dataclass(frozen=True)
class AnalysedSample:
    """What every method starts from: the recording, its words and its two speaker embeddings."""

    samples: Samples
    rate: int
    words: str
    embedding: npt.NDArray[np.float32]  # Resemblyzer
    dvector: npt.NDArray[np.float32]
    base: str = ""  # the voice the method converts (speech.bases); "" is Piper's voice


class Artefact(Protocol):
    @property
    def method(self) -> str: ...

    @property
    def format(self) -> int: ...

    @property
    def config(self) -> dict[str, Any]: ...

    @property
    def validation(self) -> dict[str, Any]: ...

    @property
    def fit(self) -> dict[str, Any]: ...

    @property
    def default_similarity(self) -> float: ...

    def to_json(self) -> bytes: ...


class VoiceMethod(Protocol):
    name: str
    schema_version: int

    def fit(self, sample: AnalysedSample, *, config: TrainingConfig, progress: Progress, check: Check) -> Any:
        """An artefact for ``sample``; raises TrainingCancelled (from ``check``) or TrainingFailed."""
        ...

    def convert(
        self,
        samples: Samples,
        rate: int,
        artefact: Any,
        *,
        pitch: float = 1.0,
        stretch: float = 1.0,
        similarity: float | None = None,
    ) -> Samples:
        """Base-voice speech as the artefact's speaker, F0 times ``pitch``, ``stretch`` times as long."""
        ...

    def load(self, raw: dict[str, Any]) -> Any:
        """The artefact from its JSON object (ValueError for a format this method cannot read)."""
        ...


def read_artefact(raw: dict[str, Any], cls: type[Any], *, method: str, version: int) -> Any:
    """``cls(**raw)`` when ``raw`` is ``method``'s artefact of schema ``version``; ValueError otherwise."""
    if raw.get("format") != version or raw.get("method") != method:
        raise ValueError(f"Unsupported voice artefact {raw.get('method')!r} v{raw.get('format')!r}")
    try:
        return cls(**raw)
    except TypeError as error:
        raise ValueError(f"Malformed {method} artefact: {error}") from error
