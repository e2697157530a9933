"""Output formats and sample rates: plain data, no numpy, so that the configuration model and
the request validation can name them without loading the audio stack."""

from __future__ import annotations

OUTPUT_FORMATS = ("wav", "mp3", "ogg", "opus", "flac", "aac", "pcm", "ulaw", "alaw")
CONTENT_TYPES = {
    "wav": "audio/wav",
    "flac": "audio/flac",
    "ogg": "audio/ogg",
    "opus": "audio/ogg; codecs=opus",
    "mp3": "audio/mpeg",
    "aac": "audio/aac",  # ADTS frames
    "pcm": "audio/pcm",  # raw signed 16-bit little-endian mono, no header
    "ulaw": "audio/basic",  # raw G.711 mu-law (RFC 2046's audio/basic is 8 kHz mu-law)
    "alaw": "audio/x-alaw-basic",  # raw G.711 A-law
}
EXTENSIONS = {
    "wav": ".wav",
    "flac": ".flac",
    "ogg": ".ogg",
    "opus": ".opus",
    "mp3": ".mp3",
    "aac": ".aac",
    "pcm": ".pcm",
    "ulaw": ".ulaw",
    "alaw": ".alaw",
}
# Every container taken as input (speech.audio_io.probe's names): the output formats that can
# be read back, plus browsers' recordings (MediaRecorder: WebM/Opus, MP4/AAC), input only.
INPUT_CONTENT_TYPES = {**CONTENT_TYPES, "webm": "audio/webm", "mp4": "audio/mp4"}
INPUT_EXTENSIONS = {**EXTENSIONS, "webm": ".webm", "mp4": ".m4a"}
# Formats without a header: the rate and sample format are not in the bytes.
RAW_FORMATS = ("pcm", "ulaw", "alaw")
# Output sample rates offered at all, in Hz.
MIN_RATE, MAX_RATE = 8000, 48000
# Formats whose codec only takes some sample rates (Opus: RFC 6716; MPEG-1/2/2.5 Layer III).
ENCODER_RATES: dict[str, tuple[int, ...]] = {
    "opus": (8000, 12000, 16000, 24000, 48000),
    "mp3": (8000, 11025, 12000, 16000, 22050, 24000, 32000, 44100, 48000),
    "aac": (8000, 11025, 12000, 16000, 22050, 24000, 32000, 44100, 48000),
    "ulaw": (8000,),  # G.711 telephony
    "alaw": (8000,),
}


def encoder_accepts(fmt: str, sample_rate: int) -> bool:
    rates = ENCODER_RATES.get(fmt)
    return rates is None or sample_rate in rates
