"""Which WebSocket handshakes may reach the consumers, by their ``Origin`` header.

A browser always sends ``Origin``; one from a host not in ALLOWED_HOSTS is refused (a page
elsewhere must not open sockets on a user's behalf). Clients that are not browsers (the
``websockets`` library, curl, services) send none, and carry no ambient browser
credentials: they are let through, and their bearer token or ticket decides, as for every
other handshake.
"""

from __future__ import annotations

from typing import Any

from channels.security.websocket import OriginValidator
from django.conf import settings


class BrowserOriginValidator(OriginValidator):  # type: ignore[misc]
    def valid_origin(self, parsed_origin: Any) -> bool:
        if parsed_origin is None:
            return True
        return bool(self.validate_origin(parsed_origin))


def origin_checked(application: Any) -> BrowserOriginValidator:
    """``application`` behind the Origin rule, with ALLOWED_HOSTS as the allowed hosts."""
    allowed = list(settings.ALLOWED_HOSTS)
    if settings.DEBUG and not allowed:
        allowed = ["localhost", "127.0.0.1", "[::1]"]
    return BrowserOriginValidator(application, allowed)
