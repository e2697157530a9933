import grpc
import pytest

from grpc_server.protos import auth_pb2, tts_pb2, voice_pb2
from tests.grpc_server.conftest import error_code


def test_smoke(stubs, grpc_user):
    r = stubs.auth.Register(auth_pb2.RegisterRequest(email="g@example.com", password="Analytical-Engine-1843"))
    print(r)
    login = stubs.auth.Login(auth_pb2.LoginRequest(email="g@example.com", password="Analytical-Engine-1843"))
    md = [("authorization", f"Bearer {login.tokens.access_token}")]
    print(stubs.voice.GetVoiceSamples(voice_pb2.GetVoiceSamplesRequest(), metadata=md))
    with pytest.raises(grpc.RpcError) as e:
        stubs.voice.GetVoiceSamples(voice_pb2.GetVoiceSamplesRequest())
    print(e.value.code(), error_code(e.value))
    r = stubs.tts.SynthesizeText(tts_pb2.SynthesizeTextRequest(text="Hello there."), metadata=md)
    print(r)
    for m in stubs.tts.SynthesizeTextStream(tts_pb2.SynthesizeTextRequest(text="Hello there. Second sentence."), metadata=md):
        print(m.WhichOneof("event"), len(m.chunk.audio) if m.HasField("chunk") else "")
