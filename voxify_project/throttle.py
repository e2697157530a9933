"""Request rate limits on the shared Redis cache, counted with django-ratelimit.

Every web and gRPC process counts in the same cache keys, so a limit holds however many
processes serve the API. A rate is written the django-ratelimit way: ``"10/5m"`` is 10 per
5 minutes. Windows are fixed (with a per-key offset, django-ratelimit's), and the refusal
says when the current one ends (``Retry-After``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.http import HttpRequest
from django_ratelimit.core import get_usage
from redis.exceptions import RedisError
from rest_framework.throttling import BaseThrottle

from configuration.config import system_config
from voxify_project.errors import RateLimited, ServiceUnavailable

if TYPE_CHECKING:  # DRF imports this module while loading its views
    from rest_framework.request import Request
    from rest_framework.views import APIView

# One bucket for the API, shared by REST and gRPC: a user's calls count together.
API_USER = "api-user"
API_ANONYMOUS = "api-ip"


def hit(bucket: str, identity: str, rate: str) -> None:
    """Count one event for ``identity`` in ``bucket``; raise RateLimited once over ``rate``."""
    try:
        usage = get_usage(None, group=bucket, key=lambda _group, _request: identity, rate=rate, increment=True)
    except (RedisError, OSError) as exc:
        # Without the shared counter no limit can be enforced: refuse clearly rather than fail open.
        raise ServiceUnavailable(
            "The rate-limit store (Redis) is unreachable; try again shortly.", details={"unreachable": ["redis"]}
        ) from exc
    if usage is not None and usage["should_limit"]:
        retry_after = max(1, int(usage["time_left"]))
        raise RateLimited(
            f"More than {usage['limit']} requests; try again in {retry_after} s.",
            retry_after=retry_after,
            details={"retry_after": retry_after, "limit": rate},
        )


def api_request(*, user_id: str | None, client_ip: str, per_minute: int) -> None:
    """One API request (REST or gRPC): per user when signed in, else per client IP."""
    if user_id:
        hit(API_USER, user_id, f"{per_minute}/m")
    else:
        hit(API_ANONYMOUS, client_ip, f"{per_minute}/m")


def client_ip(request: HttpRequest) -> str:
    """The caller's address (``RATELIMIT_IP_META_KEY``, REMOTE_ADDR behind no proxy)."""
    return str(request.META.get(settings.RATELIMIT_IP_META_KEY) or request.META.get("REMOTE_ADDR") or "unknown")


class ApiRateThrottle(BaseThrottle):
    """DRF throttle for every API view: ``requests_per_minute`` of the live configuration.

    DRF runs throttles after authentication, so a signed-in user is counted by account
    (whatever address they call from) and everyone else by IP.
    """

    def allow_request(self, request: Request, view: APIView) -> bool:
        user = getattr(request, "user", None)
        user_id = getattr(user, "public_id", None) if user is not None and user.is_authenticated else None
        api_request(user_id=user_id, client_ip=client_ip(request), per_minute=system_config().requests_per_minute)
        return True
