"""The consent check: did the speaker of a voice sample read the phrase they were given?

A phrase of ``PHRASE_WORDS`` ordinary words is drawn at random. The recording that answers it
passes when all of the following hold:

- **The phrase was said.** Whisper's transcript has a word error rate against the phrase of
  at most ``MAX_PHRASE_WER``: at least half of the words heard, in order. Whisper tiny
  mishears some words said without context (bench/consent.py); half of six random words
  from 125 is still far beyond what a recording made before the phrase existed can match.
- **The same speaker said it.** Both speaker encoders place the recording with the sample.
  Resemblyzer's cosine similarity must reach ``RESEMBLYZER_THRESHOLD`` and the d-vector's
  must reach ``DVECTOR_THRESHOLD``. The thresholds come from same- and different-speaker
  scores measured on real speech (bench/consent.py, docs/responsible-use.md).
- **It is not Voxify's own speech.** The recording does not carry the watermark
  (speech.watermark), so a clone of the sample reading the phrase is refused however much it
  sounds like the speaker.

Framework-free: the service (voices.consent) issues the phrases, keeps the attempts and
decides what a pass allows.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from speech.audio_io import Samples
from speech.dvector import dvector_embedding
from speech.embedding import cosine_similarity, speaker_embedding
from speech.transcription import transcribe
from speech.watermark import detect_watermark
from speech.wer import word_error_rate

PHRASE_WORDS = 6
MAX_PHRASE_WER = 0.5
RESEMBLYZER_THRESHOLD = 0.70
DVECTOR_THRESHOLD = 0.65

# The words phrases are drawn from (speech/consent_words.txt).
WORDS: tuple[str, ...] = tuple(
    line.strip()
    for line in (Path(__file__).parent / "consent_words.txt").read_text().splitlines()
    if line.strip() and not line.startswith("#")
)


def new_phrase(words: int = PHRASE_WORDS) -> str:
    """``words`` different words drawn with the operating system's randomness."""
    rng = secrets.SystemRandom()
    return " ".join(rng.sample(WORDS, words))


@dataclass(frozen=True)
class Enrolled:
    """A sample's voice as both encoders see it."""

    resemblyzer: npt.NDArray[np.float32]
    dvector: npt.NDArray[np.float32]


def sample_embeddings(samples: Samples, rate: int, resemblyzer: npt.NDArray[np.float32] | None = None) -> Enrolled:
    """Both embeddings of a sample (Resemblyzer's may be given: the service stores it)."""
    return Enrolled(
        resemblyzer if resemblyzer is not None else speaker_embedding(samples, rate), dvector_embedding(samples, rate)
    )


@dataclass(frozen=True)
class SpeakerScores:
    resemblyzer: float
    dvector: float

    @property
    def same_speaker(self) -> bool:
        return self.resemblyzer >= RESEMBLYZER_THRESHOLD and self.dvector >= DVECTOR_THRESHOLD


def compare(recording: Enrolled, sample: Enrolled) -> SpeakerScores:
    return SpeakerScores(
        round(cosine_similarity(recording.resemblyzer, sample.resemblyzer), 4),
        round(cosine_similarity(recording.dvector, sample.dvector), 4),
    )


def speaker_scores(samples: Samples, rate: int, enrolled: Enrolled) -> SpeakerScores:
    return compare(sample_embeddings(samples, rate), enrolled)


# Why a recording was refused: stable codes, shown to the user and kept with the attempt.
PHRASE_NOT_HEARD = "PHRASE_NOT_HEARD"
SPEAKER_MISMATCH = "SPEAKER_MISMATCH"
SYNTHETIC_SPEECH = "SYNTHETIC_SPEECH"


@dataclass(frozen=True)
class ConsentVerdict:
    passed: bool
    reasons: tuple[str, ...]
    transcript: str
    wer: float
    scores: SpeakerScores
    watermark_confidence: float


def phrase_wer(phrase: str, transcript: str) -> float:
    """Word error rate of what was heard against the phrase. Whisper writes some words it hears
    together as a compound ("kettle-doctor"): they count as the words they are."""
    return word_error_rate(phrase, re.sub(r"[-\u2010-\u2014]", " ", transcript))


def check_consent(samples: Samples, rate: int, *, phrase: str, enrolled: Enrolled) -> ConsentVerdict:
    """Judge a recording that should be the sample's speaker reading ``phrase``."""
    transcript = transcribe(samples, rate)
    wer = round(phrase_wer(phrase, transcript), 4)
    scores = speaker_scores(samples, rate, enrolled)
    mark = detect_watermark(samples, rate)
    reasons = []
    if wer > MAX_PHRASE_WER:
        reasons.append(PHRASE_NOT_HEARD)
    if not scores.same_speaker:
        reasons.append(SPEAKER_MISMATCH)
    if mark.watermarked:
        reasons.append(SYNTHETIC_SPEECH)
    return ConsentVerdict(not reasons, tuple(reasons), transcript, wer, scores, mark.confidence)
