"""Fixed-window counters on the shared Redis cache, for throttling by IP, email, user.

Counting uses the cache's atomic ``add`` + ``incr``, so several web (and gRPC) processes
share one count. A rate is written like django-ratelimit's: ``"10/5m"`` is 10 per 5 minutes.
"""

from __future__ import annotations

import hashlib
import re
import time

from django.core.cache import cache

from voxify_project.errors import RateLimited

_RATE = re.compile(r"^(\d+)/(\d*)([smhd])$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_rate(rate: str) -> tuple[int, int]:
    """``"10/5m"`` -> (10, 300)."""
    match = _RATE.match(rate.strip())
    if not match:
        raise ValueError(f"Invalid rate {rate!r}; expected e.g. '10/m' or '100/5m'.")
    count, multiplier, unit = match.groups()
    return int(count), int(multiplier or 1) * _UNIT_SECONDS[unit]


def hit(bucket: str, identity: str, rate: str) -> None:
    """Count one event for ``identity`` in ``bucket``; raise RateLimited once over ``rate``."""
    limit, period = parse_rate(rate)
    now = time.time()
    window = int(now // period)
    digest = hashlib.sha256(identity.encode()).hexdigest()[:32]
    key = f"throttle:{bucket}:{digest}:{window}"
    cache.add(key, 0, timeout=period + 1)
    count = cache.incr(key)
    if count > limit:
        retry_after = max(1, int((window + 1) * period - now) + 1)
        raise RateLimited(retry_after=retry_after, details={"retry_after": retry_after})
