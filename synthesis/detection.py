"""Is this audio Voxify's? The watermark detector over an uploaded recording.

Nothing is stored and no quota is charged: the upload is checked (size, container, length),
decoded in a temporary file and read by ``speech.watermark.detect_watermark``.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile

from accounts.models import User
from configuration.config import system_config
from files.services import local_upload_path
from files.uploads import upload_size_check
from speech.audio_io import AudioLimits, load_checked
from speech.watermark import DETECTOR, WATERMARK_THRESHOLD, Detection, detect_watermark
from voxify_project import throttle
from voxify_project.errors import speech_refusals

DETECT_MIN_SECONDS = 1.0  # the detector needs about a second of speech to say either way


# The detector reads at most this much of a recording: the mark is on every second the service
# speaks, so a minute decides as well as an hour, and one file costs under a second of CPU.
DETECT_MAX_READ_SECONDS = 60.0


def watermark_detect(*, user: User, upload: UploadedFile[bytes]) -> Detection:
    """The detector's verdict on an uploaded recording (any input format the service reads).

    Bounded per user: ``DETECTIONS_PER_USER`` files (429 RATE_LIMITED past it), each read for
    at most DETECT_MAX_READ_SECONDS, so one account's long files cannot hold the detector
    (which consent checks share) for long."""
    throttle.hit("detect-user", user.public_id, settings.DETECTIONS_PER_USER)
    upload_size_check(upload.size or 0)
    limits = AudioLimits(min_duration_s=DETECT_MIN_SECONDS, max_duration_s=system_config().voice_sample_max_seconds)
    with local_upload_path(upload) as path, speech_refusals():
        _, audio = load_checked(path, limits)
    read = audio.samples[: round(DETECT_MAX_READ_SECONDS * audio.sample_rate)]
    return detect_watermark(read, audio.sample_rate)


def as_dict(found: Detection) -> dict[str, Any]:
    """The detector's answer as the API shows it (REST and gRPC)."""
    return {
        "watermarked": found.watermarked,
        "confidence": found.confidence,
        "threshold": WATERMARK_THRESHOLD,
        "duration": found.seconds,
        "detector": DETECTOR,
    }
