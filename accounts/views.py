"""Auth endpoints: thin adapters from HTTP to ``accounts.services``."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import services
from accounts.models import User
from accounts.selectors import user_from_request
from accounts.serializers import (
    LoginInputSerializer,
    PasswordChangeInputSerializer,
    RefreshInputSerializer,
    RegisterInputSerializer,
    TokenPairOutputSerializer,
    UserOutputSerializer,
)
from voxify_project.envelope import ok
from voxify_project.errors import InvalidToken
from voxify_project.openapi import enveloped, error_responses
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


class PasswordChangeView(APIView):
    @extend_schema(
        operation_id="auth_password_change",
        request=PasswordChangeInputSerializer,
        responses={200: enveloped(TokenPairOutputSerializer, "TokenPairEnvelope"), **error_responses(400, 401, 429)},
        tags=["auth"],
        description="Changes the password. Every session of the user ends (all refresh and access tokens "
        "are refused, open WebSockets and gRPC streams close); the answer is a new pair for the caller.",
    )
    def post(self, request: Request) -> Response:
        serializer = PasswordChangeInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = user_from_request(request)
        pair = services.password_change(user=user, **serializer.validated_data)
        return ok(_token_response_data(user, pair), "Password changed")
