"""GET /api/v1/admin/stats, /users and GET/PUT /config: staff only, the document's shapes."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from rest_framework.test import APIClient
from rest_framework_simplejwt.token_blacklist.models import OutstandingToken

from accounts.models import DailyUsage, User
from configuration.config import system_config
from configuration.models import SystemConfig
from files.models import StoredFile
from synthesis.models import Synthesis
from tests.support.api import STRONG_PASSWORD
from tests.support.speech_data import recording
from tests.support.uploads import upload
from voices.models import VoiceSample

pytestmark = pytest.mark.django_db
ADMIN = "/api/v1/admin"
ENDPOINTS = [
    ("get", f"{ADMIN}/stats"),
    ("get", f"{ADMIN}/users"),
    ("get", f"{ADMIN}/config"),
    ("put", f"{ADMIN}/config"),
]


@pytest.mark.parametrize(("method", "path"), ENDPOINTS)
def test_admin_endpoints_are_for_staff_only(method: str, path: str, alice: tuple[User, APIClient]) -> None:
    _, client = alice
    before = SystemConfig.objects.count()

    as_user = getattr(client, method)(path, {"requests_per_minute": 5}, format="json")
    anonymous = getattr(APIClient(), method)(path, {"requests_per_minute": 5}, format="json")

    assert as_user.status_code == 403
    assert as_user.json()["error"]["code"] == "FORBIDDEN"
    assert anonymous.status_code == 401
    assert anonymous.json()["error"]["code"] == "NOT_AUTHENTICATED"
    assert SystemConfig.objects.count() == before  # nothing created, nothing changed
    assert before == 0 or system_config().requests_per_minute != 5


def _make_samples(owner: User, client: APIClient) -> None:
    """One real upload, then rows in other states sharing its recording."""
    sample_id = upload(client, recording("1089-134686-0000.wav").path).json()["data"]["sample_id"]
    first = VoiceSample.objects.get(public_id=sample_id)
    for status in ["training", "ready", "ready", "failed"]:
        first.pk, first.public_id, first.status = None, f"vs_{status}{VoiceSample.objects.count()}", status
        first.save()


def test_stats_have_the_document_shape_and_count_known_data(staff: tuple[User, APIClient], make_user: Any) -> None:
    _, admin = staff
    now = timezone.now()
    today = now.date()
    alice, alice_client = make_user("alice@example.com")
    bob, _ = make_user("bob@example.com")
    old, _ = make_user("old@example.com")
    User.objects.filter(pk=old.pk).update(created_at=now - timedelta(days=30))
    OutstandingToken.objects.update(created_at=now - timedelta(days=2))  # the fixtures' tokens: not today
    User.objects.filter(pk=bob.pk).update(last_login=now)  # signed in today
    _make_samples(alice, alice_client)  # alice is active today too (an upload)
    for user, day, count in [
        (alice, today, 3),
        (bob, today - timedelta(days=3), 4),
        (old, today - timedelta(days=20), 5),
    ]:
        DailyUsage.objects.create(user=user, day=day, kind="syntheses", count=count)
    DailyUsage.objects.create(user=bob, day=today, kind="uploads", count=9)  # not a synthesis

    response = admin.get(f"{ADMIN}/stats")

    assert response.status_code == 200
    data = response.json()["data"]
    assert set(data) == {"users", "voice_samples", "syntheses", "storage", "system"}
    stored = StoredFile.objects.filter(owner=alice)
    assert data["storage"] == {
        "used_bytes": sum(stored.values_list("size", flat=True)),
        "files": stored.count(),
        "limit_per_user_mb": 2048,
    }
    assert data["storage"]["used_bytes"] > 0
    assert data["users"] == {"total": 4, "active_today": 2, "new_this_week": 3}
    assert data["voice_samples"] == {"total": 5, "training": 1, "ready": 2}
    assert data["syntheses"] == {"today": 3, "this_week": 7, "total": 12}
    assert set(data["system"]) == {"cpu_usage", "memory_usage", "disk_usage"}
    for value in data["system"].values():
        assert isinstance(value, float) and 0.0 <= value <= 100.0
    assert 0.0 < data["system"]["memory_usage"] < 100.0


def test_a_synthesis_shows_in_todays_stats(staff: tuple[User, APIClient], alice: tuple[User, APIClient]) -> None:
    _, admin = staff
    _, client = alice
    before = admin.get(f"{ADMIN}/stats").json()["data"]["syntheses"]

    done = client.post("/api/v1/tts/synthesize", {"text": "Hello there."}, format="json")
    after = admin.get(f"{ADMIN}/stats").json()["data"]["syntheses"]
    # Clearing the history does not rewrite the statistics.
    assert client.delete(f"/api/v1/tts/syntheses/{done.json()['data']['synthesis_id']}").status_code == 200
    after_delete = admin.get(f"{ADMIN}/stats").json()["data"]["syntheses"]

    assert done.status_code == 200
    assert after == {key: value + 1 for key, value in before.items()}
    assert after_delete == after


def test_users_list_searches_filters_and_counts(staff: tuple[User, APIClient], make_user: Any) -> None:
    staff_user, admin = staff
    ada, ada_client = make_user("ada@example.com")
    User.objects.filter(pk=ada.pk).update(first_name="Ada", last_name="Lovelace")
    grace, _ = make_user("grace@navy.example")
    User.objects.filter(pk=grace.pk).update(last_name="Hopper", is_active=False)
    for i in range(3):
        make_user(f"user{i}@example.com")
    sample_id = upload(ada_client, recording("1089-134686-0000.wav").path).json()["data"]["sample_id"]
    VoiceSample.objects.filter(public_id=sample_id).update(consent_passed_at=timezone.now())
    for text in ("One.", "Two."):
        assert ada_client.post("/api/v1/tts/synthesize", {"text": text}, format="json").status_code == 200
    # An output made before marking began: counted as a synthesis, not as marked.
    Synthesis.objects.filter(pk=Synthesis.objects.filter(owner=ada).earliest("created_at").pk).update(watermark="")

    everyone = admin.get(f"{ADMIN}/users").json()["data"]
    by_email = admin.get(f"{ADMIN}/users", {"search": "NAVY"}).json()["data"]["users"]
    by_name = admin.get(f"{ADMIN}/users", {"search": "lovelace"}).json()["data"]["users"]
    inactive = admin.get(f"{ADMIN}/users", {"is_active": "false"}).json()["data"]["users"]
    staff_only = admin.get(f"{ADMIN}/users", {"is_staff": "true"}).json()["data"]["users"]
    page2 = admin.get(f"{ADMIN}/users", {"page": "2", "page_size": "4"}).json()["data"]
    bad = admin.get(f"{ADMIN}/users", {"is_active": "perhaps", "page": "0"})

    assert everyone["pagination"]["total_count"] == 6
    assert [u["email"] for u in by_email] == ["grace@navy.example"]
    assert [u["email"] for u in by_name] == ["ada@example.com"]
    assert by_name[0] == {
        "user_id": ada.public_id,
        "email": "ada@example.com",
        "first_name": "Ada",
        "last_name": "Lovelace",
        "is_active": True,
        "is_staff": False,
        "created_at": by_name[0]["created_at"],
        "last_login": None,
        "voice_samples": 1,
        "voices_consented": 1,
        "jobs": 0,
        "syntheses": 2,
        "outputs_watermarked": 1,
        "storage_used_bytes": sum(f.size for f in StoredFile.objects.filter(owner=ada)),
    }
    assert by_name[0]["storage_used_bytes"] > 0
    assert [u["email"] for u in inactive] == ["grace@navy.example"]
    assert [u["user_id"] for u in staff_only] == [staff_user.public_id]
    assert len(page2["users"]) == 2 and page2["pagination"]["has_prev"] and not page2["pagination"]["has_next"]
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "VALIDATION_ERROR"


def test_config_get_and_partial_put(staff: tuple[User, APIClient], settings: Any) -> None:
    staff_user, admin = staff
    settings.MAX_SYNTHESIS_LENGTH = 1000

    initial = admin.get(f"{ADMIN}/config").json()["data"]
    response = admin.put(f"{ADMIN}/config", {"max_synthesis_length": 500, "file_ttl_hours": 6}, format="json")

    assert initial["max_synthesis_length"] == 1000
    assert {
        "max_voice_samples_per_user",
        "max_synthesis_length",
        "default_sample_rate",
        "max_upload_mb",
        "uploads_per_day",
        "syntheses_per_day",
        "requests_per_minute",
        "file_ttl_hours",
        "max_async_text_length",
    } <= set(initial)
    assert response.status_code == 200
    changed = response.json()["data"]
    assert changed["max_synthesis_length"] == 500 and changed["file_ttl_hours"] == 6.0
    assert {k: v for k, v in changed.items() if k not in {"max_synthesis_length", "file_ttl_hours", "updated_at"}} == {
        k: v for k, v in initial.items() if k not in {"max_synthesis_length", "file_ttl_hours", "updated_at"}
    }
    assert admin.get(f"{ADMIN}/config").json()["data"] == changed
    assert SystemConfig.objects.get().updated_by == staff_user


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({"max_synthesis_length": "lots"}, {"max_synthesis_length"}),
        ({"max_synthesis_length": 0}, {"max_synthesis_length"}),
        ({"max_synthesis_length": 1.5}, {"max_synthesis_length"}),
        ({"requests_per_minute": -1, "max_upload_mb": 100_000}, {"requests_per_minute", "max_upload_mb"}),
        ({"default_sample_rate": 96000}, {"default_sample_rate"}),
        ({"default_output_format": "aiff"}, {"default_output_format"}),
        ({"file_ttl_hours": None}, {"file_ttl_hours"}),
        ({"max_synthesis_lenght": 10}, {"max_synthesis_lenght"}),
        ({"voice_sample_min_seconds": 30, "voice_sample_max_seconds": 10}, {"voice_sample_min_seconds"}),
        ({"max_synthesis_length": 5000, "max_async_text_length": 4000}, {"max_synthesis_length"}),
    ],
)
def test_config_put_names_each_bad_field_and_changes_nothing(
    staff: tuple[User, APIClient], body: dict[str, Any], fields: set[str]
) -> None:
    _, admin = staff
    before = admin.get(f"{ADMIN}/config").json()["data"]

    response = admin.put(f"{ADMIN}/config", body, format="json")

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "VALIDATION_ERROR"
    assert set(error["details"]) == fields
    assert admin.get(f"{ADMIN}/config").json()["data"] == before


def test_a_changed_limit_is_enforced_at_once_in_this_process(
    staff: tuple[User, APIClient], alice: tuple[User, APIClient]
) -> None:
    _, admin = staff
    _, client = alice
    text = "A sentence that is forty characters long"

    assert client.post("/api/v1/tts/synthesize", {"text": text}, format="json").status_code == 200
    assert admin.put(f"{ADMIN}/config", {"max_synthesis_length": 30}, format="json").status_code == 200
    refused = client.post("/api/v1/tts/synthesize", {"text": text}, format="json")

    assert refused.status_code == 400
    assert refused.json()["error"]["code"] == "TEXT_TOO_LONG"
    assert refused.json()["error"]["details"]["max_length"] == 30


def test_a_token_refresh_counts_as_activity(staff: tuple[User, APIClient], make_user: Any) -> None:
    _, admin = staff
    make_user("carol@example.com")
    OutstandingToken.objects.update(created_at=timezone.now() - timedelta(days=2))
    before = admin.get(f"{ADMIN}/stats").json()["data"]["users"]["active_today"]
    login = APIClient().post(
        "/api/v1/auth/login", {"email": "carol@example.com", "password": STRONG_PASSWORD}, format="json"
    )
    # Forget that sign-in: only the refresh below can make carol active today.
    OutstandingToken.objects.update(created_at=timezone.now() - timedelta(days=2))
    User.objects.filter(email="carol@example.com").update(last_login=None)
    assert admin.get(f"{ADMIN}/stats").json()["data"]["users"]["active_today"] == 0

    refreshed = APIClient().post(
        "/api/v1/auth/refresh", {"refresh_token": login.json()["data"]["refresh_token"]}, format="json"
    )

    assert refreshed.status_code == 200
    assert before == 0
    assert admin.get(f"{ADMIN}/stats").json()["data"]["users"]["active_today"] == 1
