"""WebSocket routes. Each app adds its consumers here."""

from typing import Any

websocket_urlpatterns: list[Any] = []
