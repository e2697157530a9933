import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ListVoicesRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class Voice(_message.Message):
    __slots__ = ("voice_id", "name", "type", "language", "languages", "gender", "accent", "description", "sample_rate", "engine", "model_version", "similarity")
    VOICE_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    TYPE_FIELD_NUMBER: _ClassVar[int]
    LANGUAGE_FIELD_NUMBER: _ClassVar[int]
    LANGUAGES_FIELD_NUMBER: _ClassVar[int]
    GENDER_FIELD_NUMBER: _ClassVar[int]
    ACCENT_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    SAMPLE_RATE_FIELD_NUMBER: _ClassVar[int]
    ENGINE_FIELD_NUMBER: _ClassVar[int]
    MODEL_VERSION_FIELD_NUMBER: _ClassVar[int]
    SIMILARITY_FIELD_NUMBER: _ClassVar[int]
    voice_id: str
    name: str
    type: str
    language: str
    languages: _containers.RepeatedScalarFieldContainer[str]
    gender: str
    accent: str
    description: str
    sample_rate: int
    engine: str
    model_version: int
    similarity: float
    def __init__(self, voice_id: _Optional[str] = ..., name: _Optional[str] = ..., type: _Optional[str] = ..., language: _Optional[str] = ..., languages: _Optional[_Iterable[str]] = ..., gender: _Optional[str] = ..., accent: _Optional[str] = ..., description: _Optional[str] = ..., sample_rate: _Optional[int] = ..., engine: _Optional[str] = ..., model_version: _Optional[int] = ..., similarity: _Optional[float] = ...) -> None: ...

class ListVoicesResponse(_message.Message):
    __slots__ = ("voices",)
    VOICES_FIELD_NUMBER: _ClassVar[int]
    voices: _containers.RepeatedCompositeFieldContainer[Voice]
    def __init__(self, voices: _Optional[_Iterable[_Union[Voice, _Mapping]]] = ...) -> None: ...

class SynthesisConfig(_message.Message):
    __slots__ = ("output_format", "sample_rate", "speed", "pitch", "volume", "similarity", "timestamps", "input_type", "normalize", "dictionary_id", "language")
    OUTPUT_FORMAT_FIELD_NUMBER: _ClassVar[int]
    SAMPLE_RATE_FIELD_NUMBER: _ClassVar[int]
    SPEED_FIELD_NUMBER: _ClassVar[int]
    PITCH_FIELD_NUMBER: _ClassVar[int]
    VOLUME_FIELD_NUMBER: _ClassVar[int]
    SIMILARITY_FIELD_NUMBER: _ClassVar[int]
    TIMESTAMPS_FIELD_NUMBER: _ClassVar[int]
    INPUT_TYPE_FIELD_NUMBER: _ClassVar[int]
    NORMALIZE_FIELD_NUMBER: _ClassVar[int]
    DICTIONARY_ID_FIELD_NUMBER: _ClassVar[int]
    LANGUAGE_FIELD_NUMBER: _ClassVar[int]
    output_format: str
    sample_rate: int
    speed: float
    pitch: float
    volume: float
    similarity: float
    timestamps: str
    input_type: str
    normalize: bool
    dictionary_id: str
    language: str
    def __init__(self, output_format: _Optional[str] = ..., sample_rate: _Optional[int] = ..., speed: _Optional[float] = ..., pitch: _Optional[float] = ..., volume: _Optional[float] = ..., similarity: _Optional[float] = ..., timestamps: _Optional[str] = ..., input_type: _Optional[str] = ..., normalize: _Optional[bool] = ..., dictionary_id: _Optional[str] = ..., language: _Optional[str] = ...) -> None: ...

class WordTimestamp(_message.Message):
    __slots__ = ("word", "start", "end")
    WORD_FIELD_NUMBER: _ClassVar[int]
    START_FIELD_NUMBER: _ClassVar[int]
    END_FIELD_NUMBER: _ClassVar[int]
    word: str
    start: float
    end: float
    def __init__(self, word: _Optional[str] = ..., start: _Optional[float] = ..., end: _Optional[float] = ...) -> None: ...

class SynthesizeTextRequest(_message.Message):
    __slots__ = ("text", "voice_id", "config", "keep")
    TEXT_FIELD_NUMBER: _ClassVar[int]
    VOICE_ID_FIELD_NUMBER: _ClassVar[int]
    CONFIG_FIELD_NUMBER: _ClassVar[int]
    KEEP_FIELD_NUMBER: _ClassVar[int]
    text: str
    voice_id: str
    config: SynthesisConfig
    keep: bool
    def __init__(self, text: _Optional[str] = ..., voice_id: _Optional[str] = ..., config: _Optional[_Union[SynthesisConfig, _Mapping]] = ..., keep: _Optional[bool] = ...) -> None: ...

class SynthesizeTextResponse(_message.Message):
    __slots__ = ("synthesis_id", "audio_url", "file_id", "duration", "format", "sample_rate", "voice_id", "timestamps")
    SYNTHESIS_ID_FIELD_NUMBER: _ClassVar[int]
    AUDIO_URL_FIELD_NUMBER: _ClassVar[int]
    FILE_ID_FIELD_NUMBER: _ClassVar[int]
    DURATION_FIELD_NUMBER: _ClassVar[int]
    FORMAT_FIELD_NUMBER: _ClassVar[int]
    SAMPLE_RATE_FIELD_NUMBER: _ClassVar[int]
    VOICE_ID_FIELD_NUMBER: _ClassVar[int]
    TIMESTAMPS_FIELD_NUMBER: _ClassVar[int]
    synthesis_id: str
    audio_url: str
    file_id: str
    duration: float
    format: str
    sample_rate: int
    voice_id: str
    timestamps: _containers.RepeatedCompositeFieldContainer[WordTimestamp]
    def __init__(self, synthesis_id: _Optional[str] = ..., audio_url: _Optional[str] = ..., file_id: _Optional[str] = ..., duration: _Optional[float] = ..., format: _Optional[str] = ..., sample_rate: _Optional[int] = ..., voice_id: _Optional[str] = ..., timestamps: _Optional[_Iterable[_Union[WordTimestamp, _Mapping]]] = ...) -> None: ...

class StreamInfo(_message.Message):
    __slots__ = ("synthesis_id", "pieces", "estimated_duration", "format", "sample_rate", "voice_id")
    SYNTHESIS_ID_FIELD_NUMBER: _ClassVar[int]
    PIECES_FIELD_NUMBER: _ClassVar[int]
    ESTIMATED_DURATION_FIELD_NUMBER: _ClassVar[int]
    FORMAT_FIELD_NUMBER: _ClassVar[int]
    SAMPLE_RATE_FIELD_NUMBER: _ClassVar[int]
    VOICE_ID_FIELD_NUMBER: _ClassVar[int]
    synthesis_id: str
    pieces: int
    estimated_duration: int
    format: str
    sample_rate: int
    voice_id: str
    def __init__(self, synthesis_id: _Optional[str] = ..., pieces: _Optional[int] = ..., estimated_duration: _Optional[int] = ..., format: _Optional[str] = ..., sample_rate: _Optional[int] = ..., voice_id: _Optional[str] = ...) -> None: ...

class AudioChunk(_message.Message):
    __slots__ = ("sequence", "audio", "file_id", "duration", "start", "timestamps")
    SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    AUDIO_FIELD_NUMBER: _ClassVar[int]
    FILE_ID_FIELD_NUMBER: _ClassVar[int]
    DURATION_FIELD_NUMBER: _ClassVar[int]
    START_FIELD_NUMBER: _ClassVar[int]
    TIMESTAMPS_FIELD_NUMBER: _ClassVar[int]
    sequence: int
    audio: bytes
    file_id: str
    duration: float
    start: float
    timestamps: _containers.RepeatedCompositeFieldContainer[WordTimestamp]
    def __init__(self, sequence: _Optional[int] = ..., audio: _Optional[bytes] = ..., file_id: _Optional[str] = ..., duration: _Optional[float] = ..., start: _Optional[float] = ..., timestamps: _Optional[_Iterable[_Union[WordTimestamp, _Mapping]]] = ...) -> None: ...

class StreamCompleted(_message.Message):
    __slots__ = ("synthesis_id", "file_id", "audio_url", "duration")
    SYNTHESIS_ID_FIELD_NUMBER: _ClassVar[int]
    FILE_ID_FIELD_NUMBER: _ClassVar[int]
    AUDIO_URL_FIELD_NUMBER: _ClassVar[int]
    DURATION_FIELD_NUMBER: _ClassVar[int]
    synthesis_id: str
    file_id: str
    audio_url: str
    duration: float
    def __init__(self, synthesis_id: _Optional[str] = ..., file_id: _Optional[str] = ..., audio_url: _Optional[str] = ..., duration: _Optional[float] = ...) -> None: ...

class SynthesizeTextStreamResponse(_message.Message):
    __slots__ = ("info", "chunk", "completed")
    INFO_FIELD_NUMBER: _ClassVar[int]
    CHUNK_FIELD_NUMBER: _ClassVar[int]
    COMPLETED_FIELD_NUMBER: _ClassVar[int]
    info: StreamInfo
    chunk: AudioChunk
    completed: StreamCompleted
    def __init__(self, info: _Optional[_Union[StreamInfo, _Mapping]] = ..., chunk: _Optional[_Union[AudioChunk, _Mapping]] = ..., completed: _Optional[_Union[StreamCompleted, _Mapping]] = ...) -> None: ...

class SynthesizeTextAsyncRequest(_message.Message):
    __slots__ = ("text", "voice_id", "config", "keep")
    TEXT_FIELD_NUMBER: _ClassVar[int]
    VOICE_ID_FIELD_NUMBER: _ClassVar[int]
    CONFIG_FIELD_NUMBER: _ClassVar[int]
    KEEP_FIELD_NUMBER: _ClassVar[int]
    text: str
    voice_id: str
    config: SynthesisConfig
    keep: bool
    def __init__(self, text: _Optional[str] = ..., voice_id: _Optional[str] = ..., config: _Optional[_Union[SynthesisConfig, _Mapping]] = ..., keep: _Optional[bool] = ...) -> None: ...

class SynthesizeTextAsyncResponse(_message.Message):
    __slots__ = ("synthesis_id", "job_id", "estimated_duration", "status")
    SYNTHESIS_ID_FIELD_NUMBER: _ClassVar[int]
    JOB_ID_FIELD_NUMBER: _ClassVar[int]
    ESTIMATED_DURATION_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    synthesis_id: str
    job_id: str
    estimated_duration: int
    status: str
    def __init__(self, synthesis_id: _Optional[str] = ..., job_id: _Optional[str] = ..., estimated_duration: _Optional[int] = ..., status: _Optional[str] = ...) -> None: ...

class DictionaryEntry(_message.Message):
    __slots__ = ("term", "alias", "phonemes", "case_sensitive")
    TERM_FIELD_NUMBER: _ClassVar[int]
    ALIAS_FIELD_NUMBER: _ClassVar[int]
    PHONEMES_FIELD_NUMBER: _ClassVar[int]
    CASE_SENSITIVE_FIELD_NUMBER: _ClassVar[int]
    term: str
    alias: str
    phonemes: str
    case_sensitive: bool
    def __init__(self, term: _Optional[str] = ..., alias: _Optional[str] = ..., phonemes: _Optional[str] = ..., case_sensitive: _Optional[bool] = ...) -> None: ...

class Dictionary(_message.Message):
    __slots__ = ("dictionary_id", "name", "description", "is_default", "entry_count", "entries", "created_at", "updated_at")
    DICTIONARY_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    IS_DEFAULT_FIELD_NUMBER: _ClassVar[int]
    ENTRY_COUNT_FIELD_NUMBER: _ClassVar[int]
    ENTRIES_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    UPDATED_AT_FIELD_NUMBER: _ClassVar[int]
    dictionary_id: str
    name: str
    description: str
    is_default: bool
    entry_count: int
    entries: _containers.RepeatedCompositeFieldContainer[DictionaryEntry]
    created_at: _timestamp_pb2.Timestamp
    updated_at: _timestamp_pb2.Timestamp
    def __init__(self, dictionary_id: _Optional[str] = ..., name: _Optional[str] = ..., description: _Optional[str] = ..., is_default: _Optional[bool] = ..., entry_count: _Optional[int] = ..., entries: _Optional[_Iterable[_Union[DictionaryEntry, _Mapping]]] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., updated_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class CreateDictionaryRequest(_message.Message):
    __slots__ = ("name", "description", "is_default", "entries")
    NAME_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    IS_DEFAULT_FIELD_NUMBER: _ClassVar[int]
    ENTRIES_FIELD_NUMBER: _ClassVar[int]
    name: str
    description: str
    is_default: bool
    entries: _containers.RepeatedCompositeFieldContainer[DictionaryEntry]
    def __init__(self, name: _Optional[str] = ..., description: _Optional[str] = ..., is_default: _Optional[bool] = ..., entries: _Optional[_Iterable[_Union[DictionaryEntry, _Mapping]]] = ...) -> None: ...

class GetDictionaryRequest(_message.Message):
    __slots__ = ("dictionary_id",)
    DICTIONARY_ID_FIELD_NUMBER: _ClassVar[int]
    dictionary_id: str
    def __init__(self, dictionary_id: _Optional[str] = ...) -> None: ...

class ListDictionariesRequest(_message.Message):
    __slots__ = ("page", "page_size")
    PAGE_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    page: int
    page_size: int
    def __init__(self, page: _Optional[int] = ..., page_size: _Optional[int] = ...) -> None: ...

class ListDictionariesResponse(_message.Message):
    __slots__ = ("dictionaries", "pagination")
    DICTIONARIES_FIELD_NUMBER: _ClassVar[int]
    PAGINATION_FIELD_NUMBER: _ClassVar[int]
    dictionaries: _containers.RepeatedCompositeFieldContainer[Dictionary]
    pagination: Pagination
    def __init__(self, dictionaries: _Optional[_Iterable[_Union[Dictionary, _Mapping]]] = ..., pagination: _Optional[_Union[Pagination, _Mapping]] = ...) -> None: ...

class UpdateDictionaryRequest(_message.Message):
    __slots__ = ("dictionary_id", "name", "description", "is_default", "replace_entries", "entries")
    DICTIONARY_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    IS_DEFAULT_FIELD_NUMBER: _ClassVar[int]
    REPLACE_ENTRIES_FIELD_NUMBER: _ClassVar[int]
    ENTRIES_FIELD_NUMBER: _ClassVar[int]
    dictionary_id: str
    name: str
    description: str
    is_default: bool
    replace_entries: bool
    entries: _containers.RepeatedCompositeFieldContainer[DictionaryEntry]
    def __init__(self, dictionary_id: _Optional[str] = ..., name: _Optional[str] = ..., description: _Optional[str] = ..., is_default: _Optional[bool] = ..., replace_entries: _Optional[bool] = ..., entries: _Optional[_Iterable[_Union[DictionaryEntry, _Mapping]]] = ...) -> None: ...

class DictionaryResponse(_message.Message):
    __slots__ = ("dictionary",)
    DICTIONARY_FIELD_NUMBER: _ClassVar[int]
    dictionary: Dictionary
    def __init__(self, dictionary: _Optional[_Union[Dictionary, _Mapping]] = ...) -> None: ...

class Pagination(_message.Message):
    __slots__ = ("page", "page_size", "total_count", "total_pages", "has_next", "has_prev")
    PAGE_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    TOTAL_COUNT_FIELD_NUMBER: _ClassVar[int]
    TOTAL_PAGES_FIELD_NUMBER: _ClassVar[int]
    HAS_NEXT_FIELD_NUMBER: _ClassVar[int]
    HAS_PREV_FIELD_NUMBER: _ClassVar[int]
    page: int
    page_size: int
    total_count: int
    total_pages: int
    has_next: bool
    has_prev: bool
    def __init__(self, page: _Optional[int] = ..., page_size: _Optional[int] = ..., total_count: _Optional[int] = ..., total_pages: _Optional[int] = ..., has_next: _Optional[bool] = ..., has_prev: _Optional[bool] = ...) -> None: ...

class DetectMetadata(_message.Message):
    __slots__ = ("filename",)
    FILENAME_FIELD_NUMBER: _ClassVar[int]
    filename: str
    def __init__(self, filename: _Optional[str] = ...) -> None: ...

class DetectWatermarkRequest(_message.Message):
    __slots__ = ("metadata", "chunk")
    METADATA_FIELD_NUMBER: _ClassVar[int]
    CHUNK_FIELD_NUMBER: _ClassVar[int]
    metadata: DetectMetadata
    chunk: bytes
    def __init__(self, metadata: _Optional[_Union[DetectMetadata, _Mapping]] = ..., chunk: _Optional[bytes] = ...) -> None: ...

class DetectWatermarkResponse(_message.Message):
    __slots__ = ("watermarked", "confidence", "threshold", "duration", "detector")
    WATERMARKED_FIELD_NUMBER: _ClassVar[int]
    CONFIDENCE_FIELD_NUMBER: _ClassVar[int]
    THRESHOLD_FIELD_NUMBER: _ClassVar[int]
    DURATION_FIELD_NUMBER: _ClassVar[int]
    DETECTOR_FIELD_NUMBER: _ClassVar[int]
    watermarked: bool
    confidence: float
    threshold: float
    duration: float
    detector: str
    def __init__(self, watermarked: _Optional[bool] = ..., confidence: _Optional[float] = ..., threshold: _Optional[float] = ..., duration: _Optional[float] = ..., detector: _Optional[str] = ...) -> None: ...
