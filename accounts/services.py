"""Account writes: registration, sign-in, token issue, rotation and revocation.

REST views and gRPC servicers both call these; they raise only domain errors.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.models import update_last_login
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from rest_framework_simplejwt.exceptions import TokenBackendError
from rest_framework_simplejwt.settings import api_settings as jwt_settings
from rest_framework_simplejwt.state import token_backend
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken
from rest_framework_simplejwt.tokens import AccessToken, RefreshToken
from rest_framework_simplejwt.utils import datetime_from_epoch

from accounts.models import AuthSession, User, normalize_email_address
from accounts.selectors import web_session_get_live
from accounts.sessions import SESSION_CLAIM, live_session, sessions_end
from voxify_project import throttle
from voxify_project.errors import EmailAlreadyRegistered, InvalidCredentials, InvalidInput, InvalidToken


@dataclass(frozen=True)
class TokenPair:
    access_token: str
    refresh_token: str
    expires_in: int


def user_register(*, email: str, password: str, client_ip: str, first_name: str = "", last_name: str = "") -> User:
    """Create an account (throttled per IP). Field problems -> InvalidInput; a taken email ->
    EmailAlreadyRegistered."""
    throttle.hit("register-ip", client_ip, settings.REGISTER_RATE_PER_IP)
    email = normalize_email_address(email)
    errors: dict[str, list[str]] = {}
    try:
        validate_email(email)
    except DjangoValidationError as exc:
        errors["email"] = list(exc.messages)
    candidate = User(email=email, first_name=first_name, last_name=last_name)
    try:
        validate_password(password, user=candidate)
    except DjangoValidationError as exc:
        errors["password"] = list(exc.messages)
    if errors:
        raise InvalidInput(details=errors)
    if User.objects.filter(email=email).exists():
        raise EmailAlreadyRegistered()
    try:
        with transaction.atomic():
            return User.objects.create_user(email, password, first_name=first_name, last_name=last_name)
    except IntegrityError as exc:  # a concurrent registration won the race
        raise EmailAlreadyRegistered() from exc


def _sign_in_check(*, email: str, password: str, client_ip: str) -> User:
    """The user these credentials name (throttled per IP and per email).

    The same error answers an unknown email, a wrong password and a disabled account, so
    the response never tells whether an address is registered.
    """
    email = normalize_email_address(email)
    throttle.hit("login-ip", client_ip, settings.LOGIN_RATE_PER_IP)
    throttle.hit("login-email", email, settings.LOGIN_RATE_PER_EMAIL)
    user = authenticate(email=email, password=password)
    if not isinstance(user, User):
        raise InvalidCredentials()
    update_last_login(User, user)
    return user


def user_login(*, email: str, password: str, client_ip: str) -> tuple[User, TokenPair]:
    """Check credentials (throttled per IP and per email) and issue a token pair."""
    user = _sign_in_check(email=email, password=password, client_ip=client_ip)
    return user, token_pair_issue(user=user)


def web_sign_in(*, email: str, password: str, client_ip: str) -> tuple[User, AuthSession]:
    """Sign in from the web pages: the same checks and throttles as ``user_login``, and a
    sign-in session without a refresh token. The pages keep its id in their cookie session
    and get short-lived access tokens of it from ``web_access_token``; ending it (sign-out,
    a password change, deactivation) ends the pages' access like any other session's."""
    user = _sign_in_check(email=email, password=password, client_ip=client_ip)
    expires_at = timezone.now() + timedelta(seconds=settings.REFRESH_TOKEN_LIFETIME_S)
    return user, AuthSession.objects.create(user=user, expires_at=expires_at)


def web_access_token(*, session_id: str, user_id: str) -> tuple[str, int]:
    """A fresh access token (and its lifetime in seconds) of a live, unexpired session."""
    session = web_session_get_live(session_id=session_id, user_id=user_id)
    if session is None:
        raise InvalidToken("The session has ended; sign in again.")
    token = AccessToken.for_user(session.user)  # the user came with the session: no second query
    token[SESSION_CLAIM] = session.public_id
    return str(token), int(settings.ACCESS_TOKEN_LIFETIME_S)


def web_sign_out(*, session_id: str, user: User) -> None:
    """End the pages' session: its access tokens are refused from now on. Harmless twice."""
    sessions_end(AuthSession.objects.filter(public_id=session_id, user=user), reason="logout")


def token_pair_issue(*, user: User, session: AuthSession | None = None) -> TokenPair:
    """A new pair in ``session`` (a rotation), or in a new session (a sign-in)."""
    refresh = RefreshToken.for_user(user)
    expires_at = datetime_from_epoch(refresh["exp"])
    if session is None:
        session = AuthSession.objects.create(user=user, expires_at=expires_at)
    else:
        AuthSession.objects.filter(pk=session.pk).update(expires_at=expires_at)
    refresh[SESSION_CLAIM] = session.public_id  # the access token copies it
    OutstandingToken.objects.filter(jti=refresh[jwt_settings.JTI_CLAIM]).update(token=str(refresh))
    return TokenPair(
        access_token=str(refresh.access_token),
        refresh_token=str(refresh),
        expires_in=int(settings.ACCESS_TOKEN_LIFETIME_S),
    )


def _refresh_claims(raw: str) -> dict[str, Any]:
    """The claims of a refresh token with a valid signature and expiry. Whether it was used
    already is the caller's question (a replay must be recognised, not just refused)."""
    try:
        payload: dict[str, Any] = token_backend.decode(raw, verify=True)  # type: ignore[arg-type]
    except TokenBackendError as exc:
        raise InvalidToken(f"Invalid refresh token: {exc}.") from exc
    if payload.get(jwt_settings.TOKEN_TYPE_CLAIM) != "refresh" or jwt_settings.JTI_CLAIM not in payload:
        raise InvalidToken("Invalid refresh token: wrong token type.")
    return payload


def _blacklist_once(*, jti: str, exp: int, raw: str, user: User) -> bool:
    """Mark the token used; False if it was already used (by this or a concurrent call)."""
    outstanding, _ = OutstandingToken.objects.get_or_create(
        jti=jti, defaults={"user": user, "token": raw, "expires_at": datetime_from_epoch(exp)}
    )
    _, created = BlacklistedToken.objects.get_or_create(token=outstanding)
    return created


def token_refresh(*, refresh_token: str) -> tuple[User, TokenPair]:
    """Rotate: the presented refresh token dies, a new pair of the same session is issued.

    A refresh token used a second time (replayed, or sent twice at once) ends its whole
    session: the newer tokens of that session stop working too.
    """
    claims = _refresh_claims(refresh_token)
    session = live_session(session_id=claims.get(SESSION_CLAIM), user_id=claims.get(jwt_settings.USER_ID_CLAIM))
    if session is None:
        raise InvalidToken("The session of this refresh token has ended, or its account is disabled; sign in again.")
    user = session.user
    with transaction.atomic():
        if _blacklist_once(jti=claims[jwt_settings.JTI_CLAIM], exp=claims["exp"], raw=refresh_token, user=user):
            return user, token_pair_issue(user=user, session=session)
    sessions_end(AuthSession.objects.filter(pk=session.pk), reason="refresh_reuse")
    raise InvalidToken("This refresh token has already been used; its session has been ended. Sign in again.")


def token_revoke(*, refresh_token: str) -> None:
    """Log out: the session ends; its refresh and access tokens are refused from now on.
    Logging out twice is harmless."""
    payload = _refresh_claims(refresh_token)
    user = User.objects.filter(public_id=payload.get(jwt_settings.USER_ID_CLAIM)).first()
    if user is None:
        raise InvalidToken("The account of this token is missing or disabled.")
    with transaction.atomic():
        _blacklist_once(jti=payload[jwt_settings.JTI_CLAIM], exp=payload["exp"], raw=refresh_token, user=user)
        sessions_end(AuthSession.objects.filter(public_id=str(payload.get(SESSION_CLAIM)), user=user), reason="logout")


def password_change(*, user: User, current_password: str, new_password: str) -> TokenPair:
    """Change the password (the current one must be given): every session of the user ends,
    and a new pair opens a new session for the caller. Throttled per user like sign-in per email."""
    throttle.hit("password-change", user.public_id, settings.LOGIN_RATE_PER_EMAIL)
    if not user.check_password(current_password):
        raise InvalidInput(details={"current_password": ["The current password is not correct."]})
    try:
        validate_password(new_password, user=user)
    except DjangoValidationError as exc:
        raise InvalidInput(details={"new_password": list(exc.messages)}) from exc
    with transaction.atomic():
        user.set_password(new_password)
        user.save(update_fields=["password"])  # ends every session (User.save)
        return token_pair_issue(user=user)
