"""Telling a busy or unreachable database apart from other database errors.

A query that waited past DATABASE_LOCK_TIMEOUT for another connection's lock, or a connection
that is refused or dropped, is a passing condition: requests answer 503 with Retry-After and
jobs ride it out. Any other database error (a missing table, a bad query) is a fault and stays
one (500, logged).
"""

from __future__ import annotations

from django.db import InterfaceError, OperationalError

# PostgreSQL SQLSTATEs: lock_timeout (55P03), connection exceptions (class 08), the server
# shutting down or not yet accepting connections (57P01-57P03).
_PASSING_SQLSTATES = {"55P03", "57P01", "57P02", "57P03"}
_PASSING_SQLITE_MESSAGES = ("database is locked", "database table is locked", "unable to open database")


def database_busy(exc: BaseException) -> bool:
    """True when ``exc`` says the database is locked or unreachable for the moment."""
    if isinstance(exc, InterfaceError):
        return True
    if not isinstance(exc, OperationalError):
        return False
    sqlstate = getattr(exc.__cause__, "sqlstate", None)
    if isinstance(sqlstate, str):
        return sqlstate in _PASSING_SQLSTATES or sqlstate.startswith("08")
    message = str(exc).lower()
    return any(text in message for text in _PASSING_SQLITE_MESSAGES) or "connection" in message
