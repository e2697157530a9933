from django.urls import path

from accounts import views

urlpatterns = [
    path("register", views.RegisterView.as_view(), name="auth-register"),
    path("login", views.LoginView.as_view(), name="auth-login"),
    path("refresh", views.RefreshView.as_view(), name="auth-refresh"),
    path("logout", views.LogoutView.as_view(), name="auth-logout"),
    path("me", views.MeView.as_view(), name="auth-me"),
    path("usage", views.UsageView.as_view(), name="auth-usage"),
    path("password", views.PasswordChangeView.as_view(), name="auth-password"),
    path("api-keys", views.ApiKeyListCreateView.as_view(), name="auth-api-keys"),
    path("api-keys/<str:key_id>", views.ApiKeyDetailView.as_view(), name="auth-api-key"),
]
