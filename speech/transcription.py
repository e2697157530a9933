"""Transcripts with Whisper tiny.en (faster-whisper, int8 on the CPU), for English speech."""

from __future__ import annotations

import os
from typing import Any

from speech.alignment import WordTime
from speech.audio_io import Samples, resample
from speech.models import LazyModel, whisper_model_dir

WHISPER_RATE = 16000


def _load_model() -> Any:
    from faster_whisper import WhisperModel

    threads = int(os.environ.get("WHISPER_CPU_THREADS", "0")) or min(4, os.cpu_count() or 1)
    return WhisperModel(str(whisper_model_dir()), device="cpu", compute_type="int8", cpu_threads=threads)


_model: LazyModel[Any] = LazyModel(_load_model)


def is_english(language: str) -> bool:
    return language.lower().split("-")[0] == "en"


def transcribe(samples: Samples, sample_rate: int) -> str:
    """The English text spoken in a mono recording (greedy decoding)."""
    audio = resample(samples, sample_rate, WHISPER_RATE)
    with _model.use() as model:
        segments, _ = model.transcribe(
            audio, language="en", beam_size=1, condition_on_previous_text=False, vad_filter=False
        )
        return " ".join(segment.text.strip() for segment in segments).strip()


def transcribe_words(samples: Samples, sample_rate: int) -> list[WordTime]:
    """Each word Whisper hears, with its start and end in seconds (its own word timestamps,
    from cross-attention alignment): an independent check of the engine's word times."""
    audio = resample(samples, sample_rate, WHISPER_RATE)
    with _model.use() as model:
        segments, _ = model.transcribe(
            audio, language="en", beam_size=1, condition_on_previous_text=False, vad_filter=False, word_timestamps=True
        )
        return [
            WordTime(word.word.strip(), float(word.start), float(word.end))
            for segment in segments
            for word in segment.words or []
        ]
