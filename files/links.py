"""Links to stored files, for the adapters that present them (REST, SSE, gRPC, job results).

Services and selectors never build URLs: they name files by id, and whoever answers the
caller turns the id into a download link against the caller's base URL.

Every link is signed: ``?token=`` carries the file id and its owner's id, signed with the
service's secret and valid for ``DOWNLOAD_LINK_TTL_S`` seconds, so a browser's ``<audio src>``
or ``<a download>`` can fetch it without an Authorization header. The Bearer header keeps
working on the same URL (and on the URL without its query), whatever the token's state.
A link signed before its owner's last password change, staff reset or deactivation is
refused (``files.authentication``).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from urllib.parse import urlencode

from django.conf import settings
from django.core import signing
from django.urls import reverse

_SALT = "voxify.files.download-link"


@dataclass(frozen=True)
class LinkGrant:
    """What a valid token allows: downloading ``file_id``, a file of user ``user_id``."""

    file_id: str
    user_id: str
    issued_ms: int = 0  # when it was signed (ms since the epoch): the owner's credentials change ends it


class LinkInvalid(Exception):
    """The token is malformed, tampered with or expired (``expired`` tells which)."""

    def __init__(self, *, expired: bool) -> None:
        super().__init__("expired" if expired else "invalid")
        self.expired = expired


def link_token(*, file_id: str, user_id: str) -> str:
    issued = int(time.time() * 1000)
    return signing.TimestampSigner(salt=_SALT).sign_object({"f": file_id, "u": user_id, "i": issued}, compress=False)


def link_token_check(token: str) -> LinkGrant:
    """The grant of a token signed here and younger than DOWNLOAD_LINK_TTL_S, or LinkInvalid."""
    if not token or len(token) > 512:
        raise LinkInvalid(expired=False)
    try:
        data = signing.TimestampSigner(salt=_SALT).unsign_object(token, max_age=settings.DOWNLOAD_LINK_TTL_S)
    except signing.SignatureExpired as exc:
        raise LinkInvalid(expired=True) from exc
    except (signing.BadSignature, ValueError, UnicodeDecodeError) as exc:
        raise LinkInvalid(expired=False) from exc
    if not isinstance(data, dict) or not isinstance(data.get("f"), str) or not isinstance(data.get("u"), str):
        raise LinkInvalid(expired=False)
    issued = data.get("i", 0)
    return LinkGrant(file_id=data["f"], user_id=data["u"], issued_ms=issued if isinstance(issued, int) else 0)


def download_url(base_url: str, file_id: str, *, user_id: str) -> str:
    """``{base_url}/api/v1/audio/{file_id}?token=…``: the file's download, signed for its owner
    ``user_id`` (works without headers until the token expires; with a Bearer header always)."""
    path = reverse("files-download", kwargs={"file_id": file_id})
    return base_url.rstrip("/") + path + "?" + urlencode({"token": link_token(file_id=file_id, user_id=user_id)})
