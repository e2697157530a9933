"""``?ticket=`` authentication for the synthesis stream (browsers' EventSource cannot send
an Authorization header). Tickets are single-use and short-lived (``accounts.tickets``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework.authentication import BaseAuthentication
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.request import Request

from accounts.tickets import ticket_redeem
from voxify_project.openapi import query_credential

if TYPE_CHECKING:
    from accounts.models import User

STREAM_TICKET_SCOPE = "tts-stream"


class StreamTicketAuthentication(BaseAuthentication):
    def authenticate(self, request: Request) -> tuple[User, Any] | None:
        ticket = request.query_params.get("ticket")
        if not ticket:
            return None
        credentials = ticket_redeem(ticket=ticket, scope=STREAM_TICKET_SCOPE)
        if credentials is None:
            raise AuthenticationFailed("The ticket is invalid, expired or already used.")
        return credentials.user, credentials  # the stream re-checks them (credentials_watch)


class StreamTicketScheme(OpenApiAuthenticationExtension):  # type: ignore[no-untyped-call]
    """Describes the ticket in the OpenAPI schema (registered by being defined)."""

    target_class = "synthesis.authentication.StreamTicketAuthentication"
    name = "streamTicket"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return query_credential("ticket", "Single-use, 60 s ticket from POST /api/v1/tts/synthesize/stream/ticket.")
