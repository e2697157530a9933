"""Why the speech core refuses audio: one exception with a stable code."""

from __future__ import annotations

from typing import Any

UNSUPPORTED_FORMAT = "UNSUPPORTED_FORMAT"
EMPTY_FILE = "EMPTY_FILE"
INVALID_AUDIO = "INVALID_AUDIO"
AUDIO_TOO_SHORT = "AUDIO_TOO_SHORT"
AUDIO_TOO_LONG = "AUDIO_TOO_LONG"
NO_SPEECH_DETECTED = "NO_SPEECH_DETECTED"


class AudioRejected(Exception):
    """The audio cannot be used; ``code`` is one of the constants above."""

    def __init__(self, code: str, message: str, details: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.details = details
