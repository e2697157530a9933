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
                path, row["speaker"], float(row["duration_s"]), int(row["sample_rate"]), transcript, row["source"]
            )
        )
    return result


def recording(name: str) -> Recording:
    return next(r for r in recordings() if r.path.name == name)
