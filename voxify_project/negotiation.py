"""Content negotiation for endpoints whose success is not JSON (audio, event streams): their
errors are JSON whatever the client says it accepts."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import BaseRenderer
from rest_framework.request import Request


class JsonForAnyAccept(DefaultContentNegotiation):
    """The first renderer (JSON) for any ``Accept`` (an OpenAI client sends
    ``application/octet-stream``, EventSource ``text/event-stream``)."""

    def select_renderer(self, request: Request, renderers: Iterable[BaseRenderer], format_suffix: Any = None) -> Any:
        renderer = next(iter(renderers))
        return renderer, renderer.media_type
