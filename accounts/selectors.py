"""Account reads."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from accounts.models import AuthSession, User
from voxify_project.errors import AuthenticationError


def user_from_request(request: Any) -> User:
    """The authenticated user of a request (views behind IsAuthenticated)."""
    user = getattr(request, "user", None)
    if not isinstance(user, User):
        raise AuthenticationError()
    return user


def user_signed_in(request: Any) -> User | None:
    """The user of a request's cookie session (the web pages, the admin), or None."""
    user = getattr(request, "user", None)
    return user if isinstance(user, User) and user.is_authenticated else None


def user_from_access_token(raw: str) -> User | None:
    """The active user of a valid access token of a live session (as the REST API checks it)."""
    from accounts.sessions import credentials_from_access_token

    credentials = credentials_from_access_token(raw)
    return credentials.user if credentials is not None else None


def user_get_active(*, user_id: str) -> User | None:
    """The active user with this public id (``usr_…``), or None."""
    return User.objects.filter(public_id=user_id, is_active=True).first()


def web_session_get_live(*, session_id: str, user_id: str) -> AuthSession | None:
    """The web pages' sign-in session, with its user, if it is live, unexpired and the user
    active; else None."""
    from accounts.sessions import live_session

    session = live_session(session_id=session_id, user_id=user_id)
    return session if session is not None and session.expires_at > timezone.now() else None
