"""Migrations that move data keep it: the live configuration's move to its own app, and jobs
naming their voice sample by public id instead of a foreign key."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)

# Before the moves: each app at its newest migration, except these.
BEFORE = {"operations": "0002_storage_cap", "jobs": "0001_initial"}


def _before(latest: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return [(app, BEFORE.get(app, name)) for app, name in latest if app != "configuration"]


def test_the_moves_keep_the_configuration_row_and_each_jobs_sample() -> None:
    executor = MigrationExecutor(connection)
    latest: list[tuple[str, str]] = list(executor.loader.graph.leaf_nodes())
    before = _before(latest)
    executor.migrate([*before, ("configuration", None)])
    old = executor.loader.project_state(before).apps
    try:
        owner = old.get_model("accounts", "User").objects.create(email="old@example.com", password="!")
        configs = old.get_model("operations", "SystemConfig").objects
        configs.all().delete()  # a live stack of an earlier test may have left the row (real-services mode)
        configs.create(
            pk=1,
            max_voice_samples_per_user=7,
            max_upload_mb=3,
            uploads_per_day=11,
            voice_sample_min_seconds=2.0,
            voice_sample_max_seconds=40.0,
            max_synthesis_length=900,
            max_stream_synthesis_length=800,
            max_async_text_length=5000,
            syntheses_per_day=13,
            default_sample_rate=16000,
            default_output_format="ogg",
            requests_per_minute=77,
            file_ttl_hours=5.0,
            storage_mb_per_user=99,
            updated_by=owner,
        )
        source = old.get_model("files", "StoredFile").objects.create(
            public_id="file_old",
            owner=owner,
            kind="voice_sample",
            storage_key="old/key.wav",
            filename="a.wav",
            content_type="audio/wav",
            size=10,
            sha256="0" * 64,
        )
        sample = old.get_model("voices", "VoiceSample").objects.create(
            public_id="vs_old",
            owner=owner,
            name="Old",
            format="wav",
            duration=5.0,
            sample_rate=16000,
            channels=1,
            file_size=10,
            quality_score=8.0,
            embedding=b"\0" * 1024,
            source_file=source,
        )
        jobs = old.get_model("jobs", "Job").objects
        jobs.create(public_id="job_train_a", owner=owner, type="voice_training", title="t", voice_sample=sample)
        jobs.create(public_id="job_syn_b", owner=owner, type="synthesis", title="s")
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(latest)

    new = executor.loader.project_state(latest).apps
    config = new.get_model("configuration", "SystemConfig").objects.get(pk=1)
    assert (config.max_upload_mb, config.requests_per_minute, config.default_output_format) == (3, 77, "ogg")
    assert config.storage_mb_per_user == 99 and config.updated_by_id is not None
    ours = new.get_model("jobs", "Job").objects.filter(public_id__in=["job_train_a", "job_syn_b"])
    subjects = dict(ours.values_list("public_id", "subject"))
    assert subjects == {"job_train_a": "vs_old", "job_syn_b": ""}
    content_types = new.get_model("contenttypes", "ContentType").objects
    assert not content_types.filter(app_label="operations", model="systemconfig").exists()
