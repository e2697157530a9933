"""The real URL configuration plus two probe views used by the envelope and pagination tests."""

from typing import Any

from django.urls import include, path
from rest_framework.generics import ListAPIView
from rest_framework.permissions import AllowAny, IsAdminUser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import User
from accounts.serializers import UserOutputSerializer
from voxify_project.pagination import paginated_as


class BoomView(APIView):
    permission_classes = [AllowAny]

    def get(self, request: Request) -> Response:
        raise RuntimeError("secret internal detail")


class StaffOnlyView(APIView):
    permission_classes = [IsAdminUser]

    def get(self, request: Request) -> Response:
        return Response({"ok": True})


class UserPageView(ListAPIView):  # type: ignore[type-arg]
    permission_classes = [AllowAny]
    serializer_class = UserOutputSerializer
    pagination_class = paginated_as("users")

    def get_queryset(self) -> Any:
        return User.objects.order_by("email")


urlpatterns = [
    path("api/v1/probe/boom", BoomView.as_view()),
    path("api/v1/probe/users", UserPageView.as_view()),
    path("api/v1/probe/staff", StaffOnlyView.as_view()),
    path("", include("voxify_project.urls")),
]
