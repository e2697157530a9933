"""Speaker embeddings: Resemblyzer's GE2E encoder (256-d, L2-normalised).

The weights ship inside the ``resemblyzer`` package. The encoder is loaded once per process
on first use and shared (``LazyModel``).
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import numpy.typing as npt

from speech.audio_io import Samples
from speech.models import LazyModel

EMBEDDING_DIM = 256


def _load_encoder() -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # resemblyzer imports the deprecated pkg_resources
        from resemblyzer import VoiceEncoder

    return VoiceEncoder(device="cpu", verbose=False)


_encoder: LazyModel[Any] = LazyModel(_load_encoder)


def speaker_embedding(samples: Samples, sample_rate: int) -> npt.NDArray[np.float32]:
    """The voice of a mono recording as a unit vector of 256 floats."""
    from resemblyzer import preprocess_wav

    with _encoder.use() as encoder:
        wav = preprocess_wav(samples, source_sr=sample_rate)
        if len(wav) == 0:
            wav = samples
        embedding = np.asarray(encoder.embed_utterance(wav), dtype=np.float32)
    norm = float(np.linalg.norm(embedding))
    return embedding / norm if norm else embedding


def cosine_similarity(a: npt.NDArray[np.float32], b: npt.NDArray[np.float32]) -> float:
    return float(np.dot(a, b) / (np.linalg.norm(a) * np.linalg.norm(b) + 1e-12))
