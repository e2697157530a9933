"""Voxify Studio's server side: the sign-in forms (the account services' rules, throttles and
messages), the pages' access tokens (CSRF-checked, tied to a live sign-in session) and the
pages' redirects. The pages themselves are driven in a browser by test_browser.py."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from accounts.models import AuthSession, User
from tests.support.api import STRONG_PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def person(db: None) -> User:
    return User.objects.create_user("page@example.com", STRONG_PASSWORD)


def signed_in(client: Client, email: str = "page@example.com") -> Client:
    csrf = str(client.get("/signin").context["csrf_token"])
    response = client.post(
        "/signin", {"email": email, "password": STRONG_PASSWORD, "next": "/history", "csrfmiddlewaretoken": csrf}
    )
    assert response.status_code == 302, response.content
    assert response["Location"] == "/history"
    return client


def page_token(client: Client) -> Any:
    csrf = client.get("/voices").context["csrf_token"]
    return client.post("/studio/token", HTTP_X_CSRFTOKEN=str(csrf))


def test_pages_need_a_sign_in_and_come_back_after_it(person: User) -> None:
    client = Client()
    assert client.get("/").headers["Location"] == "/signin"
    for path in ("/voices", "/voices/vs_x", "/speak", "/history", "/keys"):
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"].startswith("/signin?next=")
    signed_in(client)
    assert client.get("/").headers["Location"] == "/voices"
    for path in ("/voices", "/speak", "/history", "/keys"):
        response = client.get(path)
        assert response.status_code == 200
        assert b'name="viewport"' in response.content
        assert response["Cache-Control"].startswith("max-age=0")


def test_sign_in_refusals_are_the_account_services(person: User, settings: Any) -> None:
    client = Client()
    wrong = client.post("/signin", {"email": "page@example.com", "password": "Not-the-password-1"})
    assert wrong.status_code == 400
    assert wrong.context["form"].errors["password"] == ["Invalid email or password."]
    assert b'aria-invalid="true"' in wrong.content
    missing = client.post("/signin", {"email": "", "password": ""})
    assert missing.status_code == 400 and set(missing.context["form"].errors) == {"email", "password"}
    # The same per-email throttle as POST /api/v1/auth/login.
    settings.LOGIN_RATE_PER_EMAIL = "2/m"
    for attempt in range(2):
        client.post("/signin", {"email": "page@example.com", "password": f"Not-the-password-{attempt}"})
    throttled = client.post("/signin", {"email": "page@example.com", "password": STRONG_PASSWORD})
    assert throttled.status_code == 429
    assert int(throttled["Retry-After"]) > 0
    assert throttled.context["form"].non_field_errors()
    assert not AuthSession.objects.exists()


def test_sign_in_never_redirects_off_site(person: User) -> None:
    client = Client()
    for target in ("https://evil.example/", "//evil.example/x", "javascript:alert(1)"):
        response = client.post("/signin", {"email": "page@example.com", "password": STRONG_PASSWORD, "next": target})
        assert response["Location"] == "/voices", target
        client.post("/signout")


def test_sign_up_uses_the_registration_rules(person: User) -> None:
    client = Client()
    weak = client.post("/signup", {"email": "new@example.com", "password": "12345"})
    assert weak.status_code == 400
    assert any("too short" in message for message in weak.context["form"].errors["password"])
    taken = client.post("/signup", {"email": "PAGE@example.com", "password": STRONG_PASSWORD})
    assert taken.status_code == 409
    assert taken.context["form"].errors["email"] == ["An account with this email already exists."]
    made = client.post("/signup", {"email": "new@example.com", "password": STRONG_PASSWORD, "first_name": "Ada"})
    assert made.status_code == 302 and made["Location"] == "/voices"
    assert User.objects.get(email="new@example.com").first_name == "Ada"
    assert client.get("/voices").status_code == 200  # signed in straight away


def test_page_tokens_are_csrf_checked_and_end_with_the_session(person: User) -> None:
    client = signed_in(Client(enforce_csrf_checks=True))
    assert client.post("/studio/token").status_code == 403  # no CSRF token: not from a Studio page

    response = page_token(client)
    assert response.status_code == 200
    data = response.json()["data"]
    assert data["expires_in"] > 0
    bearer = {"Authorization": f"Bearer {data['access_token']}"}
    assert client.get("/api/v1/auth/me", headers=bearer).json()["data"]["email"] == "page@example.com"
    session = AuthSession.objects.get(user=person)
    assert session.revoked_at is None

    csrf = client.get("/voices").context["csrf_token"]
    assert client.post("/signout", HTTP_X_CSRFTOKEN=str(csrf)).status_code == 302
    session.refresh_from_db()
    assert session.revoked_reason == "logout"
    assert Client().get("/api/v1/auth/me", headers=bearer).status_code == 401  # the page's token died with it
    assert client.post("/studio/token", HTTP_X_CSRFTOKEN=str(csrf)).status_code in (401, 403)
    assert client.get("/voices").status_code == 302


def test_a_session_ended_elsewhere_signs_the_pages_out(person: User) -> None:
    client = signed_in(Client(enforce_csrf_checks=True))
    person.is_active = False
    person.save()  # deactivation ends every session
    assert client.get("/voices").status_code == 302
    assert Client().post("/signin", {"email": "page@example.com", "password": STRONG_PASSWORD}).status_code == 400


def test_every_page_sends_a_strict_content_security_policy(person: User) -> None:
    client = signed_in(Client())
    for path in ("/signin", "/signup", "/voices", "/speak", "/history", "/keys"):
        response = Client().get(path) if path in ("/signin", "/signup") else client.get(path)
        assert response.status_code == 200, path
        policy = response["Content-Security-Policy"]
        assert "script-src 'self'" in policy and "'unsafe-inline'" not in policy
        assert "frame-ancestors 'none'" in policy and "object-src 'none'" in policy
