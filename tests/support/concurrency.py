"""Running the same call from many threads at once, for race tests."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from django.db import connection


def all_at_once(call: Callable[[int], Any], parallel: int, *, timeout: float = 300.0) -> list[Any]:
    """``call(i)`` in ``parallel`` threads released together by a barrier; each thread has
    its own database connection (closed when it ends). The answers, in thread order."""
    barrier = threading.Barrier(parallel)
    answers: list[Any] = [None] * parallel

    def run(i: int) -> None:
        try:
            barrier.wait(timeout=30)
            answers[i] = call(i)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(parallel)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    assert all(answer is not None for answer in answers), "a thread gave no answer"
    return answers
