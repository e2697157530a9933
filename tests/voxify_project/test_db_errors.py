"""A locked or unreachable database is told apart from other database errors."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, InterfaceError, OperationalError

from voxify_project.db_errors import database_busy


class _DriverError(Exception):
    def __init__(self, sqlstate: str) -> None:
        super().__init__(sqlstate)
        self.sqlstate = sqlstate


def _wrapped(sqlstate: str) -> OperationalError:
    error = OperationalError("driver error")
    error.__cause__ = _DriverError(sqlstate)
    return error


@pytest.mark.parametrize(
    ("error", "busy"),
    [
        (OperationalError("database is locked"), True),
        (OperationalError("unable to open database file"), True),
        (InterfaceError("connection already closed"), True),
        (_wrapped("55P03"), True),  # PostgreSQL lock_timeout
        (_wrapped("08006"), True),  # connection failure
        (_wrapped("57P01"), True),  # the server is shutting down
        (OperationalError("no such table: accounts_authsession"), False),
        (_wrapped("42P01"), False),  # undefined table
        (DatabaseError("something else"), False),
        (ValueError("not a database error"), False),
    ],
)
def test_only_locks_and_lost_connections_count_as_busy(error: BaseException, busy: bool) -> None:
    assert database_busy(error) is busy
