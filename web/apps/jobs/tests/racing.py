"""Run the same work in several threads released at one moment, each on its own database
connection: how the tests show that two workers (or two app servers) racing do a thing once.
SQLite's in-memory test database cannot hold two real connections; callers skip there."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

from django.db import connections

__all__ = ["race"]

T = TypeVar("T")


def race(work: Callable[[int], T], runners: int = 2) -> list[T]:
    """``work(n)`` in ``runners`` threads (n = 0, 1, …) started together; their results in the
    order they finished. The first error of any runner is raised once all have ended."""
    barrier = threading.Barrier(runners)
    results: list[T] = []
    errors: list[BaseException] = []

    def run(n: int) -> None:
        try:
            barrier.wait()
            results.append(work(n))
        except BaseException as exc:  # reported below, in the test's thread
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(runners)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return results
