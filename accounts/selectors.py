"""Account reads."""

from __future__ import annotations

from typing import Any

from accounts.models import User
from voxify_project.errors import AuthenticationError


def user_get_by_public_id(*, public_id: str) -> User | None:
    return User.objects.filter(public_id=public_id).first()


def user_from_request(request: Any) -> User:
    """The authenticated user of a request (views behind IsAuthenticated)."""
    user = getattr(request, "user", None)
    if not isinstance(user, User):
        raise AuthenticationError()
    return user
