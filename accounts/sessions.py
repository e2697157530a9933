"""Sign-in sessions: which tokens are still good, and ending them.

Every token pair belongs to an :class:`~accounts.models.AuthSession` (the ``sid`` claim). A
token is accepted only while its session is live and its user active, so ending a session
(logout, a replayed refresh token) or every session of a user (password change or reset,
deactivation) refuses its access tokens at once, on REST, WebSocket and gRPC alike. Open
WebSockets, gRPC streams, the SSE synthesis stream and /v1/audio/speech re-check their
credentials while they run (``credentials_valid``, ``credentials_watch``) and end when they
stop being valid.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone
from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme
from rest_framework.exceptions import AuthenticationFailed
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.exceptions import InvalidToken, TokenError
from rest_framework_simplejwt.settings import api_settings as jwt_settings
from rest_framework_simplejwt.tokens import Token

from accounts.api_keys import api_key_live, api_key_usable, looks_like_api_key
from accounts.models import ApiKey, AuthSession, User
from voxify_project.errors import InvalidToken as InvalidTokenError

SESSION_CLAIM = "sid"


NEVER = float("inf")  # an API key without an expiry


@dataclass(frozen=True)
class Credentials:
    """Who is connected, through which session (or API key, ``key_…``), until when (the
    access token's ``exp``, the key's expiry)."""

    user: User
    session_id: str
    expires_at: float

    @property
    def via_api_key(self) -> bool:
        return self.session_id.startswith("key_")


def _key_credentials(key: ApiKey) -> Credentials:
    expires = key.expires_at.timestamp() if key.expires_at is not None else NEVER
    return Credentials(user=key.user, session_id=key.public_id, expires_at=expires)


def credentials_user(*, session_id: object, user_id: object) -> User | None:
    """The active user whose session or API key ``session_id`` still is, or None."""
    if isinstance(session_id, str) and session_id.startswith("key_"):
        key = ApiKey.objects.select_related("user").filter(public_id=session_id).first()
        if key is None or key.user.public_id != user_id or not key.is_usable() or not key.user.is_active:
            return None
        return key.user
    session = live_session(session_id=session_id, user_id=user_id)
    return session.user if session is not None else None


def live_session(*, session_id: object, user_id: object) -> AuthSession | None:
    """The session, with its user, if it is live and belongs to that active user."""
    if not isinstance(session_id, str) or not session_id:
        return None
    session = AuthSession.objects.select_related("user").filter(public_id=session_id, revoked_at=None).first()
    if session is None or session.user.public_id != user_id or not session.user.is_active:
        return None
    return session


def credentials_valid(credentials: Credentials) -> bool:
    """Still valid now: not expired, session live, user active (one indexed query)."""
    if time.time() >= credentials.expires_at:
        return False
    if credentials.via_api_key:
        return api_key_usable(key_id=credentials.session_id, user_id=credentials.user.pk)
    return AuthSession.objects.filter(
        public_id=credentials.session_id, revoked_at=None, user__is_active=True, user_id=credentials.user.pk
    ).exists()


def credentials_watch(credentials: Credentials) -> Callable[[], bool]:
    """For long HTTP responses (the SSE stream, /v1/audio/speech), called between pieces as
    their ``should_stop``: False while they are valid; raises InvalidTokenError once the
    credentials stopped being valid (expired, session ended, key revoked, user deactivated).
    Looks at the database at most every CREDENTIALS_RECHECK_SECONDS, as open WebSockets and
    gRPC streams do."""
    checked = time.monotonic()

    def check() -> bool:
        nonlocal checked
        if time.time() >= credentials.expires_at:
            raise InvalidTokenError("The access token expired during the stream; sign in again.")
        if time.monotonic() - checked >= settings.CREDENTIALS_RECHECK_SECONDS:
            if not credentials_valid(credentials):
                raise InvalidTokenError("The credentials of this stream were revoked or ended.")
            checked = time.monotonic()
        return False

    return check


class SessionJWTAuthentication(JWTAuthentication):
    """simplejwt's Bearer authentication, plus: the token's session must be live. A Bearer
    value that is a personal API key (``vx_…``) authenticates as the key's user instead
    (``request.auth`` is then the ApiKey)."""

    def authenticate(self, request: Any) -> tuple[Any, Any] | None:
        header = self.get_header(request)
        raw = self.get_raw_token(header) if header is not None else None
        if raw is not None and looks_like_api_key(raw.decode(errors="replace")):
            key = api_key_live(raw=raw.decode(errors="replace"))
            if key is None:
                raise AuthenticationFailed("The API key is invalid, expired or revoked.", code="token_not_valid")
            return key.user, key
        return super().authenticate(request)

    def get_user(self, validated_token: Token) -> User:  # type: ignore[override]
        session = live_session(
            session_id=validated_token.get(SESSION_CLAIM), user_id=validated_token.get(jwt_settings.USER_ID_CLAIM)
        )
        if session is None:
            raise InvalidToken("The session of this token has ended; sign in again.")
        return session.user


def credentials_from_access_token(raw: str) -> Credentials | None:
    """The credentials of a valid access token or API key (checked exactly as the REST API
    checks them)."""
    if looks_like_api_key(raw):
        key = api_key_live(raw=raw)
        return _key_credentials(key) if key is not None else None
    authentication = SessionJWTAuthentication()
    try:
        token = authentication.get_validated_token(raw.encode())
        user = authentication.get_user(token)
    except (InvalidToken, TokenError, AuthenticationFailed):
        return None
    return Credentials(user=user, session_id=str(token[SESSION_CLAIM]), expires_at=float(token["exp"]))


def credentials_from_request(request: Any) -> Credentials:
    """The credentials a REST request was authenticated with (views behind IsAuthenticated):
    a Bearer access token, an API key, or a redeemed ticket's credentials."""
    token = request.auth
    if isinstance(token, Credentials):
        return token
    if isinstance(token, ApiKey):
        return _key_credentials(token)
    return Credentials(user=request.user, session_id=str(token[SESSION_CLAIM]), expires_at=float(token["exp"]))


def sessions_end(sessions: QuerySet[AuthSession], *, reason: str) -> int:
    """End the given sessions now; the number ended."""
    return sessions.filter(revoked_at=None).update(revoked_at=timezone.now(), revoked_reason=reason)


def sessions_end_for_users(users: QuerySet[User], *, reason: str) -> int:
    """End every live session of these users and revoke their API keys (password change or
    reset, deactivation: a reactivated account starts with neither); the sessions ended."""
    ApiKey.objects.filter(user__in=users.values("pk"), revoked_at=None).update(revoked_at=timezone.now())
    return sessions_end(AuthSession.objects.filter(user__in=users.values("pk")), reason=reason)


def sessions_purge_expired(*, grace: timedelta = timedelta(days=1)) -> int:
    """Delete sessions whose newest refresh token expired more than ``grace`` ago; the count."""
    deleted, _ = AuthSession.objects.filter(expires_at__lt=timezone.now() - grace).delete()
    return deleted


class SessionJWTScheme(SimpleJWTScheme):  # type: ignore[no-untyped-call]
    """The OpenAPI description of SessionJWTAuthentication: simplejwt's Bearer scheme."""

    target_class = "accounts.sessions.SessionJWTAuthentication"
