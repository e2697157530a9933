from typing import Any

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import UserChangeForm, UserCreationForm
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from accounts.models import ApiKey, User
from accounts.sessions import sessions_end_for_users
from operations.selectors import users_with_counts


class VoxifyUserCreationForm(UserCreationForm):  # type: ignore[type-arg]
    class Meta:
        model = User
        fields = ("email", "first_name", "last_name")


class VoxifyUserChangeForm(UserChangeForm):  # type: ignore[type-arg]
    class Meta:
        model = User
        fields = "__all__"


@admin.register(User)
class UserAdmin(DjangoUserAdmin):  # type: ignore[type-arg]
    form = VoxifyUserChangeForm
    add_form = VoxifyUserCreationForm
    ordering = ("-created_at",)
    list_display = (
        "email",
        "public_id",
        "first_name",
        "last_name",
        "is_active",
        "is_staff",
        "voice_samples",
        "voices_consented",
        "jobs",
        "syntheses",
        "outputs_watermarked",
        "created_at",
        "last_login",
    )
    list_filter = ("is_active", "is_staff", "is_superuser", "created_at")
    search_fields = ("email", "first_name", "last_name", "public_id")
    readonly_fields = (
        "public_id",
        "created_at",
        "last_login",
        "voice_samples",
        "voices_consented",
        "jobs",
        "syntheses",
        "outputs_watermarked",
    )
    actions = ("activate_users", "deactivate_users")
    fieldsets = (
        (None, {"fields": ("email", "password", "public_id")}),
        ("Personal info", {"fields": ("first_name", "last_name")}),
        ("Permissions", {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        ("Dates", {"fields": ("last_login", "created_at")}),
        ("Usage", {"fields": ("voice_samples", "voices_consented", "jobs", "syntheses", "outputs_watermarked")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("email", "first_name", "last_name", "password1", "password2")}),
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[User]:
        return users_with_counts(super().get_queryset(request))

    @admin.display(description="Voice samples", ordering="voice_sample_count")
    def voice_samples(self, obj: Any) -> int:
        return int(obj.voice_sample_count)

    @admin.display(description="Voices with consent", ordering="consented_voice_count")
    def voices_consented(self, obj: Any) -> int:
        return int(obj.consented_voice_count)

    @admin.display(description="Watermarked outputs", ordering="watermarked_output_count")
    def outputs_watermarked(self, obj: Any) -> int:
        return int(obj.watermarked_output_count)

    @admin.display(description="Jobs", ordering="job_count")
    def jobs(self, obj: Any) -> int:
        return int(obj.job_count)

    @admin.display(description="Syntheses", ordering="synthesis_count")
    def syntheses(self, obj: Any) -> int:
        return int(obj.synthesis_count)

    @admin.action(description="Activate selected users")
    def activate_users(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        changed = User.objects.filter(pk__in=queryset.values("pk"), is_active=False).update(is_active=True)
        self.message_user(request, f"Activated {changed} user(s).", messages.SUCCESS)

    @admin.action(description="Deactivate selected users (they can no longer sign in or use tokens)")
    def deactivate_users(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        chosen = User.objects.filter(pk__in=queryset.values("pk"), is_active=True).exclude(pk=request.user.pk or 0)
        with transaction.atomic():
            sessions_end_for_users(chosen, reason="deactivated")
            changed = chosen.update(is_active=False, credentials_changed_at=timezone.now())
        self.message_user(request, f"Deactivated {changed} user(s).", messages.SUCCESS)
        if queryset.filter(pk=request.user.pk or 0).exists():
            self.message_user(request, "Your own account was left active.", messages.WARNING)


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Staff see and revoke keys; only their owners create them (the key is shown once, to them)."""

    list_display = ("public_id", "prefix", "name", "user", "created_at", "last_used_at", "expires_at", "revoked_at")
    list_filter = ("revoked_at",)
    search_fields = ("public_id", "prefix", "name", "user__email")
    list_select_related = ("user",)
    readonly_fields = ("public_id", "user", "prefix", "created_at", "last_used_at", "revoked_at")
    fields = ("public_id", "user", "name", "prefix", "created_at", "expires_at", "last_used_at", "revoked_at")
    actions = ("revoke",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(description="Revoke the selected API keys")
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiKey]) -> None:
        count = queryset.filter(revoked_at=None).update(revoked_at=timezone.now())
        messages.info(request, f"{count} API key(s) revoked; they are refused at once.")
