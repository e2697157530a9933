"""Voice methods: how a voice is fitted to a sample and how base-voice speech is converted.

Each method is one module exposing ``METHOD`` (a ``speech.voice_methods.base.VoiceMethod``),
listed by name in REGISTRY. Adding a method is one new module and one line here. Importing
this package imports no numpy (settings checks VOICE_METHOD against ``method_names()``);
a method's module is imported on first use.
"""

from __future__ import annotations

import importlib
import json
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from speech.voice_methods.base import Artefact, VoiceMethod

REGISTRY: dict[str, str] = {
    "world-f0-warp": "speech.voice_methods.world_warp",
    "world-f0-warp-knn": "speech.voice_methods.world_knn",
    "world-f0-warp-classes": "speech.voice_methods.world_classes",
    "psola-filter-classes": "speech.voice_methods.psola_filter",
}
DEFAULT_METHOD = "psola-filter-classes"
_registered: dict[str, VoiceMethod] = {}


def method_names() -> tuple[str, ...]:
    return (*REGISTRY, *(name for name in _registered if name not in REGISTRY))


def register(method: VoiceMethod) -> None:
    """Make a method object available by its name in this process (plug-ins, tests)."""
    _registered[method.name] = method


def unregister(name: str) -> None:
    _registered.pop(name, None)


def get_method(name: str) -> VoiceMethod:
    if name in _registered:
        return _registered[name]
    if name not in REGISTRY:
        raise KeyError(f"Unknown voice method {name!r}; expected one of {', '.join(method_names())}.")
    method: VoiceMethod = importlib.import_module(REGISTRY[name]).METHOD
    return method


def load_artefact(data: bytes) -> Artefact:
    """A stored voice artefact, read by the method that wrote it (ValueError if unknown)."""
    raw: dict[str, Any] = json.loads(data)
    name = raw.get("method")
    if not isinstance(name, str) or name not in method_names():
        raise ValueError(f"Unsupported voice artefact method {name!r}")
    artefact: Artefact = get_method(name).load(raw)
    return artefact
