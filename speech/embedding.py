"""Speaker embeddings: Resemblyzer's GE2E encoder (256-d, L2-normalised).

The weights ship inside the ``resemblyzer`` package. The encoder is loaded once per process
on first use and shared; inference is guarded by a lock (the model is not re-entrant).
"""

from __future__ import annotations

import threading
import warnings
from typing import Any

import numpy as np
import numpy.typing as npt

from speech.audio_io import Samples

EMBEDDING_DIM = 256
_lock = threading.Lock()
_encoder: Any = None


def _get_encoder() -> Any:
    global _encoder
    if _encoder is None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # resemblyzer imports the deprecated pkg_resources
            from resemblyzer import VoiceEncoder

        _encoder = VoiceEncoder(device="cpu", verbose=False)
    return _encoder


def speaker_embedding(samples: Samples, sample_rate: int) -> npt.NDArray[np.float32]:
    """The voice of a mono recording as a unit vector of 256 floats."""
    from resemblyzer import preprocess_wav

    with _lock:
        encoder = _get_encoder()
        wav = preprocess_wav(samples, source_sr=sample_rate)
        if len(wav) == 0:
            wav = samples
        embedding = np.asarray(encoder.embed_utterance(wav), dtype=np.float32)
    norm = float(np.linalg.norm(embedding))
    return embedding / norm if norm else embedding


def cosine_similarity(a: npt.NDArray[np.float32], b: npt.NDArray[np.float32]) -> float:
    return float(np.dot(a, b) / (np.linalg.norm(a) * np.linalg.norm(b) + 1e-12))
