"""Reading and changing the live configuration.

Every process (web, gRPC, worker, beat) reads the one SystemConfig row through
``system_config()``, which keeps it for at most ``CONFIG_REFRESH_SECONDS`` (2 s by default):
a change made anywhere is in force everywhere within that time, at the cost of one small
query per process every few seconds. The row is created on first read from the environment
variables of the same names (docs/configuration.md), so a fresh install starts from them.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction

from configuration.models import SystemConfig
from voxify_project.errors import InvalidInput

# Field -> the setting (environment variable) that seeds it.
CONFIG_FIELDS: tuple[str, ...] = (
    "max_voice_samples_per_user",
    "max_upload_mb",
    "uploads_per_day",
    "voice_sample_min_seconds",
    "voice_sample_max_seconds",
    "max_synthesis_length",
    "max_stream_synthesis_length",
    "max_async_text_length",
    "max_synthesis_audio_seconds",
    "max_stream_audio_seconds",
    "max_async_audio_seconds",
    "max_spoken_text_ratio",
    "max_pieces_ratio",
    "syntheses_per_day",
    "audio_seconds_per_day",
    "default_sample_rate",
    "default_output_format",
    "requests_per_minute",
    "file_ttl_hours",
    "storage_mb_per_user",
    "consent_required",
)

_lock = threading.Lock()
_cached: tuple[float, SystemConfig] | None = None


def seed_values() -> dict[str, Any]:
    """The configuration the environment asks for, used when the row is first created."""
    return {name: getattr(settings, name.upper()) for name in CONFIG_FIELDS}


def unknown_field_errors(names: Iterable[str]) -> dict[str, list[str]]:
    """A validation error for each name that is not a configuration field (typos must not
    pass silently)."""
    return {name: ["Unknown configuration field."] for name in sorted(set(names) - set(CONFIG_FIELDS))}


def system_config() -> SystemConfig:
    """The configuration in force: at most ``CONFIG_REFRESH_SECONDS`` old."""
    global _cached
    entry = _cached
    now = time.monotonic()
    if entry is not None and entry[0] > now:
        return entry[1]
    config, _ = SystemConfig.objects.get_or_create(pk=SystemConfig.SINGLETON_PK, defaults=seed_values())
    with _lock:
        _cached = (now + settings.CONFIG_REFRESH_SECONDS, config)
    return config


def system_config_forget() -> None:
    """Drop this process's copy: the next read goes to the database."""
    global _cached
    with _lock:
        _cached = None


def system_config_update(*, changes: dict[str, Any], by: AbstractBaseUser | None = None) -> SystemConfig:
    """Apply ``changes`` (any subset of CONFIG_FIELDS), validated as a whole, and save.

    Raises InvalidInput (VALIDATION_ERROR) naming each bad field; nothing is saved then.
    """
    unknown = unknown_field_errors(changes)
    if unknown:
        raise InvalidInput(details=unknown)
    system_config()  # make sure the row exists
    with transaction.atomic():
        config = SystemConfig.objects.select_for_update().get(pk=SystemConfig.SINGLETON_PK)
        for name, value in changes.items():
            setattr(config, name, value)
        config.updated_by_id = None if by is None else by.pk
        try:
            config.full_clean(exclude=["updated_by"])
        except ValidationError as exc:
            raise InvalidInput(details=exc.message_dict) from exc
        config.save()
    system_config_forget()
    return config
