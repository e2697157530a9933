"""User accounts: email login, public id ``usr_…``."""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.utils import timezone

from voxify_project.ids import new_public_id


def new_user_id() -> str:
    return new_public_id("usr")


def normalize_email_address(email: str) -> str:
    """Emails are compared case-insensitively: stored trimmed and lower-cased."""
    return email.strip().lower()


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=normalize_email_address(email), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        if not extra["is_staff"] or not extra["is_superuser"]:
            raise ValueError("A superuser must have is_staff and is_superuser set.")
        return self.create_user(email, password, **extra)

    def get_by_natural_key(self, username: str | None) -> User:
        return self.get(email=normalize_email_address(username or ""))


class User(AbstractBaseUser, PermissionsMixin):
    """A Voxify user. Signs in with email; known to clients only by ``public_id``."""

    public_id = models.CharField(max_length=32, unique=True, default=new_user_id, editable=False)
    email = models.EmailField(unique=True)
    first_name = models.CharField(max_length=150, blank=True)
    last_name = models.CharField(max_length=150, blank=True)
    is_active = models.BooleanField(default=True, help_text="Inactive users cannot sign in or use their tokens.")
    is_staff = models.BooleanField(default=False, help_text="Staff can use the admin site and admin API.")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    credentials_changed_at = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text="The last password change, staff reset or deactivation: links signed before it are refused.",
    )

    objects: ClassVar[UserManager] = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        ordering = ("-created_at",)

    def __str__(self) -> str:
        return self.email

    def clean(self) -> None:
        super().clean()
        self.email = normalize_email_address(self.email)

    # A new password or a deactivation ends every session of the user (accounts.sessions).
    # Django re-hashing a correct password on sign-in (check_password) is not a change.
    _rehashing = False
    _sessions_end_reason = ""
    _was_active: bool | None = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._was_active = self.__dict__.get("is_active")

    def check_password(self, raw_password: str | None) -> bool:
        self._rehashing = True
        try:
            return super().check_password(raw_password)
        finally:
            self._rehashing = False

    def set_password(self, raw_password: str | None) -> None:
        super().set_password(raw_password)
        if not self._rehashing:
            self._sessions_end_reason = "password_changed"

    def save(self, *args: Any, **kwargs: Any) -> None:
        reason = self._sessions_end_reason or ("deactivated" if self._was_active and not self.is_active else "")
        if reason:
            # Signed download links issued before now stop working (files.authentication).
            self.credentials_changed_at = timezone.now()
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "credentials_changed_at"}
        super().save(*args, **kwargs)
        self._sessions_end_reason, self._was_active = "", self.is_active
        if reason:
            from accounts.sessions import sessions_end_for_users

            sessions_end_for_users(User.objects.filter(pk=self.pk), reason=reason)

    def get_full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def get_short_name(self) -> str:
        return self.first_name


class DailyUsage(models.Model):
    """How many units of a metered action (uploads, syntheses) a user used on one UTC day."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="daily_usage")
    day = models.DateField()
    kind = models.CharField(max_length=32)
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "day", "kind"], name="daily_usage_unique")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.day} {self.kind}={self.count}"


def new_session_id() -> str:
    return new_public_id("ses")


class AuthSession(models.Model):
    """One sign-in: the family of refresh tokens rotated from one login, and the access tokens
    issued with them (both carry the session id in the ``sid`` claim).

    A session ends (``revoked_at``) on logout, when one of its refresh tokens is replayed, and
    for every session of a user whose password changes or who is deactivated. A token of an
    ended session is refused everywhere (REST, WebSocket, gRPC), even before it expires.
    """

    public_id = models.CharField(max_length=32, unique=True, default=new_session_id, editable=False)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="auth_sessions")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    expires_at = models.DateTimeField(help_text="When the newest refresh token of the session expires.")
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_reason = models.CharField(max_length=32, blank=True)

    class Meta:
        indexes = [models.Index(fields=["user", "revoked_at"]), models.Index(fields=["expires_at"])]

    def __str__(self) -> str:
        return self.public_id


def new_api_key_id() -> str:
    return new_public_id("key")


class ApiKey(models.Model):
    """A personal API key: a long-lived Bearer credential for programs (``vx_…``).

    The key itself is shown once, when it is created; only its SHA-256 and its first
    characters (``prefix``, to tell keys apart) are stored. A key acts as its user, with the
    same quotas, rate limits and history; it stops working when revoked, when it expires and
    while its user is inactive.
    """

    public_id = models.CharField(max_length=32, unique=True, default=new_api_key_id, editable=False)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_keys")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=16, help_text="The key's first characters, shown to tell keys apart.")
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    expires_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at",)
        indexes = [models.Index(fields=["user", "-created_at"])]
        verbose_name = "API key"

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.name})"

    def is_usable(self, now: Any = None) -> bool:
        now = now or timezone.now()
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)
