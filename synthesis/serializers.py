from __future__ import annotations

from typing import Any

from rest_framework import serializers
from rest_framework.fields import ProhibitNullCharactersValidator  # type: ignore[attr-defined]

from files.links import download_url
from speech.engines import LANGUAGE_TAGS, language_of
from speech.formats import MAX_RATE, MIN_RATE, OUTPUT_FORMATS
from speech.lexicon import term_key
from speech.tts import unknown_phonemes
from synthesis.dictionaries import MAX_ALIAS_CHARS, MAX_ENTRIES, MAX_PHONEMES_CHARS, MAX_TERM_CHARS
from synthesis.models import PronunciationDictionary, Synthesis
from synthesis.requests import SynthesisRequest, output_settings
from synthesis.selectors import synthesis_status
from synthesis.voices import DEFAULT_VOICE_ID
from voxify_project.strict import StrictFields


class SpeechTextField(serializers.CharField):
    """Text to speak. Control characters (NUL included) are stripped by the service rather
    than refused; blank text passes here so the service answers EMPTY_TEXT; the length
    limit depends on the endpoint (TEXT_TOO_LONG)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(allow_blank=True, trim_whitespace=False, **kwargs)
        self.validators = [v for v in self.validators if not isinstance(v, ProhibitNullCharactersValidator)]


class SimilarityField(serializers.FloatField):
    """How much of a cloned voice's learned identity to apply, 0-1 (docs/synthesis.md)."""

    def __init__(self) -> None:
        super().__init__(
            min_value=0.0,
            max_value=1.0,
            required=False,
            allow_null=True,
            help_text="Cloned voices only: how much of the speaker's learned identity to apply, from 0 "
            "(pitch and formants only, the most natural) to 1 (the strongest learned correction). Default: the "
            "voice's own setting, chosen at training (its validation's similarity_setting). Ignored by "
            "built-in voices.",
        )


class SpeechLanguageField(serializers.CharField):
    """The language of the text, a BCP 47 tag of a language the engines read; stored as its
    primary subtag ("en", "ja")."""

    def __init__(self) -> None:
        super().__init__(
            max_length=16,
            required=False,
            help_text="The language of the text: `en-US` (any `en` tag) or `ja-JP` (`ja`), which Kokoro voices, "
            "their blends and voices trained on them read. Default: `ja-JP` when the text is written in Japanese "
            "(kana) and the voice reads it, else `en-US`. Japanese text skips English normalisation and "
            "dictionaries; its SSML has no say-as or phoneme.",
        )

    def to_internal_value(self, data: Any) -> str:
        tag = super().to_internal_value(data)
        language = language_of(tag)
        if language is None:
            raise serializers.ValidationError(
                f"{tag!r} is not a language the voices read: " + " or ".join(LANGUAGE_TAGS.values()) + "."
            )
        return language


def synthesis_request(data: dict[str, Any], config: dict[str, Any]) -> SynthesisRequest:
    """The service's request from validated data (text, voice_id, keep) and output settings."""
    fmt, rate = output_settings(config.get("output_format"), config.get("sample_rate"))
    return SynthesisRequest(
        text=data["text"],
        voice_id=data["voice_id"],
        output_format=fmt,
        sample_rate=rate,
        speed=config.get("speed", 1.0),
        pitch=config.get("pitch", 1.0),
        volume=config.get("volume", 1.0),
        similarity=config.get("similarity"),
        keep=data["keep"],
        timestamps=config.get("timestamps", "none"),
        input_type=config.get("input_type", "auto"),
        normalize=config.get("normalize", True),
        dictionary_id=config.get("dictionary_id"),
        language=config.get("language"),
    )


class SynthesisConfigSerializer(StrictFields, serializers.Serializer[Any]):
    output_format = serializers.ChoiceField(choices=OUTPUT_FORMATS, required=False)
    sample_rate = serializers.IntegerField(
        min_value=MIN_RATE,
        max_value=MAX_RATE,
        required=False,
        help_text="Hz, default default_sample_rate (22050). Opus takes 8000/12000/16000/24000/48000; "
        "MP3 8000/11025/12000/16000/22050/24000/32000/44100/48000.",
    )
    speed = serializers.FloatField(min_value=0.5, max_value=2.0, default=1.0, help_text="2.0 halves the duration.")
    pitch = serializers.FloatField(min_value=0.5, max_value=2.0, default=1.0, help_text="F0 ratio; duration kept.")
    volume = serializers.FloatField(min_value=0.0, max_value=2.0, default=1.0, help_text="Gain; never clips.")
    similarity = SimilarityField()
    timestamps = serializers.ChoiceField(
        choices=["none", "word"],
        default="none",
        help_text="`word`: the answer (and the synthesis record) gives when each written word is spoken, "
        "`[{word, start, end}]` in seconds of the output; GET /api/v1/tts/syntheses/{id}/subtitles renders them.",
    )

    input_type = serializers.ChoiceField(
        choices=["auto", "text", "ssml"],
        default="auto",
        help_text="`ssml`: the text is SSML (the subset in docs/synthesis.md); `auto`: SSML when its root is "
        "`<speak>`; `text`: read as written, angle brackets included.",
    )
    normalize = serializers.BooleanField(
        default=True,
        help_text="`false`: numbers, dates, money and abbreviations are not expanded into words before speaking.",
    )
    dictionary_id = serializers.CharField(
        max_length=32,
        required=False,
        help_text="A pronunciation dictionary (`dict_…`) applied before normalisation; `none` for none. "
        "Default: the user's default dictionary, if any.",
    )
    language = SpeechLanguageField()


class WordTimestampSerializer(serializers.Serializer[Any]):
    word = serializers.CharField(help_text="As written in the text (punctuation around it removed).")
    start = serializers.FloatField(help_text="Seconds from the start of the output.")
    end = serializers.FloatField()


class SynthesizeInputSerializer(StrictFields, serializers.Serializer[Any]):
    text = SpeechTextField()
    voice_id = serializers.CharField(
        max_length=64,
        default=DEFAULT_VOICE_ID,
        help_text="A voice of GET /api/v1/tts/voices: a built-in voice, a trained sample's vs_ id, or a blend of "
        "Kokoro voices such as jf_alpha(2)+jm_kumo(1) (weights above 0 and at most 100, at most 5 voices).",
    )
    config = SynthesisConfigSerializer(required=False)
    keep = serializers.BooleanField(
        default=False, help_text="Keep the output file instead of deleting it after file_ttl_hours."
    )

    def to_request(self) -> SynthesisRequest:
        return synthesis_request(self.validated_data, self.validated_data.get("config") or {})


class StreamQuerySerializer(StrictFields, serializers.Serializer[Any]):
    text = SpeechTextField()
    voice_id = serializers.CharField(
        max_length=64,
        default=DEFAULT_VOICE_ID,
        help_text="A voice of GET /api/v1/tts/voices: a built-in voice, a trained sample's vs_ id, or a blend of "
        "Kokoro voices such as jf_alpha(2)+jm_kumo(1) (weights above 0 and at most 100, at most 5 voices).",
    )
    format = serializers.ChoiceField(choices=OUTPUT_FORMATS, required=False)
    sample_rate = serializers.IntegerField(min_value=MIN_RATE, max_value=MAX_RATE, required=False)
    speed = serializers.FloatField(min_value=0.5, max_value=2.0, default=1.0)
    pitch = serializers.FloatField(min_value=0.5, max_value=2.0, default=1.0)
    volume = serializers.FloatField(min_value=0.0, max_value=2.0, default=1.0)
    similarity = SimilarityField()
    timestamps = serializers.ChoiceField(
        choices=["none", "word"], default="none", help_text="`word`: each audio_chunk event lists its words' times."
    )
    input_type = serializers.ChoiceField(choices=["auto", "text", "ssml"], default="auto")
    normalize = serializers.BooleanField(default=True)
    dictionary_id = serializers.CharField(max_length=32, required=False)
    language = SpeechLanguageField()
    keep = serializers.BooleanField(default=False)
    ticket = serializers.CharField(required=False, help_text="For EventSource: a ticket from …/stream/ticket.")

    def to_request(self) -> SynthesisRequest:
        data = self.validated_data
        return synthesis_request(data, {**data, "output_format": data.get("format")})


class SynthesizeOutputSerializer(serializers.Serializer[Any]):
    synthesis_id = serializers.CharField()
    audio_url = serializers.URLField(
        help_text="The download, signed (`?token=`, DOWNLOAD_LINK_TTL_S seconds): it works without an "
        "Authorization header (for `<audio src>`); with a Bearer header it always works."
    )
    file_id = serializers.CharField()
    duration = serializers.FloatField()
    format = serializers.CharField()
    sample_rate = serializers.IntegerField()
    voice_id = serializers.CharField()
    expires_at = serializers.DateTimeField(allow_null=True)
    timestamps = WordTimestampSerializer(
        many=True, allow_null=True, required=False, help_text="With config.timestamps `word`; else null."
    )


class SynthesizeAsyncOutputSerializer(serializers.Serializer[Any]):
    synthesis_id = serializers.CharField()
    job_id = serializers.CharField()
    estimated_duration = serializers.IntegerField(help_text="Seconds.")
    status = serializers.CharField()


class VoiceSerializer(serializers.Serializer[Any]):
    voice_id = serializers.CharField()
    name = serializers.CharField()
    type = serializers.ChoiceField(choices=["builtin", "cloned"])
    language = serializers.CharField(help_text="The language it speaks best.")
    languages = serializers.ListField(child=serializers.CharField(), help_text="Every language it speaks.")
    gender = serializers.CharField(allow_null=True, help_text="female or male, for a built-in voice.")
    accent = serializers.CharField(allow_null=True, help_text="The accent it speaks with, for a built-in voice.")
    description = serializers.CharField(allow_blank=True, help_text="Gender, accent and engine; a sample's own.")
    sample_rate = serializers.IntegerField(help_text="The engine's native rate; any output rate can be asked for.")
    engine = serializers.CharField()
    model_version = serializers.IntegerField(allow_null=True)
    similarity = serializers.FloatField(allow_null=True, help_text="Validation similarity of the trained voice.")


class VoiceListSerializer(serializers.Serializer[Any]):
    voices = VoiceSerializer(many=True)


class StreamTicketSerializer(serializers.Serializer[Any]):
    ticket = serializers.CharField()
    expires_in = serializers.IntegerField()
    url = serializers.CharField(help_text="The stream path; add the query and `ticket=…`.")


class SynthesisListItemSerializer(serializers.Serializer[Any]):
    synthesis_id = serializers.CharField(source="public_id")
    mode = serializers.CharField()
    status = serializers.SerializerMethodField()
    voice_id = serializers.CharField()
    text_preview = serializers.SerializerMethodField()
    characters = serializers.IntegerField()
    format = serializers.CharField(source="output_format")
    sample_rate = serializers.IntegerField()
    duration = serializers.FloatField(allow_null=True)
    audio_url = serializers.SerializerMethodField()
    file_id = serializers.SerializerMethodField()
    job_id = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()

    def get_status(self, synthesis: Synthesis) -> str:
        return synthesis_status(synthesis)

    def get_text_preview(self, synthesis: Synthesis) -> str:
        return synthesis.text if len(synthesis.text) <= 100 else synthesis.text[:97].rstrip() + "..."

    def get_file_id(self, synthesis: Synthesis) -> str | None:
        return synthesis.output_file.public_id if synthesis.output_file is not None else None

    def get_audio_url(self, synthesis: Synthesis) -> str | None:
        output = synthesis.output_file
        if output is None or output.is_expired():
            return None
        request = self.context["request"]
        return download_url(request.build_absolute_uri("/"), output.public_id, user_id=synthesis.owner.public_id)

    def get_job_id(self, synthesis: Synthesis) -> str | None:
        return synthesis.job.public_id if synthesis.job is not None else None


class SynthesisDetailSerializer(SynthesisListItemSerializer):
    text = serializers.CharField(help_text="What is spoken, as written (an SSML request's markup removed).")
    input_type = serializers.CharField(help_text="`text` or `ssml`.")
    normalize = serializers.BooleanField()
    dictionary_id = serializers.CharField(
        allow_blank=True, help_text="The pronunciation dictionary applied; empty: none."
    )
    speed = serializers.FloatField()
    pitch = serializers.FloatField()
    volume = serializers.FloatField()
    similarity = serializers.FloatField(allow_null=True)
    keep = serializers.BooleanField()
    timestamps = WordTimestampSerializer(
        source="word_timestamps",
        many=True,
        allow_null=True,
        help_text="When each written word is spoken, once a synthesis asked for `timestamps: word` has completed.",
    )
    progress = serializers.SerializerMethodField()
    pieces_total = serializers.IntegerField()
    pieces_done = serializers.IntegerField()
    processing_seconds = serializers.FloatField(allow_null=True)
    expires_at = serializers.SerializerMethodField()
    finished_at = serializers.DateTimeField(allow_null=True)
    error = serializers.SerializerMethodField()

    def get_progress(self, synthesis: Synthesis) -> float:
        if synthesis.status == Synthesis.Status.COMPLETED:
            return 1.0
        return round(synthesis.pieces_done / synthesis.pieces_total, 4) if synthesis.pieces_total else 0.0

    def get_expires_at(self, synthesis: Synthesis) -> str | None:
        output = synthesis.output_file
        return output.expires_at.isoformat() if output is not None and output.expires_at else None

    def get_error(self, synthesis: Synthesis) -> dict[str, str] | None:
        code, message = synthesis.error_code, synthesis.error_message
        job = synthesis.job
        if not code and job is not None and job.error_code:
            code, message = job.error_code, job.error_message
        return {"code": code, "message": message} if code else None


class SubtitlesQuerySerializer(StrictFields, serializers.Serializer[Any]):
    format = serializers.ChoiceField(choices=["srt", "vtt"], default="srt", help_text="SubRip or WebVTT.")


class SynthesisUpdateSerializer(serializers.Serializer[Any]):
    keep = serializers.BooleanField()


class SynthesisFilterSerializer(serializers.Serializer[Any]):
    mode = serializers.ChoiceField(choices=Synthesis.Mode.choices, required=False)
    status = serializers.ChoiceField(choices=Synthesis.Status.choices, required=False)


class DictionaryEntrySerializer(StrictFields, serializers.Serializer[Any]):
    term = serializers.CharField(
        max_length=MAX_TERM_CHARS,
        help_text="A word or phrase, matched as whole words; spaces inside match any whitespace.",
    )
    alias = serializers.CharField(
        max_length=MAX_ALIAS_CHARS, required=False, help_text="Text spoken instead (normalised like any text)."
    )
    phonemes = serializers.CharField(
        max_length=MAX_PHONEMES_CHARS,
        required=False,
        help_text="IPA spoken instead, as eSpeak writes it (e.g. `ˈɛnʤɪnˈɛks`); give alias or phonemes, not both.",
    )
    case_sensitive = serializers.BooleanField(
        default=False, help_text="Match this case only (`US` but not `us`); by default case is ignored."
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if not any(ch.isalnum() for ch in attrs["term"]):
            raise serializers.ValidationError({"term": ["Must contain a letter or digit."]})
        if ("alias" in attrs) == ("phonemes" in attrs):
            raise serializers.ValidationError({"alias": ["Give either alias or phonemes."]})
        if "phonemes" in attrs and (problem := unknown_phonemes(attrs["phonemes"])):
            raise serializers.ValidationError({"phonemes": [problem[0].upper() + problem[1:] + "."]})
        attrs["term"] = " ".join(attrs["term"].split())
        return attrs


class DictionaryEntriesField(serializers.ListField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(
            child=DictionaryEntrySerializer(),
            max_length=MAX_ENTRIES,
            help_text=f"At most {MAX_ENTRIES}; a term appears once (case-insensitively, unless case_sensitive).",
            **kwargs,
        )

    def to_internal_value(self, data: Any) -> list[dict[str, Any]]:
        entries: list[dict[str, Any]] = super().to_internal_value(data)
        seen: dict[str, int] = {}
        for index, entry in enumerate(entries):
            key = term_key(entry["term"], entry["case_sensitive"])
            if key in seen:
                raise serializers.ValidationError({str(index): {"term": [f"The same term as entry {seen[key]}."]}})
            seen[key] = index
        return [{k: v for k, v in entry.items() if v is not None} for entry in entries]


class DictionaryInputSerializer(StrictFields, serializers.Serializer[Any]):
    name = serializers.CharField(max_length=100)
    description = serializers.CharField(max_length=500, required=False, allow_blank=True)
    is_default = serializers.BooleanField(
        required=False, help_text="Used for every synthesis that names no dictionary; one per user."
    )
    entries = DictionaryEntriesField(required=False)


class DictionaryUpdateSerializer(DictionaryInputSerializer):
    name = serializers.CharField(max_length=100, required=False)
    entries = DictionaryEntriesField(required=False)


class DictionaryListItemSerializer(serializers.Serializer[Any]):
    dictionary_id = serializers.CharField(source="public_id")
    name = serializers.CharField()
    description = serializers.CharField()
    is_default = serializers.BooleanField()
    entry_count = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()

    def get_entry_count(self, dictionary: PronunciationDictionary) -> int:
        return len(dictionary.entries)


class DictionaryEntryOutputSerializer(serializers.Serializer[Any]):
    term = serializers.CharField()
    alias = serializers.CharField(required=False)
    phonemes = serializers.CharField(required=False)
    case_sensitive = serializers.BooleanField()


class DictionarySerializer(DictionaryListItemSerializer):
    entries = DictionaryEntryOutputSerializer(many=True)


class DetectInputSerializer(serializers.Serializer[Any]):
    # Empty files are accepted here so the service can answer with its own EMPTY_FILE code.
    file = serializers.FileField(allow_empty_file=True, use_url=False)


class DetectOutputSerializer(serializers.Serializer[Any]):
    watermarked = serializers.BooleanField(help_text="Whether Voxify's watermark was found.")
    confidence = serializers.FloatField(
        help_text="The detector's belief that the mark is there, 0-1; `watermarked` is `confidence >= threshold`."
    )
    threshold = serializers.FloatField()
    duration = serializers.FloatField(help_text="Seconds of audio read (the first 60 s at most).")
    detector = serializers.CharField(help_text="The watermark's name and version.")
