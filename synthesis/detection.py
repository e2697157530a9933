"""Is this audio Voxify's? The watermark detector over an uploaded recording.

Nothing is stored and no quota is charged: the upload is checked (size, container, length),
decoded in a temporary file and read by ``speech.watermark.detect_watermark``.
"""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import UploadedFile

from configuration.config import system_config
from files.services import local_upload_path
from files.uploads import upload_size_check
from speech.audio_io import AudioLimits, load_checked
from speech.watermark import DETECTOR, WATERMARK_THRESHOLD, Detection, detect_watermark
from voxify_project.errors import speech_refusals

DETECT_MIN_SECONDS = 1.0  # the detector needs about a second of speech to say either way


def watermark_detect(*, upload: UploadedFile[bytes]) -> Detection:
    """The detector's verdict on an uploaded recording (any input format the service reads)."""
    upload_size_check(upload.size or 0)
    limits = AudioLimits(min_duration_s=DETECT_MIN_SECONDS, max_duration_s=system_config().voice_sample_max_seconds)
    with local_upload_path(upload) as path, speech_refusals():
        _, audio = load_checked(path, limits)
    return detect_watermark(audio.samples, audio.sample_rate)


def as_dict(found: Detection) -> dict[str, Any]:
    """The detector's answer as the API shows it (REST and gRPC)."""
    return {
        "watermarked": found.watermarked,
        "confidence": found.confidence,
        "threshold": WATERMARK_THRESHOLD,
        "duration": found.seconds,
        "detector": DETECTOR,
    }
