"""Account writes: registration, sign-in, token issue, rotation and revocation.

REST views and gRPC servicers both call these; they raise only domain errors.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.models import update_last_login
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from rest_framework_simplejwt.exceptions import TokenBackendError, TokenError
from rest_framework_simplejwt.settings import api_settings as jwt_settings
from rest_framework_simplejwt.state import token_backend
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken
from rest_framework_simplejwt.tokens import RefreshToken
from rest_framework_simplejwt.utils import datetime_from_epoch

from accounts.models import User, normalize_email_address
from voxify_project import throttle
from voxify_project.errors import EmailAlreadyRegistered, InvalidCredentials, InvalidInput, InvalidToken


@dataclass(frozen=True)
class TokenPair:
    access_token: str
    refresh_token: str
    expires_in: int


def user_register(*, email: str, password: str, first_name: str = "", last_name: str = "") -> User:
    """Create an account. Field problems -> InvalidInput; a taken email -> EmailAlreadyRegistered."""
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


def user_login(*, email: str, password: str, client_ip: str) -> tuple[User, TokenPair]:
    """Check credentials (throttled per IP and per email) and issue a token pair.

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
    return user, token_pair_issue(user=user)


def token_pair_issue(*, user: User) -> TokenPair:
    refresh = RefreshToken.for_user(user)
    return TokenPair(
        access_token=str(refresh.access_token),
        refresh_token=str(refresh),
        expires_in=int(settings.ACCESS_TOKEN_LIFETIME_S),
    )


def _decode_refresh(raw: str) -> RefreshToken:
    try:
        return RefreshToken(raw)  # type: ignore[arg-type]
    except TokenError as exc:
        raise InvalidToken(f"Invalid refresh token: {exc}.") from exc


def _active_user(refresh: RefreshToken) -> User:
    user_id = refresh.get(jwt_settings.USER_ID_CLAIM)
    user = User.objects.filter(public_id=user_id).first()
    if user is None or not user.is_active:
        raise InvalidToken("The account of this token is missing or disabled.")
    return user


def _blacklist_once(*, jti: str, exp: int, raw: str, user: User) -> bool:
    """Mark the token used; False if it was already used (by this or a concurrent call)."""
    outstanding, _ = OutstandingToken.objects.get_or_create(
        jti=jti, defaults={"user": user, "token": raw, "expires_at": datetime_from_epoch(exp)}
    )
    _, created = BlacklistedToken.objects.get_or_create(token=outstanding)
    return created


def token_refresh(*, refresh_token: str) -> tuple[User, TokenPair]:
    """Rotate: the presented refresh token dies, a new pair is issued. Reuse -> InvalidToken."""
    refresh = _decode_refresh(refresh_token)
    user = _active_user(refresh)
    with transaction.atomic():
        if not _blacklist_once(jti=refresh[jwt_settings.JTI_CLAIM], exp=refresh["exp"], raw=refresh_token, user=user):
            raise InvalidToken("This refresh token has already been used.")
        return user, token_pair_issue(user=user)


def token_revoke(*, refresh_token: str) -> None:
    """Log out: the refresh token can no longer be used. Revoking twice is harmless."""
    try:
        payload = token_backend.decode(refresh_token, verify=True)  # type: ignore[arg-type]  # signature, expiry
    except TokenBackendError as exc:
        raise InvalidToken(f"Invalid refresh token: {exc}.") from exc
    if payload.get(jwt_settings.TOKEN_TYPE_CLAIM) != "refresh" or jwt_settings.JTI_CLAIM not in payload:
        raise InvalidToken("Invalid refresh token: wrong token type.")
    user = User.objects.filter(public_id=payload.get(jwt_settings.USER_ID_CLAIM)).first()
    if user is None:
        raise InvalidToken("The account of this token is missing or disabled.")
    with transaction.atomic():
        _blacklist_once(jti=payload[jwt_settings.JTI_CLAIM], exp=payload["exp"], raw=refresh_token, user=user)
