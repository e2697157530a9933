"""Auth endpoints: thin adapters from HTTP to ``accounts.services``."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import api_keys, services
from accounts.models import ApiKey, User
from accounts.quotas import AUDIO_SECONDS, SYNTHESES, UPLOADS, usage_today
from accounts.selectors import user_from_request
from accounts.serializers import (
    ApiKeyCreatedSerializer,
    ApiKeyCreateInputSerializer,
    ApiKeySerializer,
    LoginInputSerializer,
    PasswordChangeInputSerializer,
    RefreshInputSerializer,
    RegisterInputSerializer,
    TokenPairOutputSerializer,
    UsageOutputSerializer,
    UserOutputSerializer,
)
from configuration.config import system_config
from files.quotas import MB, storage_used
from synthesis.selectors import audio_seconds_in_flight, syntheses_in_flight
from voices.selectors import voice_sample_list
from voxify_project.envelope import ok
from voxify_project.errors import InvalidToken, PermissionDenied
from voxify_project.openapi import enveloped, error_responses
from voxify_project.pagination import PAGE_PARAMETERS, paginated_as, paginated_response, paginated_schema
from voxify_project.throttle import client_ip


def _token_response_data(user: User, pair: services.TokenPair) -> dict[str, Any]:
    return dict(TokenPairOutputSerializer({**pair.__dict__, "user": user}).data)


def _refresh_token_from(request: Request) -> str:
    """The refresh token from the JSON body, or else from ``Authorization: Bearer``."""
    serializer = RefreshInputSerializer(data=request.data)
    serializer.is_valid(raise_exception=True)
    token = serializer.validated_data.get("refresh_token")
    if token:
        return str(token)
    scheme, _, credentials = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "bearer" and credentials.strip():
        return credentials.strip()
    raise InvalidToken("A refresh token is required, as refresh_token in the body or as a Bearer token.")


class PublicAPIView(APIView):
    """An endpoint that authenticates by what it is sent, not by an access token."""

    authentication_classes: list[type] = []
    permission_classes = [AllowAny]


class RegisterView(PublicAPIView):
    @extend_schema(
        operation_id="auth_register",
        request=RegisterInputSerializer,
        responses={201: enveloped(UserOutputSerializer, "UserEnvelope"), **error_responses(400, 409, 429)},
        tags=["auth"],
        auth=[],
    )
    def post(self, request: Request) -> Response:
        serializer = RegisterInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = services.user_register(**serializer.validated_data, client_ip=client_ip(request))
        return ok(UserOutputSerializer(user).data, "User registration successful", status=201)


class LoginView(PublicAPIView):
    @extend_schema(
        operation_id="auth_login",
        request=LoginInputSerializer,
        responses={200: enveloped(TokenPairOutputSerializer, "TokenPairEnvelope"), **error_responses(400, 401, 429)},
        tags=["auth"],
        auth=[],
    )
    def post(self, request: Request) -> Response:
        serializer = LoginInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user, pair = services.user_login(**serializer.validated_data, client_ip=client_ip(request))
        return ok(_token_response_data(user, pair), "Login successful")


class RefreshView(PublicAPIView):
    @extend_schema(
        operation_id="auth_refresh",
        request=RefreshInputSerializer,
        responses={200: enveloped(TokenPairOutputSerializer, "TokenPairEnvelope"), **error_responses(400, 401)},
        tags=["auth"],
        auth=[],
        description="Exchanges a refresh token for a new pair. The presented refresh token is dead afterwards.",
    )
    def post(self, request: Request) -> Response:
        user, pair = services.token_refresh(refresh_token=_refresh_token_from(request))
        return ok(_token_response_data(user, pair), "Token refreshed")


class LogoutView(PublicAPIView):
    @extend_schema(
        operation_id="auth_logout",
        request=RefreshInputSerializer,
        responses={
            200: enveloped(serializers.JSONField(allow_null=True), "EmptyEnvelope"),
            **error_responses(400, 401),
        },
        tags=["auth"],
        auth=[],
        description="Ends the session of the refresh token: its refresh token and every access token issued "
        "with it are refused from now on.",
    )
    def post(self, request: Request) -> Response:
        services.token_revoke(refresh_token=_refresh_token_from(request))
        return ok(None, "Logged out")


class MeView(APIView):
    @extend_schema(
        operation_id="auth_me",
        responses={200: enveloped(UserOutputSerializer, "UserEnvelope"), **error_responses(401)},
        tags=["auth"],
    )
    def get(self, request: Request) -> Response:
        return ok(UserOutputSerializer(request.user).data)


class UsageView(APIView):
    @extend_schema(
        operation_id="auth_usage",
        responses={200: enveloped(UsageOutputSerializer, "UsageEnvelope"), **error_responses(401)},
        tags=["auth"],
        description="The caller's use of the daily quotas, storage and voice samples against the live limits, "
        "and the limits on single requests (upload size, sample length, text lengths).",
    )
    def get(self, request: Request) -> Response:
        user = user_from_request(request)
        config = system_config()
        today = usage_today(user=user)
        data = {
            "day": timezone.now().date(),
            "uploads": {"used": today[UPLOADS], "limit": config.uploads_per_day},
            "syntheses": {
                "used": today[SYNTHESES],
                "in_flight": syntheses_in_flight(user=user),
                "limit": config.syntheses_per_day,
            },
            "audio_seconds": {
                "used": today[AUDIO_SECONDS],
                "in_flight": audio_seconds_in_flight(user=user),
                "limit": config.audio_seconds_per_day,
            },
            "storage_bytes": {"used": storage_used(user=user), "limit": config.storage_mb_per_user * MB},
            "voice_samples": {
                "used": voice_sample_list(user=user).count(),
                "limit": config.max_voice_samples_per_user,
            },
            "limits": {
                "max_upload_bytes": config.max_upload_mb * MB,
                "voice_sample_min_seconds": config.voice_sample_min_seconds,
                "voice_sample_max_seconds": config.voice_sample_max_seconds,
                "max_synthesis_length": config.max_synthesis_length,
                "max_stream_synthesis_length": config.max_stream_synthesis_length,
                "max_async_text_length": config.max_async_text_length,
                "max_synthesis_audio_seconds": config.max_synthesis_audio_seconds,
                "max_stream_audio_seconds": config.max_stream_audio_seconds,
                "max_async_audio_seconds": config.max_async_audio_seconds,
                "max_spoken_text_ratio": config.max_spoken_text_ratio,
                "max_pieces_ratio": config.max_pieces_ratio,
            },
        }
        return ok(UsageOutputSerializer(data).data)


class PasswordChangeView(APIView):
    @extend_schema(
        operation_id="auth_password_change",
        request=PasswordChangeInputSerializer,
        responses={
            200: enveloped(TokenPairOutputSerializer, "TokenPairEnvelope"),
            **error_responses(400, 401, 403, 429),
        },
        tags=["auth"],
        description="Changes the password (not with an API key). Every session of the user ends (all "
        "refresh and access tokens are refused, open WebSockets and gRPC streams close); the answer is a new "
        "pair for the caller.",
    )
    def post(self, request: Request) -> Response:
        _not_with_a_key(request, "change the password")
        serializer = PasswordChangeInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = user_from_request(request)
        pair = services.password_change(user=user, **serializer.validated_data)
        return ok(_token_response_data(user, pair), "Password changed")


def _not_with_a_key(request: Request, action: str) -> None:
    """Some account changes need a signed-in session: an API key cannot make them."""
    if isinstance(request.auth, ApiKey):
        raise PermissionDenied(f"An API key cannot {action}; sign in with your password.", code="FORBIDDEN")


class ApiKeyListCreateView(APIView):
    pagination_class = paginated_as("api_keys")

    @extend_schema(
        operation_id="auth_api_keys_list",
        parameters=PAGE_PARAMETERS,
        responses={
            200: paginated_schema(pagination_class, ApiKeySerializer, "ApiKeyList"),
            **error_responses(400, 401),
        },
        tags=["auth"],
    )
    def get(self, request: Request) -> Response:
        keys = api_keys.api_key_list(user=user_from_request(request))
        return paginated_response(self.pagination_class, request, keys, ApiKeySerializer)

    @extend_schema(
        operation_id="auth_api_keys_create",
        request=ApiKeyCreateInputSerializer,
        responses={201: enveloped(ApiKeyCreatedSerializer, "ApiKeyCreatedEnvelope"), **error_responses(400, 401, 403)},
        tags=["auth"],
        description="Creates a personal API key (`vx_…`), usable as `Authorization: Bearer <key>` on every "
        "endpoint, the WebSocket and SSE ticket endpoints, gRPC and the OpenAI-compatible `/v1` API, with "
        "the user's quotas, rate limit and history. The key is in this answer only: it is stored as a hash. "
        "Needs a signed-in session (an API key cannot create keys).",
    )
    def post(self, request: Request) -> Response:
        serializer = ApiKeyCreateInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        key, raw = api_keys.api_key_create(
            user=user_from_request(request), **serializer.validated_data, by_api_key=isinstance(request.auth, ApiKey)
        )
        data = {**ApiKeySerializer(key).data, "key": raw}  # ApiKeyCreatedSerializer's shape
        return ok(data, "API key created; store it now, it is not shown again", status=201)


class ApiKeyDetailView(APIView):
    @extend_schema(
        operation_id="auth_api_keys_revoke",
        responses={200: enveloped(ApiKeySerializer, "ApiKeyEnvelope"), **error_responses(401, 404)},
        tags=["auth"],
        description="Revokes the key: it is refused at once everywhere, open connections included.",
    )
    def delete(self, request: Request, key_id: str) -> Response:
        key = api_keys.api_key_revoke(user=user_from_request(request), key_id=key_id)
        return ok(ApiKeySerializer(key).data, "API key revoked")
