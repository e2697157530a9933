"""Every API operation as a description of one HTTP call (method, path, query, body), built
once and run by both clients (``Voxify``, ``AsyncVoxify``). ``operation`` is the operation id in
the API's OpenAPI document; a test checks that every operation there has a method here."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any
from urllib.parse import quote

API = "/api/v1"
Upload = str | Path | bytes | IO[bytes]


@dataclass(frozen=True)
class Call:
    operation: str
    method: str
    path: str
    params: Mapping[str, Any] | None = None
    json: Any = None
    data: Mapping[str, Any] | None = None
    upload: tuple[str, Upload] | None = None  # (form field, file)
    envelope: bool = True  # False: the answer is not the {success, data} envelope
    raw: bool = False  # True: the body's bytes are the answer
    headers: Mapping[str, str] = field(default_factory=dict)


def _id(value: str) -> str:
    return quote(str(value), safe="")


def _given(**values: Any) -> dict[str, Any]:
    """The arguments that were given (None means "the server's default")."""
    return {key: value for key, value in values.items() if value is not None}


def synthesis_config(
    output_format: str | None = None,
    sample_rate: int | None = None,
    speed: float | None = None,
    pitch: float | None = None,
    volume: float | None = None,
    similarity: float | None = None,
    timestamps: str | None = None,
    input_type: str | None = None,
    normalize: bool | None = None,
    dictionary_id: str | None = None,
) -> dict[str, Any]:
    return _given(
        output_format=output_format, sample_rate=sample_rate, speed=speed, pitch=pitch, volume=volume,
        similarity=similarity, timestamps=timestamps, input_type=input_type, normalize=normalize,
        dictionary_id=dictionary_id,
    )  # fmt: skip


# --- auth ---------------------------------------------------------------------------------------
def auth_register(email: str, password: str, first_name: str = "", last_name: str = "") -> Call:
    body = {"email": email, "password": password, "first_name": first_name, "last_name": last_name}
    return Call("auth_register", "POST", f"{API}/auth/register", json=body)


def auth_login(email: str, password: str) -> Call:
    return Call("auth_login", "POST", f"{API}/auth/login", json={"email": email, "password": password})


def auth_refresh(refresh_token: str) -> Call:
    return Call("auth_refresh", "POST", f"{API}/auth/refresh", json={"refresh_token": refresh_token})


def auth_logout(refresh_token: str) -> Call:
    return Call("auth_logout", "POST", f"{API}/auth/logout", json={"refresh_token": refresh_token})


def auth_me() -> Call:
    return Call("auth_me", "GET", f"{API}/auth/me")


def auth_usage() -> Call:
    return Call("auth_usage", "GET", f"{API}/auth/usage")


def auth_password_change(current_password: str, new_password: str) -> Call:
    body = {"current_password": current_password, "new_password": new_password}
    return Call("auth_password_change", "POST", f"{API}/auth/password", json=body)


def auth_api_keys_list(page: int, page_size: int) -> Call:
    params = {"page": page, "page_size": page_size}
    return Call("auth_api_keys_list", "GET", f"{API}/auth/api-keys", params=params)


def auth_api_keys_create(name: str, password: str, expires_at: str | None = None) -> Call:
    body = _given(name=name, password=password, expires_at=expires_at)
    return Call("auth_api_keys_create", "POST", f"{API}/auth/api-keys", json=body)


def auth_api_keys_revoke(key_id: str) -> Call:
    return Call("auth_api_keys_revoke", "DELETE", f"{API}/auth/api-keys/{_id(key_id)}")


# --- voice samples ------------------------------------------------------------------------------
def voice_samples_list(page: int, page_size: int, status: str | None = None, language: str | None = None) -> Call:
    params = _given(page=page, page_size=page_size, status=status, language=language)
    return Call("voice_samples_list", "GET", f"{API}/voice/samples", params=params)


def voice_samples_upload(file: Upload, name: str, description: str = "", language: str = "en-US") -> Call:
    data = {"name": name, "description": description, "language": language}
    return Call("voice_samples_upload", "POST", f"{API}/voice/samples", data=data, upload=("file", file))


def voice_samples_get(sample_id: str) -> Call:
    return Call("voice_samples_get", "GET", f"{API}/voice/samples/{_id(sample_id)}")


def voice_samples_delete(sample_id: str) -> Call:
    return Call("voice_samples_delete", "DELETE", f"{API}/voice/samples/{_id(sample_id)}")


def voice_samples_similar(sample_id: str, limit: int | None = None) -> Call:
    path = f"{API}/voice/samples/{_id(sample_id)}/similar"
    return Call("voice_samples_similar", "GET", path, params=_given(limit=limit))


def voice_samples_train(sample_id: str, config: Mapping[str, Any] | None = None) -> Call:
    body = {"config": dict(config)} if config else {}
    return Call("voice_samples_train", "POST", f"{API}/voice/samples/{_id(sample_id)}/train", json=body)


def voice_samples_consent_issue(sample_id: str) -> Call:
    return Call("voice_samples_consent_issue", "POST", f"{API}/voice/samples/{_id(sample_id)}/consent", json={})


def voice_samples_consent_list(page: int, page_size: int, sample_id: str) -> Call:
    path = f"{API}/voice/samples/{_id(sample_id)}/consent"
    return Call("voice_samples_consent_list", "GET", path, params={"page": page, "page_size": page_size})


def voice_samples_consent_answer(sample_id: str, consent_id: str, file: Upload) -> Call:
    path = f"{API}/voice/samples/{_id(sample_id)}/consent/{_id(consent_id)}"
    return Call("voice_samples_consent_answer", "POST", path, upload=("file", file))


# --- synthesis ----------------------------------------------------------------------------------
def tts_voices() -> Call:
    return Call("tts_voices", "GET", f"{API}/tts/voices")


def _synthesis_body(text: str, voice_id: str | None, keep: bool | None, config: Mapping[str, Any]) -> dict[str, Any]:
    body: dict[str, Any] = _given(text=text, voice_id=voice_id, keep=keep)
    if config:
        body["config"] = dict(config)
    return body


def tts_synthesize(text: str, voice_id: str | None, keep: bool | None, config: Mapping[str, Any]) -> Call:
    body = _synthesis_body(text, voice_id, keep, config)
    return Call("tts_synthesize", "POST", f"{API}/tts/synthesize", json=body)


def tts_synthesize_audio(text: str, voice_id: str | None, keep: bool | None, config: Mapping[str, Any]) -> Call:
    """The same operation, answered with the audio itself (``Accept: audio/*``)."""
    body = _synthesis_body(text, voice_id, keep, config)
    path = f"{API}/tts/synthesize"
    return Call("tts_synthesize", "POST", path, json=body, raw=True, envelope=False, headers={"Accept": "audio/*"})


def tts_synthesize_async(text: str, voice_id: str | None, keep: bool | None, config: Mapping[str, Any]) -> Call:
    body = _synthesis_body(text, voice_id, keep, config)
    return Call("tts_synthesize_async", "POST", f"{API}/tts/synthesize/async", json=body)


def tts_synthesize_stream(text: str, voice_id: str | None, keep: bool | None, config: Mapping[str, Any]) -> Call:
    params = _given(text=text, voice_id=voice_id, keep=keep)
    renamed = {"output_format": "format"}
    params.update({renamed.get(key, key): value for key, value in config.items()})
    return Call("tts_synthesize_stream", "GET", f"{API}/tts/synthesize/stream", params=params, envelope=False)


def tts_synthesize_stream_ticket() -> Call:
    return Call("tts_synthesize_stream_ticket", "POST", f"{API}/tts/synthesize/stream/ticket")


def tts_dictionaries_list(page: int, page_size: int) -> Call:
    params = _given(page=page, page_size=page_size)
    return Call("tts_dictionaries_list", "GET", f"{API}/tts/dictionaries", params=params)


def tts_dictionaries_create(
    name: str, description: str | None, is_default: bool | None, entries: list[dict[str, Any]] | None
) -> Call:
    body = _given(name=name, description=description, is_default=is_default, entries=entries)
    return Call("tts_dictionaries_create", "POST", f"{API}/tts/dictionaries", json=body)


def tts_dictionaries_get(dictionary_id: str) -> Call:
    return Call("tts_dictionaries_get", "GET", f"{API}/tts/dictionaries/{_id(dictionary_id)}")


def tts_dictionaries_update(dictionary_id: str, changes: Mapping[str, Any]) -> Call:
    path = f"{API}/tts/dictionaries/{_id(dictionary_id)}"
    return Call("tts_dictionaries_update", "PATCH", path, json=_given(**changes))


def tts_dictionaries_delete(dictionary_id: str) -> Call:
    return Call("tts_dictionaries_delete", "DELETE", f"{API}/tts/dictionaries/{_id(dictionary_id)}")


def tts_syntheses_list(page: int, page_size: int, mode: str | None = None, status: str | None = None) -> Call:
    params = _given(page=page, page_size=page_size, mode=mode, status=status)
    return Call("tts_syntheses_list", "GET", f"{API}/tts/syntheses", params=params)


def tts_syntheses_get(synthesis_id: str) -> Call:
    return Call("tts_syntheses_get", "GET", f"{API}/tts/syntheses/{_id(synthesis_id)}")


def tts_syntheses_subtitles(synthesis_id: str, fmt: str) -> Call:
    path = f"{API}/tts/syntheses/{_id(synthesis_id)}/subtitles"
    return Call("tts_syntheses_subtitles", "GET", path, params={"format": fmt}, raw=True, envelope=False)


def tts_syntheses_update(synthesis_id: str, keep: bool) -> Call:
    path = f"{API}/tts/syntheses/{_id(synthesis_id)}"
    return Call("tts_syntheses_update", "PATCH", path, json={"keep": keep})


def tts_syntheses_delete(synthesis_id: str) -> Call:
    return Call("tts_syntheses_delete", "DELETE", f"{API}/tts/syntheses/{_id(synthesis_id)}")


# --- jobs ---------------------------------------------------------------------------------------
def jobs_list(page: int, page_size: int, status: str | None = None, type: str | None = None) -> Call:
    params = _given(page=page, page_size=page_size, status=status, type=type)
    return Call("jobs_list", "GET", f"{API}/jobs", params=params)


def jobs_get(job_id: str) -> Call:
    return Call("jobs_get", "GET", f"{API}/jobs/{_id(job_id)}")


def jobs_cancel(job_id: str) -> Call:
    return Call("jobs_cancel", "POST", f"{API}/jobs/{_id(job_id)}/cancel")


def jobs_progress_ticket(job_id: str) -> Call:
    return Call("jobs_progress_ticket", "POST", f"{API}/jobs/{_id(job_id)}/progress/ticket")


# --- tools --------------------------------------------------------------------------------------
def tools_detect(file: Upload) -> Call:
    return Call("tools_detect", "POST", f"{API}/tools/detect", upload=("file", file))


# --- files --------------------------------------------------------------------------------------
def files_upload(file: Upload) -> Call:
    return Call("files_upload", "POST", f"{API}/files", upload=("file", file))


def files_info(file_id: str) -> Call:
    return Call("files_info", "GET", f"{API}/files/{_id(file_id)}/info")


def files_download(file_id: str) -> Call:
    return Call("files_download", "GET", f"{API}/files/audio/{_id(file_id)}", raw=True, envelope=False)


def files_delete(file_id: str) -> Call:
    return Call("files_delete", "DELETE", f"{API}/files/{_id(file_id)}")


# --- staff --------------------------------------------------------------------------------------
def admin_stats() -> Call:
    return Call("admin_stats", "GET", f"{API}/admin/stats")


def admin_users_list(
    page: int, page_size: int, search: str | None = None, is_active: bool | None = None, is_staff: bool | None = None
) -> Call:
    params = _given(page=page, page_size=page_size, search=search, is_active=is_active, is_staff=is_staff)
    return Call("admin_users_list", "GET", f"{API}/admin/users", params=params)


def admin_config_get() -> Call:
    return Call("admin_config_get", "GET", f"{API}/admin/config")


def admin_config_update(values: Mapping[str, Any]) -> Call:
    return Call("admin_config_update", "PUT", f"{API}/admin/config", json=dict(values))


# --- the OpenAI-compatible API at /v1 -----------------------------------------------------------
def openai_audio_speech(body: Mapping[str, Any]) -> Call:
    return Call("openai_audio_speech", "POST", "/v1/audio/speech", json=dict(body), raw=True, envelope=False)


def openai_voices() -> Call:
    return Call("openai_voices", "GET", "/v1/audio/voices", envelope=False)


def openai_models() -> Call:
    return Call("openai_models", "GET", "/v1/models", envelope=False)
