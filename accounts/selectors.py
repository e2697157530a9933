"""Account reads."""

from __future__ import annotations

from typing import Any

from accounts.models import User
from voxify_project.errors import AuthenticationError


def user_from_request(request: Any) -> User:
    """The authenticated user of a request (views behind IsAuthenticated)."""
    user = getattr(request, "user", None)
    if not isinstance(user, User):
        raise AuthenticationError()
    return user


def user_from_access_token(raw: str) -> User | None:
    """The active user of a valid access token of a live session (as the REST API checks it)."""
    from accounts.sessions import credentials_from_access_token

    credentials = credentials_from_access_token(raw)
    return credentials.user if credentials is not None else None
