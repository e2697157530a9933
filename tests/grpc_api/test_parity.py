"""REST and gRPC give the same answers: one scenario over each, results compared."""

from __future__ import annotations

import io
from typing import Any

import grpc
import pytest
import soundfile as sf
from google.protobuf import json_format
from rest_framework.test import APIClient

from grpc_server.protos import auth_pb2, file_pb2, job_pb2, tts_pb2, voice_pb2
from tests.grpc_api.conftest import Stubs, error_code
from tests.grpc_api.test_services import upload_chunks
from tests.support.speech_data import recording
from tests.support.uploads import upload as rest_upload
from tests.synthesis.conftest import download as rest_download

PASSWORD = "Analytical-Engine-1843"
CLIP = "LJ001-0006.wav"
TEXT = "The museum will be closed on Monday, the 3rd, at 10:30 am. Tickets cost $12.50."
CONFIG: dict[str, Any] = {"output_format": "ogg", "sample_rate": 24000, "speed": 1.25, "pitch": 1.0, "volume": 0.8}
# Requests that must be refused the same way on both surfaces.
REFUSALS: list[tuple[str, dict[str, Any]]] = [
    ("too long", {"text": "x" * 1001}),
    ("empty", {"text": " \x00 "}),
    ("bad speed", {"text": "Hi.", "config": {"speed": 0.1}}),
    ("bad format", {"text": "Hi.", "config": {"output_format": "wma"}}),
    ("opus rate", {"text": "Hi.", "config": {"output_format": "opus", "sample_rate": 22050}}),
    ("unknown voice", {"text": "Hi.", "voice_id": "vs_nobody"}),
]
INT64_FIELDS = {"file_size", "size"}
SAME_SAMPLE_FIELDS = (
    "name",
    "status",
    "format",
    "duration",
    "language",
    "file_size",
    "quality_score",
    "sample_rate",
    "transcript",
    "failure_reason",
)


def rest_scenario(client: APIClient) -> dict[str, Any]:
    assert client.post("/api/v1/auth/register", {"email": "rest@example.com", "password": PASSWORD}).status_code == 201
    login = client.post("/api/v1/auth/login", {"email": "rest@example.com", "password": PASSWORD}).json()["data"]
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {login['access_token']}")
    sample = rest_upload(client, recording(CLIP).path, name="Parity").json()["data"]
    listed = client.get("/api/v1/voice/samples").json()["data"]
    spoken = client.post("/api/v1/tts/synthesize", {"text": TEXT, "config": CONFIG}, format="json").json()["data"]
    audio = sf.info(io.BytesIO(rest_download(client, spoken["audio_url"])))
    info = client.get(f"/api/v1/files/{spoken['file_id']}/info").json()["data"]
    queued = client.post("/api/v1/tts/synthesize/async", {"text": "Later."}, format="json").json()["data"]
    job = client.get(f"/api/v1/jobs/{queued['job_id']}").json()["data"]
    refusals = {}
    for name, body in REFUSALS:
        response = client.post("/api/v1/tts/synthesize", body, format="json")
        refusals[name] = (response.status_code, response.json()["error"]["code"])
    return {
        "login_keys": sorted(login),
        "sample": sample,
        "listed": [s["sample_id"] for s in listed["samples"]],
        "pagination": listed["pagination"],
        "spoken": spoken,
        "audio": (audio.format, audio.samplerate, round(audio.duration, 2)),
        "info": info,
        "job": job,
        "refusals": refusals,
    }


def grpc_scenario(stubs: Stubs) -> dict[str, Any]:
    stubs.auth.Register(auth_pb2.RegisterRequest(email="grpc@example.com", password=PASSWORD))
    tokens = stubs.auth.Login(auth_pb2.LoginRequest(email="grpc@example.com", password=PASSWORD)).tokens
    md = [("authorization", f"Bearer {tokens.access_token}")]
    sample = stubs.voice.UploadVoiceSample(upload_chunks(recording(CLIP).path, name="Parity"), metadata=md).sample
    listed = stubs.voice.GetVoiceSamples(voice_pb2.GetVoiceSamplesRequest(), metadata=md)
    config = tts_pb2.SynthesisConfig(**CONFIG)
    spoken = stubs.tts.SynthesizeText(tts_pb2.SynthesizeTextRequest(text=TEXT, config=config), metadata=md)
    data = b"".join(
        m.chunk for m in stubs.file.DownloadFile(file_pb2.DownloadFileRequest(file_id=spoken.file_id), metadata=md)
    )
    audio = sf.info(io.BytesIO(data))
    info = stubs.file.GetFileInfo(file_pb2.GetFileInfoRequest(file_id=spoken.file_id), metadata=md).file
    queued = stubs.tts.SynthesizeTextAsync(tts_pb2.SynthesizeTextAsyncRequest(text="Later."), metadata=md)
    job = stubs.job.GetJob(job_pb2.GetJobRequest(job_id=queued.job_id), metadata=md).job
    refusals = {}
    status_of = {grpc.StatusCode.INVALID_ARGUMENT: 400, grpc.StatusCode.NOT_FOUND: 404}
    for name, body in REFUSALS:
        request = json_format.ParseDict(body, tts_pb2.SynthesizeTextRequest())
        with pytest.raises(grpc.RpcError) as error:
            stubs.tts.SynthesizeText(request, metadata=md)
        refusals[name] = (status_of[error.value.code()], error_code(error.value))

    def as_dict(message: Any) -> dict[str, Any]:
        # int64 fields come out of the JSON mapping as strings; compare them as numbers.
        data: dict[str, Any] = json_format.MessageToDict(
            message, preserving_proto_field_name=True, always_print_fields_with_no_presence=True
        )
        return {k: int(v) if isinstance(v, str) and v.isdigit() and k in INT64_FIELDS else v for k, v in data.items()}

    return {
        "login_keys": sorted([*as_dict(tokens)]),
        "sample": as_dict(sample),
        "listed": [s.sample_id for s in listed.samples],
        "pagination": as_dict(listed.pagination),
        "spoken": as_dict(spoken),
        "audio": (audio.format, audio.samplerate, round(audio.duration, 2)),
        "info": as_dict(info),
        "job": as_dict(job),
        "refusals": refusals,
    }


def test_the_same_scenario_over_rest_and_grpc_gives_the_same_results(stubs: Stubs, api_client: APIClient) -> None:
    rest = rest_scenario(api_client)
    over_grpc = grpc_scenario(stubs)

    assert rest["login_keys"] == over_grpc["login_keys"]
    for field in SAME_SAMPLE_FIELDS:
        assert rest["sample"][field] == over_grpc["sample"].get(field, type(rest["sample"][field])()), field
    assert [i["code"] for i in rest["sample"]["quality_issues"]] == [
        i["code"] for i in over_grpc["sample"].get("quality_issues", [])
    ]
    assert len(rest["listed"]) == len(over_grpc["listed"]) == 1
    assert rest["pagination"] == {
        **{"has_next": False, "has_prev": False},
        **{k: int(v) if isinstance(v, str) else v for k, v in over_grpc["pagination"].items()},
    }
    # Durations are deterministic: the same text, voice and settings give the same audio length.
    for field in ("duration", "format", "sample_rate", "voice_id"):
        assert rest["spoken"][field] == over_grpc["spoken"][field], field
    assert rest["audio"] == over_grpc["audio"]
    # Both are signed links to the file (the gRPC one a path: PUBLIC_BASE_URL is unset here).
    assert over_grpc["spoken"]["audio_url"].startswith(f"/api/v1/files/audio/{over_grpc['spoken']['file_id']}?token=")
    assert f"/api/v1/files/audio/{rest['spoken']['file_id']}?token=" in rest["spoken"]["audio_url"]
    for field in ("content_type", "duration", "sample_rate"):
        assert rest["info"][field] == over_grpc["info"][field], field
    # Sizes differ a little: Piper's generator noise makes each Ogg Vorbis encoding unique.
    for field in ("type", "status", "title", "progress", "attempts"):
        assert rest["job"][field] == over_grpc["job"].get(field, type(rest["job"][field])()), field
    assert rest["refusals"] == over_grpc["refusals"]
    assert rest["refusals"]["too long"] == (400, "TEXT_TOO_LONG")
    assert rest["refusals"]["unknown voice"] == (404, "VOICE_NOT_FOUND")
