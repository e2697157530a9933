"""``?token=`` authentication for downloads: the signed links in ``audio_url`` (files.links),
so that a browser's ``<audio src>`` and ``<a download>`` work without an Authorization header.

A Bearer header, when sent, is checked first and wins (the header form keeps working on any
link, expired or not). Without one, a valid token authenticates as the file's owner for
that one file; an altered or expired token is a 403 (LINK_INVALID, LINK_EXPIRED).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework.authentication import BaseAuthentication
from rest_framework.request import Request

from accounts.selectors import user_get_active
from files.links import LinkGrant, LinkInvalid, link_token_check
from voxify_project.errors import LinkExpired
from voxify_project.errors import LinkInvalid as LinkInvalidError
from voxify_project.openapi import query_credential

if TYPE_CHECKING:
    from accounts.models import User


class SignedLinkAuthentication(BaseAuthentication):
    def authenticate(self, request: Request) -> tuple[User, LinkGrant] | None:
        token = request.query_params.get("token")
        if token is None:
            return None
        try:
            grant = link_token_check(token)
        except LinkInvalid as exc:
            raise (LinkExpired() if exc.expired else LinkInvalidError()) from exc
        user = user_get_active(user_id=grant.user_id)
        if user is None:
            raise LinkInvalidError()
        changed = user.credentials_changed_at
        if changed is not None and grant.issued_ms < changed.timestamp() * 1000:
            raise LinkInvalidError("The link was signed before the owner's password changed; fetch a new one.")
        return user, grant


def link_grant_check(request: Request, file_id: str) -> None:
    """A request authenticated by a link may fetch only the file the link was signed for."""
    if isinstance(request.auth, LinkGrant) and request.auth.file_id != file_id:
        raise LinkInvalidError()


class SignedLinkScheme(OpenApiAuthenticationExtension):  # type: ignore[no-untyped-call]
    """Describes the token in the OpenAPI schema (registered by being defined)."""

    target_class = "files.authentication.SignedLinkAuthentication"
    name = "signedLink"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return query_credential(
            "token",
            "The signed token of an `audio_url` (valid DOWNLOAD_LINK_TTL_S seconds, default 3600, for that "
            "file only); a Bearer header works instead, on any link.",
        )
