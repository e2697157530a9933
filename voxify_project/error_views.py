"""Django-level error views (handler400/403/404/500).

Requests that never reach a DRF view (an unknown URL, an error in middleware) still get
the envelope when they are API requests; admin and other HTML pages keep Django's pages.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views import defaults
from django.views.decorators.csrf import csrf_exempt

from voxify_project.envelope import error_body
from voxify_project.exception_handler import internal_error_response

_JSON_PREFIXES = ("/api/", "/v1/", "/healthz", "/readyz", "/studio/")


def _wants_json(request: HttpRequest) -> bool:
    return request.path.startswith(_JSON_PREFIXES)


def bad_request(request: HttpRequest, exception: Exception, **kwargs: Any) -> HttpResponse:
    if _wants_json(request):
        return JsonResponse(error_body("BAD_REQUEST", "Bad request."), status=400)
    return defaults.bad_request(request, exception)


def permission_denied(request: HttpRequest, exception: Exception, **kwargs: Any) -> HttpResponse:
    if _wants_json(request):
        return JsonResponse(error_body("FORBIDDEN", "You do not have permission to perform this action."), status=403)
    return defaults.permission_denied(request, exception)


def page_not_found(request: HttpRequest, exception: Exception, **kwargs: Any) -> HttpResponse:
    if _wants_json(request):
        return JsonResponse(error_body("NOT_FOUND", f"No API endpoint at {request.path}."), status=404)
    return defaults.page_not_found(request, exception)


def server_error(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    if _wants_json(request):
        body, status = internal_error_response()
        return JsonResponse(body, status=status)
    return defaults.server_error(request)


@csrf_exempt
def api_not_found(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    """Catch-all for unknown API paths, so that no method there gets HTML or a 405."""
    return JsonResponse(error_body("NOT_FOUND", f"No API endpoint at {request.path}."), status=404)
