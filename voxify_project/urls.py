from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from files.views import FileUploadView
from jobs.views import JobListView
from synthesis.views import WatermarkDetectView
from voxify_project import error_views, health

api_v1: list[URLPattern | URLResolver] = [
    path("auth/", include("accounts.urls")),
    path("voice/", include("voices.urls")),
    path("files", FileUploadView.as_view(), name="files-upload"),
    path("files/", include("files.urls")),
    path("tts/", include("synthesis.urls")),
    path("jobs", JobListView.as_view(), name="jobs"),
    path("jobs/", include("jobs.urls")),
    path("tools/detect", WatermarkDetectView.as_view(), name="tools-detect"),
    path("admin/", include("operations.urls")),
    path("schema", SpectacularAPIView.as_view(), name="schema"),
]

urlpatterns = [
    path("api/v1/", include(api_v1)),
    path("v1/", include("openai_api.urls")),  # OpenAI-compatible: an OpenAI client's base_url is /v1
    path("api/docs", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    path("admin/", admin.site.urls),
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("metrics", health.metrics, name="metrics"),
    # Anything else under /api/ is a 404 in the envelope, whatever the method.
    re_path(r"^api/", error_views.api_not_found),
    path("", include("studio.urls")),  # Voxify Studio, the web pages
]

handler400 = error_views.bad_request
handler403 = error_views.permission_denied
handler404 = error_views.page_not_found
handler500 = error_views.server_error
