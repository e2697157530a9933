"""What the access log may show of a request's URL: the path, and the query's parameter names
with only harmless values. Signed download tokens, stream and WebSocket tickets, and the text
of a streamed synthesis travel in query strings; none of them is written to a log.

No Django: the web server (``http_server``) uses it before Django runs.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit

# Parameters whose values say nothing secret and help an operator read the log.
SHOWN = frozenset(
    {
        "page",
        "page_size",
        "format",
        "sample_rate",
        "speed",
        "pitch",
        "volume",
        "timestamps",
        "input_type",
        "normalize",
        "keep",
        "status",
        "type",
        "voice_id",
        "dictionary_id",
    }
)
HIDDEN = "redacted"


def redacted_url(url: str) -> str:
    """``url`` (a request target: path and query) with every value outside ``SHOWN`` replaced."""
    path, _, query = url.partition("?")
    if not query:
        return url
    try:
        pairs = parse_qsl(query, keep_blank_values=True, max_num_fields=100)
    except ValueError:
        return f"{urlsplit(path).path}?{HIDDEN}"
    shown = [(name[:40], value[:40] if name in SHOWN else HIDDEN) for name, value in pairs]
    return f"{path}?{urlencode(shown)}"
