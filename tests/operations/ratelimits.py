"""Helpers for rate-limit tests: start a burst where it cannot straddle two windows."""

from __future__ import annotations

import time

from django_ratelimit.core import _get_window


def fresh_window(*identities: str, need_seconds: float = 10.0) -> None:
    """Wait, if needed, until each identity's current one-minute window has ``need_seconds``
    left, so that a quick burst is counted in a single window."""
    for _ in range(3):
        left = min(_get_window(identity, 60) - time.time() for identity in identities)
        if left >= need_seconds:
            return
        time.sleep(left + 1.0)
