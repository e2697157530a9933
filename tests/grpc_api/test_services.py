"""Every RPC of the five services, through a real channel to a real server."""

from __future__ import annotations

import io
import threading
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import grpc
import pytest
import soundfile as sf
from django.db import connection
from django.utils import timezone
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha.proto_reflection_descriptor_database import ProtoReflectionDescriptorDatabase

from accounts.models import User
from files.models import StoredFile
from grpc_server.protos import auth_pb2, file_pb2, job_pb2, tts_pb2, voice_pb2
from grpc_server.server import SERVICE_NAMES
from grpc_server.servicers.job import PROGRESS_POLL_S
from jobs.runner import run_job
from synthesis.voices import voice_catalogue
from synthesis.work import synthesis_job_work
from tests.grpc_api.conftest import Stubs, error_code
from tests.support.speech_data import browser_recording, recording
from tests.support.uploads import stored_keys
from voices.models import ConsentCheck

Metadata = list[tuple[str, str]]
MakeUser = Callable[[str], tuple[User, Metadata]]
CLIP = "LJ001-0006.wav"


def upload_chunks(path: Path, *, name: str = "My voice", chunk: int = 64 * 1024) -> Iterator[Any]:
    yield voice_pb2.UploadVoiceSampleRequest(metadata=voice_pb2.UploadMetadata(name=name, filename=path.name))
    data = path.read_bytes()
    for start in range(0, len(data), chunk):
        yield voice_pb2.UploadVoiceSampleRequest(chunk=data[start : start + chunk])


def file_chunks(data: bytes, filename: str = "clip.wav") -> Iterator[Any]:
    yield file_pb2.UploadFileRequest(metadata=file_pb2.UploadFileMetadata(filename=filename))
    for start in range(0, len(data), 64 * 1024):
        yield file_pb2.UploadFileRequest(chunk=data[start : start + 64 * 1024])


def consent_chunks(sample_id: str, consent_id: str, data: bytes) -> Iterator[Any]:
    metadata = voice_pb2.ConsentAnswerMetadata(sample_id=sample_id, consent_id=consent_id, filename="consent.wav")
    yield voice_pb2.AnswerConsentRequest(metadata=metadata)
    for start in range(0, len(data), 64 * 1024):
        yield voice_pb2.AnswerConsentRequest(chunk=data[start : start + 64 * 1024])


def detect_chunks(data: bytes, filename: str = "clip.wav") -> Iterator[Any]:
    yield tts_pb2.DetectWatermarkRequest(metadata=tts_pb2.DetectMetadata(filename=filename))
    for start in range(0, len(data), 64 * 1024):
        yield tts_pb2.DetectWatermarkRequest(chunk=data[start : start + 64 * 1024])


def refused(call: Callable[[], Any]) -> tuple[grpc.StatusCode, str]:
    with pytest.raises(grpc.RpcError) as error:
        result = call()
        if isinstance(result, Iterator):
            list(result)
    return error.value.code(), error_code(error.value)


def download(stubs: Stubs, md: Metadata, file_id: str) -> tuple[bytes, list[Any]]:
    messages = list(stubs.file.DownloadFile(file_pb2.DownloadFileRequest(file_id=file_id), metadata=md))
    return b"".join(m.chunk for m in messages), messages


def test_health_and_reflection_list_all_five_services(channel: grpc.Channel) -> None:
    health = health_pb2_grpc.HealthStub(channel)
    for service in ("", *SERVICE_NAMES):
        answer = health.Check(health_pb2.HealthCheckRequest(service=service))
        assert answer.status == health_pb2.HealthCheckResponse.SERVING

    names = set(ProtoReflectionDescriptorDatabase(channel).get_services())

    assert set(SERVICE_NAMES) <= names
    assert SERVICE_NAMES == (
        "voxify.auth.v1.AuthService",
        "voxify.voice.v1.VoiceService",
        "voxify.tts.v1.TTSService",
        "voxify.job.v1.JobService",
        "voxify.file.v1.FileService",
    )


def test_auth_register_login_refresh_validate(stubs: Stubs) -> None:
    password = "Analytical-Engine-1843"
    registered = stubs.auth.Register(
        auth_pb2.RegisterRequest(email="Ada@Example.com", password=password, first_name="Ada")
    ).user
    assert registered.user_id.startswith("usr_")
    assert registered.email == "ada@example.com"
    assert registered.created_at.seconds > 0
    assert refused(
        lambda: stubs.auth.Register(auth_pb2.RegisterRequest(email="ada@example.com", password=password))
    ) == (
        grpc.StatusCode.ALREADY_EXISTS,
        "EMAIL_ALREADY_REGISTERED",
    )
    assert refused(lambda: stubs.auth.Register(auth_pb2.RegisterRequest(email="nope", password=password))) == (
        grpc.StatusCode.INVALID_ARGUMENT,
        "VALIDATION_ERROR",
    )

    tokens = stubs.auth.Login(auth_pb2.LoginRequest(email="ada@example.com", password=password)).tokens
    assert tokens.expires_in > 0 and tokens.user.user_id == registered.user_id
    assert refused(lambda: stubs.auth.Login(auth_pb2.LoginRequest(email="ada@example.com", password="wrong"))) == (
        grpc.StatusCode.UNAUTHENTICATED,
        "INVALID_CREDENTIALS",
    )

    rotated = stubs.auth.RefreshToken(auth_pb2.RefreshTokenRequest(refresh_token=tokens.refresh_token)).tokens
    assert rotated.refresh_token != tokens.refresh_token

    caller = [("authorization", f"Bearer {rotated.access_token}")]
    valid = stubs.auth.ValidateToken(auth_pb2.ValidateTokenRequest(access_token=tokens.access_token), metadata=caller)
    invalid = stubs.auth.ValidateToken(auth_pb2.ValidateTokenRequest(access_token="garbage"), metadata=caller)
    assert valid.valid and valid.user.user_id == registered.user_id
    assert not invalid.valid and not invalid.HasField("user")
    refresh_as_access = stubs.auth.ValidateToken(
        auth_pb2.ValidateTokenRequest(access_token=rotated.refresh_token), metadata=caller
    )
    assert not refresh_as_access.valid

    # Replaying the rotated-away refresh token ends the whole session: its newer tokens too.
    assert refused(
        lambda: stubs.auth.RefreshToken(auth_pb2.RefreshTokenRequest(refresh_token=tokens.refresh_token))
    ) == (grpc.StatusCode.UNAUTHENTICATED, "INVALID_TOKEN")
    assert refused(
        lambda: stubs.auth.RefreshToken(auth_pb2.RefreshTokenRequest(refresh_token=rotated.refresh_token))
    ) == (grpc.StatusCode.UNAUTHENTICATED, "INVALID_TOKEN")
    assert refused(
        lambda: stubs.auth.ValidateToken(auth_pb2.ValidateTokenRequest(access_token="x"), metadata=caller)
    ) == (grpc.StatusCode.UNAUTHENTICATED, "INVALID_TOKEN")


def all_authenticated_calls(stubs: Stubs, md: Metadata | None) -> dict[str, Callable[[], Any]]:
    kw: dict[str, Any] = {"metadata": md} if md else {}
    return {
        "ValidateToken": lambda: stubs.auth.ValidateToken(auth_pb2.ValidateTokenRequest(access_token="x"), **kw),
        "UploadVoiceSample": lambda: stubs.voice.UploadVoiceSample(upload_chunks(recording(CLIP).path), **kw),
        "GetVoiceSamples": lambda: stubs.voice.GetVoiceSamples(voice_pb2.GetVoiceSamplesRequest(), **kw),
        "TrainVoice": lambda: stubs.voice.TrainVoice(voice_pb2.TrainVoiceRequest(sample_id="vs_x"), **kw),
        "DeleteVoiceSample": lambda: stubs.voice.DeleteVoiceSample(
            voice_pb2.DeleteVoiceSampleRequest(sample_id="vs_x"), **kw
        ),
        "RequestConsent": lambda: stubs.voice.RequestConsent(voice_pb2.RequestConsentRequest(sample_id="vs_x"), **kw),
        "AnswerConsent": lambda: stubs.voice.AnswerConsent(consent_chunks("vs_x", "cns_x", b"RIFF"), **kw),
        "SynthesizeText": lambda: stubs.tts.SynthesizeText(tts_pb2.SynthesizeTextRequest(text="Hi."), **kw),
        "SynthesizeTextStream": lambda: stubs.tts.SynthesizeTextStream(tts_pb2.SynthesizeTextRequest(text="Hi."), **kw),
        "SynthesizeTextAsync": lambda: stubs.tts.SynthesizeTextAsync(
            tts_pb2.SynthesizeTextAsyncRequest(text="Hi."), **kw
        ),
        "CreateDictionary": lambda: stubs.tts.CreateDictionary(tts_pb2.CreateDictionaryRequest(name="d"), **kw),
        "GetDictionary": lambda: stubs.tts.GetDictionary(tts_pb2.GetDictionaryRequest(dictionary_id="dict_x"), **kw),
        "ListDictionaries": lambda: stubs.tts.ListDictionaries(tts_pb2.ListDictionariesRequest(), **kw),
        "UpdateDictionary": lambda: stubs.tts.UpdateDictionary(
            tts_pb2.UpdateDictionaryRequest(dictionary_id="dict_x"), **kw
        ),
        "DeleteDictionary": lambda: stubs.tts.DeleteDictionary(
            tts_pb2.GetDictionaryRequest(dictionary_id="dict_x"), **kw
        ),
        "DetectWatermark": lambda: stubs.tts.DetectWatermark(detect_chunks(b"RIFF"), **kw),
        "ListVoices": lambda: stubs.tts.ListVoices(tts_pb2.ListVoicesRequest(), **kw),
        "GetJob": lambda: stubs.job.GetJob(job_pb2.GetJobRequest(job_id="job_x"), **kw),
        "ListJobs": lambda: stubs.job.ListJobs(job_pb2.ListJobsRequest(), **kw),
        "CancelJob": lambda: stubs.job.CancelJob(job_pb2.CancelJobRequest(job_id="job_x"), **kw),
        "GetJobProgress": lambda: stubs.job.GetJobProgress(job_pb2.GetJobProgressRequest(job_id="job_x"), **kw),
        "UploadFile": lambda: stubs.file.UploadFile(file_chunks(b"RIFF"), **kw),
        "DownloadFile": lambda: stubs.file.DownloadFile(file_pb2.DownloadFileRequest(file_id="file_x"), **kw),
        "GetFileInfo": lambda: stubs.file.GetFileInfo(file_pb2.GetFileInfoRequest(file_id="file_x"), **kw),
        "DeleteFile": lambda: stubs.file.DeleteFile(file_pb2.DeleteFileRequest(file_id="file_x"), **kw),
    }


def test_every_rpc_but_register_login_and_refresh_needs_a_valid_access_token(stubs: Stubs, grpc_user: MakeUser) -> None:
    grpc_user("someone@example.com")
    keys = stored_keys()
    forged = [("authorization", "Bearer not.a.token")]

    anonymous = {name: refused(call) for name, call in all_authenticated_calls(stubs, None).items()}
    bad_token = {name: refused(call) for name, call in all_authenticated_calls(stubs, forged).items()}

    assert anonymous == dict.fromkeys(anonymous, (grpc.StatusCode.UNAUTHENTICATED, "NOT_AUTHENTICATED"))
    assert bad_token == dict.fromkeys(bad_token, (grpc.StatusCode.UNAUTHENTICATED, "INVALID_TOKEN"))
    assert len(anonymous) == 25
    assert stored_keys() == keys


def test_voice_rpcs_upload_list_train_delete(stubs: Stubs, grpc_user: MakeUser, settings: Any) -> None:
    _, md = grpc_user("voice@example.com")
    rec = recording(CLIP)

    sample = stubs.voice.UploadVoiceSample(upload_chunks(rec.path), metadata=md).sample
    assert sample.sample_id.startswith("vs_")
    assert (sample.status, sample.format, sample.language) == ("uploaded", "wav", "en-US")
    assert sample.duration == pytest.approx(rec.duration, abs=0.02)
    assert sample.transcript
    assert sample.created_at.seconds > 0
    assert not sample.HasField("voice_model")

    listed = stubs.voice.GetVoiceSamples(voice_pb2.GetVoiceSamplesRequest(page_size=5), metadata=md)
    assert [s.sample_id for s in listed.samples] == [sample.sample_id]
    assert (listed.pagination.total_count, listed.pagination.page_size) == (1, 5)
    assert refused(
        lambda: stubs.voice.GetVoiceSamples(voice_pb2.GetVoiceSamplesRequest(status="sideways"), metadata=md)
    ) == (grpc.StatusCode.INVALID_ARGUMENT, "VALIDATION_ERROR")

    trained = stubs.voice.TrainVoice(
        voice_pb2.TrainVoiceRequest(sample_id=sample.sample_id, config=voice_pb2.TrainingConfig(epochs=2)), metadata=md
    )
    assert trained.training_job_id.startswith("job_train_") and trained.status == "pending"
    assert refused(
        lambda: stubs.voice.TrainVoice(voice_pb2.TrainVoiceRequest(sample_id=sample.sample_id), metadata=md)
    ) == (
        grpc.StatusCode.FAILED_PRECONDITION,
        "TRAINING_IN_PROGRESS",
    )
    assert refused(
        lambda: stubs.voice.TrainVoice(
            voice_pb2.TrainVoiceRequest(sample_id=sample.sample_id, config=voice_pb2.TrainingConfig(batch_size=1)),
            metadata=md,
        )
    ) == (grpc.StatusCode.INVALID_ARGUMENT, "VALIDATION_ERROR")

    deleted = stubs.voice.DeleteVoiceSample(voice_pb2.DeleteVoiceSampleRequest(sample_id=sample.sample_id), metadata=md)
    assert deleted.sample.sample_id == sample.sample_id
    assert stubs.voice.GetVoiceSamples(voice_pb2.GetVoiceSamplesRequest(), metadata=md).pagination.total_count == 0


def test_consent_rpcs_follow_the_rest_flow(stubs: Stubs, grpc_user: MakeUser, limits: Any) -> None:
    """RequestConsent and AnswerConsent with real speech: TrainVoice waits for the pass."""
    limits(consent_required=True)
    _, md = grpc_user("consent@example.com")
    sample = stubs.voice.UploadVoiceSample(upload_chunks(recording("LJ001-0001.wav").path), metadata=md).sample
    train = voice_pb2.TrainVoiceRequest(sample_id=sample.sample_id, config=voice_pb2.TrainingConfig(epochs=2))
    assert refused(lambda: stubs.voice.TrainVoice(train, metadata=md)) == (
        grpc.StatusCode.PERMISSION_DENIED,
        "CONSENT_REQUIRED",
    )

    wrong = stubs.voice.RequestConsent(voice_pb2.RequestConsentRequest(sample_id=sample.sample_id), metadata=md)
    assert wrong.consent_id.startswith("cns_") and len(wrong.phrase.split()) == 6 and wrong.outcome == "pending"
    assert wrong.expires_at.seconds > wrong.created_at.seconds
    reading = recording("LJ001-0004.wav")  # the same speaker, but not the phrase
    refusal = stubs.voice.AnswerConsent(
        consent_chunks(sample.sample_id, wrong.consent_id, reading.path.read_bytes()), metadata=md
    )
    assert (refusal.passed, refusal.outcome, list(refusal.reasons)) == (False, "refused", ["PHRASE_NOT_HEARD"])
    assert "scores" not in {field.name for field in voice_pb2.ConsentCheck.DESCRIPTOR.fields}  # staff's only
    assert refused(
        lambda: stubs.voice.AnswerConsent(
            consent_chunks(sample.sample_id, wrong.consent_id, reading.path.read_bytes()), metadata=md
        )
    ) == (grpc.StatusCode.FAILED_PRECONDITION, "CONSENT_ALREADY_ANSWERED")

    right = stubs.voice.RequestConsent(voice_pb2.RequestConsentRequest(sample_id=sample.sample_id), metadata=md)
    ConsentCheck.objects.filter(public_id=right.consent_id).update(phrase=reading.transcript)  # what it says
    passed = stubs.voice.AnswerConsent(
        consent_chunks(sample.sample_id, right.consent_id, reading.path.read_bytes()), metadata=md
    )
    assert (passed.passed, passed.outcome, list(passed.reasons)) == (True, "passed", [])
    listed = stubs.voice.GetVoiceSamples(voice_pb2.GetVoiceSamplesRequest(), metadata=md)
    assert listed.samples[0].sample_id == sample.sample_id
    assert stubs.voice.TrainVoice(train, metadata=md).training_job_id.startswith("job_train_")


def test_uploads_keep_the_rest_limits_while_streaming(stubs: Stubs, grpc_user: MakeUser, limits: Any) -> None:
    _, md = grpc_user("limits@example.com")
    limits(max_upload_mb=1)
    keys = stored_keys()

    def too_big() -> Iterator[Any]:
        yield voice_pb2.UploadVoiceSampleRequest(metadata=voice_pb2.UploadMetadata(name="big"))
        for _ in range(17):
            yield voice_pb2.UploadVoiceSampleRequest(chunk=b"\0" * 64 * 1024)

    def no_metadata() -> Iterator[Any]:
        yield voice_pb2.UploadVoiceSampleRequest(chunk=b"RIFF")

    assert refused(lambda: stubs.voice.UploadVoiceSample(too_big(), metadata=md)) == (
        grpc.StatusCode.INVALID_ARGUMENT,
        "FILE_TOO_LARGE",
    )
    assert (
        refused(lambda: stubs.voice.UploadVoiceSample(no_metadata(), metadata=md))[0]
        == grpc.StatusCode.INVALID_ARGUMENT
    )
    empty = iter([voice_pb2.UploadVoiceSampleRequest(metadata=voice_pb2.UploadMetadata(name="empty"))])
    assert refused(lambda: stubs.voice.UploadVoiceSample(empty, metadata=md)) == (
        grpc.StatusCode.INVALID_ARGUMENT,
        "EMPTY_FILE",
    )
    text = iter(
        [
            voice_pb2.UploadVoiceSampleRequest(metadata=voice_pb2.UploadMetadata(name="text", filename="a.wav")),
            voice_pb2.UploadVoiceSampleRequest(chunk=b"just some text, not audio at all" * 10),
        ]
    )
    assert refused(lambda: stubs.voice.UploadVoiceSample(text, metadata=md)) == (
        grpc.StatusCode.INVALID_ARGUMENT,
        "UNSUPPORTED_FORMAT",
    )
    assert stored_keys() == keys


def test_tts_rpcs_sync_stream_and_async(stubs: Stubs, grpc_user: MakeUser) -> None:
    _, md = grpc_user("tts@example.com")
    config = tts_pb2.SynthesisConfig(output_format="flac", sample_rate=16000, speed=1.2)

    spoken = stubs.tts.SynthesizeText(
        tts_pb2.SynthesizeTextRequest(text="Good morning, and welcome.", config=config), metadata=md
    )
    assert spoken.synthesis_id.startswith("syn_")
    assert (spoken.format, spoken.sample_rate) == ("flac", 16000)
    assert spoken.audio_url.startswith(f"/api/v1/files/audio/{spoken.file_id}?token=")  # a signed link
    data, _ = download(stubs, md, spoken.file_id)
    info = sf.info(io.BytesIO(data))
    assert (info.format, info.samplerate) == ("FLAC", 16000)
    assert info.duration == pytest.approx(spoken.duration, rel=0.05)

    events = list(
        stubs.tts.SynthesizeTextStream(
            tts_pb2.SynthesizeTextRequest(
                text="The first sentence. A second one follows. And a third.",
                config=tts_pb2.SynthesisConfig(output_format="mp3"),
            ),
            metadata=md,
        )
    )
    kinds = [event.WhichOneof("event") for event in events]
    assert kinds == ["info", "chunk", "chunk", "chunk", "completed"]
    assert events[0].info.pieces == 3 and events[0].info.format == "mp3"
    chunk_total = 0.0
    for expected, event in enumerate(events[1:4], 1):
        assert event.chunk.sequence == expected
        chunk_info = sf.info(io.BytesIO(event.chunk.audio))
        assert chunk_info.format == "MP3"
        assert chunk_info.duration == pytest.approx(event.chunk.duration, rel=0.05)
        chunk_total += chunk_info.duration
    completed = events[-1].completed
    whole, _ = download(stubs, md, completed.file_id)
    assert sf.info(io.BytesIO(whole)).duration == pytest.approx(chunk_total, rel=0.05)
    assert completed.duration == pytest.approx(chunk_total, rel=0.05)

    assert [len(event.chunk.timestamps) for event in events[1:4]] == [0, 0, 0]  # not asked for

    # The watermark detector over gRPC: the synthesised file is marked, a real recording is not.
    marked = stubs.tts.DetectWatermark(detect_chunks(data, "out.flac"), metadata=md)
    assert marked.watermarked and marked.confidence >= marked.threshold and marked.detector
    assert marked.duration == pytest.approx(spoken.duration, abs=0.1)
    real = stubs.tts.DetectWatermark(detect_chunks(recording(CLIP).path.read_bytes()), metadata=md)
    assert not real.watermarked and real.confidence < real.threshold
    samples, rate = sf.read(recording(CLIP).path, dtype="float32")
    short = io.BytesIO()
    sf.write(short, samples[: rate // 2], rate, format="WAV")
    assert refused(lambda: stubs.tts.DetectWatermark(detect_chunks(short.getvalue()), metadata=md)) == (
        grpc.StatusCode.INVALID_ARGUMENT,
        "AUDIO_TOO_SHORT",
    )
    assert list(spoken.timestamps) == []

    queued = stubs.tts.SynthesizeTextAsync(tts_pb2.SynthesizeTextAsyncRequest(text="Later, please."), metadata=md)
    assert queued.job_id.startswith("job_syn_") and queued.status == "pending"

    too_long = tts_pb2.SynthesizeTextRequest(text="x" * 1001)
    assert refused(lambda: stubs.tts.SynthesizeText(too_long, metadata=md)) == (
        grpc.StatusCode.INVALID_ARGUMENT,
        "TEXT_TOO_LONG",
    )
    bad_speed = tts_pb2.SynthesizeTextRequest(text="Hi.", config=tts_pb2.SynthesisConfig(speed=3))
    assert refused(lambda: stubs.tts.SynthesizeTextStream(bad_speed, metadata=md)) == (
        grpc.StatusCode.INVALID_ARGUMENT,
        "VALIDATION_ERROR",
    )
    bad_similarity = tts_pb2.SynthesizeTextRequest(text="Hi.", config=tts_pb2.SynthesisConfig(similarity=1.5))
    assert refused(lambda: stubs.tts.SynthesizeText(bad_similarity, metadata=md)) == (
        grpc.StatusCode.INVALID_ARGUMENT,
        "VALIDATION_ERROR",
    )
    with_similarity = tts_pb2.SynthesizeTextRequest(text="Hi.", config=tts_pb2.SynthesisConfig(similarity=0.4))
    assert stubs.tts.SynthesizeText(with_similarity, metadata=md).synthesis_id.startswith("syn_")
    empty = tts_pb2.SynthesizeTextAsyncRequest(text=" \x07 ")
    assert refused(lambda: stubs.tts.SynthesizeTextAsync(empty, metadata=md)) == (
        grpc.StatusCode.INVALID_ARGUMENT,
        "EMPTY_TEXT",
    )


def test_dictionary_rpcs_follow_the_rest_rules(stubs: Stubs, grpc_user: MakeUser) -> None:
    _, md = grpc_user("dict@example.com")
    entry = tts_pb2.DictionaryEntry(term="Bruce", phonemes="bˈætmæn")
    made = stubs.tts.CreateDictionary(
        tts_pb2.CreateDictionaryRequest(name="Names", is_default=True, entries=[entry]), metadata=md
    ).dictionary
    assert made.dictionary_id.startswith("dict_") and made.is_default and made.entries[0].phonemes == "bˈætmæn"
    listed = stubs.tts.ListDictionaries(tts_pb2.ListDictionariesRequest(), metadata=md)
    assert [d.entry_count for d in listed.dictionaries] == [1] and listed.pagination.total_count == 1
    renamed = stubs.tts.UpdateDictionary(
        tts_pb2.UpdateDictionaryRequest(dictionary_id=made.dictionary_id, name="People"), metadata=md
    ).dictionary
    assert (renamed.name, len(renamed.entries)) == ("People", 1)  # entries kept unless replaced
    emptied = stubs.tts.UpdateDictionary(
        tts_pb2.UpdateDictionaryRequest(dictionary_id=made.dictionary_id, replace_entries=True), metadata=md
    ).dictionary
    assert emptied.entry_count == 0
    with pytest.raises(grpc.RpcError) as bad:
        stubs.tts.CreateDictionary(
            tts_pb2.CreateDictionaryRequest(name="x", entries=[tts_pb2.DictionaryEntry(term="API")]), metadata=md
        )
    assert bad.value.code() == grpc.StatusCode.INVALID_ARGUMENT and error_code(bad.value) == "VALIDATION_ERROR"
    _, other = grpc_user("other@example.com")
    with pytest.raises(grpc.RpcError) as hidden:
        stubs.tts.GetDictionary(tts_pb2.GetDictionaryRequest(dictionary_id=made.dictionary_id), metadata=other)
    assert hidden.value.code() == grpc.StatusCode.NOT_FOUND and error_code(hidden.value) == "DICTIONARY_NOT_FOUND"
    config = tts_pb2.SynthesisConfig(dictionary_id=made.dictionary_id)
    with pytest.raises(grpc.RpcError) as not_theirs:
        stubs.tts.SynthesizeText(tts_pb2.SynthesizeTextRequest(text="Hi.", config=config), metadata=other)
    assert error_code(not_theirs.value) == "DICTIONARY_NOT_FOUND"
    deleted = stubs.tts.DeleteDictionary(tts_pb2.GetDictionaryRequest(dictionary_id=made.dictionary_id), metadata=md)
    assert deleted.dictionary.dictionary_id == made.dictionary_id
    assert stubs.tts.ListDictionaries(tts_pb2.ListDictionariesRequest(), metadata=md).pagination.total_count == 0


def test_list_voices_is_the_rest_catalogue(stubs: Stubs, grpc_user: MakeUser) -> None:
    user, md = grpc_user("voices@example.com")
    rest = voice_catalogue(user=user)
    voices = stubs.tts.ListVoices(tts_pb2.ListVoicesRequest(), metadata=md).voices
    assert [v.voice_id for v in voices] == [v["voice_id"] for v in rest]
    by_id = {v.voice_id: v for v in voices}
    assert (by_id["jf_alpha"].gender, by_id["jf_alpha"].engine, by_id["jf_alpha"].sample_rate) == (
        "female",
        "kokoro",
        24000,
    )
    assert (by_id["piper-en_US-joe-medium"].gender, by_id["piper-en_US-joe-medium"].accent) == (
        "male",
        "American English",
    )
    assert {v.gender for v in voices} == {"female", "male"} and all(v.description for v in voices)


def test_tts_refusals_for_untrained_voices_and_quota(stubs: Stubs, grpc_user: MakeUser, limits: Any) -> None:
    _, md = grpc_user("quota@example.com")
    sample = stubs.voice.UploadVoiceSample(upload_chunks(recording(CLIP).path), metadata=md).sample
    limits(syntheses_per_day=1)

    untrained = tts_pb2.SynthesizeTextRequest(text="Hi.", voice_id=sample.sample_id)
    assert refused(lambda: stubs.tts.SynthesizeText(untrained, metadata=md)) == (
        grpc.StatusCode.FAILED_PRECONDITION,
        "VOICE_NOT_READY",
    )
    stubs.tts.SynthesizeText(tts_pb2.SynthesizeTextRequest(text="Hi."), metadata=md)
    assert refused(lambda: stubs.tts.SynthesizeText(tts_pb2.SynthesizeTextRequest(text="Hi."), metadata=md)) == (
        grpc.StatusCode.RESOURCE_EXHAUSTED,
        "QUOTA_EXCEEDED",
    )


def test_job_rpcs_and_progress_streamed_until_the_job_ends(stubs: Stubs, grpc_user: MakeUser, settings: Any) -> None:
    _, md = grpc_user("jobs@example.com")
    settings.JOB_HEARTBEAT_INTERVAL = 3600
    first = stubs.tts.SynthesizeTextAsync(
        tts_pb2.SynthesizeTextAsyncRequest(text="One sentence here. And another one there. A third."), metadata=md
    )
    second = stubs.tts.SynthesizeTextAsync(tts_pb2.SynthesizeTextAsyncRequest(text="Cancel me."), metadata=md)

    job = stubs.job.GetJob(job_pb2.GetJobRequest(job_id=first.job_id), metadata=md).job
    assert (job.job_id, job.type, job.status) == (first.job_id, "synthesis", "pending")
    assert job.created_at.seconds > 0
    listed = stubs.job.ListJobs(job_pb2.ListJobsRequest(type="synthesis"), metadata=md)
    assert {j.job_id for j in listed.jobs} == {first.job_id, second.job_id}
    assert listed.pagination.total_count == 2
    cancelled = stubs.job.CancelJob(job_pb2.CancelJobRequest(job_id=second.job_id), metadata=md).job
    assert cancelled.status == "cancelled"
    assert refused(lambda: stubs.job.ListJobs(job_pb2.ListJobsRequest(status="nope"), metadata=md))[0] == (
        grpc.StatusCode.INVALID_ARGUMENT
    )

    progress = stubs.job.GetJobProgress(job_pb2.GetJobProgressRequest(job_id=first.job_id), metadata=md)
    initial = next(progress)

    def held_work(job: Any, progress: Any, should_stop: Any) -> None:
        """The real work, each progress step held longer than the stream's poll interval, so
        that the stream sees the running states however fast this machine speaks."""

        def report(fraction: float, message: str) -> None:
            progress(fraction, message)
            time.sleep(PROGRESS_POLL_S * 2.5)

        synthesis_job_work(job, report, should_stop)

    def work() -> None:
        try:
            run_job(first.job_id, 1, held_work)
        finally:
            connection.close()  # this thread's own connection

    worker = threading.Thread(target=work)
    worker.start()
    rest = list(progress)
    worker.join(timeout=120)

    assert initial.status == "pending"
    assert rest[-1].status == "completed" and rest[-1].progress == 1.0
    assert any(m.status == "running" for m in rest)
    assert [m.progress for m in rest] == sorted(m.progress for m in rest)
    finished = stubs.job.GetJob(job_pb2.GetJobRequest(job_id=first.job_id), metadata=md).job
    assert finished.result["synthesis_id"] == first.synthesis_id
    assert finished.finished_at.seconds > 0
    assert refused(lambda: stubs.job.CancelJob(job_pb2.CancelJobRequest(job_id=first.job_id), metadata=md)) == (
        grpc.StatusCode.FAILED_PRECONDITION,
        "JOB_NOT_CANCELLABLE",
    )
    assert [
        m.status for m in stubs.job.GetJobProgress(job_pb2.GetJobProgressRequest(job_id=second.job_id), metadata=md)
    ] == ["cancelled"]


@pytest.mark.parametrize(("container", "content_type"), [("webm", "audio/webm"), ("mp4", "audio/mp4")])
def test_browser_recordings_upload_over_grpc(
    stubs: Stubs, grpc_user: MakeUser, tmp_path: Path, container: str, content_type: str
) -> None:
    _, md = grpc_user(f"{container}@example.com")
    path = tmp_path / f"recording.{container}"
    path.write_bytes(browser_recording(recording(CLIP).path, container))

    sample = stubs.voice.UploadVoiceSample(upload_chunks(path, name="Recorded"), metadata=md).sample
    assert sample.format == container
    assert sample.duration == pytest.approx(recording(CLIP).duration, abs=0.06)
    uploaded = stubs.file.UploadFile(file_chunks(path.read_bytes(), path.name), metadata=md).file
    assert uploaded.content_type == content_type


def test_file_rpcs_upload_info_download_delete(stubs: Stubs, grpc_user: MakeUser) -> None:
    _, md = grpc_user("files@example.com")
    data = recording(CLIP).path.read_bytes()

    uploaded = stubs.file.UploadFile(file_chunks(data, "clip.wav"), metadata=md).file
    assert uploaded.file_id.startswith("file_")
    assert (uploaded.filename, uploaded.content_type, uploaded.size) == ("clip.wav", "audio/wav", len(data))
    assert uploaded.HasField("expires_at")

    info = stubs.file.GetFileInfo(file_pb2.GetFileInfoRequest(file_id=uploaded.file_id), metadata=md).file
    assert info == uploaded
    body, messages = download(stubs, md, uploaded.file_id)
    assert body == data
    assert len(messages) == -(-len(data) // (64 * 1024))
    assert all(len(m.chunk) == 64 * 1024 for m in messages[:-1])
    assert messages[0].HasField("file") and not messages[1].HasField("file")

    deleted = stubs.file.DeleteFile(file_pb2.DeleteFileRequest(file_id=uploaded.file_id), metadata=md).file
    assert deleted.file_id == uploaded.file_id
    assert refused(
        lambda: stubs.file.GetFileInfo(file_pb2.GetFileInfoRequest(file_id=uploaded.file_id), metadata=md)
    ) == (
        grpc.StatusCode.NOT_FOUND,
        "FILE_NOT_FOUND",
    )

    sample = stubs.voice.UploadVoiceSample(upload_chunks(recording(CLIP).path), metadata=md).sample
    assert refused(lambda: stubs.file.DeleteFile(file_pb2.DeleteFileRequest(file_id=sample.file_id), metadata=md)) == (
        grpc.StatusCode.FAILED_PRECONDITION,
        "FILE_IN_USE",
    )
    again = stubs.file.UploadFile(file_chunks(data), metadata=md).file
    StoredFile.objects.filter(public_id=again.file_id).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert refused(lambda: download(stubs, md, again.file_id)) == (grpc.StatusCode.FAILED_PRECONDITION, "FILE_EXPIRED")
    not_audio = file_chunks(b"%PDF-1.4 not audio" * 20, "doc.pdf")
    assert refused(lambda: stubs.file.UploadFile(not_audio, metadata=md)) == (
        grpc.StatusCode.INVALID_ARGUMENT,
        "UNSUPPORTED_FORMAT",
    )


def test_another_users_ids_are_not_found(stubs: Stubs, grpc_user: MakeUser) -> None:
    _, alice = grpc_user("alice@example.com")
    _, bob = grpc_user("bob@example.com")
    sample = stubs.voice.UploadVoiceSample(upload_chunks(recording(CLIP).path), metadata=alice).sample
    job = stubs.voice.TrainVoice(voice_pb2.TrainVoiceRequest(sample_id=sample.sample_id), metadata=alice)
    spoken = stubs.tts.SynthesizeText(tts_pb2.SynthesizeTextRequest(text="Mine."), metadata=alice)

    calls = {
        "TrainVoice": lambda: stubs.voice.TrainVoice(
            voice_pb2.TrainVoiceRequest(sample_id=sample.sample_id), metadata=bob
        ),
        "DeleteVoiceSample": lambda: stubs.voice.DeleteVoiceSample(
            voice_pb2.DeleteVoiceSampleRequest(sample_id=sample.sample_id), metadata=bob
        ),
        "SynthesizeText": lambda: stubs.tts.SynthesizeText(
            tts_pb2.SynthesizeTextRequest(text="Hi.", voice_id=sample.sample_id), metadata=bob
        ),
        "GetJob": lambda: stubs.job.GetJob(job_pb2.GetJobRequest(job_id=job.training_job_id), metadata=bob),
        "CancelJob": lambda: stubs.job.CancelJob(job_pb2.CancelJobRequest(job_id=job.training_job_id), metadata=bob),
        "GetJobProgress": lambda: stubs.job.GetJobProgress(
            job_pb2.GetJobProgressRequest(job_id=job.training_job_id), metadata=bob
        ),
        "GetFileInfo": lambda: stubs.file.GetFileInfo(
            file_pb2.GetFileInfoRequest(file_id=spoken.file_id), metadata=bob
        ),
        "DownloadFile": lambda: stubs.file.DownloadFile(
            file_pb2.DownloadFileRequest(file_id=sample.file_id), metadata=bob
        ),
        "DeleteFile": lambda: stubs.file.DeleteFile(file_pb2.DeleteFileRequest(file_id=spoken.file_id), metadata=bob),
    }

    answers = {name: refused(call)[0] for name, call in calls.items()}

    assert answers == dict.fromkeys(calls, grpc.StatusCode.NOT_FOUND)
    assert stubs.voice.GetVoiceSamples(voice_pb2.GetVoiceSamplesRequest(), metadata=bob).pagination.total_count == 0
    assert stubs.job.ListJobs(job_pb2.ListJobsRequest(), metadata=bob).pagination.total_count == 0


def test_word_timestamps_over_grpc_sync_and_stream(stubs: Stubs, grpc_user: MakeUser) -> None:
    _, md = grpc_user("times@example.com")
    text = "Dr. Smith paid $5.50. Then he left."
    config = tts_pb2.SynthesisConfig(timestamps="word")
    spoken = stubs.tts.SynthesizeText(tts_pb2.SynthesizeTextRequest(text=text, config=config), metadata=md)
    words = [(w.word, w.start, w.end) for w in spoken.timestamps]
    assert [w[0] for w in words] == ["Dr", "Smith", "paid", "$5.50", "Then", "he", "left"]
    assert all(0 <= start < end <= spoken.duration for _, start, end in words)

    events = list(stubs.tts.SynthesizeTextStream(tts_pb2.SynthesizeTextRequest(text=text, config=config), metadata=md))
    chunks = [event.chunk for event in events if event.WhichOneof("event") == "chunk"]
    assert [w.word for chunk in chunks for w in chunk.timestamps] == [w[0] for w in words]
    assert chunks[0].start == 0.0 and chunks[1].start == pytest.approx(chunks[0].duration, abs=0.01)
    for chunk in chunks:
        assert all(chunk.start <= w.start < w.end <= chunk.start + chunk.duration for w in chunk.timestamps)

    wrong = tts_pb2.SynthesizeTextRequest(text=text, config=tts_pb2.SynthesisConfig(timestamps="phoneme"))
    assert refused(lambda: stubs.tts.SynthesizeText(wrong, metadata=md)) == (
        grpc.StatusCode.INVALID_ARGUMENT,
        "VALIDATION_ERROR",
    )


def test_grpc_reads_japanese_on_a_kokoro_voice_and_refuses_it_on_piper(stubs: Stubs, grpc_user: MakeUser) -> None:
    _, md = grpc_user("japanese@example.com")
    config = tts_pb2.SynthesisConfig(language="ja-JP", timestamps="word")
    spoken = stubs.tts.SynthesizeText(
        tts_pb2.SynthesizeTextRequest(text="今日は良い天気ですね。", voice_id="jf_alpha", config=config), metadata=md
    )
    assert [w.word for w in spoken.timestamps] == ["今日", "は", "良い", "天気", "です", "ね"]
    piper = tts_pb2.SynthesizeTextRequest(text="今日は", voice_id="piper-en_US-joe-medium", config=config)
    assert refused(lambda: stubs.tts.SynthesizeText(piper, metadata=md)) == (
        grpc.StatusCode.INVALID_ARGUMENT,
        "VALIDATION_ERROR",
    )
