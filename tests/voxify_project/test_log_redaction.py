"""The access log's view of a URL: no token, ticket or text (the live check is in
tests/synthesis/test_stream_live.py, against the web server's own log)."""

from __future__ import annotations

from voxify_project.log_redaction import redacted_url


def test_secrets_in_the_query_are_redacted_and_harmless_values_kept() -> None:
    assert redacted_url("/api/v1/audio/file_1?token=abc.def:ghi") == "/api/v1/audio/file_1?token=redacted"
    assert (
        redacted_url("/api/v1/tts/synthesize/stream?text=my%20secret&ticket=t1&format=mp3&page=2")
        == "/api/v1/tts/synthesize/stream?text=redacted&ticket=redacted&format=mp3&page=2"
    )
    assert redacted_url("/healthz") == "/healthz"
    assert redacted_url("/x?" + "&".join(f"a{n}=1" for n in range(200))) == "/x?redacted"
    assert "secret" not in redacted_url("/x?%zz=secret&=secret2")
