from django.urls import path

from operations import views

urlpatterns = [
    path("stats", views.AdminStatsView.as_view(), name="admin-stats"),
    path("users", views.AdminUserListView.as_view(), name="admin-users"),
    path("config", views.AdminConfigView.as_view(), name="admin-config"),
]
