"""Naturalness: DistillMOS, a predictor of the mean opinion score (1-5) of speech.

``distillmos`` ships its weights (17 MB, MIT). Its module ``distillmos.sqa`` imports
``torchaudio`` at the top for its command-line file reader only; the model itself needs
torch alone. ``torchaudio`` is not installed here (the build that matches torch 2.13 does
not load), so the module is imported with ``torchaudio`` marked as unavailable in
``sys.modules`` for the duration of that import only: the model class and its weights load
exactly as published, and any use of the command-line reader fails loudly
(``_without_torchaudio``; docs/adr/0009).
"""

from __future__ import annotations

import sys
import types
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np

from speech.audio_io import Samples, resample
from speech.models import LazyModel

MOS_RATE = 16000


class _Unavailable(types.ModuleType):
    def __getattr__(self, name: str) -> Any:
        raise ImportError(f"torchaudio is not installed; distillmos's file reader (torchaudio.{name}) is unavailable")


@contextmanager
def _without_torchaudio() -> Iterator[None]:
    """Let ``import torchaudio`` succeed with a module whose every attribute raises, while
    the block runs; afterwards ``sys.modules`` is as it was."""
    if "torchaudio" in sys.modules:
        yield
        return
    sys.modules["torchaudio"] = _Unavailable("torchaudio")
    try:
        yield
    finally:
        del sys.modules["torchaudio"]


def _load_model() -> Any:
    import torch

    with _without_torchaudio():
        from distillmos.sqa import ConvTransformerSQAModel

    model = ConvTransformerSQAModel(load_weights=False)
    from distillmos.sqa import DEFAULT_WEIGHTS_CHKPT

    state = torch.load(DEFAULT_WEIGHTS_CHKPT, map_location="cpu", weights_only=True)
    model.load_state_dict(state["model"])
    model.eval()
    return model


_model: LazyModel[Any] = LazyModel(_load_model)


def naturalness(samples: Samples, sample_rate: int) -> float:
    """The predicted mean opinion score (1-5) of a mono recording."""
    import torch

    audio = np.ascontiguousarray(resample(samples, sample_rate, MOS_RATE), dtype=np.float32)
    if not len(audio) or float(np.max(np.abs(audio))) == 0.0:
        return 1.0
    with _model.use() as model, torch.inference_mode():
        score = model(torch.from_numpy(audio)[None, :])
    return float(score.reshape(-1)[0])
