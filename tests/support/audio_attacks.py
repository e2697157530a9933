"""What a marked file may go through before it is checked: lossy coding, a lower rate, noise.

Framework-free, shared by the watermark tests and bench/watermark.py.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any


def mp3_64k(samples: Any, rate: int) -> tuple[Any, int]:
    """Encoded as MP3 at 64 kbit/s with FFmpeg's LAME, then decoded."""
    import av
    import numpy as np

    buffer = io.BytesIO()
    with av.open(buffer, mode="w", format="mp3") as container:
        stream = container.add_stream("libmp3lame", rate=rate)
        stream.bit_rate = 64000
        stream.layout = "mono"
        resampler = av.AudioResampler(format=stream.codec_context.format, layout="mono", rate=rate)
        frame = av.AudioFrame.from_ndarray(
            np.clip(samples, -1, 1).astype(np.float32)[None], format="flt", layout="mono"
        )
        frame.sample_rate = rate
        for converted in [*resampler.resample(frame), *resampler.resample(None)]:
            for packet in stream.encode(converted):
                container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)
    buffer.seek(0)
    with av.open(buffer, mode="r") as container:
        decoded = [f.to_ndarray().reshape(-1) for f in container.decode(audio=0)]
    return np.concatenate(decoded).astype(np.float32), rate


def resample_16k(samples: Any, rate: int) -> tuple[Any, int]:
    from speech.audio_io import resample

    return resample(samples, rate, 16000), 16000


def noise_20db(samples: Any, rate: int, seed: int = 0) -> tuple[Any, int]:
    import numpy as np

    power = float(np.mean(np.asarray(samples, dtype=np.float64) ** 2))
    noise = np.random.default_rng(seed).normal(0.0, np.sqrt(power / 100.0), len(samples))
    return (samples + noise).astype(np.float32), rate


Attack = Callable[[Any, int], tuple[Any, int]]
ATTACKS: dict[str, Attack] = {
    "none": lambda s, r: (s, r),
    "mp3_64k": mp3_64k,
    "resample_16k": resample_16k,
    "noise_20db": noise_20db,
}
