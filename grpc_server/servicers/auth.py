"""AuthService: adapters over accounts.services, validated by the REST serializers."""

from __future__ import annotations

from datetime import UTC
from typing import TYPE_CHECKING, Any

import grpc

from accounts import api_keys, services
from accounts.selectors import user_from_access_token
from accounts.serializers import (
    ApiKeyCreateInputSerializer,
    ApiKeySerializer,
    LoginInputSerializer,
    RefreshInputSerializer,
    RegisterInputSerializer,
)
from grpc_server.convert import message_from, page_params, timestamp
from grpc_server.protos import auth_pb2, auth_pb2_grpc
from grpc_server.rpc import call_credentials, client_address, rpc
from voxify_project.errors import InvalidToken
from voxify_project.pagination import page_of

if TYPE_CHECKING:  # models of other apps: for annotations only (adapters call services and selectors)
    from accounts.models import User


def user_message(user: User) -> auth_pb2.User:
    return auth_pb2.User(
        user_id=user.public_id,
        email=user.email,
        first_name=user.first_name,
        last_name=user.last_name,
        created_at=timestamp(user.created_at),
    )


def token_pair(user: User, pair: services.TokenPair) -> auth_pb2.TokenPair:
    return auth_pb2.TokenPair(
        access_token=pair.access_token,
        refresh_token=pair.refresh_token,
        expires_in=pair.expires_in,
        user=user_message(user),
    )


def validated(serializer_class: Any, data: dict[str, Any]) -> dict[str, Any]:
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


class AuthServicer(auth_pb2_grpc.AuthServiceServicer):
    @rpc(public=True)
    def Register(self, request: auth_pb2.RegisterRequest, context: grpc.ServicerContext) -> auth_pb2.RegisterResponse:
        data = validated(
            RegisterInputSerializer,
            {
                "email": request.email,
                "password": request.password,
                "first_name": request.first_name,
                "last_name": request.last_name,
            },
        )
        user = services.user_register(**data, client_ip=client_address(context))
        return auth_pb2.RegisterResponse(user=user_message(user))

    @rpc(public=True)
    def Login(self, request: auth_pb2.LoginRequest, context: grpc.ServicerContext) -> auth_pb2.LoginResponse:
        data = validated(LoginInputSerializer, {"email": request.email, "password": request.password})
        user, pair = services.user_login(**data, client_ip=client_address(context))
        return auth_pb2.LoginResponse(tokens=token_pair(user, pair))

    @rpc(public=True)
    def RefreshToken(
        self, request: auth_pb2.RefreshTokenRequest, context: grpc.ServicerContext
    ) -> auth_pb2.RefreshTokenResponse:
        token = validated(RefreshInputSerializer, {"refresh_token": request.refresh_token}).get("refresh_token")
        if not token:
            raise InvalidToken("A refresh token is required.")
        user, pair = services.token_refresh(refresh_token=str(token))
        return auth_pb2.RefreshTokenResponse(tokens=token_pair(user, pair))

    @rpc()
    def ValidateToken(
        self, request: auth_pb2.ValidateTokenRequest, context: grpc.ServicerContext, caller: User
    ) -> auth_pb2.ValidateTokenResponse:
        user = user_from_access_token(request.access_token) if request.access_token else None
        if user is None:
            return auth_pb2.ValidateTokenResponse(valid=False)
        return auth_pb2.ValidateTokenResponse(valid=True, user=user_message(user))

    @rpc()
    def CreateApiKey(
        self, request: auth_pb2.CreateApiKeyRequest, context: grpc.ServicerContext, user: User
    ) -> auth_pb2.CreateApiKeyResponse:
        fields: dict[str, Any] = {"name": request.name, "password": request.password}
        if request.HasField("expires_at"):
            fields["expires_at"] = request.expires_at.ToDatetime(tzinfo=UTC)
        data = validated(ApiKeyCreateInputSerializer, fields)
        credentials = call_credentials()
        key, raw = api_keys.api_key_create(
            user=user, **data, by_api_key=credentials is not None and credentials.via_api_key
        )
        return auth_pb2.CreateApiKeyResponse(api_key=api_key_message(key), key=raw)

    @rpc()
    def ListApiKeys(
        self, request: auth_pb2.ListApiKeysRequest, context: grpc.ServicerContext, user: User
    ) -> auth_pb2.ListApiKeysResponse:
        keys, pagination = page_of(api_keys.api_key_list(user=user), page_params(request.page, request.page_size))
        return auth_pb2.ListApiKeysResponse(
            api_keys=[api_key_message(key) for key in keys], pagination=auth_pb2.Pagination(**pagination)
        )

    @rpc()
    def RevokeApiKey(
        self, request: auth_pb2.RevokeApiKeyRequest, context: grpc.ServicerContext, user: User
    ) -> auth_pb2.RevokeApiKeyResponse:
        return auth_pb2.RevokeApiKeyResponse(
            api_key=api_key_message(api_keys.api_key_revoke(user=user, key_id=request.key_id))
        )


def api_key_message(key: Any) -> auth_pb2.ApiKey:
    return message_from(auth_pb2.ApiKey, ApiKeySerializer(key).data)
