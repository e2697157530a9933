"""The synchronous client, ``Voxify``."""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import httpx
from websockets.exceptions import InvalidHandshake, WebSocketException
from websockets.sync.client import connect

from voxify_client import _calls as calls
from voxify_client._base import (
    TERMINAL,
    AudioChunk,
    Credentials,
    EventReader,
    Progress,
    answer,
    job_outcome,
    network_error,
    operation,
    request_arguments,
    stream_failure,
    websocket_url,
)
from voxify_client._calls import Call, Upload
from voxify_client.errors import AuthenticationError, VoxifyError


class Voxify:
    """A Voxify server, as one user: ``Voxify(base_url, api_key=...)`` or
    ``Voxify(base_url, email=..., password=...)`` (signs in on first use; access tokens are
    renewed inside). Resources: ``auth``, ``samples``, ``tts``, ``jobs``, ``files``, ``admin``
    (staff), ``openai`` (the OpenAI-compatible ``/v1``)."""

    def __init__(
        self,
        base_url: str,
        *,
        api_key: str | None = None,
        email: str | None = None,
        password: str | None = None,
        access_token: str | None = None,
        refresh_token: str | None = None,
        timeout: float = 120.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.credentials = Credentials(api_key, access_token, refresh_token, email, password)
        self._http = httpx.Client(base_url=self.base_url, timeout=timeout, transport=transport)
        self.auth = Auth(self)
        self.samples = Samples(self)
        self.tts = TTS(self)
        self.dictionaries = Dictionaries(self)
        self.jobs = Jobs(self)
        self.files = Files(self)
        self.tools = Tools(self)
        self.admin = Admin(self)
        self.openai = OpenAI(self)

    def __enter__(self) -> Voxify:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    def _send(self, call: Call, *, stream: bool = False) -> httpx.Response:
        try:
            with request_arguments(call, self.credentials) as arguments:
                if stream:
                    return self._http.send(self._http.build_request(**arguments), stream=True)
                return self._http.request(**arguments)
        except httpx.TransportError as exc:
            raise network_error(exc) from exc

    def _renew(self) -> bool:
        """A new access token after a 401: refresh, else sign in again. False if neither can."""
        creds = self.credentials
        if creds.api_key:
            return False
        if creds.refresh_token:
            creds.access_token = None
            call = calls.auth_refresh(creds.refresh_token)
            try:
                creds.store(answer(self._send(call), call))
                return True
            except AuthenticationError:
                creds.refresh_token = None
        if creds.email and creds.password:
            creds.access_token = None
            self.auth.login(creds.email, creds.password)
            return True
        return False

    def _run(self, call: Call, *, stream: bool = False) -> Any:
        if self.credentials.needs_sign_in and not call.operation.startswith("auth_"):
            self._renew()
        response = self._send(call, stream=stream)
        if response.status_code == 401 and call.operation not in ("auth_login", "auth_refresh") and self._renew():
            response.close()
            response = self._send(call, stream=stream)
        if stream:
            if response.status_code >= 400:
                response.read()
                answer(response, call)
            return response
        return answer(response, call)

    def _pages(self, build: Any, key: str, page_size: int, **filters: Any) -> Iterator[dict[str, Any]]:
        page = 1
        while True:
            data = self._run(build(page=page, page_size=page_size, **filters))
            yield from data[key]
            if not data["pagination"]["has_next"]:
                return
            page += 1


class _Resource:
    def __init__(self, client: Voxify) -> None:
        self._client = client


class ApiKeys(_Resource):
    @operation("auth_api_keys_list")
    def list(self, *, page_size: int = 100) -> Iterator[dict[str, Any]]:
        return self._client._pages(calls.auth_api_keys_list, "api_keys", page_size)

    @operation("auth_api_keys_create")
    def create(self, name: str, *, password: str, expires_at: str | None = None) -> dict[str, Any]:
        """A new key; its ``key`` (``vx_…``) is in this answer only. ``password``: the account's
        current one (a key outlives access tokens)."""
        result: dict[str, Any] = self._client._run(calls.auth_api_keys_create(name, password, expires_at))
        return result

    @operation("auth_api_keys_revoke")
    def revoke(self, key_id: str) -> dict[str, Any]:
        result: dict[str, Any] = self._client._run(calls.auth_api_keys_revoke(key_id))
        return result


class Auth(_Resource):
    def __init__(self, client: Voxify) -> None:
        super().__init__(client)
        self.api_keys = ApiKeys(client)

    @operation("auth_register")
    def register(self, email: str, password: str, *, first_name: str = "", last_name: str = "") -> dict[str, Any]:
        result: dict[str, Any] = self._client._run(calls.auth_register(email, password, first_name, last_name))
        return result

    @operation("auth_login")
    def login(self, email: str, password: str) -> dict[str, Any]:
        """Sign in; the client uses (and renews) the new tokens from now on."""
        pair: dict[str, Any] = self._client._run(calls.auth_login(email, password))
        self._client.credentials.store(pair)
        return pair

    @operation("auth_refresh")
    def refresh(self) -> dict[str, Any]:
        token = self._client.credentials.refresh_token
        if not token:
            raise AuthenticationError("No refresh token: sign in first.", code="NOT_AUTHENTICATED", status=401)
        pair: dict[str, Any] = self._client._run(calls.auth_refresh(token))
        self._client.credentials.store(pair)
        return pair

    @operation("auth_logout")
    def logout(self) -> None:
        token = self._client.credentials.refresh_token
        if token:
            self._client._run(calls.auth_logout(token))
        self._client.credentials.access_token = self._client.credentials.refresh_token = None

    @operation("auth_me")
    def me(self) -> dict[str, Any]:
        result: dict[str, Any] = self._client._run(calls.auth_me())
        return result

    @operation("auth_usage")
    def usage(self) -> dict[str, Any]:
        result: dict[str, Any] = self._client._run(calls.auth_usage())
        return result

    @operation("auth_password_change")
    def change_password(self, current_password: str, new_password: str) -> dict[str, Any]:
        pair: dict[str, Any] = self._client._run(calls.auth_password_change(current_password, new_password))
        self._client.credentials.store(pair)
        if self._client.credentials.password is not None:
            self._client.credentials.password = new_password
        return pair


class Job:
    """A job started by the API (training, async synthesis): ``wait()`` follows it to the end."""

    def __init__(self, client: Voxify, job_id: str, data: Mapping[str, Any]) -> None:
        self._client = client
        self.id = job_id
        self.data = dict(data)

    def __repr__(self) -> str:
        return f"Job({self.id!r})"

    def get(self) -> dict[str, Any]:
        job: dict[str, Any] = self._client.jobs.get(self.id)
        return job

    def cancel(self) -> dict[str, Any]:
        job: dict[str, Any] = self._client.jobs.cancel(self.id)
        return job

    def wait(self, *, progress: Progress | None = None, timeout: float | None = None) -> dict[str, Any]:
        return self._client.jobs.wait(self.id, progress=progress, timeout=timeout)


class Samples(_Resource):
    @operation("voice_samples_list")
    def list(
        self, *, status: str | None = None, language: str | None = None, page_size: int = 100
    ) -> Iterator[dict[str, Any]]:
        return self._client._pages(calls.voice_samples_list, "samples", page_size, status=status, language=language)

    @operation("voice_samples_upload")
    def upload(self, file: Upload, *, name: str, description: str = "", language: str = "en-US") -> dict[str, Any]:
        result: dict[str, Any] = self._client._run(calls.voice_samples_upload(file, name, description, language))
        return result

    @operation("voice_samples_get")
    def get(self, sample_id: str) -> dict[str, Any]:
        result: dict[str, Any] = self._client._run(calls.voice_samples_get(sample_id))
        return result

    @operation("voice_samples_delete")
    def delete(self, sample_id: str) -> None:
        self._client._run(calls.voice_samples_delete(sample_id))

    @operation("voice_samples_similar")
    def similar(self, sample_id: str, *, limit: int | None = None) -> dict[str, Any]:
        result: dict[str, Any] = self._client._run(calls.voice_samples_similar(sample_id, limit))
        return result

    @operation("voice_samples_train")
    def train(self, sample_id: str, *, config: Mapping[str, Any] | None = None) -> Job:
        started = self._client._run(calls.voice_samples_train(sample_id, config))
        return Job(self._client, started["training_job_id"], started)

    @operation("voice_samples_consent_issue")
    def consent(self, sample_id: str) -> dict[str, Any]:
        """A consent phrase for the sample's speaker to read (docs/responsible-use.md)."""
        result: dict[str, Any] = self._client._run(calls.voice_samples_consent_issue(sample_id))
        return result

    @operation("voice_samples_consent_answer")
    def answer_consent(self, sample_id: str, consent_id: str, file: Upload) -> dict[str, Any]:
        """The recording of the speaker reading the phrase; the judged check (``passed``, ``reasons``)."""
        call = calls.voice_samples_consent_answer(sample_id, consent_id, file)
        result: dict[str, Any] = self._client._run(call)
        return result

    @operation("voice_samples_consent_list")
    def consent_checks(self, sample_id: str, *, page_size: int = 100) -> Iterator[dict[str, Any]]:
        return self._client._pages(calls.voice_samples_consent_list, "consent_checks", page_size, sample_id=sample_id)


Entries = list[dict[str, Any]]  # [{term, alias | phonemes, case_sensitive}]


class Dictionaries(_Resource):
    """Pronunciation dictionaries (docs/synthesis.md): entries ``{term, alias | phonemes, case_sensitive}``."""

    @operation("tts_dictionaries_list")
    def list(self, *, page_size: int = 100) -> Iterator[dict[str, Any]]:
        return self._client._pages(calls.tts_dictionaries_list, "dictionaries", page_size)

    @operation("tts_dictionaries_create")
    def create(
        self,
        name: str,
        *,
        entries: Entries | None = None,
        description: str | None = None,
        is_default: bool | None = None,
    ) -> dict[str, Any]:
        result: dict[str, Any] = self._client._run(
            calls.tts_dictionaries_create(name, description, is_default, entries)
        )
        return result

    @operation("tts_dictionaries_get")
    def get(self, dictionary_id: str) -> dict[str, Any]:
        result: dict[str, Any] = self._client._run(calls.tts_dictionaries_get(dictionary_id))
        return result

    @operation("tts_dictionaries_update")
    def update(
        self,
        dictionary_id: str,
        *,
        name: str | None = None,
        description: str | None = None,
        is_default: bool | None = None,
        entries: Entries | None = None,
    ) -> dict[str, Any]:
        """Change what is given; ``entries`` replaces every entry."""
        changes = {"name": name, "description": description, "is_default": is_default, "entries": entries}
        result: dict[str, Any] = self._client._run(calls.tts_dictionaries_update(dictionary_id, changes))
        return result

    @operation("tts_dictionaries_delete")
    def delete(self, dictionary_id: str) -> dict[str, Any]:
        result: dict[str, Any] = self._client._run(calls.tts_dictionaries_delete(dictionary_id))
        return result


class TTS(_Resource):
    @operation("tts_voices")
    def voices(self) -> list[dict[str, Any]]:
        result: list[dict[str, Any]] = self._client._run(calls.tts_voices())["voices"]
        return result

    @operation("tts_synthesize")
    def synthesize(
        self, text: str, *, voice_id: str | None = None, keep: bool | None = None, **config: Any
    ) -> dict[str, Any]:
        """Speak ``text`` now; config: output_format, sample_rate, speed, pitch, volume, similarity."""
        call = calls.tts_synthesize(text, voice_id, keep, calls.synthesis_config(**config))
        result: dict[str, Any] = self._client._run(call)
        return result

    @operation("tts_synthesize")
    def synthesize_audio(
        self, text: str, *, voice_id: str | None = None, keep: bool | None = None, **config: Any
    ) -> bytes:
        """The same, answered with the audio file's bytes."""
        call = calls.tts_synthesize_audio(text, voice_id, keep, calls.synthesis_config(**config))
        result: bytes = self._client._run(call)
        return result

    @operation("tts_synthesize_async")
    def synthesize_async(
        self, text: str, *, voice_id: str | None = None, keep: bool | None = None, **config: Any
    ) -> Job:
        call = calls.tts_synthesize_async(text, voice_id, keep, calls.synthesis_config(**config))
        started = self._client._run(call)
        return Job(self._client, started["job_id"], started)

    @operation("tts_synthesize_stream")
    def stream(
        self, text: str, *, voice_id: str | None = None, keep: bool | None = None, **config: Any
    ) -> Iterator[AudioChunk]:
        """The audio piece by piece (a sentence or clause each), as each is spoken."""
        call = calls.tts_synthesize_stream(text, voice_id, keep, calls.synthesis_config(**config))
        response = self._client._run(call, stream=True)
        reader = EventReader()
        synthesis_id = ""
        try:
            for text_part in response.iter_text():
                for event in reader.feed(text_part):
                    if event["type"] == "job_info":
                        synthesis_id = event["synthesis_id"]
                    elif event["type"] == "audio_chunk":
                        data = self._client.files.download(event["file_id"])
                        assert isinstance(data, bytes)
                        yield AudioChunk.from_event(event, data, synthesis_id)
                    elif event["type"] == "error":
                        raise stream_failure(event)
        finally:
            response.close()

    @operation("tts_synthesize_stream_ticket")
    def stream_ticket(self) -> dict[str, Any]:
        """A single-use ticket for the stream (for a browser's EventSource)."""
        result: dict[str, Any] = self._client._run(calls.tts_synthesize_stream_ticket())
        return result

    @operation("tts_syntheses_list")
    def history(
        self, *, mode: str | None = None, status: str | None = None, page_size: int = 100
    ) -> Iterator[dict[str, Any]]:
        return self._client._pages(calls.tts_syntheses_list, "syntheses", page_size, mode=mode, status=status)

    @operation("tts_syntheses_get")
    def get(self, synthesis_id: str) -> dict[str, Any]:
        result: dict[str, Any] = self._client._run(calls.tts_syntheses_get(synthesis_id))
        return result

    @operation("tts_syntheses_subtitles")
    def subtitles(self, synthesis_id: str, fmt: str = "srt") -> str:
        """Subtitles (``srt`` or ``vtt``) of a synthesis made with ``timestamps="word"``."""
        data: bytes = self._client._run(calls.tts_syntheses_subtitles(synthesis_id, fmt))
        return data.decode("utf-8")

    @operation("tts_syntheses_update")
    def keep(self, synthesis_id: str, keep: bool = True) -> dict[str, Any]:
        result: dict[str, Any] = self._client._run(calls.tts_syntheses_update(synthesis_id, keep))
        return result

    @operation("tts_syntheses_delete")
    def delete(self, synthesis_id: str) -> None:
        self._client._run(calls.tts_syntheses_delete(synthesis_id))


class Jobs(_Resource):
    @operation("jobs_list")
    def list(
        self, *, status: str | None = None, type: str | None = None, page_size: int = 100
    ) -> Iterator[dict[str, Any]]:
        return self._client._pages(calls.jobs_list, "jobs", page_size, status=status, type=type)

    @operation("jobs_get")
    def get(self, job_id: str) -> dict[str, Any]:
        result: dict[str, Any] = self._client._run(calls.jobs_get(job_id))
        return result

    @operation("jobs_cancel")
    def cancel(self, job_id: str) -> dict[str, Any]:
        result: dict[str, Any] = self._client._run(calls.jobs_cancel(job_id))
        return result

    @operation("jobs_progress_ticket")
    def progress_ticket(self, job_id: str) -> dict[str, Any]:
        result: dict[str, Any] = self._client._run(calls.jobs_progress_ticket(job_id))
        return result

    def wait(self, job_id: str, *, progress: Progress | None = None, timeout: float | None = None) -> dict[str, Any]:
        """Follow the job to its end over the progress WebSocket (polling when the socket is
        refused), calling ``progress`` with each update; the finished job, or JobFailedError."""
        deadline = None if timeout is None else time.monotonic() + timeout
        try:
            self._follow(job_id, progress, deadline)
        except (OSError, InvalidHandshake, WebSocketException, TimeoutError):
            self._poll(job_id, progress, deadline)
        return job_outcome(self.get(job_id))

    def _follow(self, job_id: str, progress: Progress | None, deadline: float | None) -> None:
        client = self._client
        if client.credentials.needs_sign_in:
            client._renew()
        url = websocket_url(client.base_url, job_id)
        with connect(url, additional_headers=client.credentials.header(), open_timeout=30) as socket:
            for raw in socket:
                update = _json(raw)
                if progress is not None:
                    progress(update)
                if update.get("status") in TERMINAL:
                    return
                if deadline is not None and time.monotonic() > deadline:
                    raise TimeoutError(f"job {job_id} did not finish in time")
        raise OSError("the progress socket closed before the job ended")

    def _poll(self, job_id: str, progress: Progress | None, deadline: float | None) -> None:
        while True:
            job = self.get(job_id)
            if progress is not None:
                progress(job)
            if job["status"] in TERMINAL:
                return
            if deadline is not None and time.monotonic() > deadline:
                raise VoxifyError(f"Job {job_id} did not finish in time.", code="TIMEOUT", status=0)
            time.sleep(1.0)


def _json(raw: str | bytes) -> dict[str, Any]:
    import json

    value: dict[str, Any] = json.loads(raw)
    return value


class Tools(_Resource):
    @operation("tools_detect")
    def detect(self, file: Upload) -> dict[str, Any]:
        """Whether a recording carries Voxify's watermark: watermarked, confidence, threshold."""
        result: dict[str, Any] = self._client._run(calls.tools_detect(file))
        return result


class Files(_Resource):
    @operation("files_upload")
    def upload(self, file: Upload) -> dict[str, Any]:
        result: dict[str, Any] = self._client._run(calls.files_upload(file))
        return result

    @operation("files_info")
    def info(self, file_id: str) -> dict[str, Any]:
        result: dict[str, Any] = self._client._run(calls.files_info(file_id))
        return result

    @operation("files_download")
    def download(self, file_id: str, to: str | Path | None = None) -> bytes | Path:
        """The file's bytes, or written to ``to`` (returned as a Path)."""
        data: bytes = self._client._run(calls.files_download(file_id))
        if to is None:
            return data
        target = Path(to)
        target.write_bytes(data)
        return target

    @operation("files_delete")
    def delete(self, file_id: str) -> None:
        self._client._run(calls.files_delete(file_id))


class Admin(_Resource):
    """Staff only (403 for others)."""

    @operation("admin_stats")
    def stats(self) -> dict[str, Any]:
        result: dict[str, Any] = self._client._run(calls.admin_stats())
        return result

    @operation("admin_users_list")
    def users(
        self,
        *,
        search: str | None = None,
        is_active: bool | None = None,
        is_staff: bool | None = None,
        page_size: int = 100,
    ) -> Iterator[dict[str, Any]]:
        filters = {"search": search, "is_active": is_active, "is_staff": is_staff}
        return self._client._pages(calls.admin_users_list, "users", page_size, **filters)

    @operation("admin_config_get")
    def config(self) -> dict[str, Any]:
        result: dict[str, Any] = self._client._run(calls.admin_config_get())
        return result

    @operation("admin_config_update")
    def update_config(self, **values: Any) -> dict[str, Any]:
        result: dict[str, Any] = self._client._run(calls.admin_config_update(values))
        return result


class OpenAI(_Resource):
    """The OpenAI-compatible API at ``/v1`` (also usable with the ``openai`` package)."""

    @operation("openai_audio_speech")
    def speech(
        self,
        input: str,
        *,
        voice: str = "alloy",
        model: str = "tts-1",
        response_format: str = "mp3",
        speed: float = 1.0,
    ) -> bytes:
        body = {"model": model, "voice": voice, "input": input, "response_format": response_format, "speed": speed}
        result: bytes = self._client._run(calls.openai_audio_speech(body))
        return result

    @operation("openai_voices")
    def voices(self) -> dict[str, Any]:
        result: dict[str, Any] = self._client._run(calls.openai_voices())
        return result

    @operation("openai_models")
    def models(self) -> dict[str, Any]:
        result: dict[str, Any] = self._client._run(calls.openai_models())
        return result
