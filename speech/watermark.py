"""An inaudible watermark on synthesised speech, and its detector: PerthNet (``resemble-perth``).

``resemble-perth`` 1.0.1 (MIT) ships a trained network that adds a one-bit mark to the
magnitude spectrogram below 2 kHz, at 32 kHz, shaped by the speech itself (nothing is added
where the signal is quiet), and a decoder that reads how sure it is that the mark is there.
Its audio processor imports three ``torchaudio`` transforms; torchaudio does not load with the
torch build here, so the package is imported with a small ``torchaudio.transforms`` of our own
(``_Spectrogram`` and ``_InverseSpectrogram`` on ``torch.stft``/``torch.istft``, the same
parameters and buffers; the time stretch, used only in the package's training, raises). The
network and its weights load as published (docs/adr/0018).

Two choices of ours around the network:
- The mark is computed at the network's 32 kHz and only the **difference** it makes is
  resampled back and added to the original, so everything above the mark's band is the
  output exactly as the engine made it.
- The detector reads the loud frames only (within ``DETECT_RANGE_DB`` of the loudest 5 %):
  the published decoder averages over every frame that is not digital silence, so a noisy
  recording's pauses (room noise, or noise added to a marked file) would dilute the mark.
  It reports the decoder's confidence (0-1); ``WATERMARK_THRESHOLD`` decides yes/no.
"""

from __future__ import annotations

import sys
import types
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import numpy as np

from speech.audio_io import Samples, resample
from speech.models import LazyModel

DETECTOR = "perth-implicit-1.0.1"  # the mark's name in API answers: PerthNet "implicit", resemble-perth 1.0.1
MARK_RATE = 32000  # the network's rate
WATERMARK_THRESHOLD = 0.5  # the decoder's confidence at or above which audio counts as marked
MIN_DETECT_SECONDS = 0.5  # shorter audio carries too few frames to say either way
DETECT_RANGE_DB = 15.0  # frames read: this close to the 95th percentile of frame energy


def _transforms_module() -> types.ModuleType:
    """``torchaudio.transforms``'s Spectrogram and InverseSpectrogram as PerthNet uses them
    (complex output, ``center=True`` with reflection padding, no normalisation), with the
    window kept as a buffer of the same name so the published state dict loads unchanged."""
    import torch

    class _Framing(torch.nn.Module):
        """The STFT's framing and window, shared by both directions."""

        window: torch.Tensor

        def __init__(
            self,
            *,
            n_fft: int,
            win_length: int,
            hop_length: int,
            window_fn: Callable[..., torch.Tensor],
            normalized: bool,
            power: float | None = None,
        ) -> None:
            super().__init__()
            if power is not None or normalized:
                raise NotImplementedError("only the complex, unnormalised transform is provided")
            self.n_fft, self.win_length, self.hop_length = n_fft, win_length, hop_length
            self.register_buffer("window", window_fn(win_length))

    class _Spectrogram(_Framing):
        def forward(self, signal: torch.Tensor) -> torch.Tensor:
            return torch.stft(
                signal,
                n_fft=self.n_fft,
                hop_length=self.hop_length,
                win_length=self.win_length,
                window=self.window,
                center=True,
                pad_mode="reflect",
                normalized=False,
                onesided=True,
                return_complex=True,
            )

    class _InverseSpectrogram(_Framing):
        def forward(self, spectrogram: torch.Tensor, length: int | None = None) -> torch.Tensor:
            return torch.istft(
                spectrogram,
                n_fft=self.n_fft,
                hop_length=self.hop_length,
                win_length=self.win_length,
                window=self.window,
                center=True,
                normalized=False,
                onesided=True,
                length=length,
            )

    class _TimeStretch(torch.nn.Module):
        phase_advance: torch.Tensor

        def __init__(self, *, n_freq: int, hop_length: int) -> None:
            super().__init__()
            # The buffer torchaudio keeps, so that the state dict matches; stretching is a
            # training-time augmentation and is never called here.
            self.register_buffer("phase_advance", torch.linspace(0, np.pi * hop_length, n_freq)[..., None])

        def forward(self, *_: Any) -> torch.Tensor:
            raise NotImplementedError("time stretching is not provided")

    module = types.ModuleType("torchaudio.transforms")
    module.Spectrogram = _Spectrogram  # type: ignore[attr-defined]
    module.InverseSpectrogram = _InverseSpectrogram  # type: ignore[attr-defined]
    module.TimeStretch = _TimeStretch  # type: ignore[attr-defined]
    return module


@contextmanager
def _with_stft_transforms() -> Iterator[None]:
    """``torchaudio`` and ``torchaudio.transforms`` in ``sys.modules`` while the block runs."""
    if "torchaudio" in sys.modules:
        raise RuntimeError("torchaudio is loaded; PerthNet would use it instead of the STFT transforms")
    package = types.ModuleType("torchaudio")
    transforms = _transforms_module()
    package.transforms = transforms  # type: ignore[attr-defined]
    sys.modules["torchaudio"] = package
    sys.modules["torchaudio.transforms"] = transforms
    try:
        yield
    finally:
        del sys.modules["torchaudio"]
        del sys.modules["torchaudio.transforms"]


def _load_network() -> Any:
    import io
    from contextlib import redirect_stdout

    with _with_stft_transforms():
        from perth.perth_net import PREPACKAGED_MODELS_DIR
        from perth.perth_net.perth_net_implicit.model.perth_net import PerthNet

    with redirect_stdout(io.StringIO()):  # it prints the checkpoint's step
        network = PerthNet.load("implicit", PREPACKAGED_MODELS_DIR)
    if network.hp.sample_rate != MARK_RATE:
        raise RuntimeError(f"PerthNet works at {network.hp.sample_rate} Hz, not {MARK_RATE}")
    network.eval()
    return network


_network: LazyModel[Any] = LazyModel(_load_network)


def _at_mark_rate(samples: Samples, rate: int) -> Samples:
    audio = resample(np.asarray(samples, dtype=np.float32), rate, MARK_RATE)
    # The STFT reflects half a window at each end: very short audio is padded with silence.
    if len(audio) < 2048:
        audio = np.pad(audio, (0, 2048 - len(audio)))
    return audio


def apply_watermark(samples: Samples, rate: int) -> Samples:
    """The same audio with the mark added (the added part is below 2 kHz and follows the
    speech's own level). Silence and empty input come back unchanged."""
    import torch

    original = np.asarray(samples, dtype=np.float32)
    if not len(original) or not np.any(original):
        return original
    audio = _at_mark_rate(original, rate)
    with _network.use() as network, torch.inference_mode():
        signal = torch.from_numpy(audio)
        magnitude, phase = network.ap.signal_to_magphase(signal)
        marked_magnitude, _ = network.encoder(magnitude[None])
        marked = network.ap.magphase_to_signal(marked_magnitude[0], phase)
        # The STFT round trip of the unmarked magnitude: the difference is then the mark alone.
        unmarked = network.ap.magphase_to_signal(magnitude, phase)
        difference = (marked - unmarked).numpy()
    added = resample(difference, MARK_RATE, rate)[: len(original)]
    out = original.copy()
    out[: len(added)] += added
    return np.clip(out, -1.0, 1.0)


def _loud_frames(signal: Any, n_fft: int, hop: int, count: int) -> Any:
    """Which STFT frames (``center=True`` framing) are within ``DETECT_RANGE_DB`` of the
    loud end of the recording."""
    import torch

    padded = torch.nn.functional.pad(signal, (n_fft // 2, n_fft // 2))
    frames = padded.unfold(0, n_fft, hop)[:count]
    energy = 10 * torch.log10(frames.pow(2).mean(dim=1) + 1e-12)
    return energy >= torch.quantile(energy, 0.95) - DETECT_RANGE_DB


@dataclass(frozen=True)
class Detection:
    watermarked: bool
    confidence: float  # the decoder's 0-1 belief that the mark is there
    seconds: float  # how much audio was read


def detect_watermark(samples: Samples, rate: int) -> Detection:
    """Whether the audio carries the mark. Too short or silent audio is "not marked" with
    confidence 0 (there is nothing to read)."""
    import torch

    audio = np.asarray(samples, dtype=np.float32)
    seconds = len(audio) / rate if rate else 0.0
    if seconds < MIN_DETECT_SECONDS or not np.any(audio):
        return Detection(False, 0.0, round(seconds, 3))
    at_rate = torch.from_numpy(_at_mark_rate(audio, rate))
    with _network.use() as network, torch.inference_mode():
        magnitude, _ = network.ap.signal_to_magphase(at_rate)
        loud = _loud_frames(at_rate, network.hp.n_fft, network.hp.hop_size, magnitude.shape[1])
        confidence = float(network.decoder(magnitude[None, :, loud])[0].clip(0.0, 1.0))
    return Detection(confidence >= WATERMARK_THRESHOLD, round(confidence, 4), round(seconds, 3))
