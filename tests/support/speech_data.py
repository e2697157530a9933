"""The real speech recordings in shared/data/speech (LibriSpeech, LJSpeech, VCTK, JFK).

Framework-free so that the speech-core tests can use it without Django.
"""

from __future__ import annotations

import csv
import os
from dataclasses import dataclass
from pathlib import Path

SPEECH_DIR = Path(
    os.environ.get("VOXIFY_SPEECH_DATA", Path(__file__).resolve().parents[3] / "shared" / "data" / "speech")
)


@dataclass(frozen=True)
class Recording:
    path: Path
    speaker: str
    duration: float
    sample_rate: int
    transcript: str | None
    source: str = ""  # the recording it was cut from ("file [start-end s]" for a segment)
    sex: str = ""  # "F" or "M", as the data set's speaker lists give it

    @property
    def id(self) -> str:
        return str(self.path.relative_to(SPEECH_DIR))


def recordings() -> list[Recording]:
    with (SPEECH_DIR / "inventory.csv").open() as fh:
        rows = list(csv.DictReader(fh))
    result = []
    for row in rows:
        path = SPEECH_DIR / row["path"]
        text_path = path.with_suffix(".txt")
        transcript = text_path.read_text().strip() if row["transcript"] == "yes" and text_path.exists() else None
        result.append(
            Recording(
                path,
                row["speaker"],
                float(row["duration_s"]),
                int(row["sample_rate"]),
                transcript,
                row["source"],
                row.get("sex", ""),
            )
        )
    return result


def recording(name: str) -> Recording:
    return next(r for r in recordings() if r.path.name == name)


def browser_recording(source: Path, container: str, *, seconds: float | None = None) -> bytes:
    """``source`` re-encoded the way browsers record: ``webm`` (Opus, Chromium and Firefox),
    ``mp4`` (AAC, Safari) or ``ogg`` (Opus, Firefox); mono at the codec's rate, with FFmpeg."""
    import io

    import av
    import numpy as np
    import soundfile as sf

    formats = {"webm": ("webm", "libopus", 48000), "mp4": ("mp4", "aac", 44100), "ogg": ("ogg", "libopus", 48000)}
    container_format, codec, rate = formats[container]
    samples, source_rate = sf.read(str(source), dtype="float32", always_2d=True)
    mono = samples.mean(axis=1)
    if seconds is not None:
        mono = mono[: int(seconds * source_rate)]
    buffer = io.BytesIO()
    with av.open(buffer, mode="w", format=container_format) as output:
        stream = output.add_stream(codec, rate=rate)
        assert isinstance(stream, av.AudioStream)
        stream.layout = "mono"
        resampler = av.AudioResampler(format=stream.codec_context.format, layout="mono", rate=rate)
        frame = av.AudioFrame.from_ndarray(np.ascontiguousarray(mono[np.newaxis, :]), format="flt", layout="mono")
        frame.sample_rate = source_rate
        for converted in [*resampler.resample(frame), *resampler.resample(None)]:
            for packet in stream.encode(converted):
                output.mux(packet)
        for packet in stream.encode(None):
            output.mux(packet)
    return buffer.getvalue()
