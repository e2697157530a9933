"""Staff: createsuperuser by email, and the Django admin's user pages."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.test import Client

from accounts.models import User
from tests.support.api import STRONG_PASSWORD

pytestmark = pytest.mark.django_db


def test_createsuperuser_noinput_reads_email_and_password_from_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DJANGO_SUPERUSER_EMAIL", "Root@Example.com")
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", STRONG_PASSWORD)

    call_command("createsuperuser", "--noinput")

    user = User.objects.get()
    assert user.email == "root@example.com"
    assert user.is_staff and user.is_superuser
    assert user.check_password(STRONG_PASSWORD)
    assert user.public_id.startswith("usr_")


def test_staff_can_use_the_user_admin(client: Client) -> None:
    User.objects.create_superuser("staff@example.com", STRONG_PASSWORD)
    member = User.objects.create_user("member@example.com", STRONG_PASSWORD, first_name="Mem")

    login_page = client.post(
        "/admin/login/?next=/admin/", {"username": "staff@example.com", "password": STRONG_PASSWORD}
    )
    assert login_page.status_code == 302

    listing = client.get("/admin/accounts/user/?q=member")
    assert listing.status_code == 200
    assert b"member@example.com" in listing.content
    assert b"Voxify administration" in listing.content
    assert b'1 result (<a href="?">2 total</a>)' in listing.content

    detail = client.get(f"/admin/accounts/user/{member.pk}/change/")
    assert detail.status_code == 200
    assert member.public_id.encode() in detail.content

    added = client.post(
        "/admin/accounts/user/add/",
        {
            "email": "new@example.com",
            "password1": STRONG_PASSWORD,
            "password2": STRONG_PASSWORD,
            "usable_password": "true",
        },
    )
    assert added.status_code == 302
    assert User.objects.filter(email="new@example.com").exists()


def test_non_staff_cannot_enter_the_admin(client: Client) -> None:
    User.objects.create_user("plain@example.com", STRONG_PASSWORD)
    client.post("/admin/login/", {"username": "plain@example.com", "password": STRONG_PASSWORD})

    response = client.get("/admin/accounts/user/")

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
