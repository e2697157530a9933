"""Which voices a user can speak with, and the artefact behind a voice id.

A ``voice_id`` is a built-in voice of one of the engines (``piper-en_US-joe-medium``,
``jf_alpha``, …), a blend of one engine's voices (``jf_alpha(2)+jm_kumo(1)``,
speech.engines.parse_voice) or the ``vs_`` id of one of the caller's voice samples that has a
trained voice (status ``ready``).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from accounts.models import User
from files.storage import file_storage
from speech.engines import (
    DEFAULT_VOICE,
    LANGUAGE_TAGS,
    BaseVoice,
    SpeechEngine,
    builtin_voices,
    engine_of,
    language_of,
    looks_like_blend,
    parse_voice,
)
from speech.voice_methods import load_artefact
from speech.voice_methods.base import Artefact
from voices.models import VoiceModel, VoiceSample
from voxify_project.errors import Conflict, InvalidInput, NotFound


@dataclass(frozen=True)
class BuiltinVoice:
    voice_id: str
    name: str
    language: str
    languages: tuple[str, ...]
    gender: str
    accent: str
    sample_rate: int
    engine: str

    @property
    def description(self) -> str:
        return f"{self.gender.capitalize()}, {self.accent} ({self.engine})"


BUILTIN_VOICES = tuple(
    BuiltinVoice(
        voice.voice_id,
        voice.name,
        voice.languages[0],
        voice.languages,
        voice.gender,
        voice.accent,
        engine.sample_rate,
        engine.name,
    )
    for engine, voice in builtin_voices()
)
BUILTIN_BY_ID = {voice.voice_id: voice for voice in BUILTIN_VOICES}
DEFAULT_VOICE_ID = DEFAULT_VOICE


class VoiceNotReady(Conflict):
    code = "VOICE_NOT_READY"
    default_message = "This voice has no trained model yet; train the voice sample first."


def voice_not_found() -> NotFound:
    return NotFound("Voice not found.", code="VOICE_NOT_FOUND")


@dataclass(frozen=True)
class ResolvedVoice:
    voice_id: str
    sample: VoiceSample | None = None
    model: VoiceModel | None = None
    base: BaseVoice | None = None  # what a built-in voice or blend speaks with; None: the model's own

    @property
    def engine(self) -> SpeechEngine:
        """The engine that speaks it (a trained voice's: the engine of its base)."""
        if self.base is not None:
            return engine_of(self.base)
        return engine_of(model_base(self.model))

    @property
    def realtime_factor(self) -> float:
        """The engine's seconds of work per second of speech."""
        return self.engine.realtime_factor

    @property
    def characters_per_second(self) -> float:
        return self.engine.characters_per_second

    def unknown_phonemes(self, ipa: str) -> str | None:
        return self.engine.unknown_phonemes(ipa)


def model_base(model: VoiceModel | None) -> BaseVoice:
    """The voice a trained model converts: the base its training recorded, else Piper's (every
    voice trained before there was a choice)."""
    recorded = (model.validation or {}).get("base", {}) if model is not None else {}
    try:
        return parse_voice(recorded.get("voice") or DEFAULT_VOICE)
    except ValueError:  # a voice this version no longer has: the artefact decides at synthesis
        return parse_voice(DEFAULT_VOICE)


def voice_resolve(*, user: User, voice_id: str) -> ResolvedVoice:
    """The voice ``voice_id`` names for ``user``; 404 if unknown, 409 if not trained yet, 400
    (naming ``voice_id``) for a blend that cannot be made."""
    if voice_id in BUILTIN_BY_ID:
        return ResolvedVoice(voice_id, base=parse_voice(voice_id))
    if looks_like_blend(voice_id):
        try:
            return ResolvedVoice(voice_id, base=parse_voice(voice_id))
        except ValueError as error:
            raise InvalidInput("The voice blend is not valid.", details={"voice_id": [str(error)]}) from error
    sample = (
        VoiceSample.objects.select_related("active_model__artefact_file").filter(owner=user, public_id=voice_id).first()
    )
    if sample is None:
        raise voice_not_found()
    if sample.active_model is None:
        raise VoiceNotReady(details={"voice_id": voice_id, "status": sample.status})
    return ResolvedVoice(voice_id, sample, sample.active_model)


def user_ready_samples(*, user: User) -> QuerySet[VoiceSample]:
    return (
        VoiceSample.objects.filter(owner=user, active_model__isnull=False)
        .select_related("active_model")
        .order_by("-created_at", "-id")
    )


def voice_catalogue(*, user: User) -> list[dict[str, Any]]:
    """The voices ``user`` can speak with: the built-in ones, then their samples that have a
    trained voice (newest first). Every ``voice_id`` here resolves in ``voice_resolve``."""
    voices: list[dict[str, Any]] = [
        {
            "voice_id": voice.voice_id,
            "name": voice.name,
            "type": "builtin",
            "language": voice.language,
            "languages": list(voice.languages),
            "gender": voice.gender,
            "accent": voice.accent,
            "description": voice.description,
            "sample_rate": voice.sample_rate,
            "engine": voice.engine,
            "model_version": None,
            "similarity": None,
        }
        for voice in BUILTIN_VOICES
    ]
    for sample in user_ready_samples(user=user):
        model = sample.active_model
        assert model is not None
        voices.append(
            {
                "voice_id": sample.public_id,
                "name": sample.name,
                "type": "cloned",
                "language": sample.language,
                "languages": cloned_languages(sample.language, engine_of(model_base(model))),
                "gender": None,
                "accent": None,
                "description": sample.description,
                "sample_rate": engine_of(model_base(model)).sample_rate,
                "engine": f"{model_base(model).engine}+{model.method}",
                "model_version": model.version,
                "similarity": model.validation.get("similarity"),
            }
        )
    return voices


def cloned_languages(own: str, engine: SpeechEngine) -> list[str]:
    """A trained voice's languages: its sample's, then the others its base's engine reads."""
    others = [tag for code, tag in LANGUAGE_TAGS.items() if code in engine.languages and code != language_of(own)]
    return [own, *others]


_cache_lock = threading.Lock()
_artefacts: OrderedDict[str, Artefact] = OrderedDict()
ARTEFACT_CACHE_SIZE = 64


def voice_artefact(model: VoiceModel | None) -> Artefact | None:
    """The artefact of a trained voice (read once from storage, then cached), or None."""
    if model is None:
        return None
    with _cache_lock:
        cached = _artefacts.get(model.public_id)
        if cached is not None:
            _artefacts.move_to_end(model.public_id)
            return cached
    with file_storage().open(model.artefact_file.storage_key, "rb") as handle:
        artefact = load_artefact(handle.read())
    with _cache_lock:
        _artefacts[model.public_id] = artefact
        while len(_artefacts) > ARTEFACT_CACHE_SIZE:
            _artefacts.popitem(last=False)
    return artefact
