"""The Django admin for staff: every page renders, non-staff get 403, actions work."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.models import DailyUsage, User
from configuration.admin import SystemConfigAdmin
from configuration.config import CONFIG_FIELDS, system_config
from jobs.models import Job
from jobs.services import job_create
from tests.support.speech_data import recording
from tests.support.uploads import upload
from voices.models import VoiceSample

pytestmark = pytest.mark.django_db


@pytest.fixture
def data(alice: tuple[User, APIClient]) -> dict[str, Any]:
    """A user with an uploaded sample, a synthesis and a pending job."""
    user, client = alice
    sample = VoiceSample.objects.get(
        public_id=upload(client, recording("1089-134686-0000.wav").path).json()["data"]["sample_id"]
    )
    synthesis = client.post("/api/v1/tts/synthesize", {"text": "Hello there."}, format="json").json()["data"]
    job = job_create(
        owner=user, type=Job.Type.VOICE_TRAINING, title="Voice Training - test", params={}, estimated_duration=10
    )
    return {"user": user, "sample": sample, "synthesis_id": synthesis["synthesis_id"], "job": job}


def _pages(data: dict[str, Any]) -> list[str]:
    from files.models import StoredFile
    from synthesis.models import Synthesis

    synthesis = Synthesis.objects.get(public_id=data["synthesis_id"])
    config = system_config()
    return [
        reverse("admin:index"),
        reverse("admin:stats"),
        reverse("admin:accounts_user_changelist"),
        reverse("admin:accounts_user_change", args=[data["user"].pk]),
        reverse("admin:voices_voicesample_changelist"),
        reverse("admin:voices_voicesample_change", args=[data["sample"].pk]),
        reverse("admin:jobs_job_changelist"),
        reverse("admin:jobs_job_change", args=[data["job"].pk]),
        reverse("admin:files_storedfile_changelist"),
        reverse("admin:files_storedfile_change", args=[data["sample"].source_file_id]),
        reverse("admin:files_storedfile_content", args=[StoredFile.objects.first().pk]),  # type: ignore[union-attr]
        reverse("admin:synthesis_synthesis_changelist"),
        reverse("admin:synthesis_synthesis_change", args=[synthesis.pk]),
        reverse("admin:configuration_systemconfig_change", args=[config.pk]),
    ]


def test_every_admin_page_renders_for_staff(data: dict[str, Any], staff_browser: Callable[[], Client]) -> None:
    browser = staff_browser()
    for url in _pages(data):
        response = browser.get(url)
        assert response.status_code == 200, url
    index = browser.get(reverse("admin:index")).content.decode()
    assert reverse("admin:stats") in index
    assert 'href="http' not in index and "cdn" not in index.lower()


def test_non_staff_get_403_and_anonymous_the_login_page(data: dict[str, Any]) -> None:
    user_browser = Client()
    user_browser.force_login(data["user"])
    anonymous = Client()
    for url in _pages(data):
        assert user_browser.get(url).status_code == 403, url
        response = anonymous.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("admin:login")), url
    # Actions are refused as well.
    refused = user_browser.post(
        reverse("admin:jobs_job_changelist"), {"action": "cancel_jobs", "_selected_action": [data["job"].pk]}
    )
    assert refused.status_code == 403
    data["job"].refresh_from_db()
    assert data["job"].status == Job.Status.PENDING


def test_stats_dashboard_shows_the_numbers_and_a_30_day_chart(
    data: dict[str, Any], staff_browser: Callable[[], Client]
) -> None:
    from datetime import timedelta

    from django.utils import timezone

    DailyUsage.objects.create(
        user=data["user"], day=timezone.now().date() - timedelta(days=10), kind="syntheses", count=7
    )
    page = staff_browser().get(reverse("admin:stats"))
    html = page.content.decode()

    assert page.status_code == 200
    for caption in ["Users", "Voice samples", "Syntheses", "System"]:
        assert f"<caption>{caption}</caption>" in html
    assert html.count('<rect class="bar"') == 30
    assert "(8 in all, UTC days)" in html  # today's synthesis + the 7 of ten days ago
    assert html.count("<title>") >= 30 and ": 7</title>" in html
    assert "<script" not in html.split('<div id="content-main">', 1)[1]


def test_voice_sample_page_plays_its_recording(data: dict[str, Any], staff_browser: Callable[[], Client]) -> None:
    browser = staff_browser()
    sample: VoiceSample = data["sample"]
    html = browser.get(reverse("admin:voices_voicesample_change", args=[sample.pk])).content.decode()
    content_url = reverse("admin:files_storedfile_content", args=[sample.source_file_id])

    audio = browser.get(content_url)
    ranged = browser.get(content_url, HTTP_RANGE="bytes=0-99")

    assert f'<audio controls preload="none" src="{content_url}"' in html
    assert audio.status_code == 200
    body = b"".join(audio.streaming_content)  # type: ignore[attr-defined]
    assert body[:4] == b"RIFF" and len(body) == sample.source_file.size
    assert audio["Content-Type"] == sample.source_file.content_type
    assert "inline" in audio["Content-Disposition"]
    assert ranged.status_code == 206 and ranged["Content-Range"] == f"bytes 0-99/{sample.source_file.size}"


def test_job_cancel_action(data: dict[str, Any], staff_browser: Callable[[], Client]) -> None:
    browser = staff_browser()
    done = job_create(owner=data["user"], type=Job.Type.VOICE_TRAINING, title="done", params={}, estimated_duration=10)
    Job.objects.filter(pk=done.pk).update(status=Job.Status.COMPLETED)

    response = browser.post(
        reverse("admin:jobs_job_changelist"),
        {"action": "cancel_jobs", "_selected_action": [data["job"].pk, done.pk]},
        follow=True,
    )

    data["job"].refresh_from_db()
    done.refresh_from_db()
    assert response.status_code == 200
    assert data["job"].status == Job.Status.CANCELLED
    assert done.status == Job.Status.COMPLETED
    messages = [str(m) for m in response.context["messages"]]
    assert "Cancelled 1 job(s)." in messages
    assert any("already finished" in m for m in messages)


def test_user_deactivate_and_activate_actions(
    data: dict[str, Any], staff: tuple[User, APIClient], staff_browser: Callable[[], Client]
) -> None:
    browser = staff_browser()
    user, staff_user = data["user"], staff[0]
    changelist = reverse("admin:accounts_user_changelist")

    browser.post(changelist, {"action": "deactivate_users", "_selected_action": [user.pk, staff_user.pk]})
    user.refresh_from_db()
    staff_user.refresh_from_db()
    assert not user.is_active and staff_user.is_active  # staff cannot lock themselves out
    assert (
        APIClient()
        .post("/api/v1/auth/login", {"email": user.email, "password": "Correct-Horse-42-battery"}, format="json")
        .status_code
        == 401
    )

    browser.post(changelist, {"action": "activate_users", "_selected_action": [user.pk]})
    user.refresh_from_db()
    assert user.is_active
    listing = browser.get(changelist, {"q": "alice"}).content.decode()
    assert 'class="field-voice_samples">1<' in listing and 'class="field-syntheses">1<' in listing


def test_configuration_page_edits_the_one_row(
    staff_browser: Callable[[], Client], staff: tuple[User, APIClient]
) -> None:
    browser = staff_browser()
    listing = browser.get(reverse("admin:configuration_systemconfig_changelist"))
    config = system_config()
    url = reverse("admin:configuration_systemconfig_change", args=[config.pk])
    form = {name: getattr(config, name) for name in CONFIG_FIELDS}

    saved = browser.post(url, {**form, "syntheses_per_day": 7}, follow=True)
    invalid = browser.post(url, {**form, "syntheses_per_day": -3, "default_sample_rate": 96000})

    assert listing.status_code == 302 and listing["Location"] == url
    assert browser.get(reverse("admin:configuration_systemconfig_add")).status_code == 403
    assert saved.status_code == 200
    assert system_config().syntheses_per_day == 7  # in force at once in this process
    assert system_config().updated_by == staff[0]
    assert invalid.status_code == 200  # the form again, with its errors
    assert set(invalid.context["adminform"].form.errors) == {"syntheses_per_day", "default_sample_rate"}
    assert system_config().syntheses_per_day == 7
    grouped = [name for _, group in SystemConfigAdmin.fieldsets for name in group["fields"]]
    assert sorted(grouped) == sorted([*CONFIG_FIELDS, "updated_at", "updated_by"])  # each field once


def test_a_samples_active_model_is_chosen_among_its_own_and_measurements_are_read_only(
    data: dict[str, Any],
    make_user: Callable[[str], tuple[User, APIClient]],
    staff_browser: Callable[[], Client],
    trained_artefact: Any,
) -> None:
    from tests.synthesis.conftest import attach_voice

    sample: VoiceSample = attach_voice(data["sample"].public_id, trained_artefact)
    _, bob = make_user("bob@example.com")
    bobs = attach_voice(upload(bob, recording("LJ001-0001.wav").path).json()["data"]["sample_id"], trained_artefact)
    browser = staff_browser()
    url = reverse("admin:voices_voicesample_change", args=[sample.pk])

    html = browser.get(url).content.decode()
    form: dict[str, Any] = {"name": "renamed", "description": "", "language": "en-US"}
    form["active_model"] = bobs.active_model_id
    for prefix in re.findall(r'name="([\w-]+)-TOTAL_FORMS"', html):  # the inlines' management forms
        form |= {f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0}
    refused = browser.post(url, form)

    assert f'value="{sample.active_model_id}"' in html and f'value="{bobs.active_model_id}"' not in html
    for field in ("status", "quality_score", "duration", "owner"):
        assert f'name="{field}"' not in html
    assert refused.status_code == 200 and "Select a valid choice" in refused.content.decode()
    sample.refresh_from_db()
    assert sample.active_model_id != bobs.active_model_id and sample.name != "renamed"
    accepted = browser.post(url, {**form, "active_model": sample.active_model_id})
    assert accepted.status_code == 302, accepted.context["adminform"].form.errors
    sample.refresh_from_db()
    assert sample.name == "renamed"
