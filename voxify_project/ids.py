"""Public identifiers: a type prefix and 20 random base-62 characters (about 119 bits).

Database integers never leave the service; every object a client sees is named by one of
these (``usr_…``, ``vs_…``, ``job_…``, ``syn_…``, ``file_…``).
"""

from __future__ import annotations

import secrets
import string

_ALPHABET = string.ascii_letters + string.digits
RANDOM_LENGTH = 20


def new_public_id(prefix: str) -> str:
    return prefix + "_" + "".join(secrets.choice(_ALPHABET) for _ in range(RANDOM_LENGTH))
