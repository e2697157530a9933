"""Personal API keys: create (the key is shown once), list, revoke, and check one presented
as ``Authorization: Bearer vx_…``. Only a SHA-256 of each key is stored."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from accounts.models import ApiKey, User
from voxify_project import throttle
from voxify_project.errors import InvalidInput, NotFound, PermissionDenied

KEY_PREFIX = "vx_"
KEY_BYTES = 32  # 256 bits of randomness
SHOWN_PREFIX_CHARS = 10  # "vx_" and 7 more: enough to tell keys apart, far too few to guess one
LAST_USED_RESOLUTION = timedelta(minutes=1)  # last_used_at is written at most this often per key
MAX_KEYS_PER_USER = 100


def looks_like_api_key(raw: str) -> bool:
    return raw.startswith(KEY_PREFIX)


def key_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def api_key_create(
    *, user: User, name: str, password: str, expires_at: datetime | None = None, by_api_key: bool = False
) -> tuple[ApiKey, str]:
    """A new key for ``user``: the row and the key itself (returned this once, never stored).

    A key outlives access tokens, so making one takes the user's password, checked and
    throttled as a password change is: a stolen access token alone cannot mint a lasting
    credential. A caller authenticated by an API key cannot make keys (PermissionDenied)."""
    if by_api_key:
        raise PermissionDenied("An API key cannot create API keys; sign in with your password.")
    throttle.hit("password-change", user.public_id, settings.LOGIN_RATE_PER_EMAIL)
    if not password or not user.check_password(password):
        raise InvalidInput(details={"password": ["The password is not correct."]})
    name = name.strip()
    if not name:
        raise InvalidInput(details={"name": ["A name is required."]})
    if expires_at is not None and expires_at <= timezone.now():
        raise InvalidInput(details={"expires_at": ["Must be in the future."]})
    with transaction.atomic():
        User.objects.select_for_update().filter(pk=user.pk).first()
        if ApiKey.objects.filter(user=user, revoked_at=None).count() >= MAX_KEYS_PER_USER:
            raise InvalidInput(details={"name": [f"At most {MAX_KEYS_PER_USER} keys; revoke one first."]})
        raw = KEY_PREFIX + secrets.token_urlsafe(KEY_BYTES)
        key = ApiKey.objects.create(
            user=user, name=name[:100], prefix=raw[:SHOWN_PREFIX_CHARS], key_hash=key_hash(raw), expires_at=expires_at
        )
    return key, raw


def api_key_list(*, user: User) -> QuerySet[ApiKey]:
    """The user's keys, newest first (revoked ones included, marked)."""
    return ApiKey.objects.filter(user=user).order_by("-created_at", "-id")


def api_key_get(*, user: User, key_id: str) -> ApiKey:
    key = ApiKey.objects.filter(user=user, public_id=key_id).first()
    if key is None:
        raise NotFound("API key not found.", code="API_KEY_NOT_FOUND")
    return key


def api_key_revoke(*, user: User, key_id: str) -> ApiKey:
    """Revoke the key now (refused everywhere at once); revoking again is harmless."""
    key = api_key_get(user=user, key_id=key_id)
    if key.revoked_at is None:
        key.revoked_at = timezone.now()
        key.save(update_fields=["revoked_at"])
    return key


def api_key_live(*, raw: str) -> ApiKey | None:
    """The usable key behind ``raw`` (with its active user), recording its use; None otherwise."""
    if not looks_like_api_key(raw) or len(raw) > 200:
        return None
    now = timezone.now()
    key = ApiKey.objects.select_related("user").filter(key_hash=key_hash(raw)).first()
    if key is None or not key.is_usable(now) or not key.user.is_active:
        return None
    if key.last_used_at is None or now - key.last_used_at >= LAST_USED_RESOLUTION:
        ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
        key.last_used_at = now
    return key


def api_key_usable(*, key_id: str, user_id: int) -> bool:
    """Still usable now (for open connections and tickets): not revoked or expired, user active."""
    key = ApiKey.objects.select_related("user").filter(public_id=key_id, user_id=user_id).first()
    return key is not None and key.is_usable() and key.user.is_active
