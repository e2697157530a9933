"""The asynchronous client, ``AsyncVoxify``: the same resources and methods as ``Voxify``, awaited."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Mapping
from pathlib import Path
from typing import Any

import httpx
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidHandshake, WebSocketException

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


class AsyncVoxify:
    """``Voxify`` for asyncio: ``async with AsyncVoxify(base_url, api_key=...) as client``."""

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
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.credentials = Credentials(api_key, access_token, refresh_token, email, password)
        self._http = httpx.AsyncClient(base_url=self.base_url, timeout=timeout, transport=transport)
        self.auth = Auth(self)
        self.samples = Samples(self)
        self.tts = TTS(self)
        self.dictionaries = Dictionaries(self)
        self.jobs = Jobs(self)
        self.files = Files(self)
        self.tools = Tools(self)
        self.admin = Admin(self)
        self.openai = OpenAI(self)

    async def __aenter__(self) -> AsyncVoxify:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def close(self) -> None:
        await self._http.aclose()

    async def _send(self, call: Call, *, stream: bool = False) -> httpx.Response:
        try:
            with request_arguments(call, self.credentials) as arguments:
                if stream:
                    return await self._http.send(self._http.build_request(**arguments), stream=True)
                return await self._http.request(**arguments)
        except httpx.TransportError as exc:
            raise network_error(exc) from exc

    async def _renew(self) -> bool:
        """A new access token after a 401: refresh, else sign in again. False if neither can."""
        creds = self.credentials
        if creds.api_key:
            return False
        if creds.refresh_token:
            creds.access_token = None
            call = calls.auth_refresh(creds.refresh_token)
            try:
                creds.store(answer(await self._send(call), call))
                return True
            except AuthenticationError:
                creds.refresh_token = None
        if creds.email and creds.password:
            creds.access_token = None
            await self.auth.login(creds.email, creds.password)
            return True
        return False

    async def _run(self, call: Call, *, stream: bool = False) -> Any:
        if self.credentials.needs_sign_in and not call.operation.startswith("auth_"):
            await self._renew()
        response = await self._send(call, stream=stream)
        if response.status_code == 401 and call.operation not in ("auth_login", "auth_refresh") and await self._renew():
            await response.aclose()
            response = await self._send(call, stream=stream)
        if stream:
            if response.status_code >= 400:
                await response.aread()
                answer(response, call)
            return response
        return answer(response, call)

    async def _pages(self, build: Any, key: str, page_size: int, **filters: Any) -> AsyncIterator[dict[str, Any]]:
        page = 1
        while True:
            data = await self._run(build(page=page, page_size=page_size, **filters))
            for item in data[key]:
                yield item
            if not data["pagination"]["has_next"]:
                return
            page += 1


class _Resource:
    def __init__(self, client: AsyncVoxify) -> None:
        self._client = client


class ApiKeys(_Resource):
    @operation("auth_api_keys_list")
    def list(self, *, page_size: int = 100) -> AsyncIterator[dict[str, Any]]:
        return self._client._pages(calls.auth_api_keys_list, "api_keys", page_size)

    @operation("auth_api_keys_create")
    async def create(self, name: str, *, password: str, expires_at: str | None = None) -> dict[str, Any]:
        """A new key; its ``key`` (``vx_…``) is in this answer only. ``password``: the account's
        current one (a key outlives access tokens)."""
        result: dict[str, Any] = await self._client._run(calls.auth_api_keys_create(name, password, expires_at))
        return result

    @operation("auth_api_keys_revoke")
    async def revoke(self, key_id: str) -> dict[str, Any]:
        result: dict[str, Any] = await self._client._run(calls.auth_api_keys_revoke(key_id))
        return result


class Auth(_Resource):
    def __init__(self, client: AsyncVoxify) -> None:
        super().__init__(client)
        self.api_keys = ApiKeys(client)

    @operation("auth_register")
    async def register(self, email: str, password: str, *, first_name: str = "", last_name: str = "") -> dict[str, Any]:
        result: dict[str, Any] = await self._client._run(calls.auth_register(email, password, first_name, last_name))
        return result

    @operation("auth_login")
    async def login(self, email: str, password: str) -> dict[str, Any]:
        """Sign in; the client uses (and renews) the new tokens from now on."""
        pair: dict[str, Any] = await self._client._run(calls.auth_login(email, password))
        self._client.credentials.store(pair)
        return pair

    @operation("auth_refresh")
    async def refresh(self) -> dict[str, Any]:
        token = self._client.credentials.refresh_token
        if not token:
            raise AuthenticationError("No refresh token: sign in first.", code="NOT_AUTHENTICATED", status=401)
        pair: dict[str, Any] = await self._client._run(calls.auth_refresh(token))
        self._client.credentials.store(pair)
        return pair

    @operation("auth_logout")
    async def logout(self) -> None:
        token = self._client.credentials.refresh_token
        if token:
            await self._client._run(calls.auth_logout(token))
        self._client.credentials.access_token = self._client.credentials.refresh_token = None

    @operation("auth_me")
    async def me(self) -> dict[str, Any]:
        result: dict[str, Any] = await self._client._run(calls.auth_me())
        return result

    @operation("auth_usage")
    async def usage(self) -> dict[str, Any]:
        result: dict[str, Any] = await self._client._run(calls.auth_usage())
        return result

    @operation("auth_password_change")
    async def change_password(self, current_password: str, new_password: str) -> dict[str, Any]:
        pair: dict[str, Any] = await self._client._run(calls.auth_password_change(current_password, new_password))
        self._client.credentials.store(pair)
        if self._client.credentials.password is not None:
            self._client.credentials.password = new_password
        return pair


class Job:
    """A job started by the API (training, async synthesis): ``wait()`` follows it to the end."""

    def __init__(self, client: AsyncVoxify, job_id: str, data: Mapping[str, Any]) -> None:
        self._client = client
        self.id = job_id
        self.data = dict(data)

    def __repr__(self) -> str:
        return f"Job({self.id!r})"

    async def get(self) -> dict[str, Any]:
        job: dict[str, Any] = await self._client.jobs.get(self.id)
        return job

    async def cancel(self) -> dict[str, Any]:
        job: dict[str, Any] = await self._client.jobs.cancel(self.id)
        return job

    async def wait(self, *, progress: Progress | None = None, timeout: float | None = None) -> dict[str, Any]:
        return await self._client.jobs.wait(self.id, progress=progress, timeout=timeout)


class Samples(_Resource):
    @operation("voice_samples_list")
    def list(
        self, *, status: str | None = None, language: str | None = None, page_size: int = 100
    ) -> AsyncIterator[dict[str, Any]]:
        return self._client._pages(calls.voice_samples_list, "samples", page_size, status=status, language=language)

    @operation("voice_samples_upload")
    async def upload(
        self, file: Upload, *, name: str, description: str = "", language: str = "en-US"
    ) -> dict[str, Any]:
        result: dict[str, Any] = await self._client._run(calls.voice_samples_upload(file, name, description, language))
        return result

    @operation("voice_samples_get")
    async def get(self, sample_id: str) -> dict[str, Any]:
        result: dict[str, Any] = await self._client._run(calls.voice_samples_get(sample_id))
        return result

    @operation("voice_samples_delete")
    async def delete(self, sample_id: str) -> None:
        await self._client._run(calls.voice_samples_delete(sample_id))

    @operation("voice_samples_similar")
    async def similar(self, sample_id: str, *, limit: int | None = None) -> dict[str, Any]:
        result: dict[str, Any] = await self._client._run(calls.voice_samples_similar(sample_id, limit))
        return result

    @operation("voice_samples_train")
    async def train(self, sample_id: str, *, config: Mapping[str, Any] | None = None) -> Job:
        started = await self._client._run(calls.voice_samples_train(sample_id, config))
        return Job(self._client, started["training_job_id"], started)

    @operation("voice_samples_consent_issue")
    async def consent(self, sample_id: str) -> dict[str, Any]:
        """A consent phrase for the sample's speaker to read (docs/responsible-use.md)."""
        result: dict[str, Any] = await self._client._run(calls.voice_samples_consent_issue(sample_id))
        return result

    @operation("voice_samples_consent_answer")
    async def answer_consent(self, sample_id: str, consent_id: str, file: Upload) -> dict[str, Any]:
        """The recording of the speaker reading the phrase; the judged check (``passed``, ``reasons``)."""
        call = calls.voice_samples_consent_answer(sample_id, consent_id, file)
        result: dict[str, Any] = await self._client._run(call)
        return result

    @operation("voice_samples_consent_list")
    def consent_checks(self, sample_id: str, *, page_size: int = 100) -> AsyncIterator[dict[str, Any]]:
        return self._client._pages(calls.voice_samples_consent_list, "consent_checks", page_size, sample_id=sample_id)


Entries = list[dict[str, Any]]  # [{term, alias | phonemes, case_sensitive}]


class Dictionaries(_Resource):
    """Pronunciation dictionaries (docs/synthesis.md): entries ``{term, alias | phonemes, case_sensitive}``."""

    @operation("tts_dictionaries_list")
    def list(self, *, page_size: int = 100) -> AsyncIterator[dict[str, Any]]:
        return self._client._pages(calls.tts_dictionaries_list, "dictionaries", page_size)

    @operation("tts_dictionaries_create")
    async def create(
        self,
        name: str,
        *,
        entries: Entries | None = None,
        description: str | None = None,
        is_default: bool | None = None,
    ) -> dict[str, Any]:
        result: dict[str, Any] = await self._client._run(
            calls.tts_dictionaries_create(name, description, is_default, entries)
        )
        return result

    @operation("tts_dictionaries_get")
    async def get(self, dictionary_id: str) -> dict[str, Any]:
        result: dict[str, Any] = await self._client._run(calls.tts_dictionaries_get(dictionary_id))
        return result

    @operation("tts_dictionaries_update")
    async def update(
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
        result: dict[str, Any] = await self._client._run(calls.tts_dictionaries_update(dictionary_id, changes))
        return result

    @operation("tts_dictionaries_delete")
    async def delete(self, dictionary_id: str) -> dict[str, Any]:
        result: dict[str, Any] = await self._client._run(calls.tts_dictionaries_delete(dictionary_id))
        return result


class TTS(_Resource):
    @operation("tts_voices")
    async def voices(self) -> list[dict[str, Any]]:
        result: list[dict[str, Any]] = (await self._client._run(calls.tts_voices()))["voices"]
        return result

    @operation("tts_synthesize")
    async def synthesize(
        self, text: str, *, voice_id: str | None = None, keep: bool | None = None, **config: Any
    ) -> dict[str, Any]:
        """Speak ``text`` now; config: output_format, sample_rate, speed, pitch, volume, similarity."""
        call = calls.tts_synthesize(text, voice_id, keep, calls.synthesis_config(**config))
        result: dict[str, Any] = await self._client._run(call)
        return result

    @operation("tts_synthesize")
    async def synthesize_audio(
        self, text: str, *, voice_id: str | None = None, keep: bool | None = None, **config: Any
    ) -> bytes:
        """The same, answered with the audio file's bytes."""
        call = calls.tts_synthesize_audio(text, voice_id, keep, calls.synthesis_config(**config))
        result: bytes = await self._client._run(call)
        return result

    @operation("tts_synthesize_async")
    async def synthesize_async(
        self, text: str, *, voice_id: str | None = None, keep: bool | None = None, **config: Any
    ) -> Job:
        call = calls.tts_synthesize_async(text, voice_id, keep, calls.synthesis_config(**config))
        started = await self._client._run(call)
        return Job(self._client, started["job_id"], started)

    @operation("tts_synthesize_stream")
    async def stream(
        self, text: str, *, voice_id: str | None = None, keep: bool | None = None, **config: Any
    ) -> AsyncIterator[AudioChunk]:
        """The audio piece by piece (a sentence or clause each), as each is spoken."""
        call = calls.tts_synthesize_stream(text, voice_id, keep, calls.synthesis_config(**config))
        response = await self._client._run(call, stream=True)
        reader = EventReader()
        synthesis_id = ""
        try:
            async for text_part in response.aiter_text():
                for event in reader.feed(text_part):
                    if event["type"] == "job_info":
                        synthesis_id = event["synthesis_id"]
                    elif event["type"] == "audio_chunk":
                        data = await self._client.files.download(event["file_id"])
                        assert isinstance(data, bytes)
                        yield AudioChunk.from_event(event, data, synthesis_id)
                    elif event["type"] == "error":
                        raise stream_failure(event)
        finally:
            await response.aclose()

    @operation("tts_synthesize_stream_ticket")
    async def stream_ticket(self) -> dict[str, Any]:
        """A single-use ticket for the stream (for a browser's EventSource)."""
        result: dict[str, Any] = await self._client._run(calls.tts_synthesize_stream_ticket())
        return result

    @operation("tts_syntheses_list")
    def history(
        self, *, mode: str | None = None, status: str | None = None, page_size: int = 100
    ) -> AsyncIterator[dict[str, Any]]:
        return self._client._pages(calls.tts_syntheses_list, "syntheses", page_size, mode=mode, status=status)

    @operation("tts_syntheses_get")
    async def get(self, synthesis_id: str) -> dict[str, Any]:
        result: dict[str, Any] = await self._client._run(calls.tts_syntheses_get(synthesis_id))
        return result

    @operation("tts_syntheses_subtitles")
    async def subtitles(self, synthesis_id: str, fmt: str = "srt") -> str:
        """Subtitles (``srt`` or ``vtt``) of a synthesis made with ``timestamps="word"``."""
        data: bytes = await self._client._run(calls.tts_syntheses_subtitles(synthesis_id, fmt))
        return data.decode("utf-8")

    @operation("tts_syntheses_update")
    async def keep(self, synthesis_id: str, keep: bool = True) -> dict[str, Any]:
        result: dict[str, Any] = await self._client._run(calls.tts_syntheses_update(synthesis_id, keep))
        return result

    @operation("tts_syntheses_delete")
    async def delete(self, synthesis_id: str) -> None:
        await self._client._run(calls.tts_syntheses_delete(synthesis_id))


class Jobs(_Resource):
    @operation("jobs_list")
    def list(
        self, *, status: str | None = None, type: str | None = None, page_size: int = 100
    ) -> AsyncIterator[dict[str, Any]]:
        return self._client._pages(calls.jobs_list, "jobs", page_size, status=status, type=type)

    @operation("jobs_get")
    async def get(self, job_id: str) -> dict[str, Any]:
        result: dict[str, Any] = await self._client._run(calls.jobs_get(job_id))
        return result

    @operation("jobs_cancel")
    async def cancel(self, job_id: str) -> dict[str, Any]:
        result: dict[str, Any] = await self._client._run(calls.jobs_cancel(job_id))
        return result

    @operation("jobs_progress_ticket")
    async def progress_ticket(self, job_id: str) -> dict[str, Any]:
        result: dict[str, Any] = await self._client._run(calls.jobs_progress_ticket(job_id))
        return result

    async def wait(
        self, job_id: str, *, progress: Progress | None = None, timeout: float | None = None
    ) -> dict[str, Any]:
        """Follow the job to its end over the progress WebSocket (polling when the socket is
        refused), calling ``progress`` with each update; the finished job, or JobFailedError."""
        deadline = None if timeout is None else time.monotonic() + timeout
        try:
            await self._follow(job_id, progress, deadline)
        except (OSError, InvalidHandshake, WebSocketException, TimeoutError):
            await self._poll(job_id, progress, deadline)
        return job_outcome(await self.get(job_id))

    async def _follow(self, job_id: str, progress: Progress | None, deadline: float | None) -> None:
        client = self._client
        if client.credentials.needs_sign_in:
            await client._renew()
        url = websocket_url(client.base_url, job_id)
        async with connect(url, additional_headers=client.credentials.header(), open_timeout=30) as socket:
            async for raw in socket:
                update = _json(raw)
                if progress is not None:
                    progress(update)
                if update.get("status") in TERMINAL:
                    return
                if deadline is not None and time.monotonic() > deadline:
                    raise TimeoutError(f"job {job_id} did not finish in time")
        raise OSError("the progress socket closed before the job ended")

    async def _poll(self, job_id: str, progress: Progress | None, deadline: float | None) -> None:
        while True:
            job = await self.get(job_id)
            if progress is not None:
                progress(job)
            if job["status"] in TERMINAL:
                return
            if deadline is not None and time.monotonic() > deadline:
                raise VoxifyError(f"Job {job_id} did not finish in time.", code="TIMEOUT", status=0)
            await asyncio.sleep(1.0)


def _json(raw: str | bytes) -> dict[str, Any]:
    import json

    value: dict[str, Any] = json.loads(raw)
    return value


class Tools(_Resource):
    @operation("tools_detect")
    async def detect(self, file: Upload) -> dict[str, Any]:
        """Whether a recording carries Voxify's watermark: watermarked, confidence, threshold."""
        result: dict[str, Any] = await self._client._run(calls.tools_detect(file))
        return result


class Files(_Resource):
    @operation("files_upload")
    async def upload(self, file: Upload) -> dict[str, Any]:
        result: dict[str, Any] = await self._client._run(calls.files_upload(file))
        return result

    @operation("files_info")
    async def info(self, file_id: str) -> dict[str, Any]:
        result: dict[str, Any] = await self._client._run(calls.files_info(file_id))
        return result

    @operation("files_download")
    async def download(self, file_id: str, to: str | Path | None = None) -> bytes | Path:
        """The file's bytes, or written to ``to`` (returned as a Path)."""
        data: bytes = await self._client._run(calls.files_download(file_id))
        if to is None:
            return data
        target = Path(to)
        target.write_bytes(data)
        return target

    @operation("files_delete")
    async def delete(self, file_id: str) -> None:
        await self._client._run(calls.files_delete(file_id))


class Admin(_Resource):
    """Staff only (403 for others)."""

    @operation("admin_stats")
    async def stats(self) -> dict[str, Any]:
        result: dict[str, Any] = await self._client._run(calls.admin_stats())
        return result

    @operation("admin_users_list")
    def users(
        self,
        *,
        search: str | None = None,
        is_active: bool | None = None,
        is_staff: bool | None = None,
        page_size: int = 100,
    ) -> AsyncIterator[dict[str, Any]]:
        filters = {"search": search, "is_active": is_active, "is_staff": is_staff}
        return self._client._pages(calls.admin_users_list, "users", page_size, **filters)

    @operation("admin_config_get")
    async def config(self) -> dict[str, Any]:
        result: dict[str, Any] = await self._client._run(calls.admin_config_get())
        return result

    @operation("admin_config_update")
    async def update_config(self, **values: Any) -> dict[str, Any]:
        result: dict[str, Any] = await self._client._run(calls.admin_config_update(values))
        return result


class OpenAI(_Resource):
    """The OpenAI-compatible API at ``/v1`` (also usable with the ``openai`` package)."""

    @operation("openai_audio_speech")
    async def speech(
        self,
        input: str,
        *,
        voice: str = "alloy",
        model: str = "tts-1",
        response_format: str = "mp3",
        speed: float = 1.0,
    ) -> bytes:
        body = {"model": model, "voice": voice, "input": input, "response_format": response_format, "speed": speed}
        result: bytes = await self._client._run(calls.openai_audio_speech(body))
        return result

    @operation("openai_voices")
    async def voices(self) -> dict[str, Any]:
        result: dict[str, Any] = await self._client._run(calls.openai_voices())
        return result

    @operation("openai_models")
    async def models(self) -> dict[str, Any]:
        result: dict[str, Any] = await self._client._run(calls.openai_models())
        return result
