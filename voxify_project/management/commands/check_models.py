"""``manage.py check_models``: load every speech model from its package and use it once.

Piper speaks a sentence; Whisper transcribes it (the word error rate must be low); both speaker
encoders embed it; DistillMOS scores it. Nothing may be fetched: run with ``HF_HUB_OFFLINE=1``
(the image does, at build time, so an image without its models is never produced).
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError

SENTENCE = "The quick brown fox jumps over the lazy dog."
MAX_WER = 0.3


class Command(BaseCommand):
    help = "Load every speech model (both TTS engines, ASR, two speaker encoders, naturalness) and use it once."

    def handle(self, *args: Any, **options: Any) -> None:
        from speech.dvector import dvector_embedding
        from speech.embedding import speaker_embedding
        from speech.engines import ENGINES, parse_voice
        from speech.naturalness import naturalness
        from speech.transcription import transcribe
        from speech.tts import synthesize
        from speech.wer import word_error_rate

        started = time.monotonic()
        samples, rate = synthesize(SENTENCE)
        seconds = len(samples) / rate
        self.stdout.write(f"piper: {seconds:.2f} s of speech at {rate} Hz")
        heard = transcribe(samples, rate)
        wer = word_error_rate(SENTENCE, heard)
        self.stdout.write(f"whisper: {heard!r} (WER {wer:.2f})")
        if not 1.0 < seconds < 10.0 or wer > MAX_WER:
            raise CommandError(f"the speech models disagree: {seconds:.2f} s, heard {heard!r} (WER {wer:.2f})")
        kokoro = ENGINES["kokoro"].speak(SENTENCE, parse_voice("jf_alpha"))
        heard = transcribe(kokoro.audio, kokoro.rate)
        wer = word_error_rate(SENTENCE, heard)
        self.stdout.write(f"kokoro: {len(kokoro.audio) / kokoro.rate:.2f} s at {kokoro.rate} Hz, heard {heard!r}")
        if wer > MAX_WER:
            raise CommandError(f"Kokoro's speech was heard as {heard!r} (WER {wer:.2f})")
        for name, embed in (("resemblyzer", speaker_embedding), ("d-vector", dvector_embedding)):
            vector = embed(samples, rate)
            if not vector.any():
                raise CommandError(f"{name} gave an empty embedding")
            self.stdout.write(f"{name}: {vector.shape[0]}-d embedding")
        score = naturalness(samples, rate)
        if not 1.0 <= score <= 5.0:
            raise CommandError(f"DistillMOS gave {score}")
        self.stdout.write(f"distillmos: {score:.2f}")
        elapsed = time.monotonic() - started
        self.stdout.write(self.style.SUCCESS(f"all speech models loaded and used in {elapsed:.1f} s"))
