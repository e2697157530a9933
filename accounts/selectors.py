"""Account reads."""

from __future__ import annotations

from accounts.models import User


def user_get_by_public_id(*, public_id: str) -> User | None:
    return User.objects.filter(public_id=public_id).first()
