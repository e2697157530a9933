import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class UploadMetadata(_message.Message):
    __slots__ = ("name", "description", "language", "filename")
    NAME_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    LANGUAGE_FIELD_NUMBER: _ClassVar[int]
    FILENAME_FIELD_NUMBER: _ClassVar[int]
    name: str
    description: str
    language: str
    filename: str
    def __init__(self, name: _Optional[str] = ..., description: _Optional[str] = ..., language: _Optional[str] = ..., filename: _Optional[str] = ...) -> None: ...

class UploadVoiceSampleRequest(_message.Message):
    __slots__ = ("metadata", "chunk")
    METADATA_FIELD_NUMBER: _ClassVar[int]
    CHUNK_FIELD_NUMBER: _ClassVar[int]
    metadata: UploadMetadata
    chunk: bytes
    def __init__(self, metadata: _Optional[_Union[UploadMetadata, _Mapping]] = ..., chunk: _Optional[bytes] = ...) -> None: ...

class QualityIssue(_message.Message):
    __slots__ = ("code", "message")
    CODE_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    code: str
    message: str
    def __init__(self, code: _Optional[str] = ..., message: _Optional[str] = ...) -> None: ...

class VoiceModel(_message.Message):
    __slots__ = ("model_id", "version", "file_id", "method", "created_at", "similarity", "baseline_similarity", "wer")
    MODEL_ID_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    FILE_ID_FIELD_NUMBER: _ClassVar[int]
    METHOD_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    SIMILARITY_FIELD_NUMBER: _ClassVar[int]
    BASELINE_SIMILARITY_FIELD_NUMBER: _ClassVar[int]
    WER_FIELD_NUMBER: _ClassVar[int]
    model_id: str
    version: int
    file_id: str
    method: str
    created_at: _timestamp_pb2.Timestamp
    similarity: float
    baseline_similarity: float
    wer: float
    def __init__(self, model_id: _Optional[str] = ..., version: _Optional[int] = ..., file_id: _Optional[str] = ..., method: _Optional[str] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., similarity: _Optional[float] = ..., baseline_similarity: _Optional[float] = ..., wer: _Optional[float] = ...) -> None: ...

class VoiceSample(_message.Message):
    __slots__ = ("sample_id", "name", "description", "status", "format", "duration", "language", "file_size", "created_at", "quality_score", "quality_issues", "sample_rate", "transcript", "file_id", "failure_reason", "voice_model", "consent_passed_at")
    SAMPLE_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    FORMAT_FIELD_NUMBER: _ClassVar[int]
    DURATION_FIELD_NUMBER: _ClassVar[int]
    LANGUAGE_FIELD_NUMBER: _ClassVar[int]
    FILE_SIZE_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    QUALITY_SCORE_FIELD_NUMBER: _ClassVar[int]
    QUALITY_ISSUES_FIELD_NUMBER: _ClassVar[int]
    SAMPLE_RATE_FIELD_NUMBER: _ClassVar[int]
    TRANSCRIPT_FIELD_NUMBER: _ClassVar[int]
    FILE_ID_FIELD_NUMBER: _ClassVar[int]
    FAILURE_REASON_FIELD_NUMBER: _ClassVar[int]
    VOICE_MODEL_FIELD_NUMBER: _ClassVar[int]
    CONSENT_PASSED_AT_FIELD_NUMBER: _ClassVar[int]
    sample_id: str
    name: str
    description: str
    status: str
    format: str
    duration: float
    language: str
    file_size: int
    created_at: _timestamp_pb2.Timestamp
    quality_score: float
    quality_issues: _containers.RepeatedCompositeFieldContainer[QualityIssue]
    sample_rate: int
    transcript: str
    file_id: str
    failure_reason: str
    voice_model: VoiceModel
    consent_passed_at: _timestamp_pb2.Timestamp
    def __init__(self, sample_id: _Optional[str] = ..., name: _Optional[str] = ..., description: _Optional[str] = ..., status: _Optional[str] = ..., format: _Optional[str] = ..., duration: _Optional[float] = ..., language: _Optional[str] = ..., file_size: _Optional[int] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., quality_score: _Optional[float] = ..., quality_issues: _Optional[_Iterable[_Union[QualityIssue, _Mapping]]] = ..., sample_rate: _Optional[int] = ..., transcript: _Optional[str] = ..., file_id: _Optional[str] = ..., failure_reason: _Optional[str] = ..., voice_model: _Optional[_Union[VoiceModel, _Mapping]] = ..., consent_passed_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class VoiceSampleSummary(_message.Message):
    __slots__ = ("sample_id", "name", "status", "duration", "language", "quality_score", "created_at")
    SAMPLE_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    DURATION_FIELD_NUMBER: _ClassVar[int]
    LANGUAGE_FIELD_NUMBER: _ClassVar[int]
    QUALITY_SCORE_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    sample_id: str
    name: str
    status: str
    duration: float
    language: str
    quality_score: float
    created_at: _timestamp_pb2.Timestamp
    def __init__(self, sample_id: _Optional[str] = ..., name: _Optional[str] = ..., status: _Optional[str] = ..., duration: _Optional[float] = ..., language: _Optional[str] = ..., quality_score: _Optional[float] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

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

class UploadVoiceSampleResponse(_message.Message):
    __slots__ = ("sample",)
    SAMPLE_FIELD_NUMBER: _ClassVar[int]
    sample: VoiceSample
    def __init__(self, sample: _Optional[_Union[VoiceSample, _Mapping]] = ...) -> None: ...

class GetVoiceSamplesRequest(_message.Message):
    __slots__ = ("page", "page_size", "status", "language")
    PAGE_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    LANGUAGE_FIELD_NUMBER: _ClassVar[int]
    page: int
    page_size: int
    status: str
    language: str
    def __init__(self, page: _Optional[int] = ..., page_size: _Optional[int] = ..., status: _Optional[str] = ..., language: _Optional[str] = ...) -> None: ...

class GetVoiceSamplesResponse(_message.Message):
    __slots__ = ("samples", "pagination")
    SAMPLES_FIELD_NUMBER: _ClassVar[int]
    PAGINATION_FIELD_NUMBER: _ClassVar[int]
    samples: _containers.RepeatedCompositeFieldContainer[VoiceSampleSummary]
    pagination: Pagination
    def __init__(self, samples: _Optional[_Iterable[_Union[VoiceSampleSummary, _Mapping]]] = ..., pagination: _Optional[_Union[Pagination, _Mapping]] = ...) -> None: ...

class TrainingConfig(_message.Message):
    __slots__ = ("epochs", "learning_rate", "batch_size", "base")
    EPOCHS_FIELD_NUMBER: _ClassVar[int]
    LEARNING_RATE_FIELD_NUMBER: _ClassVar[int]
    BATCH_SIZE_FIELD_NUMBER: _ClassVar[int]
    BASE_FIELD_NUMBER: _ClassVar[int]
    epochs: int
    learning_rate: float
    batch_size: int
    base: str
    def __init__(self, epochs: _Optional[int] = ..., learning_rate: _Optional[float] = ..., batch_size: _Optional[int] = ..., base: _Optional[str] = ...) -> None: ...

class TrainVoiceRequest(_message.Message):
    __slots__ = ("sample_id", "config")
    SAMPLE_ID_FIELD_NUMBER: _ClassVar[int]
    CONFIG_FIELD_NUMBER: _ClassVar[int]
    sample_id: str
    config: TrainingConfig
    def __init__(self, sample_id: _Optional[str] = ..., config: _Optional[_Union[TrainingConfig, _Mapping]] = ...) -> None: ...

class TrainVoiceResponse(_message.Message):
    __slots__ = ("training_job_id", "estimated_duration", "status")
    TRAINING_JOB_ID_FIELD_NUMBER: _ClassVar[int]
    ESTIMATED_DURATION_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    training_job_id: str
    estimated_duration: int
    status: str
    def __init__(self, training_job_id: _Optional[str] = ..., estimated_duration: _Optional[int] = ..., status: _Optional[str] = ...) -> None: ...

class DeleteVoiceSampleRequest(_message.Message):
    __slots__ = ("sample_id",)
    SAMPLE_ID_FIELD_NUMBER: _ClassVar[int]
    sample_id: str
    def __init__(self, sample_id: _Optional[str] = ...) -> None: ...

class DeleteVoiceSampleResponse(_message.Message):
    __slots__ = ("sample",)
    SAMPLE_FIELD_NUMBER: _ClassVar[int]
    sample: VoiceSampleSummary
    def __init__(self, sample: _Optional[_Union[VoiceSampleSummary, _Mapping]] = ...) -> None: ...

class RequestConsentRequest(_message.Message):
    __slots__ = ("sample_id",)
    SAMPLE_ID_FIELD_NUMBER: _ClassVar[int]
    sample_id: str
    def __init__(self, sample_id: _Optional[str] = ...) -> None: ...

class ConsentAnswerMetadata(_message.Message):
    __slots__ = ("sample_id", "consent_id", "filename")
    SAMPLE_ID_FIELD_NUMBER: _ClassVar[int]
    CONSENT_ID_FIELD_NUMBER: _ClassVar[int]
    FILENAME_FIELD_NUMBER: _ClassVar[int]
    sample_id: str
    consent_id: str
    filename: str
    def __init__(self, sample_id: _Optional[str] = ..., consent_id: _Optional[str] = ..., filename: _Optional[str] = ...) -> None: ...

class AnswerConsentRequest(_message.Message):
    __slots__ = ("metadata", "chunk")
    METADATA_FIELD_NUMBER: _ClassVar[int]
    CHUNK_FIELD_NUMBER: _ClassVar[int]
    metadata: ConsentAnswerMetadata
    chunk: bytes
    def __init__(self, metadata: _Optional[_Union[ConsentAnswerMetadata, _Mapping]] = ..., chunk: _Optional[bytes] = ...) -> None: ...

class ConsentCheck(_message.Message):
    __slots__ = ("consent_id", "sample_id", "phrase", "outcome", "passed", "reasons", "transcript", "created_at", "expires_at", "answered_at")
    CONSENT_ID_FIELD_NUMBER: _ClassVar[int]
    SAMPLE_ID_FIELD_NUMBER: _ClassVar[int]
    PHRASE_FIELD_NUMBER: _ClassVar[int]
    OUTCOME_FIELD_NUMBER: _ClassVar[int]
    PASSED_FIELD_NUMBER: _ClassVar[int]
    REASONS_FIELD_NUMBER: _ClassVar[int]
    TRANSCRIPT_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    EXPIRES_AT_FIELD_NUMBER: _ClassVar[int]
    ANSWERED_AT_FIELD_NUMBER: _ClassVar[int]
    consent_id: str
    sample_id: str
    phrase: str
    outcome: str
    passed: bool
    reasons: _containers.RepeatedScalarFieldContainer[str]
    transcript: str
    created_at: _timestamp_pb2.Timestamp
    expires_at: _timestamp_pb2.Timestamp
    answered_at: _timestamp_pb2.Timestamp
    def __init__(self, consent_id: _Optional[str] = ..., sample_id: _Optional[str] = ..., phrase: _Optional[str] = ..., outcome: _Optional[str] = ..., passed: _Optional[bool] = ..., reasons: _Optional[_Iterable[str]] = ..., transcript: _Optional[str] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., expires_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., answered_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...
