"""The admin API: staff only (401 without a token, 403 FORBIDDEN for other users)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.permissions import IsAdminUser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.selectors import user_from_request
from configuration.config import system_config, system_config_update
from configuration.serializers import SystemConfigSerializer
from operations import selectors
from operations.serializers import (
    AdminStatsSerializer,
    AdminUserFilterSerializer,
    AdminUserSerializer,
)
from voxify_project.envelope import ok
from voxify_project.openapi import enveloped, error_responses
from voxify_project.pagination import PAGE_PARAMETERS, paginated_as, paginated_response, paginated_schema


class StaffOnlyView(APIView):
    permission_classes = [IsAdminUser]


class AdminStatsView(StaffOnlyView):
    @extend_schema(
        operation_id="admin_stats",
        responses={200: enveloped(AdminStatsSerializer, "AdminStatsEnvelope"), **error_responses(401, 403)},
        tags=["admin"],
    )
    def get(self, request: Request) -> Response:
        return ok(AdminStatsSerializer(selectors.admin_stats()).data)


class AdminUserListView(StaffOnlyView):
    pagination_class = paginated_as("users")

    @extend_schema(
        operation_id="admin_users_list",
        parameters=[AdminUserFilterSerializer, *PAGE_PARAMETERS],
        responses={
            200: paginated_schema(pagination_class, AdminUserSerializer, "AdminUserList"),
            **error_responses(400, 401, 403),
        },
        tags=["admin"],
    )
    def get(self, request: Request) -> Response:
        filters = AdminUserFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        users = selectors.admin_user_list(**filters.validated_data)
        return paginated_response(self.pagination_class, request, users, AdminUserSerializer)


class AdminConfigView(StaffOnlyView):
    @extend_schema(
        operation_id="admin_config_get",
        responses={200: enveloped(SystemConfigSerializer, "SystemConfigEnvelope"), **error_responses(401, 403)},
        tags=["admin"],
    )
    def get(self, request: Request) -> Response:
        return ok(SystemConfigSerializer(system_config()).data)

    @extend_schema(
        operation_id="admin_config_update",
        request=SystemConfigSerializer(partial=True),
        responses={200: enveloped(SystemConfigSerializer, "SystemConfigEnvelope"), **error_responses(400, 401, 403)},
        tags=["admin"],
        description="Change any of the fields; the others keep their values. In force in every process "
        "(web, gRPC, worker) within CONFIG_REFRESH_SECONDS (2 s).",
    )
    def put(self, request: Request) -> Response:
        serializer = SystemConfigSerializer(system_config(), data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        config = system_config_update(changes=dict(serializer.validated_data), by=user_from_request(request))
        return ok(SystemConfigSerializer(config).data, "Configuration updated")
