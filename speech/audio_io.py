"""Audio input: recognise the container by its bytes, check the header, then decode.

The order matters for safety. ``probe`` reads only the header (never the extension or the
client's Content-Type) and rejects what the limits forbid before any sample is decoded, so
a small file that claims hours of audio, or a WAV whose header promises more data than the
file holds, costs nothing. ``decode`` then streams the samples in blocks, down-mixing to
mono as it goes, and checks that the decoded length agrees with the header.
"""

from __future__ import annotations

import io
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import numpy as np
import numpy.typing as npt
import soundfile as sf
from scipy.signal import resample_poly

from speech.errors import (
    AUDIO_TOO_LONG,
    AUDIO_TOO_SHORT,
    EMPTY_FILE,
    INVALID_AUDIO,
    UNSUPPORTED_FORMAT,
    AudioRejected,
)
from speech.formats import INPUT_CONTENT_TYPES, encoder_accepts

Samples = npt.NDArray[np.float32]

# libsndfile (container, codec) for each output format.
_ENCODINGS = {
    "wav": ("WAV", "PCM_16"),
    "flac": ("FLAC", "PCM_16"),
    "ogg": ("OGG", "VORBIS"),
    "opus": ("OGG", "OPUS"),
    "mp3": ("MP3", "MPEG_LAYER_III"),
}


@dataclass(frozen=True)
class AudioLimits:
    min_duration_s: float = 3.0
    max_duration_s: float = 300.0
    min_sample_rate: int = 8000
    max_sample_rate: int = 96000
    max_channels: int = 8


@dataclass(frozen=True)
class AudioInfo:
    """What the header says: container format, rate, channels and length in frames."""

    format: str
    sample_rate: int
    channels: int
    frames: int

    @property
    def duration(self) -> float:
        return self.frames / self.sample_rate if self.sample_rate else 0.0

    @property
    def content_type(self) -> str:
        return INPUT_CONTENT_TYPES[self.format]


@dataclass(frozen=True)
class DecodedAudio:
    samples: Samples  # mono, float32 in [-1, 1]
    sample_rate: int

    @property
    def duration(self) -> float:
        return len(self.samples) / self.sample_rate


def sniff_format(head: bytes) -> str | None:
    """The container, from the first bytes of the file; None if it is not audio we take."""
    if len(head) >= 12 and head[:4] in (b"RIFF", b"RIFX") and head[8:12] == b"WAVE":
        return "wav"
    if head[:4] == b"fLaC":
        return "flac"
    if head[:4] == b"OggS":
        if b"OpusHead" in head[:64]:
            return "opus"
        if b"\x01vorbis" in head[:64]:
            return "ogg"
        return None  # Ogg carrying something else (e.g. Theora video, FLAC-in-Ogg)
    if head[:4] == b"\x1a\x45\xdf\xa3" and b"webm" in head[:64]:
        return "webm"  # EBML with the WebM doctype: what Chromium's and Firefox's MediaRecorder write
    if head[4:8] == b"ftyp":
        return "mp4"  # ISO base media (MP4/M4A): what Safari's MediaRecorder writes
    if head[:3] == b"ID3":
        return "mp3"
    if len(head) >= 2 and head[0] == 0xFF and (head[1] & 0xE0) == 0xE0 and (head[1] & 0x06) != 0:
        return "mp3"  # an MPEG audio frame sync word with a valid layer
    return None


def _probe_wav(path: Path, size: int) -> AudioInfo:
    """Walk the RIFF chunks ourselves: libsndfile silently clamps a lying data size."""
    with path.open("rb") as fh:
        riff = fh.read(12)
        if riff[:4] != b"RIFF":
            raise AudioRejected(UNSUPPORTED_FORMAT, "Big-endian (RIFX) WAV files are not supported.")
        fmt: tuple[int, int, int, int, int, int] | None = None
        while True:
            header = fh.read(8)
            if len(header) < 8:
                raise AudioRejected(INVALID_AUDIO, "The WAV file has no data chunk.")
            chunk_id, chunk_size = header[:4], struct.unpack("<I", header[4:])[0]
            if chunk_id == b"fmt ":
                body = fh.read(chunk_size)
                if len(body) < 16:
                    raise AudioRejected(INVALID_AUDIO, "The WAV format chunk is truncated.")
                fmt = struct.unpack("<HHIIHH", body[:16])
                if chunk_size % 2:
                    fh.seek(1, 1)
            elif chunk_id == b"data":
                if fmt is None:
                    raise AudioRejected(INVALID_AUDIO, "The WAV data chunk comes before its format chunk.")
                available = size - fh.tell()
                _, channels, sample_rate, _, block_align, _ = fmt
                if block_align == 0 or channels == 0 or sample_rate == 0:
                    raise AudioRejected(INVALID_AUDIO, "The WAV format chunk is invalid.")
                if chunk_size > available + block_align:
                    raise AudioRejected(
                        INVALID_AUDIO,
                        "The WAV header claims more audio data than the file holds (truncated or corrupt file).",
                        {"declared_bytes": chunk_size, "available_bytes": available},
                    )
                return AudioInfo("wav", sample_rate, channels, min(chunk_size, available) // block_align)
            else:
                fh.seek(chunk_size + (chunk_size % 2), 1)
                if fh.tell() > size:
                    raise AudioRejected(INVALID_AUDIO, "The WAV file is truncated.")


def probe(path: Path) -> AudioInfo:
    """Identify and read the header of ``path`` without decoding any audio."""
    size = path.stat().st_size
    if size == 0:
        raise AudioRejected(EMPTY_FILE, "The file is empty.")
    with path.open("rb") as fh:
        head = fh.read(64)
    kind = sniff_format(head)
    if kind is None:
        raise AudioRejected(
            UNSUPPORTED_FORMAT,
            "The file is not audio in a supported format (WAV, FLAC, Ogg Vorbis, Ogg Opus, MP3, WebM/Opus, MP4/AAC).",
        )
    if kind == "wav":
        return _probe_wav(path, size)
    if kind in _AV_INPUTS:
        return _probe_av(path, kind)
    try:
        info = sf.info(str(path))
    except (sf.LibsndfileError, RuntimeError) as exc:
        raise AudioRejected(INVALID_AUDIO, f"The {kind.upper()} header cannot be read.") from exc
    if info.samplerate <= 0 or info.channels <= 0:
        raise AudioRejected(INVALID_AUDIO, f"The {kind.upper()} header is invalid.")
    return AudioInfo(kind, int(info.samplerate), int(info.channels), int(info.frames))


# Containers decoded with FFmpeg (PyAV): the demuxer is fixed by the sniffed kind (FFmpeg
# never guesses), and only these audio codecs are taken from them.
_AV_INPUTS = {
    "webm": ("webm", frozenset({"opus", "vorbis"})),
    "mp4": ("mp4", frozenset({"aac", "mp3", "alac", "opus", "flac"})),
}


def _open_av(path: Path, kind: str) -> tuple[Any, Any]:
    """The container and its first audio stream; AudioRejected for anything else."""
    import av  # FFmpeg; loaded only where such files are read

    demuxer, codecs = _AV_INPUTS[kind]
    try:
        container = av.open(str(path), format=demuxer)
    except (av.error.FFmpegError, ValueError) as exc:
        raise AudioRejected(INVALID_AUDIO, f"The {kind.upper()} file cannot be read.") from exc
    stream = next(iter(container.streams.audio), None)
    if stream is None or stream.codec_context.name not in codecs:
        container.close()
        found = "no audio" if stream is None else f"{stream.codec_context.name} audio"
        raise AudioRejected(
            UNSUPPORTED_FORMAT,
            f"The {kind.upper()} file holds {found}; supported are {', '.join(sorted(codecs))}.",
        )
    return container, stream


def _probe_av(path: Path, kind: str) -> AudioInfo:
    """Rate, channels and (when the container says it) length, without decoding. Recorders
    often leave the length out (MediaRecorder's WebM): frames is then 0, and the decoder's
    length guard and the checks after decoding apply."""
    container, stream = _open_av(path, kind)
    try:
        rate = int(stream.codec_context.sample_rate or 0)
        channels = int(stream.codec_context.channels or 0)
        seconds = 0.0
        if stream.duration is not None and stream.time_base is not None:
            seconds = float(stream.duration * stream.time_base)
        elif container.duration is not None:
            seconds = container.duration / 1_000_000
    finally:
        container.close()
    if rate <= 0 or channels <= 0:
        raise AudioRejected(INVALID_AUDIO, f"The {kind.upper()} header is invalid.")
    return AudioInfo(kind, rate, channels, max(0, int(seconds * rate)))


def _decode_av(path: Path, info: AudioInfo, max_frames: int | None, max_duration_s: float | None) -> list[Samples]:
    """Decode with FFmpeg to mono float32 at the stream's rate, with the same length guard."""
    import av

    blocks: list[Samples] = []
    total = 0
    container, stream = _open_av(path, info.format)
    try:
        mono = av.AudioResampler(format="flt", layout="mono", rate=info.sample_rate)
        for frame in container.decode(stream):
            for converted in mono.resample(frame):
                block = converted.to_ndarray().reshape(-1).astype(np.float32, copy=False)
                blocks.append(block)
                total += len(block)
            _length_guard(total, info, max_frames, max_duration_s)
    except av.error.FFmpegError as exc:
        raise AudioRejected(INVALID_AUDIO, "The audio data cannot be decoded (corrupt or truncated file).") from exc
    finally:
        container.close()
    return blocks


def check_limits(info: AudioInfo, limits: AudioLimits) -> None:
    """Refuse from the header alone: sample rate, channels and duration."""
    if not limits.min_sample_rate <= info.sample_rate <= limits.max_sample_rate:
        raise AudioRejected(
            INVALID_AUDIO,
            f"Sample rate {info.sample_rate} Hz is outside {limits.min_sample_rate}-{limits.max_sample_rate} Hz.",
            {"sample_rate": info.sample_rate},
        )
    if info.channels > limits.max_channels:
        raise AudioRejected(INVALID_AUDIO, f"{info.channels} channels is more than {limits.max_channels}.")
    if info.duration > limits.max_duration_s:
        raise AudioRejected(
            AUDIO_TOO_LONG,
            f"The audio lasts {info.duration:.1f} s; the maximum is {limits.max_duration_s:.0f} s.",
            {"duration": round(info.duration, 3), "max_duration": limits.max_duration_s},
        )
    if info.frames and info.duration < limits.min_duration_s:
        raise AudioRejected(
            AUDIO_TOO_SHORT,
            f"The audio lasts {info.duration:.2f} s; the minimum is {limits.min_duration_s:.0f} s.",
            {"duration": round(info.duration, 3), "min_duration": limits.min_duration_s},
        )


def _length_guard(total: int, info: AudioInfo, max_frames: int | None, max_duration_s: float | None) -> None:
    """Stop decoding once the audio runs past the header's length or the maximum duration."""
    if max_frames is not None and total > max_frames:
        if max_duration_s is not None and total > max_duration_s * info.sample_rate:
            raise AudioRejected(AUDIO_TOO_LONG, f"The audio lasts more than the maximum of {max_duration_s:.0f} s.")
        raise AudioRejected(INVALID_AUDIO, "The audio is longer than its header says.")


def _decode_sf(
    path: Path, info: AudioInfo, max_frames: int | None, max_duration_s: float | None, block_frames: int
) -> list[Samples]:
    blocks: list[Samples] = []
    total = 0
    try:
        with sf.SoundFile(str(path)) as sound:
            while True:
                block = sound.read(block_frames, dtype="float32", always_2d=True)
                if not len(block):
                    break
                blocks.append(block.mean(axis=1, dtype=np.float32))
                total += len(block)
                _length_guard(total, info, max_frames, max_duration_s)
    except (sf.LibsndfileError, RuntimeError) as exc:
        raise AudioRejected(INVALID_AUDIO, "The audio data cannot be decoded (corrupt or truncated file).") from exc
    return blocks


def decode(
    path: Path, info: AudioInfo, *, max_duration_s: float | None = None, block_frames: int = 1 << 16
) -> DecodedAudio:
    """Decode to mono float32 at the file's own rate, block by block.

    Decoding stops as soon as the audio runs past what the header declared (plus a second
    of decoder padding) or past ``max_duration_s``, whichever is known.
    """
    limits = [info.frames + info.sample_rate] if info.frames else []
    if max_duration_s is not None:
        limits.append(int(max_duration_s * info.sample_rate) + 1)
    max_frames = min(limits) if limits else None
    if info.format in _AV_INPUTS:
        blocks = _decode_av(path, info, max_frames, max_duration_s)
    else:
        blocks = _decode_sf(path, info, max_frames, max_duration_s, block_frames)
    samples = np.concatenate(blocks) if blocks else np.zeros(0, dtype=np.float32)
    if info.frames and len(samples) < 0.9 * info.frames:
        raise AudioRejected(
            INVALID_AUDIO,
            "The file holds less audio than its header says (truncated file).",
            {"declared_frames": info.frames, "decoded_frames": len(samples)},
        )
    if not np.isfinite(samples).all():
        raise AudioRejected(INVALID_AUDIO, "The audio contains invalid sample values.")
    return DecodedAudio(np.clip(samples, -1.0, 1.0).astype(np.float32, copy=False), info.sample_rate)


def load_checked(path: Path, limits: AudioLimits) -> tuple[AudioInfo, DecodedAudio]:
    """probe -> check_limits -> decode -> check the decoded length against the limits again."""
    info = probe(path)
    check_limits(info, limits)
    audio = decode(path, info, max_duration_s=limits.max_duration_s)
    check_limits(AudioInfo(info.format, info.sample_rate, info.channels, len(audio.samples)), limits)
    return info, audio


def resample(samples: Samples, from_rate: int, to_rate: int) -> Samples:
    """Band-limited polyphase resampling."""
    if from_rate == to_rate:
        return samples
    divisor = np.gcd(from_rate, to_rate)
    out = resample_poly(samples, to_rate // divisor, from_rate // divisor)
    return np.asarray(out, dtype=np.float32)


# PyAV (FFmpeg) (container, codec) for every output format, for encoding piece by piece.
_AV_ENCODINGS = {
    "wav": ("wav", "pcm_s16le"),
    "flac": ("flac", "flac"),
    "opus": ("ogg", "libopus"),
    "mp3": ("mp3", "libmp3lame"),
    "aac": ("adts", "aac"),
    "pcm": ("s16le", "pcm_s16le"),
    "ulaw": ("mulaw", "pcm_mulaw"),
    "alaw": ("alaw", "pcm_alaw"),
}
STREAMABLE_FORMATS = tuple(_AV_ENCODINGS)


class _Sink(io.RawIOBase):
    """A write-only, non-seekable target that hands out what was written since last asked."""

    def __init__(self) -> None:
        self._chunks: list[bytes] = []

    def writable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return False

    def write(self, data: Any) -> int:
        chunk = bytes(data)
        self._chunks.append(chunk)
        return len(chunk)

    def drain(self) -> bytes:
        out = b"".join(self._chunks)
        self._chunks = []
        return out


class ChunkEncoder:
    """Encode mono audio piece by piece and hand out the bytes as they are ready: the
    concatenation of every ``write`` and the final ``close`` is one playable stream (for a
    streamed HTTP body). Header fields that would need a seek back (a WAV's sizes, a FLAC's
    total length) say "unknown", which players and decoders accept for streams."""

    def __init__(self, sample_rate: int, fmt: str) -> None:
        import av  # FFmpeg; loaded only where audio is encoded

        if fmt not in _AV_ENCODINGS:
            raise ValueError(f"{fmt} cannot be encoded piece by piece")
        if not encoder_accepts(fmt, sample_rate):
            raise ValueError(f"{fmt} cannot be encoded at {sample_rate} Hz")
        container_format, codec = _AV_ENCODINGS[fmt]
        self.sample_rate = sample_rate
        self.frames = 0
        self._av = av
        self._sink = _Sink()
        self._container = av.open(self._sink, mode="w", format=container_format)
        stream = self._container.add_stream(codec, rate=sample_rate)
        assert isinstance(stream, av.AudioStream)
        stream.layout = "mono"
        self._stream = stream
        self._resampler = av.AudioResampler(format=stream.codec_context.format, layout="mono", rate=sample_rate)
        self._closed = False

    def _mux(self, frame: Any) -> None:
        for packet in self._stream.encode(frame):
            self._container.mux(packet)

    def write(self, samples: Samples) -> bytes:
        if len(samples):
            clipped = np.clip(samples, -1.0, 1.0).astype(np.float32)
            frame = self._av.AudioFrame.from_ndarray(clipped[np.newaxis, :], format="flt", layout="mono")
            frame.sample_rate = self.sample_rate
            for converted in self._resampler.resample(frame):
                self._mux(converted)
            self.frames += len(samples)
        return self._sink.drain()

    def close(self) -> bytes:
        if not self._closed:
            self._closed = True
            for converted in self._resampler.resample(None):
                self._mux(converted)
            self._mux(None)
            self._container.close()
        return self._sink.drain()

    @property
    def duration(self) -> float:
        return self.frames / self.sample_rate


class Encoder:
    """Write mono audio in ``fmt`` piece by piece to a file (constant memory for long outputs):
    libsndfile for the formats it writes, FFmpeg (``ChunkEncoder``) for aac and the raw ones."""

    def __init__(self, target: str | Path | IO[bytes], sample_rate: int, fmt: str) -> None:
        if fmt not in _ENCODINGS and fmt not in _AV_ENCODINGS:
            raise ValueError(f"Unknown output format {fmt!r}")
        if not encoder_accepts(fmt, sample_rate):
            raise ValueError(f"{fmt} cannot be encoded at {sample_rate} Hz")
        self.frames = 0
        self.sample_rate = sample_rate
        self._sound: sf.SoundFile | None = None
        self._chunks: ChunkEncoder | None = None
        self._handle: IO[bytes] | None = None
        self._owned = False
        if fmt in _ENCODINGS:
            container, codec = _ENCODINGS[fmt]
            target = str(target) if isinstance(target, Path) else target
            self._sound = sf.SoundFile(target, "w", samplerate=sample_rate, channels=1, format=container, subtype=codec)
        else:
            self._chunks = ChunkEncoder(sample_rate, fmt)
            if isinstance(target, (str, Path)):
                self._handle, self._owned = Path(target).open("wb"), True  # noqa: SIM115 (closed in close())
            else:
                self._handle = target

    def write(self, samples: Samples) -> None:
        if not len(samples):
            return
        if self._sound is not None:
            self._sound.write(np.clip(samples, -1.0, 1.0))
        elif self._chunks is not None and self._handle is not None:
            self._handle.write(self._chunks.write(samples))
        self.frames += len(samples)

    def close(self) -> None:
        if self._sound is not None:
            self._sound.close()
        elif self._chunks is not None and self._handle is not None:
            self._handle.write(self._chunks.close())
            if self._owned:
                self._handle.close()

    def __enter__(self) -> Encoder:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def duration(self) -> float:
        return self.frames / self.sample_rate


def encode(samples: Samples, sample_rate: int, fmt: str) -> bytes:
    """Mono float32 samples as a complete file in ``fmt`` (any of OUTPUT_FORMATS)."""
    buffer = io.BytesIO()
    with Encoder(buffer, sample_rate, fmt) as encoder:
        encoder.write(samples)
    return buffer.getvalue()
