"""HTTP Range (RFC 9110 section 14) for single byte ranges."""

from __future__ import annotations

import re

_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


class UnsatisfiableRange(Exception):
    pass


_HUGE = 10**18  # beyond any stored file: a longer number means the same thing


def _number(digits: str) -> int:
    """A position of the header: any number of digits (Python refuses to read over 4300 of
    them), read as itself up to 18 digits and as ``_HUGE`` past that."""
    digits = digits.lstrip("0") or "0"
    return int(digits) if len(digits) <= 18 else _HUGE


def parse_range(header: str | None, size: int) -> tuple[int, int] | None:
    """The inclusive (start, end) asked for, or None for the whole file.

    Multi-range and malformed headers are ignored (the whole file is sent, as the RFC
    allows); a well-formed range that lies outside the file raises UnsatisfiableRange.
    """
    if not header:
        return None
    match = _RANGE.match(header.strip())
    if not match:
        return None
    first, last = match.groups()
    if not first and not last:
        return None
    if not first:  # suffix range: the last N bytes
        length = _number(last)
        if length == 0 or size == 0:
            raise UnsatisfiableRange
        return max(0, size - length), size - 1
    start = _number(first)
    end = _number(last) if last else size - 1
    if start >= size:
        raise UnsatisfiableRange
    if end < start:
        return None
    return start, min(end, size - 1)
