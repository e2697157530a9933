"""The speech core's audio input: sniffing, header checks before decoding, decoding."""

from __future__ import annotations

import struct
from pathlib import Path
from typing import Any
from unittest import mock

import numpy as np
import pytest
import soundfile as sf

from speech import audio_io
from speech.audio_io import AudioLimits, load_checked, probe, sniff_format
from speech.errors import AUDIO_TOO_LONG, AUDIO_TOO_SHORT, EMPTY_FILE, INVALID_AUDIO, UNSUPPORTED_FORMAT, AudioRejected
from tests.support.speech_data import browser_recording, recording

LIMITS = AudioLimits(min_duration_s=2.0, max_duration_s=300.0)
SPEECH = recording("1089-134686-0000.wav")


def rejected(code: str, path: Path, limits: AudioLimits = LIMITS) -> AudioRejected:
    with pytest.raises(AudioRejected) as caught:
        load_checked(path, limits)
    assert caught.value.code == code, caught.value.message
    return caught.value


@pytest.mark.parametrize(
    ("fmt", "subtype", "expected"),
    [
        ("WAV", "PCM_16", "wav"),
        ("FLAC", "PCM_16", "flac"),
        ("OGG", "VORBIS", "ogg"),
        ("OGG", "OPUS", "opus"),
        ("MP3", "MPEG_LAYER_III", "mp3"),
    ],
)
def test_formats_are_recognised_by_content_whatever_the_name(
    tmp_path: Path, fmt: str, subtype: str, expected: str
) -> None:
    samples, rate = sf.read(SPEECH.path, dtype="float32")
    path = tmp_path / "recording.txt"  # a misleading name: only the bytes count
    sf.write(path, samples, rate if subtype != "OPUS" else 16000, format=fmt, subtype=subtype)

    info, audio = load_checked(path, LIMITS)

    assert info.format == expected
    assert abs(audio.duration - SPEECH.duration) < 0.08


def test_sniff_refuses_non_audio() -> None:
    assert sniff_format(b"\x89PNG\r\n\x1a\n" + b"\0" * 24) is None
    assert sniff_format(b"hello, this is text") is None
    assert sniff_format(b"OggS" + b"\0" * 24 + b"\x80theora") is None


def test_empty_and_non_audio_files(tmp_path: Path) -> None:
    empty = tmp_path / "empty.wav"
    empty.write_bytes(b"")
    text = tmp_path / "text.wav"
    text.write_text("RIFF? no, just text pretending to be a WAV file\n" * 10)

    rejected(EMPTY_FILE, empty)
    rejected(UNSUPPORTED_FORMAT, text)


def _wav_header(data_bytes: int, rate: int = 16000) -> bytes:
    fmt = struct.pack("<HHIIHH", 1, 1, rate, rate * 2, 2, 16)
    return (
        b"RIFF"
        + struct.pack("<I", 36 + data_bytes)
        + b"WAVE"
        + b"fmt "
        + struct.pack("<I", 16)
        + fmt
        + b"data"
        + struct.pack("<I", data_bytes)
    )


def test_wav_claiming_4gb_over_1kb_is_refused_from_the_header(tmp_path: Path) -> None:
    path = tmp_path / "liar.wav"
    path.write_bytes(_wav_header(0xFFFFFF00) + b"\x01\x00" * 512)

    with mock.patch.object(audio_io, "decode", autospec=True) as decode:
        error = rejected(INVALID_AUDIO, path)

    decode.assert_not_called()
    assert error.details == {"declared_bytes": 0xFFFFFF00, "available_bytes": 1024}


def test_truncated_wav_is_invalid(tmp_path: Path) -> None:
    data = SPEECH.path.read_bytes()
    path = tmp_path / "truncated.wav"
    path.write_bytes(data[: len(data) // 2])

    rejected(INVALID_AUDIO, path)


def test_hour_long_flac_is_refused_from_its_header_without_decoding(tmp_path: Path) -> None:
    path = tmp_path / "hour.flac"
    rate = 8000
    with sf.SoundFile(path, "w", samplerate=rate, channels=1, format="FLAC", subtype="PCM_16") as out:
        block = np.zeros(rate * 60, dtype=np.float32)
        for _ in range(60):
            out.write(block)
    assert path.stat().st_size < 5 * 1024 * 1024

    with mock.patch.object(audio_io, "decode", autospec=True) as decode:
        error = rejected(AUDIO_TOO_LONG, path)

    decode.assert_not_called()
    assert error.details == {"duration": 3600.0, "max_duration": 300.0}


def test_too_short(tmp_path: Path) -> None:
    samples, rate = sf.read(SPEECH.path, dtype="float32")
    path = tmp_path / "short.wav"
    sf.write(path, samples[:rate], rate)

    rejected(AUDIO_TOO_SHORT, path)


def test_stereo_is_down_mixed_and_header_matches_decoding(tmp_path: Path) -> None:
    samples, rate = sf.read(SPEECH.path, dtype="float32")
    path = tmp_path / "stereo.wav"
    sf.write(path, np.stack([samples, -samples * 0 + samples], axis=1), rate)

    info, audio = load_checked(path, LIMITS)

    assert (info.channels, info.sample_rate) == (2, rate)
    assert audio.samples.ndim == 1
    assert len(audio.samples) == len(samples)
    np.testing.assert_allclose(audio.samples, samples, atol=1e-4)


def test_probe_reads_the_header_only() -> None:
    info = probe(SPEECH.path)

    assert info.format == "wav"
    assert info.sample_rate == SPEECH.sample_rate
    assert abs(info.duration - SPEECH.duration) < 0.01


def test_resample_keeps_duration() -> None:
    x = np.sin(np.linspace(0, 2000, 22050)).astype(np.float32)

    y = audio_io.resample(x, 22050, 16000)

    assert len(y) == 16000
    assert y.dtype == np.float32


# --- Browser recordings: WebM/Opus, Ogg/Opus and MP4/AAC, decoded with FFmpeg -------------------


@pytest.mark.parametrize(("container", "expected"), [("webm", "webm"), ("mp4", "mp4"), ("ogg", "opus")])
def test_browser_recordings_are_recognised_and_decoded(tmp_path: Path, container: str, expected: str) -> None:
    path = tmp_path / "recording.bin"  # the name says nothing: the bytes decide
    path.write_bytes(browser_recording(SPEECH.path, container))

    info, audio = load_checked(path, LIMITS)

    assert info.format == expected
    assert abs(audio.duration - SPEECH.duration) < 0.06  # the codecs' priming and padding at most
    original, _ = sf.read(str(SPEECH.path), dtype="float32")
    assert np.isclose(np.sqrt(np.mean(audio.samples**2)), np.sqrt(np.mean(original**2)), rtol=0.2)


def _without_length(tmp_path: Path, seconds: float) -> Path:
    """A WebM written without seeking back, as MediaRecorder writes it: no duration in the header."""
    import io

    import av

    class Unseekable(io.RawIOBase):
        def __init__(self) -> None:
            self.data = bytearray()

        def writable(self) -> bool:
            return True

        def seekable(self) -> bool:
            return False

        def write(self, chunk: Any) -> int:
            self.data += bytes(chunk)
            return len(chunk)

    sink = Unseekable()
    with av.open(sink, mode="w", format="webm") as output:
        stream = output.add_stream("libopus", rate=48000)
        stream.layout = "mono"
        resampler = av.AudioResampler(format=stream.codec_context.format, layout="mono", rate=48000)
        tone = (0.1 * np.sin(np.arange(int(48000 * seconds)) / 48000 * 2 * np.pi * 220)).astype(np.float32)
        frame = av.AudioFrame.from_ndarray(tone[np.newaxis, :], format="flt", layout="mono")
        frame.sample_rate = 48000
        for converted in [*resampler.resample(frame), *resampler.resample(None)]:
            for packet in stream.encode(converted):
                output.mux(packet)
        for packet in stream.encode(None):
            output.mux(packet)
    path = tmp_path / "recorded.webm"
    path.write_bytes(bytes(sink.data))
    return path


def test_a_recording_without_a_length_is_measured_while_decoding(tmp_path: Path) -> None:
    path = _without_length(tmp_path, 12.0)
    assert probe(path).frames == 0  # unknown until decoded

    assert abs(load_checked(path, LIMITS)[1].duration - 12.0) < 0.05
    rejected(AUDIO_TOO_LONG, path, AudioLimits(min_duration_s=1.0, max_duration_s=5.0))
    rejected(AUDIO_TOO_SHORT, path, AudioLimits(min_duration_s=15.0, max_duration_s=60.0))


def test_browser_containers_without_usable_audio_are_refused(tmp_path: Path) -> None:
    import io

    import av

    buffer = io.BytesIO()
    with av.open(buffer, mode="w", format="mp4") as output:  # a video with no sound track
        stream = output.add_stream("mpeg4", rate=10)
        stream.width, stream.height, stream.pix_fmt = 64, 64, "yuv420p"
        for _ in range(10):
            for packet in stream.encode(av.VideoFrame.from_ndarray(np.zeros((64, 64, 3), np.uint8), format="rgb24")):
                output.mux(packet)
        for packet in stream.encode(None):
            output.mux(packet)
    video = tmp_path / "clip.mp4"
    video.write_bytes(buffer.getvalue())
    assert "no audio" in rejected(UNSUPPORTED_FORMAT, video).message

    whole = browser_recording(SPEECH.path, "webm")
    truncated = tmp_path / "cut.webm"
    truncated.write_bytes(whole[: len(whole) // 2])
    rejected(INVALID_AUDIO, truncated)  # its header says 10 s; half of it is there

    garbage = tmp_path / "garbage.webm"
    garbage.write_bytes(whole[:40] + bytes(range(256)) * 40)
    rejected(INVALID_AUDIO, garbage)
